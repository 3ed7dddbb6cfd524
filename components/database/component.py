"""Database tier: PostgreSQL as one RDS instance or an Aurora cluster, private, encrypted,
monitored, with generated credentials held in Secrets Manager (D1-D9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from policy.awsfacts.postgres import major_of_family, static_parameters

from ..account import AccountContext
from ..config.database import DatabaseConfig
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag, token
from .credentials import PORT, create_secret
from .monitoring import monitoring_role

# Libraries preloaded in every database (D6): query statistics and session auditing.
PRELOAD_LIBRARIES = "pg_stat_statements,pgaudit"
# RDS PostgreSQL exports both; Aurora PostgreSQL has no separate upgrade log (D5).
LOG_EXPORTS = {"postgres": ["postgresql", "upgrade"], "aurora-postgresql": ["postgresql"]}
# Characters RandomPassword may use besides letters and digits: none of them needs escaping in
# a connection URI, and RDS forbids '/', '@', '"' and spaces.
PASSWORD_SPECIALS = "-_.~"
# The master password input (wire names, as the engine diffs them) is only the database's first
# password: rotation owns it afterwards (issue 18, data N1). terraform-provider-aws sends
# MasterUserPassword whenever the input changes (a replaced RandomPassword, or a promoted
# region's new one) and RDS applies it at once, locking out every client of the rotated secret.
ROTATED_PASSWORD = {"instance": "password", "cluster": "masterPassword"}


@dataclass
class DatabaseArgs:
    """Arguments of `Database`: the network tier's outputs, the keys and validated settings."""

    settings: DatabaseConfig
    """Validated database config (engine, sizes, backups, parameters, ...)."""
    db_subnet_group_name: pulumi.Input[str]
    """The DB subnet group of the database subnets (N9)."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """The database security group (5432 from the app and rotation groups only)."""
    data_key_arn: pulumi.Input[str]
    """CMK of storage and Performance Insights."""
    secrets_key_arn: pulumi.Input[str]
    """CMK of the credentials secret."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the log groups the database exports to."""
    log_retention_days: int = 30
    """Retention of those log groups (A3)."""
    replica_source_arn: pulumi.Input[str] | None = None
    """The primary region's RDS instance: when set, this region's database is its encrypted
    cross-region read replica (M1, M3), with no credentials of its own (the replica shares the
    primary's users; the secret lives and rotates in the primary region)."""
    secret_replica_region: str | None = None
    """The other region, where Secrets Manager keeps a replica of the credentials secret (M5),
    so a promoted read replica has its credentials there."""
    secret_replica_key_arn: pulumi.Input[str] | None = None
    """That region's secrets CMK, which encrypts the replica."""
    adopted_secret_arn: pulumi.Input[str] | None = None
    """After a failover (issue 18, data N1): this region's database is the cross-region read
    replica an operator promoted, and its credentials are the secret replica promoted with
    it, at this ARN. The instance keeps its replica settings without `replicateSourceDb` and
    gets no password; no secret, first version or password is created: the promoted secret
    already holds the password the promoted database logs in with."""


