"""Benchmark the offline policy check (P10): median wall time for dev and prod, ms per
resource, the share of it spent evaluating policies, and its ratio to the import floor; and,
with --several, every stack file checked in one run against one run per stack file.

    .venv/bin/python bench/policy_check.py [--runs N] [--stacks dev prod]
    .venv/bin/python bench/policy_check.py --several [--runs N]

Two measurements per stack:
- warm: in-process, harness + evaluate, repeated N times (median), imports already paid;
- cold: `python -m policy.check --stack S --json` as a fresh process (median of N), the way a
  user or CI runs it; a cold child process also reports how much of its wall time went to
  policy evaluation (first evaluation in a process pays for loading the IAM catalogs).
- floor: a fresh process that only imports what the check's program loads from the pulumi
  packages (pulumi, pulumi_aws and the service modules it really executed, pulumi_random,
  pulumi_command): no program run, no policies. `python -m policy.check` divided by it is the
  ratio the README reports (issue 12 asks for at most 1.5). The check turns Python's cyclic
  garbage collector off, for its imports too, so the floor is also measured that way.
- several (--several): the ten stack files (the root program's nine and bootstrap's `state`)
  checked by `--all-stacks`, which takes two invocations because bootstrap is another program,
  against ten `--stack` invocations, one per file; each figure is the median over N rounds of
  the summed wall time of a round's invocations.
Not a test: numbers go to the README.
"""

from __future__ import annotations

import argparse
import gc
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
    # A cold process: imports, program run and evaluation, as `python -m policy.check` does
    # (with the cyclic garbage collector off, as it runs).
    gc.disable()
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


def _floor(modules: list[str], *, collector: bool = True) -> float:
    """A fresh process importing exactly those modules; with `collector` False, with Python's
    cyclic garbage collector off, as `python -m policy.check` imports them."""
    script = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\n"
    if not collector:
        script = "import gc\ngc.disable()\n" + script
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


def _stack_files() -> dict[Path, list[str]]:
    """Program directory -> its stacks, for every Pulumi.<stack>.yaml of the root program and
    of bootstrap/."""
    programs = {}
    for directory in (REPO_ROOT, REPO_ROOT / "bootstrap"):
        files = sorted(directory.glob("Pulumi.*.yaml"))
        programs[directory] = [f.name[len("Pulumi.") : -len(".yaml")] for f in files]
    return programs


def _invocation(*args: str) -> float:
    """Wall time of one `python -m policy.check` process; it must not fail (exit 2)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "policy.check", *args, "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 2:
        raise SystemExit(f"policy.check {' '.join(args)} failed:\n{done.stderr}")
    return time.perf_counter() - started


def _several(runs: int) -> None:
    """Every stack file in one run per program against one run per stack file."""
    programs = _stack_files()
    count = sum(len(stacks) for stacks in programs.values())
    one_run, separate = [], []
    for _ in range(runs):
        # Interleaved, so that a change in the machine's load hits both modes alike.
        one_run.append(sum(_invocation("--all-stacks", "--program", str(d)) for d in programs))
        separate.append(
            sum(
                _invocation("--stack", stack, "--program", str(d))
                for d, stacks in programs.items()
                for stack in stacks
            )
        )
    header = f"{'mode':<44} {'invocations':>11} {'median s':>9} {'s/stack':>8}  runs (s)"
    print(header)
    print("-" * len(header))
    rows = (
        ("--all-stacks (root program, then bootstrap)", len(programs), one_run),
        ("--stack per stack file", count, separate),
    )
    for mode, invocations, totals in rows:
        median = statistics.median(totals)
        runs_text = " ".join(f"{t:.2f}" for t in totals)
        print(f"{mode:<44} {invocations:>11} {median:>9.2f} {median / count:>8.2f}  {runs_text}")
    ratio = statistics.median(separate) / statistics.median(one_run)
    print(f"{count} stack files: one run per program is {ratio:.2f} times faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    parser.add_argument(
        "--several", action="store_true", help="all stack files in one run against one per file"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    if args.several:
        _several(args.runs)
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
        modules = _cold(stack)["modules"]
        cold, cli, floor, floor_no_gc = [], [], [], []
        for _ in range(args.runs):
            # Interleaved: on a shared machine a burst of load then hits the check and its
            # floor alike, instead of whichever mode happens to run last.
            cold.append(_cold(stack))
            cli.append(_cli(stack))
            floor.append(_floor(modules))
            floor_no_gc.append(_floor(modules, collector=False))
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
            ("import floor, collector off", floor_no_gc, None),
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
        # The check imports with the collector off: against a floor that does too, the ratio
        # shows what is left beyond importing.
        ratio = statistics.median(cli) / statistics.median(floor_no_gc)
        print(f"{stack:<6} {'check / floor, collector off':<28} {'':>9} {ratio:>9.2f}")
        print(f"{stack:<6} runs (s): check {' '.join(f'{t:.2f}' for t in cli)}")
        print(f"{stack:<6} runs (s): floor {' '.join(f'{t:.2f}' for t in floor)}")
        print(
            f"{stack:<6} runs (s): floor, collector off {' '.join(f'{t:.2f}' for t in floor_no_gc)}"
        )


if __name__ == "__main__":
    main()
