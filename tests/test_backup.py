"""AWS Backup under mocks (M4): the vault under the CMK, the plan's schedule, lifecycle and copy
actions, the selection of the database, the service role's trust and real managed policies, and
invalid parameters rejected before anything is registered."""

from __future__ import annotations

import json

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from moto.events.models import EventPattern

from components.backup import FAILED_JOB_EVENTS, Backup, BackupArgs, BackupCopy
from policy.harness import ACCOUNT_ID, ProgramRun, run_inline
from policy.rules.iam import managed_arn_problem

DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
DB = "arn:aws:rds:eu-west-1:123456789012:db:test-core-eu-west-1-db"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"
OTHER_ACCOUNT_VAULT = "arn:aws:backup:eu-west-1:210987654321:backup-vault:audit-vault"
VAULT_NAME = "test-core-eu-west-1-main"
SECONDARY_VAULT = "test-core-eu-central-1-main"


def _args(**overrides: object) -> BackupArgs:
    values: dict = {
        "vault_name": VAULT_NAME,
        "kms_key_arn": DATA_KEY,
        "resource_arns": [DB],
        **overrides,
    }
    return BackupArgs(**values)


def _backup(**overrides: object) -> ProgramRun:
    def program() -> None:
        provider = aws.Provider(
            "eu",
            region="eu-west-1",
            default_tags=aws.ProviderDefaultTagsArgs(tags={"Environment": "test"}),
        )
        Backup(
            "test-core-eu-west-1",
            _args(**overrides),
            opts=pulumi.ResourceOptions(providers={"aws": provider}),
        )

    return run_inline(program)


@pytest.fixture(scope="module")
def backup() -> ProgramRun:
    """Daily backups, cold after 30 days, kept a year, copied to the other region (by name)
    and to another account's vault (by ARN), with a vault lock and notifications."""
    return _backup(
        schedule="cron(0 2 * * ? *)",
        start_window_minutes=60,
        completion_window_minutes=240,
        cold_storage_after_days=30,
        delete_after_days=365,
        copies=[
            BackupCopy(region="eu-central-1", vault_name=SECONDARY_VAULT),
            BackupCopy(vault_arn=OTHER_ACCOUNT_VAULT, delete_after_days=730),
        ],
        lock_min_retention_days=7,
        failure_topic_arn=TOPIC,
        protect_vault=True,
    )


def test_vault_under_the_cmk_with_configured_name(backup: ProgramRun) -> None:
    """M4/P1: the vault has the configured name, encrypts with the data CMK, is never
    force-destroyed, and carries the default tags and a Name tag."""
    (vault,) = backup.of_type("aws:backup/vault:Vault")
    assert vault.inputs["name"] == VAULT_NAME
    assert vault.inputs["kmsKeyArn"] == DATA_KEY
    assert vault.inputs["forceDestroy"] is False
    assert vault.inputs["tags"] == {"Name": VAULT_NAME, "Environment": "test"}
    assert backup.provider_of(vault).name == "eu"
    assert vault.options.protect is True


def test_plan_schedule_lifecycle_and_copies(backup: ProgramRun) -> None:
    """M4: one rule into the vault with the schedule, windows and lifecycle; a copy to the other
    region's vault (ARN built from this account and partition) with the rule's lifecycle, and
    one to the other account's vault with its own retention."""
    (vault,) = backup.of_type("aws:backup/vault:Vault")
    (plan,) = backup.of_type("aws:backup/plan:Plan")
    (rule,) = plan.inputs["rules"]
    assert rule["targetVaultName"] == vault.state["name"]
    assert rule["schedule"] == "cron(0 2 * * ? *)"
    assert rule["startWindow"] == 60
    assert rule["completionWindow"] == 240
    assert rule["lifecycle"] == {"coldStorageAfter": 30, "deleteAfter": 365}
    assert rule["enableContinuousBackup"] is False
    assert rule["recoveryPointTags"]["BackupPlan"] == plan.name
    region_copy, account_copy = rule["copyActions"]
    assert region_copy == {
        "destinationVaultArn": (
            f"arn:aws:backup:eu-central-1:{ACCOUNT_ID}:backup-vault:{SECONDARY_VAULT}"
        ),
        "lifecycle": {"coldStorageAfter": 30, "deleteAfter": 365},
    }
    assert account_copy == {
        "destinationVaultArn": OTHER_ACCOUNT_VAULT,
        "lifecycle": {"deleteAfter": 730},
    }


