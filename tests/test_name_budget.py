"""S2, S5, P11: the longest config the loader accepts still produces names AWS accepts.

`MAX_BASE_NAME` bounds `<environment>-<service>-<region>`. Here the program runs with a base of
exactly that length and every option that adds a name (two regions, parameter rotation, the MFA
group, containers), under the faithful harness and the preflight name rules: nothing may
overflow, and the tightest name must sit exactly at its limit, so the bound is derived from the
program rather than guessed.
"""

from __future__ import annotations

import pytest
from conftest import stack_run

from components.config.stack import MAX_BASE_NAME
from policy.awsfacts.name_rules import NAME_RULES
from policy.evaluate import evaluate
from policy.harness import ProgramRun, autonaming
from policy.rules.preflight import POLICIES

ENVIRONMENT = "budget-env"
SERVICE = "s" * (MAX_BASE_NAME - len(ENVIRONMENT) - len("-us-east-1") - 2 + 1)
EVERYTHING = {
    "accountId": "123456789012",
    "environment": ENVIRONMENT,
    "service": SERVICE,
    "rotation": {"parameterRotation": {"enabled": True}},
    "audit": {
        "alertEmails": ["ops@example.com"],
        "ownsAccountBaseline": True,
        "ownAccountHygiene": {"mfaGroupName": "humans", "createMfaGroup": True},
    },
}


def _slack(run: ProgramRun) -> list[tuple[int, str, str]]:
    """(characters left, type, name) for every physical name the run holds."""
    found = []
    for resource in run.resources:
        limits = {rule.prop: rule.max for rule in NAME_RULES.get(resource.type, ())}
        rule = autonaming.RULES.get(resource.type)
        if rule is not None and rule.maxlen is not None:
            limits[rule.property] = min(rule.maxlen, limits.get(rule.property, rule.maxlen))
        for prop, limit in limits.items():
            value = resource.inputs.get(prop)
            if isinstance(value, str) and value.startswith(f"{ENVIRONMENT}-"):
                found.append((limit - len(value), resource.type, value))
    return sorted(found)


@pytest.mark.parametrize("stack", ["prod", "containers"])
def test_longest_accepted_names_fit(stack: str) -> None:
    base = f"{ENVIRONMENT}-{SERVICE}-us-east-1"
    assert len(base) == MAX_BASE_NAME
    run = stack_run(stack, **EVERYTHING)
    evaluation = evaluate(run, POLICIES)
    assert [f"{v.name}: {v.message}" for v in evaluation.mandatory] == []
    slack = _slack(run)
    assert slack and slack[0][0] >= 0, slack[0]
    if stack == "prod":
        # The bound is tight: the longest name sits exactly at its limit.
        assert slack[0][0] == 0, slack[:3]
