"""Issue 21, item 4: the same program gives the same findings every run. The whole pack runs on
every violating FSBP program 20 times, each in a process of its own with a different string
hash seed (set iteration order, and with it the order in which the SDK registers resources,
differs between processes), and the reports must be equal byte for byte.

Before the fix, `account-baseline` put each account finding on whichever account-level
resource the stack listed first, and `secrets-rotation` judged whichever of a secret's rotation
resources a set of its identifiers yielded first: both changed with the seed."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RUNS = 20
SCRIPT = Path(__file__).with_name("determinism_run.py")


def _report(seed: int) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, env=env, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout


def test_twenty_runs_report_the_same_bytes() -> None:
    """Twenty runs with twenty hash seeds give one report, and it has findings."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(_report, range(RUNS)))
    assert b'"policy": "account-baseline"' in reports[0]
    different = [seed for seed, report in enumerate(reports) if report != reports[0]]
    assert different == []
