"""One region's full set of tiers, composed in dependency order (M1)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .audit import Audit, AuditArgs
from .compute import Compute, ComputeArgs, autoscaling_service_role
from .config import RegionConfig, StackConfig
from .database import Database, DatabaseArgs
from .keys import Keys, KeysArgs
from .naming import token
from .network import Network, NetworkArgs


@dataclass
class RegionalStackArgs:
    """Arguments of `RegionalStack`: the validated stack config and which region this is."""

    config: StackConfig
    region: RegionConfig


class RegionalStack(pulumi.ComponentResource):
    """Keys -> Network -> (later tiers) for one region. The region reaches every child through
    the provider in `opts`; nothing here configures a provider or reads config (S7)."""

    keys: Keys
    network: Network
    audit: Audit
    compute: Compute
    database: Database

    def __init__(
        self, name: str, args: RegionalStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("stack", "RegionalStack"), name, None, opts)
        config, region = args.config, args.region
        child = pulumi.ResourceOptions(parent=self)

        # Auto Scaling launches CMK-encrypted volumes through its service-linked role, which
        # the data key's policy must name: the role comes first.
        autoscaling_role = autoscaling_service_role(name, opts=child)
        self.keys = Keys(
            name,
            KeysArgs(
                deletion_window_days=config.keys.deletion_window_days,
                protect=config.keys.protect,
                data_key_service_roles=[autoscaling_role.arn],
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
                certificate_arn=config.compute.certificate_for(region.name),
                instance_tags=config.tags(),
            ),
            opts=child,
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
            ),
            opts=child,
        )
        audit, hygiene = config.audit, config.audit.own_account_hygiene
        self.audit = Audit(
            name,
            AuditArgs(
                account_wide=region.role == "primary",
                logs_key_arn=self.keys.logs.arn,
                trail_log_retention_days=audit.trail_log_retention_days
                or config.logging.retention_days,
                thresholds=audit.alarms,
                subscriptions=[(s.protocol, s.endpoint) for s in audit.subscriptions()],
                config_enabled=audit.config.enabled,
                config_rules=audit.config.all_rules(),
                mfa_group_name=hygiene.mfa_group_name,
                create_mfa_group=hygiene.create_mfa_group,
                password_policy=hygiene.password_policy,
                protect_buckets=audit.protect_buckets,
            ),
            opts=child,
        )
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
            "databaseWriterEndpoint": self.database.writer_endpoint,
            "databaseReaderEndpoint": self.database.reader_endpoint,
            "databaseSecretArn": self.database.secret.arn,
            "alertTopicArn": self.audit.alert_topic.arn,
            "dashboardName": self.audit.dashboard_name,
        }
        if self.audit.trail_bucket_name is not None:
            self.outputs["trailBucketName"] = self.audit.trail_bucket_name
        if self.audit.config_bucket_name is not None:
            self.outputs["configBucketName"] = self.audit.config_bucket_name
        self.register_outputs(self.outputs)
