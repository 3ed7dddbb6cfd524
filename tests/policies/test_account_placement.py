"""Issue 21, item 3: account-level findings land on the resource that sets the account setting
and say "set X to Y" when it exists but is wrong, or on the stack and say "add" when no
resource sets it; never on an unrelated account-level resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from .fsbp_cases import _baseline
from .helpers import check, provider

SSM = "arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/"
WRONG: dict[str, tuple[Callable[[pulumi.ResourceOptions], Any], str, str]] = {
    "detector": (
        lambda o: aws.guardduty.Detector("detector", enable=False, opts=o),
        "detector",
        "GuardDuty is off: set enable to True",
    ),
    "ebs": (
        lambda o: aws.ebs.EncryptionByDefault("ebs", enabled=False, opts=o),
        "ebs",
        "not encrypted by default: set enabled to True",
    ),
    "ssm-logs": (
        lambda o: aws.ssm.ServiceSetting(
            "logs",
            setting_id=f"{SSM}automation/customer-script-log-destination",
            setting_value="None",
            opts=o,
        ),
        "logs",
        "set setting_value to 'CloudWatch'",
    ),
    "s3": (
        lambda o: aws.s3.AccountPublicAccessBlock("s3", block_public_acls=True, opts=o),
        "s3",
        "not fully on: set blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to True",
    ),
    "trail": (
        lambda o: aws.cloudtrail.Trail("trail", s3_bucket_name="b", opts=o),
        "trail",
        "set is_multi_region_trail and enable_logging to True",
    ),
}


@pytest.mark.parametrize("part", sorted(WRONG))
def test_a_wrong_setting_is_reported_on_its_resource_with_set(part: str) -> None:
    """The finding names the resource that sets the setting and says what to set it to."""
    build, name, fragment = WRONG[part]

    def program() -> None:
        _baseline(False, part)
        build(provider(name=f"aws-{part}"))

    found = check(program, ["account-baseline"]).of("account-baseline")
    assert len(found) == 1, found
    assert found[0][0] == name
    assert fragment in found[0][1]
    assert " add " not in found[0][1]


@pytest.mark.parametrize("part", sorted(WRONG))
def test_a_missing_setting_is_reported_on_the_stack_with_add(part: str) -> None:
    """With no resource setting it, the finding is the stack's and says which to add."""
    result = check(lambda: _baseline(False, part), ["account-baseline"])
    violations = [v for v in result.evaluation.violations if v.policy == "account-baseline"]
    assert [v.type for v in violations] == ["pulumi:pulumi:Stack"]
    assert ": add " in violations[0].message
