"""Audit tier under mocks for the real dev and prod stacks and for the component alone (A1-A9,
S5, S6)."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from support import REPO_ROOT, in_region, one, region_of, stack_run
from support import prefix as base

from components.audit import CIS_FILTERS, Audit, AuditArgs
from policy.harness import (
    ACCOUNT_ID,
    CapturedResource,
    ProgramError,
    ProgramRun,
    run_inline,
    run_program,
)

PRIMARY = "us-east-1"
STACKS = {"dev": [PRIMARY], "prod": [PRIMARY, "eu-west-1"]}
TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
RECORDER = "aws:cfg/recorder:Recorder"
RULE = "aws:cfg/rule:Rule"
LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/logs"


# dev as the stack that owns its account's baseline (A10): the committed dev stack leaves the
# trail, Config, Security Hub and GuardDuty to another stack of its account.
DEV_OWNER = {"alertEmails": ["platform-alerts@example.com"], "ownsAccountBaseline": True}
# An owner names its account (issue 18, data N8): the one the harness mocks.
DEV_ACCOUNT = "123456789012"


def audit_run(stack: str) -> ProgramRun:
    """`stack` as the owner of its account's baseline (prod owns it as committed)."""
    if stack == "dev":
        return stack_run("dev", audit=DEV_OWNER, accountId=DEV_ACCOUNT)
    return stack_run(stack)


def logs_key_arn(run: ProgramRun, region: str) -> str:
    """ARN of the region's logs CMK."""
    return one(run, "aws:kms/key:Key", f"{base(run.stack, region)}-logs").state["arn"]


def policy_of(resource: CapturedResource, key: str = "policy") -> dict[str, Any]:
    """A JSON policy input, parsed."""
    return json.loads(resource.inputs[key])


def statements_by_sid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A policy's statements keyed by Sid."""
    return {s.get("Sid", ""): s for s in document["Statement"]}


def topic_arn(run: ProgramRun, region: str) -> str:
    """ARN of the region's alert topic."""
    (topic,) = in_region(run, TOPIC, region)
    return topic.state["arn"]


