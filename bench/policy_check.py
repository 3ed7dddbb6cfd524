"""Benchmark the offline policy check (P10): median wall time for dev and prod, ms per
resource, the share of it spent evaluating policies, and its ratio to the import floor.

    .venv/bin/python bench/policy_check.py [--runs N] [--stacks dev prod]

Two measurements per stack:
- warm: in-process, harness + evaluate, repeated N times (median), imports already paid;
- cold: `python -m policy.check --stack S --json` as a fresh process (median of N), the way a
  user or CI runs it; a cold child process also reports how much of its wall time went to
  policy evaluation (first evaluation in a process pays for loading the IAM catalogs).
- floor: a fresh process that only imports what the check's program loads from the pulumi
  packages (pulumi, pulumi_aws and the service modules it really executed, pulumi_random,
  pulumi_command): no program run, no policies. `python -m policy.check` divided by it is the
  ratio the README reports (issue 12 asks for at most 1.5).
Not a test: numbers go to the README.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def _once(stack: str) -> dict[str, float]:
    from policy.evaluate import evaluate
    from policy.harness import run_program
    from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES

    started = time.perf_counter()
    run = run_program(REPO_ROOT, stack)
    evaluation = evaluate(run, POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG)
    total = time.perf_counter() - started
    return {
        "resources": len(run.resources),
        "total": total,
        "policies": evaluation.seconds,
        "mandatory": len(evaluation.mandatory),
    }


def _child(stack: str) -> None:
    # A cold process: imports, program run and evaluation, as `python -m policy.check` does.
    started = time.perf_counter()
    result = _once(stack)
    result["wall"] = time.perf_counter() - started
    # The pulumi modules the run really executed (pulumi-aws imports its services lazily).
    result["modules"] = sorted(
        name
        for name, module in list(sys.modules.items())
        if name.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_random", "pulumi_command")
        and type(module).__name__ != "_LazyModule"
    )
    print(json.dumps(result))


def _floor(modules: list[str]) -> float:
    """A fresh process importing exactly those modules."""
    script = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\n"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *modules], cwd=REPO_ROOT, check=True)
    return time.perf_counter() - started


def _cold(stack: str) -> dict[str, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", stack], capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["process"] = time.perf_counter() - started
    return data


def _cli(stack: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "policy.check", "--stack", stack, "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return

    header = (
        f"{'stack':<6} {'mode':<28} {'resources':>9} {'median s':>9} {'ms/res':>7} "
        f"{'policies s':>10} {'policies %':>10}"
    )
    print(header)
    print("-" * len(header))
    for stack in args.stacks:
        _once(stack)  # warm-up: imports and first-evaluation costs
        warm = [_once(stack) for _ in range(args.runs)]
        cold = [_cold(stack) for _ in range(args.runs)]
        cli = [_cli(stack) for _ in range(args.runs)]
        floor = [_floor(cold[0]["modules"]) for _ in range(args.runs)]
        resources = warm[0]["resources"]
        rows = [
            ("warm in-process", [w["total"] for w in warm], [w["policies"] for w in warm]),
            (
                "cold process (run+evaluate)",
                [c["wall"] for c in cold],
                [c["policies"] for c in cold],
            ),
            ("cold process (whole)", [c["process"] for c in cold], [c["policies"] for c in cold]),
            ("python -m policy.check", cli, None),
            ("import floor", floor, None),
        ]
        for mode, totals, policies in rows:
            median = statistics.median(totals)
            line = f"{stack:<6} {mode:<28} {resources:>9} {median:>9.3f} "
            line += f"{1000 * median / resources:>7.2f} "
            if policies is not None:
                share = statistics.median(policies)
                line += f"{share:>10.3f} {100 * share / median:>9.1f}%"
            print(line)
        ratio = statistics.median(cli) / statistics.median(floor)
        print(f"{stack:<6} {'check / import floor':<28} {'':>9} {ratio:>9.2f}")


if __name__ == "__main__":
    main()