class Database(pulumi.ComponentResource):
    """One region's PostgreSQL database and its credentials secret."""

    writer_endpoint: pulumi.Output[str]
    """Host name applications write to."""
    reader_endpoint: pulumi.Output[str]
    """Host name for reads: the Aurora reader endpoint, or the instance itself."""
    secret: aws.secretsmanager.Secret | None
    """Credentials in the rotation shape {engine, host, port, username, password, dbname},
    where this program created them; None on a read replica and on a promoted one."""
    secret_arn: pulumi.Output[str] | None
    """The credentials secret to rotate and publish: the one created here, or the promoted
    one adopted after a failover; None on a read replica."""
    secret_version: aws.secretsmanager.SecretVersion | None
    """The secret's first value (rotation must not start before it exists)."""
    database: aws.rds.Instance | aws.rds.Cluster
    """The RDS instance or Aurora cluster (what backups and alarms select)."""
    instances: list[aws.rds.Instance | aws.rds.ClusterInstance]
    """Every database instance (the RDS instance, or the cluster's writer and readers)."""

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("database", "Database"), name, None, opts)
        self._name = name
        self._args = args
        self._settings = args.settings
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)
        # Stateful resources carry `protect` from config (on in prod).
        self._stateful = pulumi.ResourceOptions(parent=self, protect=args.settings.protect)

        # Identifiers and snapshot names are unique per account and region: a random suffix keeps
        # stacks apart (S2), and a known identifier lets the log groups exist before the
        # database starts exporting into them (otherwise RDS creates them unencrypted, kept
        # forever).
        suffix = random.RandomId(child_name(name, "db-suffix"), byte_length=4, opts=self._child)
        self._identifier = pulumi.Output.concat(name, "-db-", suffix.hex)
        self._monitoring_role = monitoring_role(name, self._ctx, self._child)
        self._log_groups = self._create_log_groups()
        if args.replica_source_arn is not None and args.adopted_secret_arn is not None:
            raise ValueError(f"{name}: a read replica cannot adopt a promoted secret")
        if args.adopted_secret_arn is not None and self._settings.is_aurora:
            raise ValueError(f"{name}: only an RDS instance is promoted from a read replica")
        if args.replica_source_arn is not None or args.adopted_secret_arn is not None:
            self._create_replica(args.replica_source_arn)
            self.secret = self.secret_version = None
            self.secret_arn = (
                pulumi.Output.from_input(args.adopted_secret_arn)
                if args.adopted_secret_arn is not None
                else None
            )
        else:
            self._password = random.RandomPassword(
                child_name(name, "master-password"),
                length=32,
                special=True,
                override_special=PASSWORD_SPECIALS,
                min_lower=2,
                min_upper=2,
                min_numeric=2,
                opts=self._child,
            )
            if self._settings.is_aurora:
                self._create_cluster()
            else:
                self._create_instance()
            credentials = create_secret(
                name,
                settings=self._settings,
                host=self.writer_endpoint,
                password=self._password.result,
                secrets_key_arn=args.secrets_key_arn,
                replica_region=args.secret_replica_region,
                replica_key_arn=args.secret_replica_key_arn,
                parent=self,
            )
            self.secret, self.secret_version = credentials.secret, credentials.version
            self.secret_arn = self.secret.arn

        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "secret_arn": self.secret_arn,
            }
        )

    # Shared pieces ---------------------------------------------------------------------------

    def _parameters(self) -> list[dict[str, str]]:
        """Per-stack values from config plus the settings the program always enforces (D6)."""
        values = {
            **self._settings.parameters,
            "rds.force_ssl": "1",
            "shared_preload_libraries": PRELOAD_LIBRARIES,
            "pgaudit.log": self._settings.pgaudit_log,
            "pgaudit.log_catalog": "0",
        }
        # RDS applies parameters PostgreSQL reads only at start-up on the next reboot and
        # refuses `immediate` for them; which ones they are comes from the engine's own data.
        static = static_parameters(major_of_family(self._settings.family))
        return [
            {
                "name": key,
                "value": value,
                "apply_method": "pending-reboot" if key in static else "immediate",
            }
            for key, value in sorted(values.items())
        ]

    def _create_log_groups(self) -> list[aws.cloudwatch.LogGroup]:
        """The export targets (D5), encrypted with the logs CMK and with retention (A3)."""
        kind = "cluster" if self._settings.is_aurora else "instance"
        groups = []
        for log in LOG_EXPORTS[self._settings.engine]:
            name = child_name(self._name, "db", log)
            groups.append(
                encrypted_log_group(
                    name,
                    kms_key_arn=self._args.logs_key_arn,
                    retention_days=self._args.log_retention_days,
                    parent=self,
                    log_group_name=pulumi.Output.concat(
                        "/aws/rds/", kind, "/", self._identifier, "/", log
                    ),
                )
            )
        return groups

    def _final_snapshot_identifier(self) -> pulumi.Output[str]:
        return pulumi.Output.concat(self._identifier, "-final")

    def _common(self) -> dict[str, object]:
        """Arguments an RDS instance and an Aurora cluster share."""
        settings = self._settings
        return {
            "engine": settings.engine,
            "engine_version": settings.engine_version,
            "db_subnet_group_name": self._args.db_subnet_group_name,
            "vpc_security_group_ids": list(self._args.security_group_ids),
            "port": PORT,
            "storage_encrypted": True,
            "kms_key_id": self._args.data_key_arn,
            "backup_retention_period": settings.backup_retention_days,
            "copy_tags_to_snapshot": True,
            "deletion_protection": settings.deletion_protection,
            "skip_final_snapshot": not settings.final_snapshot,
            "final_snapshot_identifier": self._final_snapshot_identifier()
            if settings.final_snapshot
            else None,
            "enabled_cloudwatch_logs_exports": LOG_EXPORTS[settings.engine],
            "apply_immediately": settings.apply_immediately,
            "iam_database_authentication_enabled": True,
        }

    def _performance_insights(self) -> dict[str, object]:
        return {
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": self._args.data_key_arn,
            "performance_insights_retention_period": (
                self._settings.performance_insights_retention_days
            ),
        }

    def _monitoring(self) -> dict[str, object]:
        return {
            "monitoring_interval": self._settings.monitoring_interval_seconds,
            "monitoring_role_arn": self._monitoring_role.arn,
        }

    # RDS instance ----------------------------------------------------------------------------

    def _create_instance(self) -> None:
        settings = self._settings
        instance = self._rds_instance(
            allocated_storage=settings.allocated_storage_gb,
            db_name=settings.database_name,
            username=settings.master_username,
            password=self._password.result,
            ignore_changes=[ROTATED_PASSWORD["instance"]],
            **self._common(),
        )
        self.database = instance
        self.instances = [instance]
        self.writer_endpoint = instance.address
        # A Multi-AZ standby takes no reads: readers use the writer until a replica exists.
        self.reader_endpoint = instance.address

    def _create_replica(self, source_arn: pulumi.Input[str] | None) -> None:
        """A cross-region read replica of the primary's instance (`source_arn`), encrypted
        with this region's data key; promoted by an operator when the primary region is lost,
        after which (`source_arn` None) the same instance is this region's writer."""
        # Engine, version, storage size, database name and credentials come from the source,
        # and stay out of the promoted instance's inputs too: db_name and username force a
        # replacement in terraform-provider-aws, and an engine version of "16" against the
        # refreshed "16.x" would send ModifyDBInstance. Without `replicateSourceDb` the
        # provider calls PromoteReadReplica only if its state still names a source, which a
        # `pulumi refresh` after the manual promotion clears (README, failover runbook).
        common = {k: v for k, v in self._common().items() if k not in ("engine", "engine_version")}
        specific: dict[str, object] = {}
        if source_arn is not None:
            # RDS deletes a replica only without a final snapshot (DeleteDBInstance: "If you
            # delete a read replica ... you must enable this setting"; the source keeps the
            # data). A promoted instance holds the only copy: it takes the configured one.
            common.update(skip_final_snapshot=True, final_snapshot_identifier=None)
            specific["replicate_source_db"] = source_arn
        replica = self._rds_instance(
            role="replica" if source_arn is not None else "primary", **specific, **common
        )
        self.database = replica
        self.instances = [replica]
        # Read-only until promoted; then the same host takes writes.
        self.writer_endpoint = replica.address
        self.reader_endpoint = replica.address

    def _parameter_group(self, kind: type, name: str) -> Any:
        """The instance's (`ParameterGroup`) or cluster's (`ClusterParameterGroup`) parameters.
        Autonamed, so a family change creates the new group before the old one goes."""
        return kind(
            name,
            family=self._settings.family,
            description=f"{name}: per-stack settings, TLS only, pg_stat_statements and pgaudit",
            parameters=self._parameters(),
            tags=name_tag(name),
            opts=self._child,
        )

    def _rds_instance(
        self, *, role: str = "primary", ignore_changes: Sequence[str] = (), **specific: object
    ) -> aws.rds.Instance:
        """An RDS instance with this stack's settings and its own parameter group; `specific`
        holds what differs between a primary and a replica, `ignore_changes` the inputs that
        are only the instance's first value."""
        settings = self._settings
        name = child_name(self._name, "db")
        parameters = self._parameter_group(aws.rds.ParameterGroup, name)
        return aws.rds.Instance(
            name,
            identifier=self._identifier,
            instance_class=settings.instance_class,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_type="gp3",
            multi_az=settings.multi_az,
            publicly_accessible=False,
            parameter_group_name=parameters.name,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            auto_minor_version_upgrade=settings.auto_minor_version_upgrade,
            delete_automated_backups=False,
            tags=name_tag(name, Role=role),
            opts=pulumi.ResourceOptions.merge(
                self._stateful,
                pulumi.ResourceOptions(
                    depends_on=self._log_groups, ignore_changes=list(ignore_changes)
                ),
            ),
            **specific,
            **self._performance_insights(),
            **self._monitoring(),
        )

    # Aurora cluster --------------------------------------------------------------------------

    def _create_cluster(self) -> None:
        settings = self._settings
        name = child_name(self._name, "db")
        parameters = self._parameter_group(aws.rds.ClusterParameterGroup, name)
        cluster = aws.rds.Cluster(
            name,
            cluster_identifier=self._identifier,
            database_name=settings.database_name,
            master_username=settings.master_username,
            master_password=self._password.result,
            db_cluster_parameter_group_name=parameters.name,
            preferred_backup_window=settings.backup_window,
            preferred_maintenance_window=settings.maintenance_window,
            delete_automated_backups=False,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions.merge(
                self._stateful,
                pulumi.ResourceOptions(
                    depends_on=self._log_groups, ignore_changes=[ROTATED_PASSWORD["cluster"]]
                ),
            ),
            # Performance Insights and enhanced monitoring are per instance in Aurora.
            **self._common(),
        )
        self.database = cluster
        self.instances = []
        for index in range(1 + settings.reader_count):
            role = "writer" if index == 0 else f"reader-{index}"
            member = child_name(name, role)
            self.instances.append(
                aws.rds.ClusterInstance(
                    member,
                    cluster_identifier=cluster.id,
                    # The version is the cluster's: members follow it through upgrades.
                    engine=settings.engine,
                    instance_class=settings.instance_class,
                    db_subnet_group_name=self._args.db_subnet_group_name,
                    publicly_accessible=False,
                    # The writer is created first and has the highest failover priority.
                    promotion_tier=min(index, 15),
                    auto_minor_version_upgrade=settings.auto_minor_version_upgrade,
                    preferred_maintenance_window=settings.maintenance_window,
                    copy_tags_to_snapshot=True,
                    apply_immediately=settings.apply_immediately,
                    tags=name_tag(member),
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        protect=settings.protect,
                        depends_on=self.instances[:1],
                    ),
                    **self._performance_insights(),
                    **self._monitoring(),
                )
            )
        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
