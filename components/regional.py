"""One region's full set of tiers, composed in dependency order (M1)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from policy.awsfacts.elb import LOG_DELIVERY_ACCOUNTS

from .audit import Audit, AuditArgs
from .backup import Backup, BackupArgs, BackupCopy
from .buckets import SecureBucket, SecureBucketArgs
from .compute import Compute, ComputeArgs, autoscaling_service_role
from .config import RegionConfig, StackConfig
from .database import Database, DatabaseArgs
from .keys import Keys, KeysArgs
from .naming import base_name, child_name, token
from .network import Network, NetworkArgs
from .rotation import Rotation, RotationArgs
from .rotation.trust_store import CaBundleSource
from .security_services import SecurityServices, SecurityServicesArgs


@dataclass
class RegionalStackArgs:
    """Arguments of `RegionalStack`: the validated stack config and which region this is."""

    config: StackConfig
    region: RegionConfig
    peer: RegionConfig | None = None
    """The stack's other region, if any: backups are copied to its vault."""
    database_source_arn: pulumi.Input[str] | None = None
    """The primary region's database, in the secondary region: this region's database is its
    cross-region read replica."""
    certificate_arn: pulumi.Input[str] | None = None
    """An issued certificate of this region (`IssuedCertificates`); None: the configured one."""
    peer_secrets_key_arn: pulumi.Input[str] | None = None
    """The other region's secrets CMK: where this region holds the database secret, a replica
    of it lives there under that key (M5)."""
    adopted_secret_arn: str | None = None
    """After a failover to this region (config `failover`): its database is the promoted read
    replica and its credentials the promoted secret at this ARN, which rotation, the
    failed-rotation alerts and the outputs follow (issue 18, data N1)."""


