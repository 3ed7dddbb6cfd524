"""Network tier: VPC, subnets per AZ and tier, gateways, routes, flow logs, endpoints and the
security groups every other tier uses (N1-N9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .iam import allow, document, service_trust_policy
from .logs import encrypted_log_group
from .naming import child_name, name_tag, token

# AWS-owned buckets that instances and tasks in the private subnets read through the S3
# gateway endpoint: ECR image layers (ECR User Guide, "Minimum Amazon S3 bucket permissions for
# Amazon ECR"), Amazon Linux 2023 packages (AL2023 User Guide, "Amazon S3 VPC endpoint"), and
# the buckets the SSM Agent and the CloudWatch agent fetch from (Systems Manager User Guide,
# "Minimum S3 bucket permissions for SSM Agent").
AWS_OWNED_BUCKETS = (
    "prod-{region}-starport-layer-bucket",
    "al2023-repos-{region}-de612dc2",
    "aws-ssm-{region}",
    "amazon-ssm-{region}",
    "amazon-ssm-packages-{region}",
    "{region}-birdwatcher-prod",
    "aws-ssm-document-attachments-{region}",
    "patch-baseline-snapshot-{region}",
    "amazoncloudwatch-agent-{region}",
)
POSTGRES_PORT = 5432
HTTPS_PORT = 443
HTTP_PORT = 80
SSH_PORT = 22


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

        self._create_routes(public, private, database)
        self._create_flow_logs()
        self._create_security_groups()
        self._create_endpoints()

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
    ) -> None:
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
        self.nat_gateway_ids = [n.id for n in nats]

        # One table per AZ so that each private subnet leaves through the NAT of its own AZ:
        # an AZ outage then never takes the other AZs' egress with it.
        self.private_route_table_ids = []
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
            self.private_route_table_ids.append(table.id)

        # Database subnets get a table with the local route only: no internet, no NAT.
        self.database_route_table_id = self._route_table("database", database).id

    def _create_flow_logs(self) -> None:
        name = child_name(self._name, "flow-logs")
        group = encrypted_log_group(
            name,
            kms_key_arn=self._args.logs_key_arn,
            retention_days=self._args.log_retention_days,
            parent=self,
        )
        role = aws.iam.Role(
            name,
            description=f"{name}: VPC flow logs delivery",
            assume_role_policy=service_trust_policy(
                "vpc-flow-logs.amazonaws.com",
                source_account=self._ctx.account_id,
                source_arn=self._ctx.arn("ec2", "vpc-flow-log/*"),
            ),
            tags=name_tag(name),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=document(
                [
                    allow(
                        ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        [group.arn, pulumi.Output.concat(group.arn, ":*")],
                        sid="WriteFlowLogGroup",
                    ),
                ]
            ),
            opts=self._child,
        )
        aws.ec2.FlowLog(
            name,
            vpc_id=self.vpc.id,
            traffic_type=self._args.flow_log_traffic,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=name_tag(name),
            opts=self._child,
        )
        self.flow_log_group_arn = group.arn

    def _security_group(self, suffix: str, description: str) -> aws.ec2.SecurityGroup:
        # No `name`: autonaming from the logical name keeps groups unique per stack and never
        # starting with "sg-", which AWS reserves.
        name = child_name(self._name, suffix)
        return aws.ec2.SecurityGroup(
            name,
            description=description,
            vpc_id=self.vpc.id,
            tags=name_tag(name),
            opts=self._child,
        )

    def _rule(
        self,
        name: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        *,
        peer_group: aws.ec2.SecurityGroup | None = None,
        cidr: pulumi.Input[str] | None = None,
        egress: bool = False,
    ) -> None:
        """One TCP port in (from `peer_group` or `cidr`) or, with `egress`, out (to them)."""
        rule_name = child_name(self._name, name)
        rule = aws.vpc.SecurityGroupEgressRule if egress else aws.vpc.SecurityGroupIngressRule
        rule(
            rule_name,
            security_group_id=group.id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=peer_group.id if peer_group else None,
            cidr_ipv4=cidr,
            tags=name_tag(rule_name),
            opts=self._child,
        )

    def _create_security_groups(self) -> None:
        args = self._args
        alb = self._security_group("alb-sg", "Load balancer: HTTPS and redirecting HTTP")
        app = self._security_group("app-sg", "Application instances behind the load balancer")
        db = self._security_group("db-sg", "PostgreSQL: from the app and rotation function")
        endpoints = self._security_group("endpoints-sg", "Interface VPC endpoints")

        self._rule("alb-in-https", alb, HTTPS_PORT, "HTTPS from the internet", cidr="0.0.0.0/0")
        self._rule(
            "alb-in-http",
            alb,
            HTTP_PORT,
            "HTTP (redirect only) from the internet",
            cidr="0.0.0.0/0",
        )
        self._rule(
            "alb-out-app", alb, args.app_port, "To the app tier", peer_group=app, egress=True
        )

        self._rule("app-in-alb", app, args.app_port, "From the load balancer", peer_group=alb)
        if args.admin_cidrs:
            self._instance_connect(app)
        self._rule("app-out-db", app, POSTGRES_PORT, "To PostgreSQL", peer_group=db, egress=True)
        # HTTPS out reaches AWS APIs through the endpoints or the NAT (package mirrors, SSM).
        self._rule(
            "app-out-https",
            app,
            HTTPS_PORT,
            "HTTPS to AWS APIs and updates",
            cidr="0.0.0.0/0",
            egress=True,
        )

        self._rule("db-in-app", db, POSTGRES_PORT, "From the app tier", peer_group=app)
        self.rotation_security_group_id = None
        if args.rotation_function:
            rotation = self._security_group("rotation-sg", "Secret rotation function")
            self._rule(
                "db-in-rotation",
                db,
                POSTGRES_PORT,
                "From the rotation function",
                peer_group=rotation,
            )
            self._rule(
                "rotation-out-db",
                rotation,
                POSTGRES_PORT,
                "To PostgreSQL",
                peer_group=db,
                egress=True,
            )
            self._rule(
                "rotation-out-endpoints",
                rotation,
                HTTPS_PORT,
                "To Secrets Manager through the endpoint",
                peer_group=endpoints,
                egress=True,
            )
            self.rotation_security_group_id = rotation.id

        self._rule(
            "endpoints-in-vpc",
            endpoints,
            HTTPS_PORT,
            "HTTPS from inside the VPC",
            cidr=self.vpc.cidr_block,
        )

        self.alb_security_group_id = alb.id
        self.app_security_group_id = app.id
        self.database_security_group_id = db.id
        self.endpoint_security_group_id = endpoints.id

    def _instance_connect(self, app: aws.ec2.SecurityGroup) -> None:
        """SSH that reaches instances without a public address: an EC2 Instance Connect
        endpoint in the first private subnet (one per VPC is AWS's limit). It keeps the
        client's address (`preserve_client_ip`), so the app group admits SSH from the admin
        networks only; who may open a tunnel is IAM's `ec2-instance-connect:OpenTunnel`."""
        group = self._security_group("eic-sg", "EC2 Instance Connect endpoint")
        self._rule(
            "eic-out-ssh", group, SSH_PORT, "SSH to the app tier", peer_group=app, egress=True
        )
        for index, cidr in enumerate(self._args.admin_cidrs):
            self._rule(
                f"app-in-ssh-{index}",
                app,
                SSH_PORT,
                "SSH from the admin network through Instance Connect",
                cidr=cidr,
            )
        name = child_name(self._name, "eic")
        aws.ec2transitgateway.InstanceConnectEndpoint(
            name,
            subnet_id=self.private_subnet_ids[0],
            security_group_ids=[group.id],
            preserve_client_ip=True,
            tags=name_tag(name),
            # Every input forces a replacement (no update API) and a VPC holds one endpoint,
            # so the old one must go before the new one can be created.
            opts=pulumi.ResourceOptions.merge(
                self._child, pulumi.ResourceOptions(delete_before_replace=True)
            ),
        )

    def _create_endpoints(self) -> None:
        ctx = self._ctx

        def service(name: str) -> pulumi.Output[str]:
            return pulumi.Output.concat("com.amazonaws.", ctx.region, ".", name)

        aws.ec2.VpcEndpoint(
            child_name(self._name, "s3"),
            vpc_id=self.vpc.id,
            service_name=service("s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[*self.private_route_table_ids, self.database_route_table_id],
            policy=self._s3_endpoint_policy(),
            tags=name_tag(child_name(self._name, "s3")),
            opts=self._child,
        )
        this_account = document(
            [
                {
                    "Sid": "ThisAccountsPrincipalsOnly",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": ctx.account_id}},
                }
            ]
        )
        for endpoint in self._args.interface_endpoints:
            name = child_name(self._name, endpoint.replace(".", "-"))
            # Not every service takes an endpoint policy; AWS says which does.
            details = aws.ec2.get_vpc_endpoint_service_output(
                service_name=service(endpoint),
                service_type="Interface",
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
            policy = pulumi.Output.all(details.vpc_endpoint_policy_supported, this_account).apply(
                lambda values: values[1] if values[0] else None
            )
            aws.ec2.VpcEndpoint(
                name,
                vpc_id=self.vpc.id,
                service_name=service(endpoint),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[self.endpoint_security_group_id],
                policy=policy,
                tags=name_tag(name),
                opts=self._child,
            )

    def _s3_endpoint_policy(self) -> pulumi.Output[str]:
        """The S3 gateway endpoint reaches this account's buckets and the AWS-owned buckets the
        private subnets need (N7): without a policy it would reach every bucket on Earth."""
        ctx = self._ctx
        resources = pulumi.Output.all(ctx.partition, ctx.region).apply(
            lambda values: [
                f"arn:{values[0]}:s3:::{bucket.format(region=values[1])}/*"
                for bucket in AWS_OWNED_BUCKETS
            ]
        )
        return document(
            [
                {
                    "Sid": "ThisAccountsBuckets",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceAccount": ctx.account_id}},
                },
                {
                    "Sid": "AwsOwnedBucketsTheSubnetsNeed",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": resources,
                },
            ]
        )
