"""Databases: RDS instances, Aurora and Multi-AZ clusters, their parameter groups, proxies,
snapshots and event subscriptions, against the Security Hub FSBP controls for RDS (P1, P4,
P5, P7, P12). Messages name what each engine needs: a MySQL instance is not told to export
PostgreSQL logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import present, view_of
from .common import (
    as_list,
    by_type,
    is_aws_managed_key,
    resource_policy,
    stack_policy,
)
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
# Logs each engine must publish to CloudWatch Logs (RDS.9 per engine, RDS.34, RDS.36, RDS.37,
# RDS.40, RDS.42), by the engine name RDS uses.
ENGINE_LOGS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgresql", "upgrade"),
    "aurora-postgresql": ("postgresql",),
    "mysql": ("audit", "error", "general", "slowquery"),
    "mariadb": ("audit", "error", "general", "slowquery"),
    "aurora-mysql": ("audit", "error", "general", "slowquery"),
    "aurora": ("audit", "error", "general", "slowquery"),
    "oracle-ee": ("alert", "audit", "listener", "trace"),
    "oracle-ee-cdb": ("alert", "audit", "listener", "trace"),
    "oracle-se2": ("alert", "audit", "listener", "trace"),
    "oracle-se2-cdb": ("alert", "audit", "listener", "trace"),
    "sqlserver-ee": ("agent", "error"),
    "sqlserver-se": ("agent", "error"),
    "sqlserver-ex": ("agent", "error"),
    "sqlserver-web": ("agent", "error"),
    "db2-se": ("diag.log", "notify.log"),
    "db2-ae": ("diag.log", "notify.log"),
}
# The master user names RDS suggests by default (RDS.24, RDS.25).
DEFAULT_MASTER_USERS = frozenset({"admin", "postgres"})
# Engines with IAM database authentication (RDS.10, RDS.12).
IAM_AUTH_ENGINES = ("postgres", "mysql", "mariadb", "aurora")


def _engine(props: Any, default: str = "") -> str:
    return str(props.get("engine") or default)


def _is_multi_az_cluster(props: Any) -> bool:
    # Multi-AZ DB clusters (non-Aurora) are clusters with an instance class of their own.
    return bool(props.get("dbClusterInstanceClass"))


# --------------------------------------------------------------------------------------------
# Configuration (RDS.6, .10, .12, .13, .14, .16, .17, .24, .25, .35, .47, .48)


def _instance(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    engine = _engine(props)
    if not int(props.get("monitoringInterval") or 0):
        yield (
            "monitoringInterval is 0: turn on Enhanced Monitoring (monitoring_interval 60 or "
            "less, with a monitoring_role_arn)"
        )
    if props.get("autoMinorVersionUpgrade") is False:
        yield (
            "autoMinorVersionUpgrade is false: let RDS apply minor versions (security fixes) "
            "in the maintenance window"
        )
    if props.get("replicateSourceDb"):
        return  # A replica inherits credentials and the settings below from its source.
    if (
        engine.startswith(IAM_AUTH_ENGINES)
        and props.get("iamDatabaseAuthenticationEnabled") is not True
    ):
        yield (
            f"iamDatabaseAuthenticationEnabled is not true: turn on IAM database "
            f"authentication ({engine} supports it) so people connect with short-lived tokens"
        )
    if props.get("copyTagsToSnapshot") is not True:
        yield "copyTagsToSnapshot is not true: set it so snapshots carry the instance's tags"
    if str(props.get("username") or "") in DEFAULT_MASTER_USERS:
        yield (
            f"username is the default {props.get('username')!r}: choose another master user name"
        )


def _cluster(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    engine = _engine(props, "aurora-mysql")
    if (
        engine.startswith(IAM_AUTH_ENGINES)
        and props.get("iamDatabaseAuthenticationEnabled") is not True
    ):
        yield (
            "iamDatabaseAuthenticationEnabled is not true: turn on IAM database authentication "
            "on the cluster"
        )
    if props.get("copyTagsToSnapshot") is not True:
        yield "copyTagsToSnapshot is not true: set it so snapshots carry the cluster's tags"
    if str(props.get("masterUsername") or "") in DEFAULT_MASTER_USERS:
        yield (
            f"masterUsername is the default {props.get('masterUsername')!r}: choose another "
            "master user name"
        )
    if _is_multi_az_cluster(props) and props.get("autoMinorVersionUpgrade") is False:
        yield "autoMinorVersionUpgrade is false: let RDS apply minor versions"
    if engine in ("aurora-mysql", "aurora") and not int(props.get("backtrackWindow") or 0):
        yield (
            "backtrackWindow is 0: give Aurora MySQL a backtrack window (backtrack_window in "
            "seconds, up to 72 hours)"
        )


def _cluster_instance(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if not int(props.get("monitoringInterval") or 0):
        yield (
            "monitoringInterval is 0: turn on Enhanced Monitoring (monitoring_interval 60 or "
            "less, with a monitoring_role_arn)"
        )
    if props.get("autoMinorVersionUpgrade") is False:
        yield "autoMinorVersionUpgrade is false: let RDS apply minor versions"


# --------------------------------------------------------------------------------------------
# Log exports (RDS.9, .34, .36, .37, .40, .42)


def _log_exports(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    # A cluster without an engine is Aurora MySQL (the provider's default); a replica without
    # one takes its source's.
    engine = _engine(props, "aurora-mysql" if args.resource_type == CLUSTER else "")
    wanted = ENGINE_LOGS.get(engine)
    if wanted is None:
        return
    exported = {str(e) for e in as_list(props.get("enabledCloudwatchLogsExports"))}
    missing = [log for log in wanted if log not in exported]
    if missing:
        yield (
            f"enabledCloudwatchLogsExports lacks {', '.join(missing)}: a {engine} database "
            f"exports {', '.join(wanted)} to CloudWatch Logs"
        )


# --------------------------------------------------------------------------------------------
# Engine parameters and proxies (RDS.41, .43, .44, .45)


def _parameters(group: Any) -> dict[str, str]:
    return {
        str(p.get("name")).lower(): str(p.get("value")).lower()
        for p in as_list(group.props.get("parameters"))
        if isinstance(p, Mapping)
    }


def _engine_parameters(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    resources = args.resources
    links = view_of(resources).links

    def group_values(resource: Any, prop: str, group_type: str) -> dict[str, str]:
        groups = links.targets(resource, prop, [group_type])
        return _parameters(groups[0]) if groups else {}

    for resource in resources:
        props = resource.props
        if resource.resource_type == "aws:rds/proxy:Proxy":
            if props.get("requireTls") is not True:
                yield (
                    resource.urn,
                    f"RDS proxy {resource.name} accepts clients without TLS: set require_tls=True",
                )
            continue
        if resource.resource_type == INSTANCE and not present(props, "replicateSourceDb"):
            engine = _engine(props)
            values = group_values(resource, "parameterGroupName", PARAMETER_GROUP)
            if engine.startswith("sqlserver") and values.get("rds.force_ssl") != "1":
                yield (
                    resource.urn,
                    f"SQL Server instance {resource.name} accepts unencrypted connections: set "
                    "rds.force_ssl = 1 in its parameter group",
                )
            if engine == "mariadb" and values.get("require_secure_transport") not in ("on", "1"):
                yield (
                    resource.urn,
                    f"MariaDB instance {resource.name} accepts unencrypted connections: set "
                    "require_secure_transport = ON in its parameter group",
                )
            if engine == "postgres" and values.get("rds.force_ssl") == "0":
                yield (
                    resource.urn,
                    f"PostgreSQL instance {resource.name} sets rds.force_ssl = 0: set it to 1",
                )
        if resource.resource_type == CLUSTER and _engine(props, "aurora-mysql") == "aurora-mysql":
            values = group_values(resource, "dbClusterParameterGroupName", CLUSTER_PARAMETER_GROUP)
            if values.get("server_audit_logging") != "1":
                yield (
                    resource.urn,
                    f"Aurora MySQL cluster {resource.name} does not audit: set "
                    "server_audit_logging = 1 (and server_audit_events) in its cluster "
                    "parameter group",
                )


# --------------------------------------------------------------------------------------------
# Snapshots (RDS.1, RDS.4)


def _snapshot(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if "all" in [str(a).lower() for a in as_list(props.get("sharedAccounts"))]:
        yield "sharedAccounts includes 'all': the snapshot is public; share with named accounts"
    if args.resource_type == "aws:rds/snapshotCopy:SnapshotCopy":
        key = props.get("kmsKeyId")
        if not key or is_aws_managed_key(key):
            yield "kmsKeyId is not a customer-managed key: encrypt the copy with the data CMK"


POLICIES = [
    resource_policy(
        "rds-configuration",
        "P4, P5: RDS instances and clusters use Enhanced Monitoring, IAM database "
        "authentication, automatic minor upgrades, tags copied to snapshots and a non-default "
        "master user; Aurora MySQL has a backtrack window.",
        MANDATORY,
        by_type({INSTANCE: _instance, CLUSTER: _cluster, CLUSTER_INSTANCE: _cluster_instance}),
        Meta(
            category="data",
            requirements=("P4", "P5", "D6"),
            controls=(
                "RDS.13",
                "RDS.6",
                "RDS.10",
                "RDS.12",
                "RDS.14",
                "RDS.16",
                "RDS.17",
                "RDS.24",
                "RDS.25",
                "RDS.35",
                "RDS.47",
                "RDS.48",
            ),
            remediation=(
                "Set monitoring_interval (60 or less) with a monitoring_role_arn, "
                "iam_database_authentication_enabled=True, auto_minor_version_upgrade=True, "
                "copy_tags_to_snapshot=True, a master user name other than admin or postgres, "
                "and backtrack_window on Aurora MySQL clusters."
            ),
        ),
    ),
    resource_policy(
        "rds-log-exports",
        "P5: RDS instances and clusters export their engine's logs to CloudWatch Logs "
        "(PostgreSQL postgresql/upgrade, MySQL and MariaDB audit/error/general/slowquery, SQL "
        "Server agent/error, Oracle alert/audit/listener/trace).",
        MANDATORY,
        by_type(dict.fromkeys((INSTANCE, CLUSTER), _log_exports)),
        Meta(
            category="logging",
            requirements=("P5",),
            controls=("RDS.9", "RDS.34", "RDS.36", "RDS.37", "RDS.40", "RDS.42"),
            remediation=(
                "List the engine's log types in enabled_cloudwatch_logs_exports (the message "
                "names them) and give the /aws/rds/... log groups a KMS key and retention."
            ),
        ),
    ),
    stack_policy(
        "rds-engine-parameters",
        "P6: databases refuse unencrypted connections (SQL Server rds.force_ssl, MariaDB "
        "require_secure_transport, PostgreSQL rds.force_ssl not 0, RDS proxies require TLS); "
        "Aurora MySQL clusters audit.",
        MANDATORY,
        _engine_parameters,
        Meta(
            category="transport",
            requirements=("P6", "D6"),
            controls=("RDS.41", "RDS.43", "RDS.44", "RDS.45"),
            remediation=(
                "Give the database a parameter group that sets rds.force_ssl = 1 (SQL Server, "
                "PostgreSQL) or require_secure_transport = ON (MariaDB), and "
                "server_audit_logging = 1 for Aurora MySQL; set require_tls=True on proxies."
            ),
        ),
    ),
    resource_policy(
        "rds-snapshots",
        "P1, P4: RDS snapshots are never shared with 'all'; snapshot copies are encrypted with "
        "a customer-managed key.",
        MANDATORY,
        by_type(
            dict.fromkeys(
                (
                    "aws:rds/snapshot:Snapshot",
                    "aws:rds/clusterSnapshot:ClusterSnapshot",
                    "aws:rds/snapshotCopy:SnapshotCopy",
                ),
                _snapshot,
            )
        ),
        Meta(
            category="data",
            requirements=("P1", "P4"),
            controls=("RDS.1",),
            partial={
                "RDS.4": "copies must name a customer-managed key; a snapshot taken in the "
                "stack inherits its source's encryption, which rds-encryption checks when the "
                "source is in the stack",
            },
            remediation=(
                "Share snapshots with named account IDs, never 'all', and give snapshot copies "
                "kms_key_id = the data CMK."
            ),
        ),
    ),
]
