"""P13: the pack's remediations (pulumi-policy `remediate`), run offline as the engine runs
them at the `remediate` enforcement level: each rewrites the violating inputs, and the
remediated inputs pass the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policy.evaluate import evaluate
from policy.pack import PACK_ENFORCEMENT, POLICIES

from .helpers import check, provider

REMEDIATING = sorted(p.name for p in POLICIES if getattr(p, "has_remediation", bool)())


def _remediated(
    program: Callable[[], Any], policy: str, config: dict[str, Any] | None = None
) -> Any:
    pack_config = {policy: {"enforcementLevel": "remediate", **(config or {})}}
    return check(program, [policy], pack_config=pack_config)


def _imds() -> None:
    o = provider()
    aws.ec2.LaunchTemplate("template", metadata_options={"http_tokens": "optional"}, opts=o)
    aws.ec2.Instance("instance", ami="ami-1", instance_type="t3.micro", opts=o)


def _load_balancer() -> None:
    aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        subnets=["s-1", "s-2"],
        desync_mitigation_mode="monitor",
        opts=provider(),
    )


def _public_access_block() -> None:
    aws.s3.BucketPublicAccessBlock(
        "block", bucket="b", block_public_acls=True, block_public_policy=False, opts=provider()
    )


def _key() -> None:
    aws.kms.Key("key", opts=provider())


def _untagged() -> None:
    o = provider({"Environment": "dev", "Project": "p"})
    aws.sns.Topic("topic", opts=o)
    aws.autoscaling.Group(
        "group",
        min_size=1,
        max_size=1,
        vpc_zone_identifiers=["s-1"],
        launch_template={"id": "lt-1"},
        opts=o,
    )


# The topic lacks Owner and CostCenter (its provider's default tags give the other two); the
# Auto Scaling group lacks all four (default tags never reach it).
VALUES = {"Environment": "dev", "Project": "p", "Owner": "platform", "CostCenter": "cc-1"}
CASES = {
    "ec2-imdsv2": (_imds, None, {"template": ["metadataOptions"], "instance": ["metadataOptions"]}),
    "alb-request-hardening": (
        _load_balancer,
        None,
        {"alb": ["desyncMitigationMode", "dropInvalidHeaderFields"]},
    ),
    "no-public-exposure": (
        _public_access_block,
        None,
        {"block": ["blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]},
    ),
    "kms-key-rotation": (_key, None, {"key": ["enableKeyRotation"]}),
    "required-tags": (
        _untagged,
        {"tagValues": VALUES},
        {"topic": ["tags"], "group": ["tags"]},
    ),
}


def test_five_policies_remediate() -> None:
    """Issue 11: at least five safe fixes ship as remediations, each with a case below."""
    assert len(REMEDIATING) >= 5
    assert set(REMEDIATING) == set(CASES)


@pytest.mark.parametrize("policy", sorted(CASES))
def test_remediation_fixes_what_the_policy_finds(policy: str) -> None:
    program, config, changed = CASES[policy]
    before = check(program, [policy], pack_config={policy: config} if config else None)
    assert before.names(policy) == set(changed)
    after = _remediated(program, policy, config)
    assert after.of(policy) == [], after.of(policy)
    done = {r.name: list(r.changed) for r in after.evaluation.remediations}
    assert done == changed


def test_remediated_values() -> None:
    """The rewritten inputs are the ones the policies ask for."""
    result = _remediated(_imds, "ec2-imdsv2")
    inputs = {r.name: r for r in result.run.resources}
    # The evaluator keeps the remediated inputs out of the captured run: what changed is
    # reported, the captured program stays as written.
    assert inputs["template"].inputs["metadataOptions"] == {"httpTokens": "optional"}
    tags = _remediated(_untagged, "required-tags", {"tagValues": VALUES})
    assert tags.of("required-tags") == []


def test_remediation_leaves_exempted_resources_alone() -> None:
    pack_config = {
        "kms-key-rotation": {
            "enforcementLevel": "remediate",
            "exemptions": [{"resource": "key", "reason": "imported key, rotated by its owner"}],
        }
    }
    result = check(_key, ["kms-key-rotation"], pack_config=pack_config)
    assert result.evaluation.remediations == []
    assert [s.name for s in result.evaluation.suppressed] == ["key"]


def test_tags_without_a_configured_value_stay_a_violation() -> None:
    """The remediation adds only tags it has values for; what stays missing is reported as
    mandatory, as the engine reports what a remediation left failing."""
    result = _remediated(_untagged, "required-tags", {"tagValues": {"Owner": "platform"}})
    found = dict(result.of("required-tags", "mandatory"))
    assert set(found) == {"topic", "group"}
    assert "CostCenter" in found["topic"] and "Owner" not in found["topic"]
    assert "Environment, Project, CostCenter" in found["group"]
    assert "propagate_at_launch" in found["group"]


def test_unknown_tags_are_not_remediated_and_not_a_crash() -> None:
    """P13, P15: the engine hands a remediation unknown values as bare sentinels. Tags unknown
    during preview (computed from another resource's output) cannot be merged into: the
    remediation reports "cannot remediate during preview" instead of failing the preview with
    a policy error (it raised a TypeError on the sentinel string before)."""
    result = check(_untagged, [])
    for resource in result.run.resources:
        if resource.name == "topic":
            resource.inputs["tags"] = UNKNOWN_STRING_VALUE
    config = {"required-tags": {"enforcementLevel": "remediate", "tagValues": VALUES}}
    selected = [p for p in POLICIES if p.name == "required-tags"]
    evaluation = evaluate(result.run, selected, pack_level=PACK_ENFORCEMENT, config=config)
    assert evaluation.errors == []
    assert "topic" not in {r.name for r in evaluation.remediations}
    topic = [v for v in evaluation.violations if v.name == "topic"]
    assert [v.enforcement for v in topic] == ["advisory", "advisory"]
    assert {v.message.split(":")[0] for v in topic} >= {"cannot remediate during preview"}
