"""Day two for the data tier (issue 18, review `aws-validity-data-audit-round2.md`): what the
program registers must survive the operations after the first `pulumi up` (rotation, refresh,
failover, a second account-baseline owner), and failures of replication and rotation must reach
the alert topic. Each test runs the real program for committed stacks under the harness."""

from __future__ import annotations

import json

import pytest
from conftest import NAMESPACE, valid_config
from support import (
    DB_CLUSTER,
    DB_INSTANCE,
    KMS_KEY,
    REPO_ROOT,
    ROLE_POLICY,
    one,
    region_of,
    stack_config,
    stack_run,
)

from components.config import ConfigError, config_from_mapping
from components.database.credentials import INITIAL_VERSION_LABEL
from policy.harness import CapturedResource, ProgramError, ProgramRun, run_program

SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET = "aws:secretsmanager/secret:Secret"
SUBSCRIPTION = "aws:rds/eventSubscription:EventSubscription"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
FUNCTION = "aws:lambda/function:Function"
TOPIC = "aws:sns/topic:Topic"
# Stacks whose writer is an RDS instance, and the one whose writer is an Aurora cluster.
INSTANCE_STACKS = ["dev", "prod", "seed002", "seed004"]
WRITER_STACKS = [*INSTANCE_STACKS, "aurora", "seed001"]
# Stacks with a cross-region read replica (a secondary region).
REPLICA_STACKS = ["prod", "seed002", "seed004"]


def writers(run: ProgramRun) -> list[CapturedResource]:
    """The instances and clusters that take writes (not read replicas)."""
    return [
        r
        for r in run.of_type(DB_INSTANCE) + run.of_type(DB_CLUSTER)
        if not r.inputs.get("replicateSourceDb")
    ]


def replicas(run: ProgramRun) -> list[CapturedResource]:
    return [r for r in run.of_type(DB_INSTANCE) if r.inputs.get("replicateSourceDb")]


def topic_arn(run: ProgramRun, region: str) -> str:
    return run.outputs["regions"][region]["alertTopicArn"]


# N1(a): rotation owns the master password ---------------------------------------------------


@pytest.mark.parametrize("stack", WRITER_STACKS)
def test_master_password_is_never_sent_again_after_creation(stack: str) -> None:
    """Issue 18, data N1(a): once rotation owns the master password, a changed generated
    password (a replaced RandomPassword, or the failover config giving a promoted region a new
    one) must not reach RDS: terraform-provider-aws sends MasterUserPassword whenever the
    `password` (`masterPassword`) input differs, which would lock out every client reading the
    rotated secret. The engine skips ignored properties in its diff."""
    run = stack_run(stack)
    found = writers(run)
    assert found
    for database in found:
        prop = "password" if database.type == DB_INSTANCE else "masterPassword"
        assert database.inputs.get(prop), (database.name, prop)
        assert prop in database.options.ignore_changes, (database.name, prop)


# N2: the initial secret version keeps a label of its own ----------------------------------


@pytest.mark.parametrize("stack", WRITER_STACKS)
def test_initial_secret_version_keeps_its_own_label(stack: str) -> None:
    """Issue 18, data N2: the version Pulumi creates carries a staging label besides
    AWSCURRENT, so after two rotations it still has one and Secrets Manager never deprecates
    (and deletes) it; a `pulumi refresh` then finds it and the next `up` does not put the
    initial password back as AWSCURRENT. Its value and its labels belong to rotation after
    creation: both are ignored in the diff (a refresh reads AWSPREVIOUS or no AWSCURRENT)."""
    run = stack_run(stack)
    (version,) = run.of_type(SECRET_VERSION)
    assert version.inputs["versionStages"] == ["AWSCURRENT", INITIAL_VERSION_LABEL]
    assert {"secretString", "versionStages"} <= set(version.options.ignore_changes)
    # Secrets Manager: a staging label is 1-256 characters (botocore SecretVersionStageType)
    # and the AWS prefix is the service's own (AWSCURRENT, AWSPENDING, AWSPREVIOUS).
    assert 1 <= len(INITIAL_VERSION_LABEL) <= 256
    assert not INITIAL_VERSION_LABEL.startswith("AWS")


