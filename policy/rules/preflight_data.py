"""Deploy preflight for databases and their backups and secrets (P11): Performance Insights
retention periods, static PostgreSQL parameters, replicas' final snapshots, pinned minor
versions and AWS Backup rules as RDS and AWS Backup accept them, each citing its source."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs

from ..awsfacts import postgres, values
from .common import as_list, get, truthy
from .preflight import PARAMETER_GROUP_TYPES, RDS_TYPES, on_types, preflight_policy

_MINOR_PIN = re.compile(r"\d+\.\d+")


def _performance_insights(args: ResourceValidationArgs) -> Iterator[str]:
    """Performance Insights retention is 7, 31 * months (1-23) or 731 days (botocore rds
    CreateDBInstanceMessage.PerformanceInsightsRetentionPeriod)."""
    days = args.props.get("performanceInsightsRetentionPeriod")
    if days is not None and int(days) not in values.PI_RETENTION_DAYS:
        yield (
            f"performanceInsightsRetentionPeriod={days} is not 7, a multiple of 31 up to 713, "
            "or 731: RDS returns an error"
        )


def _static_parameters(args: ResourceValidationArgs) -> Iterator[str]:
    """Parameters PostgreSQL reads only at start-up are applied `pending-reboot`; RDS refuses
    `immediate` for them (`policy.awsfacts.postgres`: the engine's postmaster-context settings
    and AWS's static RDS parameters)."""
    family = args.props.get("family")
    major = postgres.major_of_family(str(family) if family else None)
    if major is None:
        return
    static = postgres.static_parameters(major)
    for index, parameter in enumerate(as_list(args.props.get("parameters"))):
        name = str(parameter.get("name") or "")
        # pulumi-aws defaults applyMethod to "immediate" (resource_overrides.go).
        method = parameter.get("applyMethod") or "immediate"
        if name in static and method == "immediate":
            yield (
                f"parameters[{index}] {name} is static in {family}: RDS refuses "
                "applyMethod 'immediate'; set applyMethod='pending-reboot'"
            )


def _replica_final_snapshot(args: ResourceValidationArgs) -> Iterator[str]:
    """A read replica is deleted without a final snapshot: botocore rds DeleteDBInstanceMessage
    ('If you delete a read replica ... you must enable this setting [SkipFinalSnapshot]';
    FinalDBSnapshotIdentifier 'Can't be specified when deleting a read replica')."""
    props = args.props
    if not props.get("replicateSourceDb"):
        return
    if not truthy(props.get("skipFinalSnapshot")):
        yield (
            "skipFinalSnapshot is not true on a read replica: RDS can only delete a replica "
            "with skipFinalSnapshot=True, so destroy and replacement would fail"
        )
    if props.get("finalSnapshotIdentifier"):
        yield "finalSnapshotIdentifier is set on a read replica: RDS refuses it; remove it"


def _engine_version_pin(args: ResourceValidationArgs) -> Iterator[str]:
    """An exact minor version with automatic minor upgrades on breaks the next `up` after AWS
    upgrades the engine (pulumi-aws rds Instance docstring: with auto_minor_version_upgrade 'you
    can provide a prefix of the version such as 8.0'; the provider keeps a configured version
    only when it is a prefix of the running one)."""
    props = args.props
    version = props.get("engineVersion")
    if not isinstance(version, str) or not _MINOR_PIN.fullmatch(version):
        return
    if props.get("autoMinorVersionUpgrade") is False:
        return
    major = version.split(".")[0]
    yield (
        f"engineVersion={version!r} pins a minor version while autoMinorVersionUpgrade is on: "
        f"after AWS upgrades the engine the next update asks for a downgrade; use {major!r} "
        "or set autoMinorVersionUpgrade=False"
    )


def _backup_plan(args: ResourceValidationArgs) -> Iterator[str]:
    """AWS Backup rules: a six-field cron schedule (botocore backup
    BackupRuleInput.ScheduleExpression), and every lifecycle that moves to cold storage
    deletes at least 90 days later (botocore backup shape Lifecycle)."""
    for index, rule in enumerate(as_list(args.props.get("rules"))):
        schedule = rule.get("schedule")
        problem = values.schedule_problem(str(schedule), "backup") if schedule else None
        if problem:
            yield f"rules[{index}].schedule: {problem}"
        lifecycles = [(f"rules[{index}].lifecycle", rule.get("lifecycle"))] + [
            (f"rules[{index}].copyActions[{i}].lifecycle", action.get("lifecycle"))
            for i, action in enumerate(as_list(rule.get("copyActions")))
        ]
        for where, lifecycle in lifecycles:
            cold = get(lifecycle, "coldStorageAfter")
            delete = get(lifecycle, "deleteAfter")
            if cold is None or delete is None:
                continue
            if int(delete) < int(cold) + values.BACKUP_MIN_COLD_DAYS:
                yield (
                    f"{where}: deleteAfter {delete} is less than coldStorageAfter {cold} + "
                    f"{values.BACKUP_MIN_COLD_DAYS}: AWS keeps cold recovery points 90 days"
                )


POLICIES = [
    preflight_policy(
        "preflight-performance-insights-retention",
        "Performance Insights retention is 7, 31 * months or 731 days.",
        on_types(RDS_TYPES, _performance_insights),
        url="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        remediation=(
            "Set performance_insights_retention_period to 7, a multiple of 31 up to 713 (months), "
            "or 731."
        ),
    ),
    preflight_policy(
        "preflight-static-db-parameters",
        "static PostgreSQL parameters are applied pending-reboot, never immediate.",
        on_types(PARAMETER_GROUP_TYPES, _static_parameters),
        url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.Modifying.html",
        remediation=(
            "Set apply_method='pending-reboot' on static parameters; RDS refuses 'immediate' for "
            "them."
        ),
    ),
    preflight_policy(
        "preflight-replica-final-snapshot",
        "read replicas skip the final snapshot (RDS refuses one on deletion).",
        on_types("aws:rds/instance:Instance", _replica_final_snapshot),
        url="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html",
        remediation=(
            "Set skip_final_snapshot=True on read replicas (their data lives on in the source) and"
            " leave final_snapshot_identifier unset."
        ),
    ),
    preflight_policy(
        "preflight-engine-version-pin",
        "no exact minor engine version while automatic minor upgrades are on.",
        on_types(("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"), _engine_version_pin),
        url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html",
        remediation=(
            "Pin only the major version (engine_version '16') while auto_minor_version_upgrade is "
            "on, or turn automatic minor upgrades off to pin a minor version."
        ),
    ),
    preflight_policy(
        "preflight-backup-plan",
        "AWS Backup rules use cron schedules and keep cold recovery points at least 90 days.",
        on_types("aws:backup/plan:Plan", _backup_plan),
        url="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html",
        remediation=(
            "Give every rule a cron() schedule and keep recovery points at least 90 days after "
            "they move to cold storage."
        ),
    ),
]
