"""Offline policy check: run a Pulumi Python program for a stack under mocks, or read a
deployed stack's export, and evaluate the policy pack against it, with no cloud credentials
and no Pulumi CLI (P10, P13, P14).

    python -m policy.check --stack NAME [--program DIR] [--config FILE]
                           [--format text|json|sarif|junit] [--fail-on SEVERITY] [--json]
                           [--stack-reference NAME=FILE.json ...] [--strict]
    python -m policy.check --state EXPORT.json [--config FILE] [--format ...]

Exit status: 0 no mandatory violation at or above --fail-on (default low: any), 1 at least
one, 2 the program, its config or a policy failed (naming which), or, with --strict, the
program used components the check cannot expand.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from .evaluate import evaluate
from .harness import ProgramError, run_from_export, run_program
from .pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES
from .report import SEVERITY_ORDER, Report, failing

REPO_ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "sarif", "junit")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m policy.check", description=__doc__.split("\n\n")[0]
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="stack name: reads Pulumi.<stack>.yaml")
    source.add_argument("--state", help="a `pulumi stack export` file to check instead")
    parser.add_argument(
        "--program",
        default=str(REPO_ROOT),
        help="Pulumi Python program directory (default: this repository)",
    )
    parser.add_argument("--config", help="policy pack config JSON (as --policy-pack-config)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITY_ORDER,
        default="low",
        help="lowest severity of a mandatory violation that fails the run (default: low)",
    )
    parser.add_argument(
        "--stack-reference",
        action="append",
        default=[],
        metavar="NAME=FILE.json",
        help="outputs of a stack the program references (`pulumi stack output --json`)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 2) when the program uses components the check cannot expand",
    )
    args = parser.parse_args(argv)
    fmt = "json" if args.json else args.format
    # A failed program leaves coroutines the SDK never awaits; their warnings only repeat the
    # error the check prints.
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited")

    started = time.perf_counter()
    try:
        pack_config = json.loads(Path(args.config).read_text()) if args.config else None
        references = _stack_references(args.stack_reference)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.state:
            run = run_from_export(args.state)
        else:
            run = run_program(args.program, args.stack, stack_references=references)
    except ProgramError as exc:
        what = f"state {args.state}" if args.state else f"program {args.program} stack {args.stack}"
        print(f"error: {what} failed:\n{exc}", file=sys.stderr)
        return 2
    evaluation = evaluate(
        run,
        POLICIES,
        pack_level=PACK_ENFORCEMENT,
        initial_config=INITIAL_CONFIG,
        config=pack_config,
    )
    report = Report(run, evaluation, POLICIES, Path(args.program), PACK_NAME)
    sys.stdout.write(report.render(fmt))
    print(
        f"{run.stack}: {len(run.resources)} resources checked in "
        f"{time.perf_counter() - started:.2f} s (policies {evaluation.seconds:.2f} s)",
        file=sys.stderr,
    )
    if evaluation.errors:
        for error in evaluation.errors:
            last = error.error.strip().splitlines()[-1]
            print(f"error: policy {error.policy} failed on {error.urn}: {last}", file=sys.stderr)
        return 2
    if args.strict and run.remote_components:
        names = ", ".join(f"{c.name} ({c.type})" for c in run.remote_components)
        print(f"error: components not expanded (--strict): {names}", file=sys.stderr)
        return 2
    return 1 if failing(evaluation, args.fail_on) else 0


def _stack_references(pairs: list[str]) -> dict[str, dict[str, Any]]:
    """NAME=FILE.json pairs as stack name -> outputs."""
    references = {}
    for pair in pairs:
        name, separator, path = pair.partition("=")
        if not separator or not name or not path:
            raise ValueError(f"--stack-reference {pair!r}: write NAME=FILE.json")
        try:
            outputs = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"--stack-reference {name}: {exc}") from None
        if not isinstance(outputs, dict):
            raise ValueError(f"--stack-reference {name}: {path} is not a JSON object of outputs")
        references[name] = outputs
    return references


if __name__ == "__main__":
    sys.exit(main())