# N3: replication, failover and rotation failures reach the alert topic ----------------------


def _subscriptions_of(run: ProgramRun, source_id: object) -> list[CapturedResource]:
    return [s for s in run.of_type(SUBSCRIPTION) if source_id in s.inputs.get("sourceIds", [])]


@pytest.mark.parametrize("stack", REPLICA_STACKS)
def test_replica_replication_events_reach_the_alert_topic(stack: str) -> None:
    """Issue 18, data N3: RDS files replication errors, resumption and termination of a read
    replica (RDS-EVENT-0045, -0046, -0057) under the `read replica` category of the replica
    instance, not `failure`; the replica's subscription includes it and publishes to its
    region's alert topic."""
    run = stack_run(stack)
    (replica,) = replicas(run)
    region = region_of(run, replica)
    subscriptions = _subscriptions_of(run, replica.inputs["identifier"])
    assert subscriptions
    covered = {c for s in subscriptions for c in s.inputs["eventCategories"]}
    assert {"read replica", "failure", "maintenance", "configuration change"} <= covered
    assert {s.inputs["snsTopic"] for s in subscriptions} == {topic_arn(run, region)}


@pytest.mark.parametrize("stack", REPLICA_STACKS)
def test_replica_lag_alarm_on_the_replica_only(stack: str) -> None:
    """Issue 18, data N3: a ReplicaLag alarm (seconds behind the source, AWS/RDS) on the
    replica instance notifies the alert topic when it fires and clears; the writer reports no
    ReplicaLag and gets none."""
    run = stack_run(stack)
    (replica,) = replicas(run)
    region = region_of(run, replica)
    lag = [a for a in run.of_type(ALARM) if a.inputs["metricName"] == "ReplicaLag"]
    assert len(lag) == 1
    (alarm,) = lag
    assert region_of(run, alarm) == region
    assert alarm.inputs["namespace"] == "AWS/RDS"
    assert alarm.inputs["dimensions"] == {"DBInstanceIdentifier": replica.inputs["identifier"]}
    assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert alarm.inputs["threshold"] == 300
    assert alarm.inputs["alarmActions"] == [topic_arn(run, region)]
    assert alarm.inputs["okActions"] == [topic_arn(run, region)]


def test_no_replica_lag_alarm_without_a_replica() -> None:
    """Issue 18, data N3: a single-region stack has no replica, so no ReplicaLag alarm."""
    assert not [
        a for a in stack_run("dev").of_type(ALARM) if a.inputs["metricName"] == "ReplicaLag"
    ]


def test_aurora_failover_events_reach_the_alert_topic() -> None:
    """Issue 18, data N3: Aurora files a cluster's failovers (RDS-EVENT-0069 to -0073) under the
    db-cluster `failover` category; the cluster's subscription includes it."""
    run = stack_run("aurora")
    (cluster,) = run.of_type(DB_CLUSTER)
    subscriptions = _subscriptions_of(run, cluster.inputs["clusterIdentifier"])
    (subscription,) = subscriptions
    assert subscription.inputs["sourceType"] == "db-cluster"
    assert {"failover", "failure", "maintenance"} <= set(subscription.inputs["eventCategories"])


@pytest.mark.parametrize("stack", WRITER_STACKS)
def test_failed_rotations_reach_the_alert_topic(stack: str) -> None:
    """Issue 18, data N3: Secrets Manager records RotationFailed and RotationAbandoned as
    CloudTrail service events ("AWS Service Event via CloudTrail", event source
    secretsmanager.amazonaws.com) with the secret's ARN in additionalEventData.SecretId; a rule
    for this stack's secret sends them to the region's alert topic. The rotation function's
    errors also raise an alarm there, whatever the event's shape."""
    run = stack_run(stack)
    (secret,) = run.of_type(SECRET)
    region = region_of(run, secret)
    rules = [
        r
        for r in run.of_type(EVENT_RULE)
        if "aws.secretsmanager" in json.loads(r.inputs.get("eventPattern", "{}")).get("source", [])
    ]
    (rule,) = rules
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationAbandoned", "RotationFailed"],
            "additionalEventData": {"SecretId": [secret.state["arn"]]},
        },
    }
    (target,) = [t for t in run.of_type(EVENT_TARGET) if t.inputs["rule"] == rule.state["name"]]
    assert target.inputs["arn"] == topic_arn(run, region)
    (function,) = [
        f for f in run.of_type(FUNCTION) if f.inputs["handler"] == "postgres_rotation.handler"
    ]
    (errors,) = [
        a
        for a in run.of_type(ALARM)
        if a.inputs["metricName"] == "Errors"
        and a.inputs["dimensions"] == {"FunctionName": function.state["name"]}
    ]
    assert errors.inputs["namespace"] == "AWS/Lambda"
    assert errors.inputs["alarmActions"] == [topic_arn(run, region)]
    assert errors.inputs["treatMissingData"] == "notBreaching"


