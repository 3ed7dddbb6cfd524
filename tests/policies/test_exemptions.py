"""P9, P13: exemptions need a reason, may expire, and what they hide is listed as
suppressed (resource and stack policies alike)."""

from __future__ import annotations

import datetime

import pulumi_aws as aws
import pytest

from policy.rules.exemptions import Exemption

from .helpers import check, provider


def _program() -> None:
    o = provider()
    aws.ec2.Vpc("lab", cidr_block="10.0.0.0/16", opts=o)
    aws.kms.Key("legacy", opts=o)


def _exempt(policy: str, resource: str, **fields: str) -> dict:
    return {policy: {"exemptions": [{"resource": resource, **fields}]}}


def test_a_valid_exemption_suppresses_and_is_listed() -> None:
    for policy, resource in (("kms-key-rotation", "legacy"), ("vpc-flow-logs", "lab")):
        result = check(
            _program,
            [policy],
            pack_config=_exempt(
                policy, resource, reason="lab account", expires="2999-12-31", ticket="SEC-7"
            ),
        )
        assert result.of(policy) == []
        (hidden,) = result.evaluation.suppressed
        assert (hidden.policy, hidden.name, hidden.reason) == (policy, resource, "lab account")
        assert (hidden.expires, hidden.ticket) == ("2999-12-31", "SEC-7")
        assert hidden.message  # the finding it hides, for the report


def test_an_expired_exemption_is_a_violation_and_stops_hiding() -> None:
    result = check(
        _program,
        ["kms-key-rotation"],
        pack_config=_exempt(
            "kms-key-rotation", "legacy", reason="migration", expires="2020-01-31", ticket="T-1"
        ),
    )
    messages = result.messages("kms-key-rotation")
    assert "expired on 2020-01-31 (T-1)" in messages
    assert "enableKeyRotation" in messages
    assert result.evaluation.suppressed == []


def test_a_malformed_expiry_or_missing_reason_is_reported() -> None:
    bad_date = check(
        _program,
        ["vpc-flow-logs"],
        pack_config=_exempt("vpc-flow-logs", "lab", reason="x", expires="next spring"),
    )
    assert "not a date: write it as YYYY-MM-DD" in bad_date.messages("vpc-flow-logs")
    no_reason = check(
        _program, ["vpc-flow-logs"], pack_config=_exempt("vpc-flow-logs", "lab", reason=" ")
    )
    assert "has no `reason`" in no_reason.messages("vpc-flow-logs")


def test_expiry_is_inclusive_of_the_last_day() -> None:
    exemption = Exemption("r", "because", "2026-03-31", None)
    assert exemption.problem("p", datetime.date(2026, 3, 31)) is None
    assert "expired on 2026-03-31" in str(exemption.problem("p", datetime.date(2026, 4, 1)))


def test_the_engine_refuses_a_misspelt_exemption_field() -> None:
    """Issue 19: the Pulumi CLI validates `--policy-pack-config` against each policy's schema
    (as jsonschema does here); a misspelt `expires` would otherwise make an exemption
    permanent under `pulumi preview`, where the offline check's own validation does not run."""
    import jsonschema

    from policy.rules.exemptions import EXEMPTIONS_SCHEMA

    jsonschema.validate(
        [{"resource": "vpc", "reason": "lab", "expires": "2027-01-31"}], EXEMPTIONS_SCHEMA
    )
    with pytest.raises(jsonschema.ValidationError, match="expire"):
        jsonschema.validate(
            [{"resource": "vpc", "reason": "lab", "expire": "2027-01-31"}], EXEMPTIONS_SCHEMA
        )
