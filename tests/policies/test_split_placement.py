"""Issue 21 (P19): a finding names the resource the user should change. When a split resource
made the wrong setting, the finding is on it, and its message says what to set; when nothing
sets the part, the finding is on the owner and says what to add. And owners found through the
view rather than by hand: an event bus's policy and a public zone's query log."""

from __future__ import annotations

import json

import pulumi_aws as aws

from .helpers import check, provider


def test_ownership_set_wrong_is_reported_on_the_ownership_controls() -> None:
    """S3.12: `ObjectWriter` on a BucketOwnershipControls is reported there with the value to
    set; a bucket with no ownership controls is told to add them."""

    def program() -> None:
        o = provider()
        wrong = aws.s3.Bucket("wrong", opts=o)
        aws.s3.BucketOwnershipControls(
            "wrong-ownership",
            bucket=wrong.id,
            rule={"object_ownership": "ObjectWriter"},
            opts=o,
        )
        aws.s3.Bucket("missing", opts=o)
        right = aws.s3.Bucket("right", opts=o)
        aws.s3.BucketOwnershipControls(
            "right-ownership",
            bucket=right.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=o,
        )

    result = check(program, ["s3-object-ownership"])
    found = dict(result.of("s3-object-ownership"))
    assert set(found) == {"wrong-ownership", "missing"}
    assert (
        "sets object_ownership 'ObjectWriter'; set it to 'BucketOwnerEnforced'"
        in found["wrong-ownership"]
    )
    assert "add an aws.s3.BucketOwnershipControls" in found["missing"]


def test_waf_rule_resources_are_judged_where_they_are_written() -> None:
    """WAF.12 on a WebAclRule and a WebAclRuleGroupAssociation (each its own finding), and
    WAF.10 on a web ACL whose only rules are such resources: none."""

    def program() -> None:
        o = provider()
        visibility = {"metric_name": "m", "sampled_requests_enabled": True}
        acl = aws.wafv2.WebAcl(
            "acl",
            scope="REGIONAL",
            default_action={"allow": {}},
            visibility_config={**visibility, "cloudwatch_metrics_enabled": True},
            opts=o,
        )
        aws.wafv2.WebAclRule(
            "rate",
            web_acl_arn=acl.arn,
            name="rate",
            priority=1,
            action={"block": {}},
            statement={"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
            visibility_config={**visibility, "cloudwatch_metrics_enabled": False},
            opts=o,
        )
        aws.wafv2.WebAclRuleGroupAssociation(
            "common",
            web_acl_arn=acl.arn,
            rule_name="common",
            priority=2,
            managed_rule_group={"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"},
            visibility_config={**visibility, "cloudwatch_metrics_enabled": False},
            opts=o,
        )

    result = check(program, ["waf-rules", "waf-web-acl-rules"])
    assert result.of("waf-web-acl-rules") == []
    found = dict(result.of("waf-rules"))
    assert set(found) == {"rate", "common"}
    assert "rule 'common' sends no CloudWatch metrics" in found["common"]


def test_event_bus_policy_and_query_log_are_merged_by_the_view() -> None:
    """EventBridge.3 and Route53.2 read the view: a bus policy naming its bus by name or ARN,
    a query log naming its zone by zone ID. A policy for another bus, and a private zone, are
    not findings either way."""

    def program() -> None:
        o = provider()
        document = json.dumps({"Version": "2012-10-17", "Statement": []})
        by_name = aws.cloudwatch.EventBus("by-name", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "by-name-policy", event_bus_name=by_name.name, policy=document, opts=o
        )
        by_arn = aws.cloudwatch.EventBus("by-arn", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "by-arn-policy", event_bus_name=by_arn.arn, policy=document, opts=o
        )
        aws.cloudwatch.EventBus("bare", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "elsewhere-policy", event_bus_name="someone-elses", policy=document, opts=o
        )
        logged = aws.route53.Zone("logged", name="logged.example.com", opts=o)
        aws.route53.QueryLog(
            "logged-queries",
            zone_id=logged.zone_id,
            cloudwatch_log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/x",
            opts=o,
        )
        aws.route53.Zone("unlogged", name="unlogged.example.com", opts=o)

    result = check(program, ["eventbridge-bus-policies", "route53-query-logging"])
    assert result.names("eventbridge-bus-policies") == {"bare"}
    assert result.names("route53-query-logging") == {"unlogged"}


def test_guardduty_plan_set_off_is_reported_on_its_feature() -> None:
    """GuardDuty.9: a DetectorFeature that sets RDS_LOGIN_EVENTS DISABLED is reported on that
    feature ("set"); plans no feature names are reported on the detector ("add")."""

    def program() -> None:
        o = provider()
        detector = aws.guardduty.Detector("detector", enable=True, opts=o)
        aws.guardduty.DetectorFeature(
            "rds", detector_id=detector.id, name="RDS_LOGIN_EVENTS", status="DISABLED", opts=o
        )

    found = dict(check(program, ["guardduty-protection-plans"]).of("guardduty-protection-plans"))
    assert set(found) == {"rds", "detector"}
    assert (
        "RDS_LOGIN_EVENTS (GuardDuty.9) to status 'DISABLED': set status='ENABLED'" in found["rds"]
    )
    assert "RDS_LOGIN_EVENTS" not in found["detector"]
    assert "S3_DATA_EVENTS (GuardDuty.10)" in found["detector"] and "add" in found["detector"]