# N6: the copy account uses the data key only through AWS Backup and RDS --------------------


@pytest.mark.parametrize("stack", ["seed001"])
def test_copy_account_uses_the_data_key_only_through_backup_and_rds(stack: str) -> None:
    """Issue 18, data N6: the backup-copy account may use the production data key (which also
    encrypts volumes, buckets and Performance Insights) only through AWS Backup and RDS in the
    key's region and the destination vault's, not directly."""
    run = stack_run(stack)
    found = 0
    for key in run.of_type(KMS_KEY):
        statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
        use = statements.get("BackupCopyAccountsUseKey")
        if use is None:
            continue
        found += 1
        region = region_of(run, key)
        vault_arn = stack_config(stack).backup.cross_account_vault_arn
        assert vault_arn is not None
        vault_region = vault_arn.split(":")[3]
        regions = sorted({region, vault_region})
        assert use["Condition"] == {
            "StringEquals": {
                "kms:ViaService": [
                    *(f"backup.{r}.amazonaws.com" for r in regions),
                    *(f"rds.{r}.amazonaws.com" for r in regions),
                ]
            }
        }
    assert found


# N7: the VPC rotation function waits for its role's policy --------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_vpc_rotation_function_depends_on_its_role_policy(stack: str) -> None:
    """Issue 18, data N7: the rotation function attaches to the VPC with its role's inline
    policy (ec2:CreateNetworkInterface ...). Depending on the policy orders its creation after
    the grant, and its deletion (and Lambda's ENI clean-up) before the grant goes."""
    run = stack_run(stack)
    (function,) = [
        f for f in run.of_type(FUNCTION) if f.inputs["handler"] == "postgres_rotation.handler"
    ]
    policy = one(run, ROLE_POLICY, function.name)
    assert policy.urn in function.dependencies


# N8: an account-baseline owner pins its account -------------------------------------------

OWNER_STACKS = ["prod", "seed000", "seed001", "seed002", "seed003", "seed004"]


def test_baseline_owner_without_account_id_is_a_config_error() -> None:
    """Issue 18, data N8: the account-wide singletons (Security Hub, GuardDuty, the Config
    recorder, the password policy) exist once per account; an owner that may deploy into any
    account can collide with another owner there. Owning the baseline needs `accountId`, and
    the error names both keys and the fix before any resource is registered."""
    values = valid_config()
    values["audit"] = {"ownsAccountBaseline": True}
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(NAMESPACE, values)
    message = str(caught.value)
    assert f"{NAMESPACE}:accountId:" in message
    assert "audit.ownsAccountBaseline" in message
    assert "pulumi config set accountId" in message
    values["accountId"] = "123456789012"
    assert config_from_mapping(NAMESPACE, values).account_id == "123456789012"
    with pytest.raises(ProgramError, match=rf"{NAMESPACE}:accountId"):
        run_program(REPO_ROOT, "dev", config_overrides={"audit": {"ownsAccountBaseline": True}})


@pytest.mark.parametrize("stack", OWNER_STACKS)
def test_committed_owner_stacks_pin_their_account(stack: str) -> None:
    """Issue 18, data N8: every committed stack that owns its account's baseline names the
    account (the one its certificate ARNs name), and its providers refuse any other."""
    config = stack_config(stack)
    assert config.audit.owns_account_baseline
    assert config.account_id == "123456789012"
    run = stack_run(stack)
    providers = [r for r in run.resources if r.type == "pulumi:providers:aws"]
    assert providers
    for provider in providers:
        assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"]
