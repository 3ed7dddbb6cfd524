"""T2: the project's own dev and prod stacks have no mandatory violation under the full pack."""

from __future__ import annotations

import pytest
from conftest import stack_run

from policy.evaluate import evaluate
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_mandatory_violations(stack: str) -> None:
    evaluation = evaluate(
        stack_run(stack), POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG
    )
    assert [f"[{v.policy}] {v.name}: {v.message}" for v in evaluation.mandatory] == []
    # Nothing the pack checks is left unverifiable under the offline mocks.
    assert not [v for v in evaluation.violations if "cannot verify" in v.message]
