"""Day two for the account baseline and the edge (issue 18): what the engine would do with the
difference between two runs of the program, before and after an operation's config change.

Account singletons (one per account, or per account and region) outlive the stack that
declared them: a `pulumi destroy` of the owner, or moving `audit.ownsAccountBaseline` to
another stack, must leave them in the account (`retain_on_delete`) instead of turning off
GuardDuty (and deleting its findings), Security Hub, Access Analyzer or the password policy.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import REPO_ROOT, stack_run

from policy.harness import ProgramRun

NS = "secure-infra"

# Every account-singleton type the baseline owner declares (security_services.py and
# audit/hygiene.py). Deleting one turns an account-wide control off for every stack of the
# account. (AWS Config's recorder and delivery channel, also one per region, are declared in
# audit/config_service.py and follow its own choice.)
ACCOUNT_SINGLETONS = (
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:guardduty/detector:Detector",
    "aws:guardduty/detectorFeature:DetectorFeature",
    "aws:securityhub/account:Account",
    "aws:securityhub/standardsSubscription:StandardsSubscription",
    "aws:accessanalyzer/analyzer:Analyzer",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    "aws:ssm/serviceSetting:ServiceSetting",
)
BASELINE_OWNERS = ("prod", "seed000", "seed001", "seed002", "seed003", "seed004")


def stack_section(stack: str, section: str) -> dict[str, Any]:
    """A config section of a stack as written in its stack file."""
    data = yaml.safe_load(Path(REPO_ROOT, f"Pulumi.{stack}.yaml").read_text())
    return copy.deepcopy(data["config"].get(f"{NS}:{section}", {}))


def singletons(run: ProgramRun) -> dict[str, Any]:
    """The run's account singletons by URN."""
    return {r.urn: r for r in run.resources if r.type in ACCOUNT_SINGLETONS}


@pytest.mark.parametrize("stack", BASELINE_OWNERS)
def test_every_account_singleton_is_kept_on_delete(stack: str) -> None:
    """Issue 18, edge N4: every account singleton a baseline owner declares has
    `retain_on_delete`, so neither a destroy nor a replacement turns the control off."""
    run = stack_run(stack)
    found = singletons(run)
    declared = {r.type for r in found.values()}
    # Every owner declares each kind (the password policy and GuardDuty follow
    # ownsAccountBaseline unless turned off, which no committed stack does): the list is whole.
    assert declared == set(ACCOUNT_SINGLETONS), sorted(set(ACCOUNT_SINGLETONS) - declared)
    deleted = sorted(r.urn for r in found.values() if not r.options.retain_on_delete)
    assert deleted == []


def test_moving_the_baseline_away_deletes_no_singleton() -> None:
    """Issue 18, edge N4 (day two: the ownership move): prod gives up the account baseline
    (`audit.ownsAccountBaseline: false`, the first half of moving it to another stack). Every
    singleton that leaves the program is one the engine would only drop from the state: the
    account keeps its password policy, detector and findings, Security Hub and analyzer until
    the new owner imports them."""
    before = stack_run("prod")
    audit = {**stack_section("prod", "audit"), "ownsAccountBaseline": False}
    after = stack_run("prod", audit=audit)
    leaving = {urn: r for urn, r in singletons(before).items() if urn not in singletons(after)}
    # All of them leave: the non-owner declares none.
    assert singletons(after) == {}
    assert {r.type for r in leaving.values()} == set(ACCOUNT_SINGLETONS)
    deleted = sorted(urn for urn, r in leaving.items() if not r.options.retain_on_delete)
    assert deleted == []
