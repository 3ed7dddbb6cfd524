"""Offline policy check: run a Pulumi Python program for a stack under mocks and evaluate the
policy pack against it, with no cloud credentials and no Pulumi CLI (P10).

    python -m policy.check --stack NAME [--program DIR] [--config FILE] [--json]

Exit status: 0 no mandatory violation, 1 at least one, 2 the program or its config failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .evaluate import Evaluation, evaluate
from .harness import ProgramError, ProgramRun, run_program
from .pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES

REPO_ROOT = Path(__file__).resolve().parent.parent


def report(run: ProgramRun, evaluation: Evaluation) -> dict[str, Any]:
    """The contract's JSON object for a run and its evaluation."""
    return {
        "stack": run.stack,
        "resources": len(run.resources),
        "types": dict(sorted(Counter(r.type for r in run.resources).items())),
        "violations": [v.as_dict() for v in evaluation.violations],
    }


def render_text(data: dict[str, Any], unmocked: list[str], seconds: float) -> str:
    """A readable report: counts by type, then violations grouped by enforcement."""
    lines = [f"Stack {data['stack']}: {data['resources']} resources ({seconds:.2f} s)"]
    width = max((len(t) for t in data["types"]), default=0)
    lines += [f"  {t:<{width}}  {n}" for t, n in data["types"].items()]
    if unmocked:
        lines.append("Invokes answered with empty results (not mocked): " + ", ".join(unmocked))
    for level in ("mandatory", "advisory"):
        found = [v for v in data["violations"] if v["enforcement"] == level]
        lines.append(f"{level.capitalize()} violations: {len(found)}")
        lines += [f"  [{v['policy']}] {v['name']} ({v['type']}): {v['message']}" for v in found]
    return "\n".join(lines)


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
    parser.add_argument("--json", action="store_true", help="print the JSON report only")
    args = parser.parse_args(argv)

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
    data = report(run, evaluation)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(render_text(data, run.unmocked_invokes, time.perf_counter() - started))
    return 1 if evaluation.mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
