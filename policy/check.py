"""Offline policy check: run a Pulumi Python program for a stack under mocks and evaluate the
policy pack against it, with no cloud credentials and no Pulumi CLI (P10, P13).

    python -m policy.check --stack NAME [--program DIR] [--config FILE]
                           [--format text|json|sarif|junit] [--fail-on SEVERITY] [--json]

Exit status: 0 no mandatory violation at or above --fail-on (default low: any), 1 at least
one, 2 the program, its config or a policy failed (naming which).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .evaluate import evaluate
from .harness import ProgramError, run_program
from .pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES
from .report import SEVERITY_ORDER, Report, failing

REPO_ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "sarif", "junit")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m policy.check", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
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
    args = parser.parse_args(argv)
    fmt = "json" if args.json else args.format

    started = time.perf_counter()
    try:
        pack_config = json.loads(Path(args.config).read_text()) if args.config else None
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: policy config {args.config}: {exc}", file=sys.stderr)
        return 2
    try:
        run = run_program(args.program, args.stack)
    except ProgramError as exc:
        print(f"error: program {args.program} stack {args.stack} failed:\n{exc}", file=sys.stderr)
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
        f"{args.stack}: {len(run.resources)} resources checked in "
        f"{time.perf_counter() - started:.2f} s (policies {evaluation.seconds:.2f} s)",
        file=sys.stderr,
    )
    if evaluation.errors:
        for error in evaluation.errors:
            last = error.error.strip().splitlines()[-1]
            print(f"error: policy {error.policy} failed on {error.urn}: {last}", file=sys.stderr)
        return 2
    return 1 if failing(evaluation, args.fail_on) else 0


if __name__ == "__main__":
    sys.exit(main())