# CloudTrail (A1) -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_multi_region_trail_in_the_primary_region(stack: str) -> None:
    """A1: exactly one trail, in the primary region: multi-region, global service events,
    log-file validation, logging on, encrypted with that region's logs CMK."""
    run = audit_run(stack)
    (trail,) = run.of_type(TRAIL)
    assert region_of(run, trail) == PRIMARY
    inputs = trail.inputs
    assert inputs["isMultiRegionTrail"] is True
    assert inputs["includeGlobalServiceEvents"] is True
    assert inputs["enableLogFileValidation"] is True
    assert inputs["enableLogging"] is True
    assert inputs["kmsKeyId"] == logs_key_arn(run, PRIMARY)
    # A fixed physical name (the bucket policy needs it up front), unique per stack.
    assert inputs["name"].startswith(f"{base(stack, PRIMARY)}-trail-")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_trail_bucket_policy_is_exactly_what_cloudtrail_needs(stack: str) -> None:
    """A1/A2: the trail's bucket admits CloudTrail for the ACL check and for writes under
    AWSLogs/<account>/ with bucket-owner-full-control, both scoped to this trail's ARN; it
    denies plain HTTP; the trail depends on that policy."""
    run = audit_run(stack)
    (trail,) = run.of_type(TRAIL)
    bucket = one(run, BUCKET, f"{base(stack, PRIMARY)}-trail-logs")
    assert trail.inputs["s3BucketName"] == bucket.id
    policy = run.of_type("aws:s3/bucketPolicy:BucketPolicy")
    (bucket_policy,) = [p for p in policy if p.inputs["bucket"] == bucket.id]
    trail_arn = f"arn:aws:cloudtrail:{PRIMARY}:{ACCOUNT_ID}:trail/{trail.inputs['name']}"
    bucket_arn = bucket.state["arn"]
    by_sid = statements_by_sid(policy_of(bucket_policy))
    assert set(by_sid) == {"DenyInsecureTransport", "AWSCloudTrailAclCheck", "AWSCloudTrailWrite"}
    assert by_sid["AWSCloudTrailAclCheck"] == {
        "Sid": "AWSCloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": bucket_arn,
        "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
    }
    assert by_sid["AWSCloudTrailWrite"] == {
        "Sid": "AWSCloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/AWSLogs/{ACCOUNT_ID}/*",
        "Condition": {
            "StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SourceArn": trail_arn,
            }
        },
    }
    deny = by_sid["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert bucket_policy.urn in trail.dependencies


@pytest.mark.parametrize("stack,retention", [("dev", 30), ("prod", 2557)])
def test_trail_delivers_to_an_encrypted_log_group_through_a_role(
    stack: str, retention: int
) -> None:
    """A1/A3: trail -> log group (logs CMK, retention from audit.trailLogRetentionDays or
    logging.retentionDays) -> role trusted by CloudTrail for this trail only, allowed to
    create streams and put events in that group only."""
    run = audit_run(stack)
    (trail,) = run.of_type(TRAIL)
    name = f"{base(stack, PRIMARY)}-trail"
    group = one(run, LOG_GROUP, name)
    assert trail.inputs["cloudWatchLogsGroupArn"] == group.state["arn"] + ":*"
    assert group.inputs["kmsKeyId"] == logs_key_arn(run, PRIMARY)
    assert group.inputs["retentionInDays"] == retention

    role = one(run, "aws:iam/role:Role", name)
    assert trail.inputs["cloudWatchLogsRoleArn"] == role.state["arn"]
    (trust,) = policy_of(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    trail_arn = f"arn:aws:cloudtrail:{PRIMARY}:{ACCOUNT_ID}:trail/{trail.inputs['name']}"
    assert trust["Condition"]["ArnLike"] == {"aws:SourceArn": trail_arn}

    (role_policy,) = [
        p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
    ]
    (statement,) = policy_of(role_policy)["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == group.state["arn"] + ":log-stream:*"


def test_stacks_that_do_not_own_the_baseline_leave_it_alone(dev: ProgramRun) -> None:
    """A10 (issue: every stack created the account's singletons, so a second stack in the
    account failed): a stack that does not own the baseline creates no trail, Config recorder,
    delivery channel or rules, Security Hub, GuardDuty or hygiene, and says so; its alerts,
    operational alarms and dashboard stay."""
    for token in (
        TRAIL,
        RECORDER,
        RULE,
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:securityhub/account:Account",
        "aws:guardduty/detector:Detector",
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    ):
        assert dev.of_type(token) == [], token
    assert dev.of_type(TOPIC) and dev.of_type(ALARM)
    (outputs,) = dev.outputs["regions"].values()
    assert outputs["accountBaseline"].startswith("skipped")


def test_baseline_owner_runs_security_hub_and_guardduty_in_every_region(prod: ProgramRun) -> None:
    """A10: the owner enables Security Hub with consolidated control findings and the
    standards from config (FSBP and CIS 3.0.0, not the defaults) and a GuardDuty detector in
    each of its regions."""
    for region in STACKS["prod"]:
        (hub,) = in_region(prod, "aws:securityhub/account:Account", region)
        assert hub.inputs["enableDefaultStandards"] is False
        assert hub.inputs["controlFindingGenerator"] == "SECURITY_CONTROL"
        standards = {
            s.inputs["standardsArn"]
            for s in in_region(
                prod, "aws:securityhub/standardsSubscription:StandardsSubscription", region
            )
        }
        assert standards == {
            f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
            f"arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
        }
        (detector,) = in_region(prod, "aws:guardduty/detector:Detector", region)
        assert detector.inputs["enable"] is True
        assert prod.outputs["regions"][region]["accountBaseline"] == "owned by this stack"


def test_two_versions_of_one_standard_run_side_by_side() -> None:
    """A10 (review finding 1: CIS 1.4.0 and 3.0.0 together gave two subscriptions one name):
    the version is part of each subscription's name; a standard configured in one version
    only keeps its former, version-less name as an alias, so a deployed stack sees no
    replacement."""
    both = [
        "cis-aws-foundations-benchmark/v/1.4.0",
        "cis-aws-foundations-benchmark/v/3.0.0",
        "aws-foundational-security-best-practices/v/1.0.0",
    ]
    run = stack_run("prod", audit={"ownsAccountBaseline": True, "securityHubStandards": both})
    prefix = base("prod", PRIMARY)
    subscriptions = {
        s.name: s
        for s in in_region(
            run, "aws:securityhub/standardsSubscription:StandardsSubscription", PRIMARY
        )
    }
    assert set(subscriptions) == {
        f"{prefix}-standard-cis-aws-foundations-benchmark-1-4-0",
        f"{prefix}-standard-cis-aws-foundations-benchmark-3-0-0",
        f"{prefix}-standard-aws-foundational-security-best-practices-1-0-0",
    }
    fsbp = subscriptions[f"{prefix}-standard-aws-foundational-security-best-practices-1-0-0"]
    assert [a.rsplit("::", 1)[1] for a in fsbp.options.aliases] == [
        f"{prefix}-standard-aws-foundational-security-best-practices"
    ]
    assert (
        subscriptions[f"{prefix}-standard-cis-aws-foundations-benchmark-3-0-0"].options.aliases
        == ()
    )


def test_baseline_owner_sets_the_accounts_regional_switches(prod: ProgramRun) -> None:
    """A10 (FSBP EC2.7, IAM.28, SSM.6, SSM.7, S3.1, GuardDuty.5-13): in each of its regions
    the owner turns on EBS encryption by default, an account Access Analyzer, Systems
    Manager automation logging to an encrypted group and the block on public document
    sharing, and every GuardDuty protection plan with GuardDuty-managed runtime agents; the
    account's S3 public-access block once, in the primary region."""
    for region in STACKS["prod"]:
        (ebs,) = in_region(prod, "aws:ebs/encryptionByDefault:EncryptionByDefault", region)
        assert ebs.inputs["enabled"] is True
        # Destroying the stack leaves the account's switches on (review finding).
        assert ebs.options.retain_on_delete is True
        assert all(
            s.options.retain_on_delete
            for s in in_region(prod, "aws:ssm/serviceSetting:ServiceSetting", region)
        )
        (analyzer,) = in_region(prod, "aws:accessanalyzer/analyzer:Analyzer", region)
        assert analyzer.inputs["type"] == "ACCOUNT"
        # One account analyzer per region: a replacement deletes the old one first.
        assert analyzer.options.delete_before_replace is True
        assert analyzer.inputs["analyzerName"] == f"{base('prod', region)}-access-analyzer"
        settings = {
            s.inputs["settingId"].split(":servicesetting", 1)[1]: s.inputs["settingValue"]
            for s in in_region(prod, "aws:ssm/serviceSetting:ServiceSetting", region)
        }
        group = one(prod, LOG_GROUP, f"{base('prod', region)}-ssm-automation")
        assert settings == {
            "/ssm/automation/customer-script-log-destination": "CloudWatch",
            "/ssm/automation/customer-script-log-group-name": group.state["name"],
            "/ssm/documents/console/public-sharing-permission": "Disable",
        }
        assert all(
            s.inputs["settingId"].startswith(f"arn:aws:ssm:{region}:{ACCOUNT_ID}:servicesetting/")
            for s in in_region(prod, "aws:ssm/serviceSetting:ServiceSetting", region)
        )
        (detector,) = in_region(prod, "aws:guardduty/detector:Detector", region)
        features = {
            f.inputs["name"]: f
            for f in in_region(prod, "aws:guardduty/detectorFeature:DetectorFeature", region)
        }
        assert set(features) == {
            "S3_DATA_EVENTS",
            "EKS_AUDIT_LOGS",
            "EBS_MALWARE_PROTECTION",
            "RDS_LOGIN_EVENTS",
            "LAMBDA_NETWORK_LOGS",
            "RUNTIME_MONITORING",
        }
        assert all(f.inputs["detectorId"] == detector.state["id"] for f in features.values())
        assert all(f.inputs["status"] == "ENABLED" for f in features.values())
        agents = features["RUNTIME_MONITORING"].inputs["additionalConfigurations"]
        assert {(a["name"], a["status"]) for a in agents} == {
            ("EKS_ADDON_MANAGEMENT", "ENABLED"),
            ("ECS_FARGATE_AGENT_MANAGEMENT", "ENABLED"),
            ("EC2_AGENT_MANAGEMENT", "ENABLED"),
        }
    (block,) = prod.of_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert region_of(prod, block) == PRIMARY
    assert block.options.retain_on_delete is True
    assert all(
        block.inputs[flag] is True
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )


@pytest.mark.parametrize("stack", ["dev", "aurora"])
def test_database_events_reach_the_alert_topic(stack: str) -> None:
    """A5 (FSBP RDS.19-21): RDS sends the failures, maintenance and configuration changes of
    this stack's instance or cluster and of its parameter group to the region's alert topic;
    the topic's policy and the logs key admit RDS's event publisher."""
    run = stack_run(stack)
    (topic,) = in_region(run, TOPIC, PRIMARY)
    subscriptions = {
        s.inputs["sourceType"]: s
        for s in run.of_type("aws:rds/eventSubscription:EventSubscription")
    }
    if stack == "dev":
        (db,) = run.of_type("aws:rds/instance:Instance")
        (params,) = run.of_type("aws:rds/parameterGroup:ParameterGroup")
        assert set(subscriptions) == {"db-instance", "db-parameter-group"}
        assert subscriptions["db-instance"].inputs["sourceIds"] == [db.inputs["identifier"]]
        assert subscriptions["db-parameter-group"].inputs["sourceIds"] == [params.state["name"]]
        assert subscriptions["db-instance"].inputs["eventCategories"] == [
            "configuration change",
            "failure",
            "maintenance",
        ]
    else:
        (cluster,) = run.of_type("aws:rds/cluster:Cluster")
        members = run.of_type("aws:rds/clusterInstance:ClusterInstance")
        # Aurora's members are DB instances too (review finding: RDS.20 on Aurora).
        assert set(subscriptions) == {"db-cluster", "db-instance"}
        assert subscriptions["db-cluster"].inputs["sourceIds"] == [
            cluster.inputs["clusterIdentifier"]
        ]
        # The readers register in either order once the writer exists.
        assert sorted(subscriptions["db-instance"].inputs["sourceIds"]) == sorted(
            m.state["identifier"] for m in members
        )
        # Issue 18, data N3: Aurora's failovers are their own category.
        assert subscriptions["db-cluster"].inputs["eventCategories"] == [
            "failover",
            "failure",
            "maintenance",
        ]
    assert all(s.inputs["snsTopic"] == topic.state["arn"] for s in subscriptions.values())
    # RDS may publish only once the topic's policy admits it.
    (topic_policy,) = in_region(run, "aws:sns/topicPolicy:TopicPolicy", PRIMARY)
    assert all(topic_policy.urn in s.dependencies for s in subscriptions.values())
    key = next(
        k
        for k in run.of_type("aws:kms/key:Key")
        if k.state["arn"] == topic.inputs["kmsMasterKeyId"]
    )
    rds = statements_by_sid(policy_of(key))["RdsEventsUseKey"]
    assert rds["Principal"] == {"Service": "events.rds.amazonaws.com"}
    assert rds["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_trail_retention_defaults_to_logging_retention() -> None:
    """A3: without audit.trailLogRetentionDays the trail's group keeps logging.retentionDays."""
    run = stack_run("prod", audit={"ownsAccountBaseline": True})
    group = one(run, LOG_GROUP, f"{base('prod', PRIMARY)}-trail")
    assert group.inputs["retentionInDays"] == 365


# CIS alarms (A4) and the alert topic (A5) ----------------------------------------------------

# The CIS controls A4 names, each with fragments its filter pattern must contain.
CIS_REQUIRED = {
    "unauthorized-api-calls": ['"*UnauthorizedOperation"', '"AccessDenied*"'],
    "root-account-use": ['$.userIdentity.type = "Root"', "invokedBy NOT EXISTS"],
    "console-signin-without-mfa": ['"ConsoleLogin"', '$.additionalEventData.MFAUsed != "Yes"'],
    "iam-policy-changes": ["PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"],
    "cloudtrail-config-changes": ["StopLogging", "DeleteTrail", "UpdateTrail"],
    "security-group-changes": ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupEgress"],
    "nacl-changes": ["CreateNetworkAclEntry"],
    "route-table-changes": ["CreateRoute"],
    "vpc-changes": ["ModifyVpcAttribute"],
    "kms-cmk-disable-or-deletion": ["kms.amazonaws.com", "ScheduleKeyDeletion", "DisableKey"],
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_metric_filter_and_alarm_per_cis_control(stack: str) -> None:
    """A4: each CIS control has one metric filter on the trail's log group with the right
    pattern, and one alarm on its metric that notifies the primary region's topic."""
    run = audit_run(stack)
    prefix = base(stack, PRIMARY)
    trail_group = one(run, LOG_GROUP, f"{prefix}-trail")
    filters = {f.name.removeprefix(f"{prefix}-cis-"): f for f in run.of_type(FILTER)}
    assert set(filters) == set(CIS_FILTERS)
    assert set(CIS_REQUIRED) <= set(filters)
    alarms = {a.name: a for a in run.of_type(ALARM)}
    topic = topic_arn(run, PRIMARY)
    for control, metric_filter in filters.items():
        assert region_of(run, metric_filter) == PRIMARY
        assert metric_filter.inputs["logGroupName"] == trail_group.state["name"]
        pattern = metric_filter.inputs["pattern"]
        assert pattern.startswith("{") and pattern.endswith("}")
        for fragment in CIS_REQUIRED.get(control, []):
            assert fragment in pattern, (control, fragment)
        metric = metric_filter.inputs["metricTransformation"]
        alarm = alarms[f"{prefix}-cis-{control}"]
        assert alarm.inputs["metricName"] == metric["name"]
        assert alarm.inputs["namespace"] == metric["namespace"]
        assert metric["value"] == "1"
        assert alarm.inputs["statistic"] == "Sum"
        assert alarm.inputs["threshold"] == 1
        assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm.inputs["alarmActions"] == [topic]
        assert alarm.inputs["okActions"] == [topic]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_alarm_notifies_its_regions_topic(stack: str) -> None:
    """A4/A6: every alarm of the stack sends alarm and OK notifications to the alert topic of
    its own region."""
    run = audit_run(stack)
    for alarm in run.of_type(ALARM):
        topic = topic_arn(run, region_of(run, alarm))
        assert alarm.inputs["alarmActions"] == [topic], alarm.name
        assert alarm.inputs["okActions"] == [topic], alarm.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_alert_topic_per_region_encrypted_with_logs_cmk(stack: str) -> None:
    """A5: one topic per region under that region's logs CMK; only CloudWatch, EventBridge and
    RDS events of this account may publish; the configured email is subscribed in every
    region."""
    run = stack_run(stack)
    for region in STACKS[stack]:
        (topic,) = in_region(run, TOPIC, region)
        assert topic.inputs["kmsMasterKeyId"] == logs_key_arn(run, region)
        (policy,) = in_region(run, "aws:sns/topicPolicy:TopicPolicy", region)
        assert policy.inputs["arn"] == topic.state["arn"]
        (statement,) = policy_of(policy)["Statement"]
        assert statement["Principal"] == {
            "Service": [
                "cloudwatch.amazonaws.com",
                "events.amazonaws.com",
                "events.rds.amazonaws.com",
            ]
        }
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == topic.state["arn"]
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
        (subscription,) = in_region(run, "aws:sns/topicSubscription:TopicSubscription", region)
        assert subscription.inputs["topic"] == topic.state["arn"]
        assert subscription.inputs["protocol"] == "email"
        assert subscription.inputs["endpoint"] == "platform-alerts@example.com"


# AWS Config (A7) -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_config_recorder_channel_and_role_in_every_region(stack: str) -> None:
    """A7: per region a recorder of all supported types (global types only in the primary)
    with a role holding the real AWS_ConfigRole managed policy and an inline write to its own
    encrypted bucket; a delivery channel to that bucket; the recorder switched on."""
    run = audit_run(stack)
    for region in STACKS[stack]:
        prefix = f"{base(stack, region)}-config"
        (recorder,) = in_region(run, RECORDER, region)
        (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name == prefix]
        assert recorder.inputs["roleArn"] == role.state["arn"]
        assert recorder.inputs["recordingGroup"] == {
            "allSupported": True,
            "includeGlobalResourceTypes": region == PRIMARY,
        }
        (trust,) = policy_of(role, "assumeRolePolicy")["Statement"]
        assert trust["Principal"] == {"Service": "config.amazonaws.com"}

        attachments = [
            a
            for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            if a.inputs["role"] == role.state["name"]
        ]
        assert [a.inputs["policyArn"] for a in attachments] == [
            "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
        ]
        bucket = one(run, BUCKET, f"{base(stack, region)}-config-logs")
        (inline,) = [
            p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
        ]
        by_sid = statements_by_sid(policy_of(inline))
        assert by_sid["DeliverConfigSnapshots"]["Resource"] == (
            f"{bucket.state['arn']}/AWSLogs/{ACCOUNT_ID}/*"
        )
        assert by_sid["CheckConfigBucketAcl"]["Resource"] == bucket.state["arn"]
        assert by_sid["EncryptConfigSnapshots"]["Resource"] == logs_key_arn(run, region)

        (channel,) = in_region(run, "aws:cfg/deliveryChannel:DeliveryChannel", region)
        assert channel.inputs["s3BucketName"] == bucket.id
        assert channel.inputs["s3KmsKeyArn"] == logs_key_arn(run, region)
        assert recorder.urn in channel.dependencies
        (status,) = in_region(run, "aws:cfg/recorderStatus:RecorderStatus", region)
        assert status.inputs["isEnabled"] is True
        assert status.inputs["name"] == recorder.state["name"]
        assert channel.urn in status.dependencies


def _rules(run: ProgramRun, region: str) -> set[str]:
    return {r.inputs["source"]["sourceIdentifier"] for r in in_region(run, RULE, region)}


def test_config_rules_for_promised_controls_account_wide_ones_once(prod: ProgramRun) -> None:
    """A7: the managed rules for the controls the stack promises; rules on global resources
    (IAM, CloudTrail) only in the primary; prod's additional Multi-AZ and backup rules."""
    primary, secondary = _rules(prod, PRIMARY), _rules(prod, "eu-west-1")
    promised = {
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "ENCRYPTED_VOLUMES",
        "RDS_STORAGE_ENCRYPTED",
        "VPC_FLOW_LOGS_ENABLED",
        "RESTRICTED_INCOMING_TRAFFIC",
        "INCOMING_SSH_DISABLED",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "RDS_MULTI_AZ_SUPPORT",
    }
    account_wide = {
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    }
    assert promised | account_wide <= primary
    assert promised <= secondary
    assert not account_wide & secondary
    recorders = {region_of(prod, r): r.urn for r in prod.of_type(RECORDER)}
    for rule in prod.of_type(RULE):
        assert rule.inputs["source"]["owner"] == "AWS"
        assert recorders[region_of(prod, rule)] in rule.dependencies


def test_dev_rules_leave_out_prod_only_controls() -> None:
    """A7/S1: the Multi-AZ rule is prod's config, not a branch in the code."""
    dev = audit_run("dev")
    assert "RDS_MULTI_AZ_SUPPORT" not in _rules(dev, PRIMARY)
    assert "S3_BUCKET_SSL_REQUESTS_ONLY" in _rules(dev, PRIMARY)


def test_config_can_be_left_to_an_existing_recorder() -> None:
    """A7: audit.config.enabled false (an account whose recorder exists) creates no Config
    resources; the trail and alarms stay."""
    run = stack_run("dev", audit={**DEV_OWNER, "config": {"enabled": False}}, accountId=DEV_ACCOUNT)
    for token in (RECORDER, RULE, "aws:cfg/deliveryChannel:DeliveryChannel"):
        assert run.of_type(token) == []
    assert len(run.of_type(TRAIL)) == 1


# Buckets (A2) and log groups (A3) -------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_audit_buckets_are_private_encrypted_versioned_tls_only(stack: str) -> None:
    """A2/P7: the trail and Config buckets have SSE-KMS with the logs CMK, versioning, all four
    public access blocks, owner-enforced objects, lifecycle rules and a TLS-only policy; prod
    protects them."""
    run = audit_run(stack)
    names = [f"{base(stack, PRIMARY)}-trail-logs"] + [
        f"{base(stack, region)}-config-logs" for region in STACKS[stack]
    ]
    for name in names:
        bucket = one(run, BUCKET, name)
        region = region_of(run, bucket)
        # audit.protectBuckets is set in prod's stack file only.
        assert bucket.options.protect is (stack == "prod")

        def attached(token: str, bucket: CapturedResource = bucket) -> CapturedResource:
            (found,) = [r for r in run.of_type(token) if r.inputs["bucket"] == bucket.id]
            return found

        sse = attached(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
        (rule,) = sse.inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": logs_key_arn(run, region),
        }
        versioning = attached("aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        block = attached("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ):
            assert block.inputs[flag] is True
        ownership = attached("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
        assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
        lifecycle = attached("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        assert all(r["status"] == "Enabled" for r in lifecycle.inputs["rules"])
        policy = attached("aws:s3/bucketPolicy:BucketPolicy")
        assert "DenyInsecureTransport" in statements_by_sid(policy_of(policy))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_log_group_has_cmk_and_retention(stack: str) -> None:
    """A3: every log group of the stack is encrypted with its region's logs CMK and has a
    retention."""
    run = audit_run(stack)
    for group in run.of_type(LOG_GROUP):
        assert group.inputs["kmsKeyId"] == logs_key_arn(run, region_of(run, group)), group.name
        assert group.inputs["retentionInDays"] > 0, group.name


# Account hygiene (A9) ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_hygiene_parts_are_off_by_default(stack: str) -> None:
    """A9, IAM.7: no MFA policy unless configured; the password policy belongs to the stack
    that owns the account baseline (prod), unless it says otherwise."""
    run = stack_run(stack)
    policies = run.of_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    assert len(policies) == (1 if stack == "prod" else 0)
    assert run.of_type("aws:iam/policy:Policy") == []
    assert run.of_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment") == []


@pytest.fixture(scope="module")
def hygiene() -> ProgramRun:
    """Prod owning the account hygiene and creating the human group."""
    return stack_run(
        "prod",
        audit={
            "ownsAccountBaseline": True,
            "ownAccountHygiene": {
                "mfaGroupName": "humans",
                "createMfaGroup": True,
                "passwordPolicy": True,
            },
        },
    )


def test_mfa_policy_denies_all_but_self_service_without_mfa(hygiene: ProgramRun) -> None:
    """A9: once, in the primary region: a policy attached to the human group that denies
    everything except MFA self-service when aws:MultiFactorAuthPresent is false (or absent)."""
    (policy,) = hygiene.of_type("aws:iam/policy:Policy")
    assert region_of(hygiene, policy) == PRIMARY
    by_sid = statements_by_sid(policy_of(policy))
    deny = by_sid["DenyAllExceptMfaSelfServiceWithoutMfa"]
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == "*"
    assert deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    assert {"iam:EnableMFADevice", "iam:CreateVirtualMFADevice", "sts:GetSessionToken"} <= set(
        deny["NotAction"]
    )
    assert "Action" not in deny
    own_user = f"arn:aws:iam::{ACCOUNT_ID}:user/${{aws:username}}"
    assert by_sid["ManageOwnMfaDevice"]["Resource"] == own_user
    (group,) = hygiene.of_type("aws:iam/group:Group")
    assert group.inputs["name"] == "humans"
    (attachment,) = hygiene.of_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment")
    assert attachment.inputs["group"] == "humans"
    assert attachment.inputs["policyArn"] == policy.state["arn"]


def test_password_policy_when_owned(hygiene: ProgramRun) -> None:
    """A9: one account password policy: length 14, all character classes, 24 remembered,
    90 days maximum age."""
    (policy,) = hygiene.of_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    assert region_of(hygiene, policy) == PRIMARY
    assert policy.inputs["minimumPasswordLength"] == 14
    assert policy.inputs["passwordReusePrevention"] == 24
    assert policy.inputs["maxPasswordAge"] == 90
    for flag in ("Lowercase", "Uppercase"):
        assert policy.inputs[f"require{flag}Characters"] is True
    assert policy.inputs["requireNumbers"] is True
    assert policy.inputs["requireSymbols"] is True


# Operational alarms (A6) and dashboard (A8), on the component alone --------------------------


def _audit(**overrides: Any) -> ProgramRun:
    def program() -> None:
        provider = aws.Provider("eu", region="eu-west-1")
        Audit(
            "dev-core-eu-west-1",
            AuditArgs(
                account_wide=False,
                logs_key_arn=LOGS_KEY,
                trail_log_retention_days=30,
                config_enabled=False,
                **overrides,
            ),
            opts=pulumi.ResourceOptions(providers={"aws": provider}),
        )

    return run_inline(program)


@pytest.fixture(scope="module")
def wired() -> ProgramRun:
    """The regional tier with every compute and database dimension passed in."""
    return _audit(
        load_balancer_arn_suffix="app/web/abc",
        target_group_arn_suffixes={"app": "targetgroup/web/def"},
        autoscaling_group_name="web-asg",
        db_instance_identifier="db-1",
    )


def test_operational_alarms_for_the_dimensions_passed(wired: ProgramRun) -> None:
    """A6: compute CPU, ALB 5xx, unhealthy hosts, database CPU, free storage and connections,
    each on its dimension with the default thresholds, all to the topic."""
    alarms = {a.name.removeprefix("dev-core-eu-west-1-"): a.inputs for a in wired.of_type(ALARM)}
    expected = {
        "compute-cpu": ("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "web-asg"}, 80),
        "alb-5xx": (
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": "app/web/abc"},
            10,
        ),
        "alb-unhealthy-hosts": (
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": "app/web/abc", "TargetGroup": "targetgroup/web/def"},
            1,
        ),
        "db-cpu": ("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "db-1"}, 80),
        "db-free-storage": (
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": "db-1"},
            5 * 1024**3,
        ),
        "db-connections": ("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "db-1"}, 100),
    }
    assert set(alarms) == set(expected)
    (topic,) = wired.of_type(TOPIC)
    for suffix, (namespace, metric, dimensions, threshold) in expected.items():
        alarm = alarms[suffix]
        assert (alarm["namespace"], alarm["metricName"]) == (namespace, metric)
        assert alarm["dimensions"] == dimensions
        assert alarm["threshold"] == threshold
        assert alarm["alarmActions"] == alarm["okActions"] == [topic.state["arn"]]
    assert alarms["db-free-storage"]["comparisonOperator"] == "LessThanThreshold"


def test_no_account_wide_parts_outside_the_primary(wired: ProgramRun) -> None:
    """A1/A7/A9: a non-primary region has no trail, CIS filters or hygiene resources."""
    for token in (TRAIL, FILTER, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"):
        assert wired.of_type(token) == []


def test_dashboard_shows_what_is_wired(wired: ProgramRun) -> None:
    """A8: the dashboard has load balancer, compute and database widgets in its region."""
    (dashboard,) = wired.of_type("aws:cloudwatch/dashboard:Dashboard")
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    metrics = [m for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"]]
    assert all(w["properties"]["region"] == "eu-west-1" for w in widgets if w["type"] == "metric")
    names = {(m[0], m[1]) for m in metrics}
    assert {
        ("AWS/ApplicationELB", "RequestCount"),
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/EC2", "CPUUtilization"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/RDS", "FreeStorageSpace"),
    } <= names


def test_unwired_tier_has_no_operational_alarms_but_a_valid_dashboard() -> None:
    """A6/A8: before compute and database exist there is nothing to alarm on, and the
    dashboard still has a widget."""
    run = _audit()
    assert run.of_type(ALARM) == []
    (dashboard,) = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert json.loads(dashboard.inputs["dashboardBody"])["widgets"]


# Outputs (S6) and bad config (S5) -------------------------------------------------------------


def test_outputs_name_topic_and_buckets(prod: ProgramRun) -> None:
    """S6: every region exports its alert topic and Config bucket; the primary its trail
    bucket."""
    regions = prod.outputs["regions"]
    assert regions[PRIMARY]["alertTopicArn"] == topic_arn(prod, PRIMARY)
    assert "trailBucketName" in regions[PRIMARY]
    assert "trailBucketName" not in regions["eu-west-1"]
    assert all("configBucketName" in r for r in regions.values())


@pytest.mark.parametrize(
    "audit,key",
    [
        ({"alertEmails": ["ops.example.com"]}, "audit.alertEmails[0]"),
        (
            {"alertSubscriptions": [{"protocol": "https", "endpoint": "http://hook"}]},
            "audit.alertSubscriptions[0].endpoint",
        ),
        (
            {"alertSubscriptions": [{"protocol": "pager", "endpoint": "x"}]},
            "audit.alertSubscriptions[0].protocol",
        ),
        ({"alarms": {"computeCpuPercent": 120}}, "audit.alarms.computeCpuPercent"),
        ({"alarms": {"periodSeconds": 7}}, "audit.alarms.periodSeconds"),
        ({"config": {"rules": ["S3_IS_FINE"]}}, "audit.config.rules[0]"),
        (
            {"config": {"additionalRules": ["ENCRYPTED_VOLUMES"]}},
            "audit.config.additionalRules[0]",
        ),
        ({"trailLogRetentionDays": 10}, "audit.trailLogRetentionDays"),
        ({"ownAccountHygiene": {"createMfaGroup": True}}, "audit.ownAccountHygiene.createMfaGroup"),
        (
            {"ownAccountHygiene": {"mfaGroupName": "bad name"}},
            "audit.ownAccountHygiene.mfaGroupName",
        ),
        ({"alertEmail": ["a@b.co"]}, "audit.alertEmail"),
        # A10: account-wide hygiene only in the stack that owns the account baseline.
        ({"ownAccountHygiene": {"passwordPolicy": True}}, "audit.ownAccountHygiene"),
        ({"securityHubStandards": ["cis/v/9"]}, "audit.securityHubStandards[0]"),
    ],
)
def test_bad_audit_config_fails_naming_the_key(audit: dict[str, Any], key: str) -> None:
    """S5: invalid audit config stops the program before any resource, naming the key."""
    with pytest.raises(ProgramError, match=re.escape(f"secure-infra:{key}")):
        run_program(REPO_ROOT, "dev", config_overrides={"audit": audit})
