"""The edge of each region under mocks: the WAF in front of the load balancer (C9) and the S3
server access logs of the buckets that hold audit data (A11)."""

from __future__ import annotations

import json

import pytest
from support import one, stack_run

from policy.harness import ACCOUNT_ID, ProgramRun

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
BUCKET = "aws:s3/bucket:Bucket"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
MANAGED_GROUPS = {
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
}


def test_every_load_balancer_has_a_blocking_web_acl(prod: ProgramRun) -> None:
    """C9: per region a REGIONAL web ACL that allows by default, runs AWS's common, known bad
    inputs, IP reputation and SQL injection rule groups with their own (blocking) actions and a
    per-IP rate limit that blocks, is associated with the load balancer and logs to a
    CMK-encrypted `aws-waf-logs-*` group with the stack's retention, without credentials."""
    for region, outputs in prod.outputs["regions"].items():
        base = f"prod-core-{region}"
        acl = one(prod, WEB_ACL, f"{base}-waf")
        props = acl.inputs
        assert props["scope"] == "REGIONAL"
        assert props["defaultAction"] == {"allow": {}}
        managed = {
            r["statement"]["managedRuleGroupStatement"]["name"]: r
            for r in props["rules"]
            if "managedRuleGroupStatement" in r["statement"]
        }
        assert set(managed) == MANAGED_GROUPS
        assert all(r["overrideAction"] == {"none": {}} for r in managed.values())
        assert all(
            r["statement"]["managedRuleGroupStatement"]["vendorName"] == "AWS"
            for r in managed.values()
        )
        (rate,) = [r for r in props["rules"] if "rateBasedStatement" in r["statement"]]
        assert rate["action"] == {"block": {}}
        assert rate["statement"]["rateBasedStatement"] == {
            "limit": 2000,
            "aggregateKeyType": "IP",
            "evaluationWindowSec": 300,
        }
        priorities = [r["priority"] for r in props["rules"]]
        assert len(set(priorities)) == len(priorities)
        association = one(prod, ASSOCIATION, f"{base}-waf").inputs
        assert association["resourceArn"] == outputs["loadBalancerArn"]
        assert association["webAclArn"] == acl.state["arn"] == outputs["webAclArn"]
        group = one(prod, LOG_GROUP, f"{base}-waf-logs")
        assert group.inputs["name"].startswith("aws-waf-logs-")
        assert group.inputs["kmsKeyId"] == outputs["logsKeyArn"]
        assert group.inputs["retentionInDays"] == 365
        logging = one(prod, WAF_LOGGING, f"{base}-waf").inputs
        assert logging["resourceArn"] == acl.state["arn"]
        assert logging["logDestinationConfigs"] == [group.state["arn"]]
        redacted = {f["singleHeader"]["name"] for f in logging["redactedFields"]}
        assert redacted == {"authorization", "cookie"}


def test_count_mode_and_rate_from_config() -> None:
    """C9: `waf.mode: count` only counts (rule groups overridden to count, the rate rule
    counts); the limit and window come from config."""
    run = stack_run(
        "dev",
        compute={
            **_dev_compute(),
            "waf": {"mode": "count", "rateLimit": 500, "rateWindowSeconds": 60},
        },
    )
    (acl,) = run.of_type(WEB_ACL)
    rules = acl.inputs["rules"]
    assert all(
        r["overrideAction"] == {"count": {}}
        for r in rules
        if "managedRuleGroupStatement" in r["statement"]
    )
    (rate,) = [r for r in rules if "rateBasedStatement" in r["statement"]]
    assert rate["action"] == {"count": {}}
    assert rate["statement"]["rateBasedStatement"]["limit"] == 500
    assert rate["statement"]["rateBasedStatement"]["evaluationWindowSec"] == 60


def test_waf_can_be_turned_off() -> None:
    """C9: with `waf.enabled: false` (a load balancer behind another firewall) there is no web
    ACL; the pack's public-alb-waf policy then reports the load balancer."""
    run = stack_run("dev", compute={**_dev_compute(), "waf": {"enabled": False}})
    assert run.of_type(WEB_ACL) == [] and run.of_type(ASSOCIATION) == []


def _dev_compute() -> dict:
    import yaml
    from conftest import REPO_ROOT

    data = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return dict(data["secure-infra:compute"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_audit_buckets_write_s3_access_logs(stack: str) -> None:
    """A11 (issue: the trail bucket's reads and deletes were recorded nowhere): every region has
    an access-log bucket, SSE-S3 as S3 requires of a log target, that only S3's log delivery
    may write to, for this account's buckets of this stack; the trail, Config, load-balancer
    log and trail-replica buckets log into their own region's; the target does not log into
    itself."""
    # Both stacks as owners of their account's baseline, so the trail and Config buckets exist
    # (an owner names its account).
    run = stack_run(
        stack,
        accountId=ACCOUNT_ID,
        audit={"alertEmails": ["ops@example.com"], "ownsAccountBaseline": True},
    )
    buckets = {b.name: b for b in run.of_type(BUCKET)}
    logged = {r.name: r.inputs for r in run.of_type(LOGGING)}
    for region in run.outputs["regions"]:
        base = f"{stack}-core-{region}"
        target = buckets[f"{base}-s3-access-logs"]
        assert run.outputs["regions"][region]["s3AccessLogBucketName"] == target.inputs["bucket"]
        sse = one(
            run,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            target.name,
        ).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert sse == {"sseAlgorithm": "AES256"}
        policy = json.loads(
            one(run, "aws:s3/bucketPolicy:BucketPolicy", target.name).inputs["policy"]
        )
        grant = {s["Sid"]: s for s in policy["Statement"]}["S3ServerAccessLogs"]
        assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert grant["Condition"] == {
            "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{base}-*"},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        }
        assert target.name not in logged
        sources = [f"{base}-alb-logs"]
        if region == "us-east-1":
            sources += [f"{base}-trail-logs", f"{base}-config-logs"]
        elif stack == "prod":
            sources += [f"{base}-config-logs", f"{base}-trail-replica"]
        for source in sources:
            assert logged[source]["targetBucket"] == target.inputs["bucket"], source
            assert logged[source]["targetPrefix"] == f"{source}/"
            assert buckets[source].inputs["bucket"].startswith(f"{base}-")
