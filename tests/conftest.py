"""Shared test helpers: run the real program for a stack under mocks, once per session."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from policy.harness import ProgramRun, run_program  # noqa: E402


@cache
def _cached_run(stack: str, overrides_json: str) -> ProgramRun:
    return run_program(REPO_ROOT, stack, config_overrides=json.loads(overrides_json))


def stack_run(stack: str, **overrides: object) -> ProgramRun:
    """The real program run for `stack` (config keys overridden), cached for the session."""
    return _cached_run(stack, json.dumps(overrides, sort_keys=True))


@pytest.fixture(scope="session")
def dev() -> ProgramRun:
    """The dev stack, as the program registers it."""
    return stack_run("dev")


@pytest.fixture(scope="session")
def prod() -> ProgramRun:
    """The prod stack, as the program registers it."""
    return stack_run("prod")