def test_selection_of_the_database_through_the_backup_role(backup: ProgramRun) -> None:
    """M4: the selection picks the database for this plan with the AWS Backup role, once the
    role's policies are attached."""
    (plan,) = backup.of_type("aws:backup/plan:Plan")
    (role,) = backup.of_type("aws:iam/role:Role")
    (selection,) = backup.of_type("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == [DB]
    assert selection.inputs["planId"] == plan.id
    assert selection.inputs["iamRoleArn"] == role.state["arn"]
    attachments = backup.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert {a.urn for a in attachments} <= set(selection.dependencies)


def test_role_trusts_backup_in_this_account_with_real_managed_policies(
    backup: ProgramRun,
) -> None:
    """M4/P3: only AWS Backup, for this account, assumes the role; it has AWS's backup and
    restore service-role policies, which exist under exactly these ARNs."""
    (role,) = backup.of_type("aws:iam/role:Role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "backup.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    assert "managedPolicyArns" not in role.inputs
    attachments = backup.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    arns = {a.inputs["policyArn"] for a in attachments}
    assert arns == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }
    assert all(managed_arn_problem("policyArn", arn) is None for arn in arns)
    assert all(a.inputs["role"] == role.state["name"] for a in attachments)


def test_vault_lock_and_failure_alerts(backup: ProgramRun) -> None:
    """M4, A5 (issue: backup failures notified no one): the vault lock keeps recovery points at
    least the minimum; an EventBridge rule sends failed, aborted, expired and partial backup,
    copy and restore jobs to the alert topic."""
    (vault,) = backup.of_type("aws:backup/vault:Vault")
    (lock,) = backup.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert lock.inputs["backupVaultName"] == vault.state["name"]
    assert lock.inputs["minRetentionDays"] == 7
    assert "changeableForDays" not in lock.inputs
    (rule,) = backup.of_type("aws:cloudwatch/eventRule:EventRule")
    pattern = rule.inputs["eventPattern"]
    # Each job type's failed outcomes, in the field its events carry them (review finding:
    # restore events report `status`, so a `state` filter never matched them).
    assert _matches(pattern, "Backup Job State Change", state="EXPIRED")
    assert _matches(pattern, "Copy Job State Change", state="PARTIAL")
    assert _matches(pattern, "Restore Job State Change", status="FAILED")
    assert _matches(pattern, "Restore Job State Change", status="ABORTED")
    assert not _matches(pattern, "Restore Job State Change", state="FAILED")
    assert not _matches(pattern, "Restore Job State Change", status="COMPLETED")
    assert not _matches(pattern, "Backup Job State Change", state="COMPLETED")
    assert not _matches(pattern, "Copy Job State Change", state="RUNNING")
    (target,) = backup.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["arn"] == TOPIC
    assert target.inputs["rule"] == rule.state["name"]


def _matches(pattern: str, detail_type: str, **detail: str) -> bool:
    """Whether an EventBridge pattern matches a backup event, by moto's implementation of
    EventBridge's pattern matching (its TestEventPattern API is not implemented)."""
    event = {"source": "aws.backup", "detail-type": detail_type, "detail": detail}
    return EventPattern.load(pattern).matches_event(event)


def test_failed_job_outcomes_are_the_apis_terminal_failures() -> None:
    """M4: the outcomes alerted on are exactly each job API's terminal states other than
    COMPLETED (botocore's BackupJobState, CopyJobState, RestoreJobStatus)."""
    model = botocore.session.get_session().get_service_model("backup")
    shapes = {
        "Backup Job State Change": "BackupJobState",
        "Copy Job State Change": "CopyJobState",
        "Restore Job State Change": "RestoreJobStatus",
    }
    in_progress = {"CREATED", "PENDING", "RUNNING", "ABORTING", "COMPLETED"}
    for event, (_, outcomes) in FAILED_JOB_EVENTS.items():
        assert set(outcomes) == set(model.shape_for(shapes[event]).enum) - in_progress


def test_minimal_plan_has_no_lock_notifications_or_copies() -> None:
    """M4: lock, notifications and copies are optional; continuous backup passes through."""
    run = _backup(enable_continuous_backup=True, delete_after_days=35)
    assert run.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration") == []
    assert run.of_type("aws:cloudwatch/eventRule:EventRule") == []
    (vault,) = run.of_type("aws:backup/vault:Vault")
    assert vault.options.protect is False
    (plan,) = run.of_type("aws:backup/plan:Plan")
    (rule,) = plan.inputs["rules"]
    assert "copyActions" not in rule
    assert rule["enableContinuousBackup"] is True
    assert rule["lifecycle"] == {"deleteAfter": 35}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"schedule": "rate(1 day)"}, "schedule"),
        ({"schedule": "cron(0 3 * * ?)"}, "schedule"),
        ({"cold_storage_after_days": 30, "delete_after_days": 119}, "delete_after_days"),
        ({"start_window_minutes": 30}, "start_window_minutes"),
        ({"start_window_minutes": 120, "completion_window_minutes": 150}, "completion_window"),
        ({"vault_name": "bad name!"}, "vault_name"),
        ({"enable_continuous_backup": True, "delete_after_days": 36}, "delete_after_days"),
        ({"lock_min_retention_days": 60, "delete_after_days": 35}, "delete_after_days"),
        ({"lock_min_retention_days": 7, "lock_changeable_for_days": 1}, "changeable_for_days"),
        ({"lock_max_retention_days": 30}, "lock_min_retention_days"),
    ],
)
def test_invalid_parameters_raise_naming_the_field(overrides: dict, field: str) -> None:
    """M4: values AWS Backup would reject fail in the arguments, naming the field."""
    with pytest.raises(ValueError, match=field):
        _args(**overrides)


