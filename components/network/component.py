"""Network tier: VPC, subnets per AZ and tier, gateways, routes, flow logs, endpoints and the
security groups every other tier uses (N1-N9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..naming import child_name, name_tag, token
from .endpoints import create_endpoints
from .flow_logs import create_flow_logs
from .security_groups import create_security_groups

__all__ = ["Network", "NetworkArgs"]


@dataclass
class NetworkArgs:
    """Arguments of `Network`. Lists of CIDRs are in the order of `azs`."""

    vpc_cidr: str
    azs: Sequence[str]
    public_subnet_cidrs: Sequence[str]
    private_subnet_cidrs: Sequence[str]
    database_subnet_cidrs: Sequence[str]
    nat_strategy: str
    """`per-az` (one NAT gateway per AZ) or `single`."""
    interface_endpoints: Sequence[str]
    """Service suffixes (`secretsmanager`, `logs`, ...) that get an interface endpoint."""
    admin_cidrs: Sequence[str]
    """Client networks allowed SSH to the app tier through an EC2 Instance Connect endpoint
    (the instances have no public address); empty means no SSH at all (Session Manager)."""
    app_port: int
    log_retention_days: int
    flow_log_traffic: str
    logs_key_arn: pulumi.Input[str]
    """CMK that encrypts the flow-log group."""
    rotation_function: bool = True
    """The region runs the database rotation function: it gets a security group, and the
    database admits it. A replica's region has no function and so no such group."""


