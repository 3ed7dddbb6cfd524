"""One region's full set of tiers, composed in dependency order (M1)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .config import RegionConfig, StackConfig
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

    def __init__(
        self, name: str, args: RegionalStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("stack", "RegionalStack"), name, None, opts)
        config, region = args.config, args.region
        child = pulumi.ResourceOptions(parent=self)

        self.keys = Keys(
            name, KeysArgs(deletion_window_days=config.keys.deletion_window_days), opts=child
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
        self.outputs = {
            "vpcId": self.network.vpc.id,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "databaseSubnetIds": self.network.database_subnet_ids,
            "natGatewayIds": self.network.nat_gateway_ids,
            "dataKeyArn": self.keys.data.arn,
            "logsKeyArn": self.keys.logs.arn,
            "secretsKeyArn": self.keys.secrets.arn,
        }
        self.register_outputs(self.outputs)