@pytest.mark.parametrize(
    ("copy", "field"),
    [
        (
            {
                "vault_arn": OTHER_ACCOUNT_VAULT,
                "cold_storage_after_days": 10,
                "delete_after_days": 50,
            },
            "delete_after_days",
        ),
        ({"region": "eu-central-1"}, "vault_name"),
        ({"vault_arn": OTHER_ACCOUNT_VAULT, "region": "eu-central-1"}, "vault_arn"),
        ({"region": "eu-central-1", "vault_name": "v1", "account_id": "42"}, "account_id"),
    ],
)
def test_invalid_copies_raise_naming_the_field(copy: dict, field: str) -> None:
    """M4: a copy's destination and lifecycle are checked like the rule's."""
    with pytest.raises(ValueError, match=field):
        BackupCopy(**copy)


def test_destination_vault_only() -> None:
    """M4: a region that only receives copies gets a vault under its CMK and no plan, role
    or selection."""

    def program() -> None:
        provider = aws.Provider("eu", region="eu-west-1")
        Backup(
            "prod-core-eu-west-1",
            BackupArgs(
                vault_name="prod-core-eu-west-1-main", kms_key_arn=DATA_KEY, resource_arns=[]
            ),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    run = run_inline(program)
    (vault,) = run.of_type("aws:backup/vault:Vault")
    assert vault.inputs["kmsKeyArn"] == DATA_KEY
    assert run.of_type("aws:backup/plan:Plan") == []
    assert run.of_type("aws:backup/selection:Selection") == []
    assert run.of_type("aws:iam/role:Role") == []
