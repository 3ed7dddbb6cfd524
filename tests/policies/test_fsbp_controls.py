"""P12: every Security Hub control a policy claims is proven by a violating and a compliant
program (the cases in `fsbp_cases.py`), and every claimed control has one."""

from __future__ import annotations

import pytest

from policy.pack import POLICIES

from .fsbp_cases import CASES, Case
from .fsbp_split_cases import SPLIT_CASES
from .helpers import check


def _id(case: Case) -> str:
    return f"{case.control}-{case.policy}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_control_violating_and_compliant(case: Case) -> None:
    """The violating program fails the policy with the expected message; the compliant one
    passes it."""
    bad = check(case.bad, [case.policy], pack_config=case.config)
    messages = bad.messages(case.policy)
    assert case.fragment in messages, messages or "no violation"
    good = check(case.good, [case.policy], pack_config=case.config)
    assert good.of(case.policy) == []


def test_every_claimed_control_has_a_case() -> None:
    """No policy claims a control (fully or in part) without a case proving it."""
    proven = {(c.control, c.policy) for c in CASES}
    proven_controls = {c.control for c in CASES}
    missing = []
    for policy in POLICIES:
        for control in [*policy.meta.controls, *policy.meta.partial]:
            # The prod/nonprod pair share their checks: one case proves both.
            if (control, policy.name) not in proven and not (
                policy.name == "nonprod-resilience" and control in proven_controls
            ):
                missing.append(f"{policy.name}: {control}")
    assert missing == []


def test_cases_name_controls_their_policy_claims() -> None:
    """A case's control is one its policy claims (no case for a control nobody claims)."""
    claims = {p.name: {*p.meta.controls, *p.meta.partial} for p in POLICIES}
    wrong = [_id(c) for c in CASES if c.control not in claims[c.policy]]
    assert wrong == []


@pytest.mark.parametrize(
    "case", SPLIT_CASES, ids=[f"{_id(c)}-{i}" for i, c in enumerate(SPLIT_CASES)]
)
def test_control_in_its_other_spelling(case: Case) -> None:
    """The same control written the other way pulumi-aws allows (a split resource instead of
    the inline argument, or the reverse) is caught as well, and its compliant form passes."""
    test_control_violating_and_compliant(case)
