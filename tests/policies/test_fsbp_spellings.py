"""Issue 21, item 2: every covered control in every spelling. For each control a policy claims
in `controls`, the split types of the inventory (`policy/awsfacts/split_types.json`) that can
set part of the control's resource type have a violating case that uses them, or are listed
as unable to express the control (`SPELLING_EXEMPT`, with the reason) or as still to write
(`SPELLING_TODO`, which must be exactly what remains)."""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

from policy.awsfacts.split_types import split_types
from policy.effective import OWNER_ALIASES
from policy.harness import run_inline
from policy.pack import POLICIES

from .fsbp_cases import CASES, Case, Program
from .fsbp_spellings import SPELLING_EXEMPT, SPELLING_TODO
from .fsbp_split_cases import SPLIT_CASES
from .helpers import check


def _types(program: Program) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        run = run_inline(program)
    return {r.type for r in run.resources if not r.is_provider}


def _owner_types(case: Case) -> set[str]:
    """The types the control is judged on: those of the resources its violating case is
    reported on (a split resource stands for its owner), or, for an account-level control
    reported on the stack, every resource of the case."""
    inventory = split_types()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = check(case.bad, [case.policy], pack_config=case.config)
    found = {
        v.type
        for v in result.evaluation.violations
        if v.policy == case.policy and v.type.startswith("aws:")
    } or {r.type for r in result.run.resources if not r.is_provider}
    owners = {OWNER_ALIASES.get(t, t) for t in found}
    return owners | {inventory[t]["owner"] for t in found if t in inventory}


@cache
def derived() -> tuple[dict[tuple[str, str], bool], ...]:
    """(control, split type) -> whether a violating case of the control uses the split type."""
    covered = {c for p in POLICIES for c in p.meta.controls}
    inventory = split_types()
    used: dict[str, set[str]] = {}
    pairs: set[tuple[str, str]] = set()
    for case in CASES:
        if case.control not in covered:
            continue
        owners = _owner_types(case)
        pairs |= {(case.control, s) for s, e in inventory.items() if e["owner"] in owners}
    for case in [*CASES, *SPLIT_CASES]:
        # A spelling counts when a *violating* program uses it: a split type only the
        # compliant program has proves the view merges it, not that a violation written with
        # it (the part naming another owner, or set wrong) is caught.
        used.setdefault(case.control, set()).update(_types(case.bad))
    return ({pair: pair[1] in used.get(pair[0], set()) for pair in sorted(pairs)},)


def test_every_derived_spelling_has_a_case_or_a_reason() -> None:
    """Each (covered control, split type) pair has a case using the split type, an exemption
    with its reason, or a TODO entry; the TODO list is exactly what remains."""
    (pairs,) = derived()
    missing = [p for p, cased in pairs.items() if not cased and p not in SPELLING_EXEMPT]
    assert sorted(SPELLING_TODO) == missing
    counts = {
        "pairs": len(pairs),
        "cased": sum(pairs.values()),
        "exempt": sum(1 for p, cased in pairs.items() if not cased and p in SPELLING_EXEMPT),
        "todo": len(missing),
    }
    # docs/policies.md states the counts; they must be today's.
    docs = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text()
    stated = (
        f"{counts['pairs']} pairs, {counts['cased']} with a violating case, {counts['exempt']} "
        "that cannot express"
    )
    assert stated in " ".join(docs.split()), f"update docs/policies.md: {stated}"


def test_exemptions_and_todos_are_current() -> None:
    """No exemption or TODO names a pair that is not derived or that a case already covers,
    and every exemption gives a reason."""
    (pairs,) = derived()
    stale = [p for p in [*SPELLING_EXEMPT, *SPELLING_TODO] if pairs.get(p, True)]
    assert stale == []
    assert [p for p, reason in SPELLING_EXEMPT.items() if len(reason) < 20] == []
    assert not set(SPELLING_EXEMPT) & set(SPELLING_TODO)
