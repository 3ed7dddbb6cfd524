"""P12: every Security Hub control a policy claims is proven by a violating and a compliant
program (the cases in `fsbp_cases.py`), and every claimed control has one."""

from __future__ import annotations

import pytest

from policy.pack import POLICIES

from .fsbp_cases import CASES, Case
from .fsbp_split_cases import SPLIT_CASES
from .helpers import check, on_default_provider

# The provider spellings of every case: its resources on an explicit `aws.Provider` (as the
# case writes them), or on the default provider configured by stack config (`aws:region`,
# `aws:defaultTags`) with the same region and default tags.
SPELLINGS = ("explicit", "default")

# Controls a provider spelling cannot express, by (control, policy, spelling), with the reason.
# Empty: every covered control is violated (and met) in both spellings.
INEXPRESSIBLE: dict[tuple[str, str, str], str] = {}


def _id(case: Case) -> str:
    return f"{case.control}-{case.policy}"


def _prove(case: Case, spelling: str = "explicit") -> None:
    """The violating program fails the policy with the expected message; the compliant one
    passes it, both in the given provider spelling."""
    if (case.control, case.policy, spelling) in INEXPRESSIBLE:
        pytest.skip(INEXPRESSIBLE[case.control, case.policy, spelling])
    if spelling == "default":
        with on_default_provider(case.tags) as stack_config:
            bad = check(case.bad, [case.policy], config=stack_config, pack_config=case.config)
            good = check(case.good, [case.policy], config=stack_config, pack_config=case.config)
        explicit = [r.name for r in bad.run.resources if r.is_provider and r.id != "default"]
        assert explicit == [], "an explicit provider in the default spelling"
    else:
        bad = check(case.bad, [case.policy], pack_config=case.config)
        good = check(case.good, [case.policy], pack_config=case.config)
    messages = bad.messages(case.policy)
    assert case.fragment in messages, messages or "no violation"
    assert good.of(case.policy) == []


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_control_violating_and_compliant(case: Case, spelling: str) -> None:
    """Every case in both provider spellings: the violating program fails the policy with the
    expected message, the compliant one passes it."""
    _prove(case, spelling)


def test_inexpressible_spellings_name_cases() -> None:
    """Every listed inexpressible spelling names a case and a spelling that exist."""
    known = {(c.control, c.policy) for c in [*CASES, *SPLIT_CASES]}
    assert [k for k in INEXPRESSIBLE if k[:2] not in known or k[2] not in SPELLINGS] == []


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


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(
    "case", SPLIT_CASES, ids=[f"{_id(c)}-{i}" for i, c in enumerate(SPLIT_CASES)]
)
def test_control_in_its_other_spelling(case: Case, spelling: str) -> None:
    """The same control written the other way pulumi-aws allows (a split resource instead of
    the inline argument, or the reverse) is caught as well, and its compliant form passes, on
    either provider."""
    _prove(case, spelling)
