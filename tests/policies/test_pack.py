"""The pack as a whole: names, levels, config (P9), preview fidelity."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi_aws as aws
import yaml
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policy.evaluate import evaluate
from policy.pack import PACK_ENFORCEMENT, POLICIES

from .helpers import PROD_TAGS, check, provider


def test_every_policy_is_named_described_and_levelled() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names))
    for policy in POLICIES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name)
        # Descriptions open with the requirement IDs they serve (P4, A10, ...).
        assert re.match(r"^[A-Z]\d+", policy.description or ""), policy.name
        assert policy.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
        assert "exemptions" in policy.config_schema.properties


def test_every_policy_carries_its_metadata() -> None:
    """P12: severity, framework with a reference, tags naming the requirement (and the FSBP
    and CIS controls), remediation steps and an https URL, on every policy; the FSBP or CIS
    reference lists exactly the controls the policy claims; a policy's severity is never
    below the most severe control it claims (unless it states its own)."""
    from policy.awsfacts import securityhub

    for policy in POLICIES:
        meta = policy.meta
        assert isinstance(policy.severity, Severity), policy.name
        framework = policy.framework
        assert framework is not None and framework.name and framework.reference, policy.name
        assert policy.remediation_steps and len(policy.remediation_steps) > 40, policy.name
        assert (policy.url or "").startswith("https://"), policy.name
        assert any(t.startswith("requirement:") for t in policy.tags), policy.name
        claimed = [securityhub.control(c) for c in (*meta.controls, *meta.partial)]
        fsbp = sorted(c.id for c in claimed if c.fsbp)
        if fsbp:
            assert framework.name == securityhub.FSBP_NAME
            assert sorted(framework.reference.split(", ")) == fsbp
            assert {f"fsbp:{c}" for c in fsbp} <= set(policy.tags)
        cis = {n for c in claimed for n in c.cis}
        assert {f"cis-v3.0.0:{n}" for n in cis} <= set(policy.tags), policy.name
        if claimed and meta.severity is None:
            worst = securityhub.highest([c.severity for c in claimed])
            assert policy.severity == worst, policy.name


def test_stack_policy_exemptions_and_disabling() -> None:
    def program() -> None:
        aws.ec2.Vpc("lab", cidr_block="10.0.0.0/16", opts=provider())

    assert check(program, ["vpc-flow-logs"]).names("vpc-flow-logs") == {"lab"}
    exempt = check(
        program,
        ["vpc-flow-logs"],
        pack_config={"vpc-flow-logs": {"exemptions": [{"resource": "lab", "reason": "sandbox"}]}},
    )
    assert exempt.of("vpc-flow-logs") == []
    unexplained = check(
        program,
        ["vpc-flow-logs"],
        pack_config={"vpc-flow-logs": {"exemptions": [{"resource": "lab", "reason": ""}]}},
    )
    assert "has no `reason`" in unexplained.messages("vpc-flow-logs")
    disabled = check(program, ["vpc-flow-logs"], pack_config={"vpc-flow-logs": "disabled"})
    assert disabled.of("vpc-flow-logs") == []
    advisory = check(program, ["vpc-flow-logs"], pack_config={"all": "advisory"})
    assert advisory.names("vpc-flow-logs", "advisory") == {"lab"}


def test_unknown_values_are_reported_not_passed() -> None:
    """A value unknown during preview gives an advisory "cannot verify", never a pass."""

    def program() -> None:
        aws.cloudwatch.LogGroup("lg", retention_in_days=30, kms_key_id="k", opts=provider())
        aws.kms.Key("key", enable_key_rotation=True, opts=provider(PROD_TAGS, name="prod"))

    result = check(program, [])
    for resource in result.run.resources:
        if resource.name == "lg":
            resource.inputs["kmsKeyId"] = UNKNOWN_STRING_VALUE
        if resource.name == "key":
            resource.inputs["tags"] = UNKNOWN_STRING_VALUE
    selected = [p for p in POLICIES if p.name in ("cmk-encryption", "prod-resilience")]
    evaluation = evaluate(result.run, selected, pack_level=PACK_ENFORCEMENT)
    found = {(v.policy, v.name, v.enforcement) for v in evaluation.violations}
    assert found == {
        ("cmk-encryption", "lg", "advisory"),
        ("prod-resilience", "key", "advisory"),
    }
    assert all("cannot verify" in v.message for v in evaluation.violations)


def test_pack_files_and_example_config() -> None:
    """PulumiPolicy.yaml runs the pack with the project's virtualenv; the example
    `--policy-pack-config` names only real policies and config properties."""
    policy_dir = Path(__file__).resolve().parents[2] / "policy"
    project = yaml.safe_load((policy_dir / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "../.venv"
    example = json.loads((policy_dir / "policy-config.example.json").read_text())
    by_name = {p.name: p for p in POLICIES}
    for key, value in example.items():
        assert key in by_name
        if isinstance(value, dict):
            assert set(value) - {"enforcementLevel"} <= set(by_name[key].config_schema.properties)
        for exemption in value.get("exemptions", []) if isinstance(value, dict) else []:
            assert exemption["reason"].strip()
