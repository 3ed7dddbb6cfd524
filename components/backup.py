"""AWS Backup for one region (M4): a vault under the data CMK, a plan with schedule, cold-storage
lifecycle and retention, a selection of the database, copies to the other region's vault and
optionally to another account's vault, and optional vault lock and failure notifications.

Cross-region (and cross-account) copies name their destination by ARN. A copy destination is
either an ARN the caller wires (`BackupCopy.vault_arn`, e.g. another component's `vault_arn`
output) or a region + vault name (+ account) from which the component builds the ARN through
its own provider's account and partition (`AccountContext`). The second form lets the stack
create both regions' `Backup` components in any order, each copying to the other, without a
dependency cycle: vault names come from config, so each side's ARN is known before the other
vault exists. AWS Backup resolves the destination when a copy job runs, not when the plan is
saved; the first scheduled job runs long after both vaults exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from policy.awsfacts.backup import VAULT_NAME, lifecycle_problems, lock_problems, rule_problems

from .account import AccountContext
from .iam import service_trust_policy
from .naming import child_name, name_tag, token

# Job outcomes that need a person, per EventBridge event type, and the detail field that
# carries them: backup and copy events report `state`, restore events `status`, as the backup
# API does (botocore backup shapes BackupJobState, CopyJobState, RestoreJobStatus; "Some events
# report status ... whereas other events report state", AWS Backup's EventBridge guide). Vault
# notifications would say the same, but their failure events are deprecated (a failure is a
# BACKUP_JOB_COMPLETED with a State attribute) and their publisher, backup.amazonaws.com, would
# need its own grants on the encrypted topic.
FAILED_JOB_EVENTS = {
    "Backup Job State Change": ("state", ("ABORTED", "EXPIRED", "FAILED", "PARTIAL")),
    "Copy Job State Change": ("state", ("FAILED", "PARTIAL")),
    "Restore Job State Change": ("status", ("ABORTED", "FAILED")),
}
# AWS-managed policies of the AWS Backup service role, by purpose (names as in IAM: checked
# against pulumi-aws's `iam.ManagedPolicy` list by the P3 policy).
MANAGED_POLICIES = {
    "backups": "service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "service-role/AWSBackupServiceRolePolicyForRestores",
}


def failed_jobs_pattern() -> dict[str, object]:
    """The EventBridge pattern matching backup, copy and restore jobs that did not finish."""
    return {
        "source": ["aws.backup"],
        "$or": [
            {"detail-type": [event], "detail": {field: list(outcomes)}}
            for event, (field, outcomes) in FAILED_JOB_EVENTS.items()
        ],
    }


@dataclass
class BackupCopy:
    """One copy destination, with the lifecycle of the copies kept there."""

    vault_arn: pulumi.Input[str] | None = None
    """The destination vault's ARN; or leave it unset and give `region` and `vault_name`."""
    region: str | None = None
    """Destination region (with `vault_name`) when the ARN is built here."""
    vault_name: str | None = None
    """Destination vault name (with `region`) when the ARN is built here."""
    account_id: str | None = None
    """Destination account for a cross-account copy; this account when unset. Two grants
    make the copy possible: that account's vault access policy must allow
    `backup:CopyIntoBackupVault` from this one (its owner's side), and that account must be
    able to use this vault's data key, which RDS recovery points keep: `Keys` grants it on
    this side (`KeysArgs.data_key_copy_accounts`, through AWS Backup and RDS only). Removing
    those key statements breaks every cross-account copy."""
    delete_after_days: int | None = None
    """Retention of the copies (the rule's retention when unset)."""
    cold_storage_after_days: int | None = None

    def __post_init__(self) -> None:
        by_name = self.region is not None or self.vault_name is not None
        if self.vault_arn is None and (self.region is None or self.vault_name is None):
            raise ValueError("copy needs vault_arn, or region and vault_name")
        if self.vault_arn is not None and (by_name or self.account_id is not None):
            raise ValueError("copy takes vault_arn or region/vault_name/account_id, not both")
        if self.vault_name is not None and not VAULT_NAME.match(self.vault_name):
            raise ValueError(
                f"copy vault_name {self.vault_name!r} must be 2-50 letters, digits, '-' or '_'"
            )
        if self.account_id is not None and not re.fullmatch(r"\d{12}", self.account_id):
            raise ValueError(f"copy account_id {self.account_id!r} must be 12 digits")
        problems = lifecycle_problems(
            lambda field: f"copy {field}", self.cold_storage_after_days, self.delete_after_days
        )
        if problems:
            raise ValueError(problems[0])