@dataclass(frozen=True)
class _Routes:
    """What the route set-up built that the rest of the tier reads."""

    nat_gateway_ids: list[pulumi.Output[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    database_route_table_id: pulumi.Output[str]


class Network(pulumi.ComponentResource):
    """A VPC with public, private and database subnets in every configured AZ.

    Public subnets route to the internet gateway; each private subnet routes to the NAT gateway
    of its own AZ (or the single one); database subnets have no route out of the VPC. Flow logs
    go to an encrypted log group. Security groups per tier reference each other, not CIDRs.
    """

    vpc: aws.ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    database_subnet_ids: list[pulumi.Output[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    nat_gateway_ids: list[pulumi.Output[str]]
    db_subnet_group_name: pulumi.Output[str]
    alb_security_group_id: pulumi.Output[str]
    app_security_group_id: pulumi.Output[str]
    database_security_group_id: pulumi.Output[str]
    rotation_security_group_id: pulumi.Output[str] | None
    """None where no rotation function runs."""
    endpoint_security_group_id: pulumi.Output[str]
    flow_log_group_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("network", "Network"), name, None, opts)
        self._name = name
        self._args = args
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=name_tag(child_name(name, "vpc")),
            opts=self._child,
        )
        # The default group is taken under management with no rules, so nothing that lands in
        # it by accident can talk to anything.
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=name_tag(child_name(name, "default-sg-locked")),
            opts=self._child,
        )
        public = self._subnets("public", args.public_subnet_cidrs)
        private = self._subnets("private", args.private_subnet_cidrs)
        database = self._subnets("database", args.database_subnet_cidrs)
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.database_subnet_ids = [s.id for s in database]

        routes = self._create_routes(public, private, database)
        self.nat_gateway_ids = routes.nat_gateway_ids
        self.private_route_table_ids = routes.private_route_table_ids
        self.flow_log_group_arn = create_flow_logs(
            name,
            vpc_id=self.vpc.id,
            traffic_type=args.flow_log_traffic,
            logs_key_arn=args.logs_key_arn,
            retention_days=args.log_retention_days,
            ctx=self._ctx,
            parent=self,
        ).log_group.arn
        groups = create_security_groups(
            name,
            vpc=self.vpc,
            app_port=args.app_port,
            admin_cidrs=args.admin_cidrs,
            rotation_function=args.rotation_function,
            instance_connect_subnet_id=self.private_subnet_ids[0],
            parent=self,
        )
        self.alb_security_group_id = groups.alb.id
        self.app_security_group_id = groups.app.id
        self.database_security_group_id = groups.database.id
        self.endpoint_security_group_id = groups.endpoints.id
        self.rotation_security_group_id = groups.rotation.id if groups.rotation else None
        create_endpoints(
            name,
            ctx=self._ctx,
            vpc_id=self.vpc.id,
            gateway_route_table_ids=[
                *routes.private_route_table_ids,
                routes.database_route_table_id,
            ],
            subnet_ids=self.private_subnet_ids,
            security_group_id=self.endpoint_security_group_id,
            interface_endpoints=args.interface_endpoints,
            parent=self,
        )

        subnet_group = aws.rds.SubnetGroup(
            child_name(name, "db"),
            description=f"{name}: database subnets only",
            subnet_ids=self.database_subnet_ids,
            tags=name_tag(child_name(name, "db")),
            opts=self._child,
        )
        self.db_subnet_group_name = subnet_group.name

        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "database_subnet_ids": self.database_subnet_ids,
                "db_subnet_group_name": self.db_subnet_group_name,
            }
        )

    def _subnets(self, tier: str, cidrs: Sequence[str]) -> list[aws.ec2.Subnet]:
        subnets = []
        for az, cidr in zip(self._args.azs, cidrs, strict=True):
            name = child_name(self._name, tier, az)
            subnets.append(
                aws.ec2.Subnet(
                    name,
                    vpc_id=self.vpc.id,
                    cidr_block=cidr,
                    availability_zone=az,
                    # Even public subnets hand out no public IPs: only the load balancer and the
                    # NAT gateways (with their own Elastic IPs) face the internet.
                    map_public_ip_on_launch=False,
                    tags=name_tag(name, Tier=tier),
                    opts=self._child,
                )
            )
        return subnets

    def _route_table(self, suffix: str, subnets: Sequence[aws.ec2.Subnet]) -> aws.ec2.RouteTable:
        name = child_name(self._name, suffix)
        table = aws.ec2.RouteTable(name, vpc_id=self.vpc.id, tags=name_tag(name), opts=self._child)
        for subnet, az in zip(subnets, self._args.azs, strict=False):
            aws.ec2.RouteTableAssociation(
                child_name(name, az) if len(subnets) > 1 else name,
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=self._child,
            )
        return table

    def _create_routes(
        self,
        public: Sequence[aws.ec2.Subnet],
        private: Sequence[aws.ec2.Subnet],
        database: Sequence[aws.ec2.Subnet],
    ) -> _Routes:
        igw = aws.ec2.InternetGateway(
            child_name(self._name, "igw"),
            vpc_id=self.vpc.id,
            tags=name_tag(child_name(self._name, "igw")),
            opts=self._child,
        )
        public_table = self._route_table("public", public)
        aws.ec2.Route(
            child_name(self._name, "public-internet"),
            route_table_id=public_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=self._child,
        )

        nat_azs = self._args.azs if self._args.nat_strategy == "per-az" else self._args.azs[:1]
        nats = []
        for az, subnet in zip(nat_azs, public, strict=False):
            name = child_name(self._name, "nat", az)
            eip = aws.ec2.Eip(name, domain="vpc", tags=name_tag(name), opts=self._child)
            nats.append(
                aws.ec2.NatGateway(
                    name,
                    allocation_id=eip.allocation_id,
                    subnet_id=subnet.id,
                    tags=name_tag(name),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        # One table per AZ so that each private subnet leaves through the NAT of its own AZ:
        # an AZ outage then never takes the other AZs' egress with it.
        private_route_table_ids = []
        for index, (az, subnet) in enumerate(zip(self._args.azs, private, strict=True)):
            table = self._route_table(f"private-{az}", [subnet])
            nat = nats[index] if self._args.nat_strategy == "per-az" else nats[0]
            aws.ec2.Route(
                child_name(self._name, "private-nat", az),
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=self._child,
            )
            private_route_table_ids.append(table.id)

        # Database subnets get a table with the local route only: no internet, no NAT.
        return _Routes(
            nat_gateway_ids=[n.id for n in nats],
            private_route_table_ids=private_route_table_ids,
            database_route_table_id=self._route_table("database", database).id,
        )
