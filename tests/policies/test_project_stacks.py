"""T2, P11: every stack file of the project, `bootstrap/` included, passes the whole pack (the
preflight rules among it) with no mandatory violation."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import REPO_ROOT, stack_run

from policy.evaluate import evaluate
from policy.harness import ProgramRun, run_program
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES

STACK_FILES = sorted([*REPO_ROOT.glob("Pulumi.*.yaml"), *REPO_ROOT.glob("bootstrap/Pulumi.*.yaml")])


@cache
def _run(program: str, stack: str) -> ProgramRun:
    return stack_run(stack) if program == "." else run_program(REPO_ROOT / program, stack)


@pytest.mark.parametrize(
    "path", STACK_FILES, ids=[str(p.relative_to(REPO_ROOT)) for p in STACK_FILES]
)
def test_no_mandatory_violations(path) -> None:
    program = str(path.parent.relative_to(REPO_ROOT))
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    evaluation = evaluate(
        _run(program, stack), POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG
    )
    assert [f"[{v.policy}] {v.name}: {v.message}" for v in evaluation.mandatory] == []
    # Nothing the pack checks is left unverifiable under the offline mocks.
    assert not [v for v in evaluation.violations if "cannot verify" in v.message]


def test_every_stack_file_is_covered() -> None:
    names = {p.name for p in STACK_FILES}
    assert {"Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.state.yaml"} <= names
    assert len(STACK_FILES) >= 10