class RegionalStack(pulumi.ComponentResource):
    """Keys -> Network -> Compute -> Database -> Audit -> Rotation -> Backup for one region,
    each tier taking what it needs from the tiers before it. The region reaches every child
    through the provider in `opts`; nothing here configures a provider or reads config (S7)."""

    keys: Keys
    access_log_bucket: SecureBucket
    """Where the region's audit and log buckets write their S3 server access logs (A11)."""
    network: Network
    compute: Compute
    database: Database
    audit: Audit
    rotation: Rotation
    backup: Backup | None
    security_services: SecurityServices | None
    """Security Hub and GuardDuty, where this stack owns the account baseline (A10)."""

    def __init__(
        self, name: str, args: RegionalStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("stack", "RegionalStack"), name, None, opts)
        config, region = args.config, args.region
        child = pulumi.ResourceOptions(parent=self)
        # The region that holds the writable database holds its secret and rotates it.
        holds_writer = args.database_source_arn is None

        # Auto Scaling launches CMK-encrypted volumes through its service-linked role, which
        # the data key's policy must name: the role comes first.
        autoscaling_role = autoscaling_service_role(name, opts=child)
        self.keys = Keys(
            name,
            KeysArgs(
                deletion_window_days=config.keys.deletion_window_days,
                protect=config.keys.protect,
                data_key_service_roles=[autoscaling_role.arn],
                data_key_copy_accounts=[config.backup.copy_account_id]
                if config.backup.enabled and config.backup.copy_account_id and holds_writer
                else [],
                data_key_copy_regions=[config.backup.copy_region]
                if config.backup.copy_region
                else [],
            ),
            opts=child,
        )
        self.access_log_bucket = SecureBucket(
            child_name(name, "s3-access-logs"),
            SecureBucketArgs(
                sse_s3=True,
                access_logs_from=f"{name}-",
                expiration_days=config.logging.retention_days,
                noncurrent_version_days=7,
                protect=config.audit.protect_buckets,
            ),
            opts=child,
        )
        self.network = Network(
            name,
            NetworkArgs(
                vpc_cidr=str(region.vpc_cidr),
                azs=region.azs,
                public_subnet_cidrs=[str(c) for c in region.subnet_cidrs("public")],
                private_subnet_cidrs=[str(c) for c in region.subnet_cidrs("private")],
                database_subnet_cidrs=[str(c) for c in region.subnet_cidrs("database")],
                nat_strategy=config.network.nat_strategy,
                interface_endpoints=config.network.interface_endpoints,
                admin_cidrs=[str(c) for c in config.network.admin_cidrs],
                app_port=config.compute.app_port,
                log_retention_days=config.logging.retention_days,
                flow_log_traffic=config.network.flow_log_traffic,
                logs_key_arn=self.keys.logs.arn,
                rotation_function=holds_writer,
            ),
            opts=child,
        )
        network = self.network
        self.compute = Compute(
            name,
            ComputeArgs(
                settings=config.compute,
                vpc_id=network.vpc.id,
                public_subnet_ids=network.public_subnet_ids,
                private_subnet_ids=network.private_subnet_ids,
                alb_security_group_id=network.alb_security_group_id,
                app_security_group_id=network.app_security_group_id,
                data_key_arn=self.keys.data.arn,
                autoscaling_role_arn=autoscaling_role.arn,
                certificate_arn=args.certificate_arn or config.compute.certificate_for(region.name),
                instance_tags=config.tags(),
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                elb_log_account=LOG_DELIVERY_ACCOUNTS.get(region.name),
                access_log_bucket=self.access_log_bucket,
            ),
            opts=child,
        )
        # M5: the writer's region keeps a replica of the credentials secret in its peer.
        secret_replica_region = (
            args.peer.name
            if holds_writer and args.peer is not None and args.peer_secrets_key_arn
            else None
        )
        self.database = Database(
            name,
            DatabaseArgs(
                settings=config.database,
                db_subnet_group_name=network.db_subnet_group_name,
                security_group_ids=[network.database_security_group_id],
                data_key_arn=self.keys.data.arn,
                secrets_key_arn=self.keys.secrets.arn,
                logs_key_arn=self.keys.logs.arn,
                log_retention_days=config.logging.retention_days,
                replica_source_arn=args.database_source_arn,
                secret_replica_region=secret_replica_region,
                secret_replica_key_arn=args.peer_secrets_key_arn,
                adopted_secret_arn=args.adopted_secret_arn,
            ),
            opts=child,
        )
        audit, hygiene = config.audit, config.audit.own_account_hygiene
        owner = audit.owns_account_baseline
        self.audit = Audit(
            name,
            AuditArgs(
                # A10: the account-wide parts (trail, CIS alarms, global Config recording,
                # hygiene) once, in the baseline owner's primary region.
                account_wide=owner and region.role == "primary",
                logs_key_arn=self.keys.logs.arn,
                trail_log_retention_days=audit.trail_log_retention_days
                or config.logging.retention_days,
                thresholds=audit.alarms,
                subscriptions=[(s.protocol, s.endpoint) for s in audit.subscriptions()],
                config_enabled=owner and audit.config.enabled,
                config_rules=audit.config.all_rules(),
                mfa_group_name=hygiene.mfa_group_name,
                create_mfa_group=hygiene.create_mfa_group,
                password_policy=audit.owns_password_policy,
                protect_buckets=audit.protect_buckets,
                load_balancer_arn_suffix=self.compute.load_balancer.arn_suffix,
                target_group_arn_suffixes=self._target_groups(),
                access_log_bucket=self.access_log_bucket,
                autoscaling_group_name=self.compute.group.name if self.compute.group else None,
                db_instance_identifier=self.database.database.identifier
                if isinstance(self.database.database, aws.rds.Instance)
                else None,
                db_instance_is_replica=not holds_writer,
                db_cluster_identifier=self.database.database.cluster_identifier
                if isinstance(self.database.database, aws.rds.Cluster)
                else None,
                db_parameter_group_name=self.database.database.parameter_group_name
                if isinstance(self.database.database, aws.rds.Instance)
                else None,
                db_cluster_member_identifiers=[
                    member.identifier
                    for member in self.database.instances
                    if isinstance(member, aws.rds.ClusterInstance)
                ],
            ),
            opts=child,
        )
        rotation = config.rotation
        # Secrets Manager rotates as soon as rotation is configured: the database and the
        # secret's first value (where this program writes one) must exist by then.
        database = self.database
        first_rotation_waits_for = (
            [*database.instances, *filter(None, [database.secret_version])]
            if database.secret_arn is not None
            else []
        )
        self.rotation = Rotation(
            name,
            RotationArgs(
                secret_arn=database.secret_arn,
                secrets_key_arn=self.keys.secrets.arn,
                logs_key_arn=self.keys.logs.arn,
                subnet_ids=network.private_subnet_ids,
                security_group_id=network.rotation_security_group_id,
                schedule_days=rotation.schedule_days,
                log_retention_days=config.logging.retention_days,
                password_length=rotation.password_length,
                connect_timeout_seconds=rotation.connect_timeout_seconds,
                app_settings=rotation.app_settings,
                parameter_rotation_days=rotation.parameter_rotation.schedule_days
                if rotation.parameter_rotation.enabled
                else None,
                ca_bundle=CaBundleSource(
                    file=rotation.ca_bundle_file,
                    **({"sha256": rotation.ca_bundle_sha256} if rotation.ca_bundle_sha256 else {}),
                ),
                secret_replica_region=secret_replica_region,
                secret_replica_key_arn=args.peer_secrets_key_arn,
                wait_for=first_rotation_waits_for,
                alert_topic_arn=self.audit.alert_topic.arn,
            ),
            opts=child,
        )
        self.security_services = (
            SecurityServices(
                name,
                SecurityServicesArgs(
                    standards=audit.security_hub_standards,
                    logs_key_arn=self.keys.logs.arn,
                    log_retention_days=config.logging.retention_days,
                    account_wide=region.role == "primary",
                    guard_duty=audit.guard_duty,
                ),
                opts=child,
            )
            if owner
            else None
        )
        self.backup = self._backup(name, args) if config.backup.enabled else None
        self.outputs = {
            "vpcId": self.network.vpc.id,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "databaseSubnetIds": self.network.database_subnet_ids,
            "natGatewayIds": self.network.nat_gateway_ids,
            "dataKeyArn": self.keys.data.arn,
            "logsKeyArn": self.keys.logs.arn,
            "secretsKeyArn": self.keys.secrets.arn,
            "loadBalancerDnsName": self.compute.load_balancer.dns_name,
            "loadBalancerArn": self.compute.load_balancer.arn,
            "accessLogBucketName": self.compute.log_bucket.name,
            "s3AccessLogBucketName": self.access_log_bucket.name,
            "databaseWriterEndpoint": self.database.writer_endpoint,
            "databaseReaderEndpoint": self.database.reader_endpoint,
            "alertTopicArn": self.audit.alert_topic.arn,
            "accountBaseline": audit.baseline_status,
            "dashboardName": self.audit.dashboard_name,
        }
        if self.database.secret_arn is not None:
            self.outputs["databaseSecretArn"] = self.database.secret_arn
            self.outputs["rotationFunctionArn"] = self.rotation.function_arn
        if self.backup is not None:
            self.outputs["backupVaultName"] = self.backup.vault_name
            if self.backup.plan_id is not None:
                self.outputs["backupPlanId"] = self.backup.plan_id
        if self.compute.firewall is not None:
            self.outputs["webAclArn"] = self.compute.firewall.web_acl.arn
        if self.compute.containers is not None:
            self.outputs["clusterArn"] = self.compute.containers.cluster.arn
            self.outputs["repositoryUrl"] = self.compute.containers.repository.repository_url
        if self.audit.trail_bucket_name is not None:
            self.outputs["trailBucketName"] = self.audit.trail_bucket_name
        if self.audit.config_bucket_name is not None:
            self.outputs["configBucketName"] = self.audit.config_bucket_name
        self.register_outputs(self.outputs)

    def _target_groups(self) -> dict[str, pulumi.Output[str]]:
        groups = {"app": self.compute.target_group.arn_suffix}
        if self.compute.green_target_group is not None:
            groups["green"] = self.compute.green_target_group.arn_suffix
        return groups

    def _backup(self, name: str, args: RegionalStackArgs) -> Backup:
        """This region's vault; where the region holds the writable database, a plan that backs
        it up and copies every recovery point to the other region's vault (M4). A replica's
        region only receives copies."""
        config = args.config
        vault = config.backup.vault_name
        peer_vault = None
        if args.peer is not None:
            peer_base = base_name(config.environment, config.service, args.peer.name)
            peer_vault = (args.peer.name, f"{peer_base}-{vault}")
        backup = config.backup
        resource_arns = [self.database.database.arn] if args.database_source_arn is None else []
        # Copies go where there is something to copy: the other region's vault, and another
        # account's when configured.
        copies = []
        if resource_arns and backup.copy_to_other_region and peer_vault is not None:
            copies.append(
                BackupCopy(
                    region=peer_vault[0],
                    vault_name=peer_vault[1],
                    delete_after_days=backup.copy_delete_after_days,
                )
            )
        if resource_arns and backup.cross_account_vault_arn:
            copies.append(BackupCopy(vault_arn=backup.cross_account_vault_arn))
        return Backup(
            name,
            BackupArgs(
                vault_name=f"{name}-{vault}",
                kms_key_arn=self.keys.data.arn,
                resource_arns=resource_arns,
                schedule=backup.schedule,
                start_window_minutes=backup.start_window_minutes,
                completion_window_minutes=backup.completion_window_minutes,
                delete_after_days=backup.delete_after_days,
                cold_storage_after_days=backup.cold_storage_after_days,
                copies=copies,
                enable_continuous_backup=backup.continuous,
                lock_min_retention_days=backup.lock_min_retention_days,
                protect_vault=backup.protect_vault,
                failure_topic_arn=self.audit.alert_topic.arn,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