@dataclass
class BackupArgs:
    """Arguments of `Backup`; invalid values raise `ValueError` naming the field."""

    vault_name: str
    """The vault's name, used as is (`<env>-<service>-<region>-<configured name>`): vault names
    are unique per account and region, so the caller's environment/service prefix keeps two
    stacks apart."""
    kms_key_arn: pulumi.Input[str]
    """The data CMK the vault encrypts recovery points with."""
    resource_arns: Sequence[pulumi.Input[str]]
    """What to back up: the database instance or cluster ARN(s). Empty: this region only
    receives copies (a destination vault with no plan, role or selection)."""
    schedule: str = "cron(0 3 * * ? *)"
    """When backups start, `cron(minutes hours day-of-month month day-of-week year)`, UTC."""
    start_window_minutes: int = 60
    """How long a job may wait to start (at least 60)."""
    completion_window_minutes: int = 180
    """How long a started job may run (at least 60 more than the start window)."""
    delete_after_days: int = 35
    """Retention of the recovery points."""
    cold_storage_after_days: int | None = None
    """Move recovery points to cold storage after this many days (resource types without cold
    storage, such as RDS snapshots, stay warm); retention must then be 90 days longer."""
    copies: Sequence[BackupCopy] = field(default_factory=list)
    """Copies of every recovery point: the other region's vault, optionally another account's."""
    enable_continuous_backup: bool = False
    """Point-in-time recovery (RDS, S3); retention then at most 35 days and no cold storage."""
    lock_min_retention_days: int | None = None
    """When set, a vault lock: no recovery point can be deleted before this many days."""
    lock_max_retention_days: int | None = None
    lock_changeable_for_days: int | None = None
    """Compliance mode: the lock becomes immutable after this many days (at least 3). Unset,
    the lock stays in governance mode (removable by privileged users)."""
    failure_topic_arn: pulumi.Input[str] | None = None
    """When set, failed, aborted, expired and partial backup, copy and restore jobs are
    published to this SNS topic by an EventBridge rule (its policy must let
    events.amazonaws.com publish)."""
    recovery_point_tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on recovery points (the plan's name is always added)."""
    protect_vault: bool = False
    """Pulumi `protect` on the vault, so a stack update cannot delete it (prod)."""

    def __post_init__(self) -> None:
        if not VAULT_NAME.match(self.vault_name):
            raise ValueError(
                f"vault_name {self.vault_name!r} must be 2-50 letters, digits, '-' or '_'"
            )
        problems = [
            *rule_problems(
                _argument,
                schedule=self.schedule,
                start_window_minutes=self.start_window_minutes,
                completion_window_minutes=self.completion_window_minutes,
                delete_after_days=self.delete_after_days,
                cold_storage_after_days=self.cold_storage_after_days,
                continuous=self.enable_continuous_backup,
            ),
            *lock_problems(
                _argument,
                delete_after_days=self.delete_after_days,
                low=self.lock_min_retention_days,
                high=self.lock_max_retention_days,
                changeable=self.lock_changeable_for_days,
            ),
        ]
        if problems:
            raise ValueError(problems[0])


def _argument(field: str) -> str:
    return field


def vault_arn(
    ctx: AccountContext, region: str, vault_name: str, account_id: str | None = None
) -> pulumi.Output[str]:
    """A backup vault's ARN, `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`."""
    account = account_id if account_id is not None else ctx.account_id
    return pulumi.Output.concat(
        "arn:", ctx.partition, ":backup:", region, ":", account, ":backup-vault:", vault_name
    )


class Backup(pulumi.ComponentResource):
    """A vault, plan, selection and service role of AWS Backup in one region (M4).

    The vault encrypts with the data CMK and is never force-destroyed (recovery points outlive
    the stack). The plan has one rule: the schedule and windows, the lifecycle (cold storage,
    retention), a copy action per destination with its own lifecycle, and recovery-point tags.
    The selection assumes a role that only AWS Backup in this account may assume, with AWS's
    backup and restore service-role policies.
    """

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str] | None
    plan_arn: pulumi.Output[str] | None
    role_arn: pulumi.Output[str] | None
    """The role AWS Backup assumes for this plan's jobs."""

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("backup", "Backup"), name, None, opts)
        self._name = name
        self._args = args
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)

        vault = self._vault()
        self.vault_name, self.vault_arn = vault.name, vault.arn
        self.plan_id = self.plan_arn = self.role_arn = None
        if args.resource_arns:
            plan = self._plan(vault)
            role, attachments = self._role()
            # The jobs the selection starts need the role's permissions in place.
            aws.backup.Selection(
                name,
                iam_role_arn=role.arn,
                plan_id=plan.id,
                resources=list(args.resource_arns),
                opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
            )
            self.plan_id, self.plan_arn = plan.id, plan.arn
            self.role_arn = role.arn
        self.register_outputs(
            {
                "vault_name": self.vault_name,
                "vault_arn": self.vault_arn,
                "plan_id": self.plan_id,
                "plan_arn": self.plan_arn,
                "role_arn": self.role_arn,
            }
        )

    def _vault(self) -> aws.backup.Vault:
        args = self._args
        vault = aws.backup.Vault(
            self._name,
            name=args.vault_name,
            kms_key_arn=args.kms_key_arn,
            force_destroy=False,
            tags=name_tag(args.vault_name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_vault),
        )
        if args.lock_min_retention_days is not None:
            aws.backup.VaultLockConfiguration(
                self._name,
                backup_vault_name=vault.name,
                min_retention_days=args.lock_min_retention_days,
                max_retention_days=args.lock_max_retention_days,
                changeable_for_days=args.lock_changeable_for_days,
                opts=self._child,
            )
        if args.failure_topic_arn is not None:
            self._alert_on_failures(args.failure_topic_arn)
        return vault

    def _alert_on_failures(self, topic_arn: pulumi.Input[str]) -> None:
        name = child_name(self._name, "backup-failures")
        rule = aws.cloudwatch.EventRule(
            name,
            description=f"{self._name}: AWS Backup jobs that failed or did not finish",
            event_pattern=json.dumps(failed_jobs_pattern()),
            tags=name_tag(name),
            opts=self._child,
        )
        aws.cloudwatch.EventTarget(name, rule=rule.name, arn=topic_arn, opts=self._child)

    def _copy_action(self, copy: BackupCopy) -> aws.backup.PlanRuleCopyActionArgs:
        if copy.vault_arn is not None:
            destination = copy.vault_arn
        else:
            # __post_init__ guarantees region and vault_name here.
            destination = vault_arn(
                self._ctx, str(copy.region), str(copy.vault_name), copy.account_id
            )
        # A copy without a lifecycle of its own keeps the rule's.
        cold = copy.cold_storage_after_days
        delete = copy.delete_after_days
        if cold is None and delete is None:
            cold, delete = self._args.cold_storage_after_days, self._args.delete_after_days
        return aws.backup.PlanRuleCopyActionArgs(
            destination_vault_arn=destination,
            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                cold_storage_after=cold, delete_after=delete
            ),
        )

    def _plan(self, vault: aws.backup.Vault) -> aws.backup.Plan:
        args = self._args
        name = child_name(self._name, "plan")
        rule = aws.backup.PlanRuleArgs(
            rule_name=child_name(self._name, "scheduled"),
            target_vault_name=vault.name,
            schedule=args.schedule.strip(),
            start_window=args.start_window_minutes,
            completion_window=args.completion_window_minutes,
            enable_continuous_backup=args.enable_continuous_backup,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(
                cold_storage_after=args.cold_storage_after_days,
                delete_after=args.delete_after_days,
            ),
            copy_actions=[self._copy_action(c) for c in args.copies] or None,
            recovery_point_tags={"BackupPlan": name, **args.recovery_point_tags},
        )
        # The plan's name is left to autonaming (account+region-unique, like the vault's).
        return aws.backup.Plan(
            name,
            rules=[rule],
            tags=name_tag(name),
            opts=self._child,
        )

    def _role(self) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        name = child_name(self._name, "backup")
        ctx = self._ctx
        role = aws.iam.Role(
            name,
            description=f"{name}: AWS Backup jobs of {self._args.vault_name}",
            assume_role_policy=service_trust_policy(
                "backup.amazonaws.com", source_account=ctx.account_id
            ),
            tags=name_tag(name),
            opts=self._child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                child_name(name, purpose),
                role=role.name,
                policy_arn=pulumi.Output.concat("arn:", ctx.partition, ":iam::aws:policy/", path),
                opts=self._child,
            )
            for purpose, path in MANAGED_POLICIES.items()
        ]
        return role, attachments
