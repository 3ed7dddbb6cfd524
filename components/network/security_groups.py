"""The security groups every tier uses, referencing each other instead of CIDRs (N5), and
the EC2 Instance Connect endpoint when admin CIDRs are configured."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child_name, name_tag

POSTGRES_PORT = 5432
HTTPS_PORT = 443
HTTP_PORT = 80
SSH_PORT = 22


@dataclass(frozen=True)
class SecurityGroups:
    """The tiers' groups; `rotation` is None where no rotation function runs."""

    alb: aws.ec2.SecurityGroup
    app: aws.ec2.SecurityGroup
    database: aws.ec2.SecurityGroup
    endpoints: aws.ec2.SecurityGroup
    rotation: aws.ec2.SecurityGroup | None


@dataclass(frozen=True)
class _GroupMaker:
    """Makes groups in one VPC and their rules, named under the network's name."""

    base_name: str
    vpc_id: pulumi.Input[str]
    parent: pulumi.Resource

    def group(self, suffix: str, description: str) -> aws.ec2.SecurityGroup:
        """An empty group in the VPC; its rules come from `rule`."""
        # No `name`: autonaming from the logical name keeps groups unique per stack and never
        # starting with "sg-", which AWS reserves.
        name = child_name(self.base_name, suffix)
        return aws.ec2.SecurityGroup(
            name,
            description=description,
            vpc_id=self.vpc_id,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self.parent),
        )

    def rule(
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
        rule_name = child_name(self.base_name, name)
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
            opts=pulumi.ResourceOptions(parent=self.parent),
        )


def create_security_groups(
    base_name: str,
    *,
    vpc: aws.ec2.Vpc,
    app_port: int,
    admin_cidrs: Sequence[str],
    rotation_function: bool,
    instance_connect_subnet_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> SecurityGroups:
    """The load balancer, app, database and endpoint groups in `vpc` (and the rotation
    function's where `rotation_function`), with the rules between them; SSH from
    `admin_cidrs` through an Instance Connect endpoint in `instance_connect_subnet_id`."""
    make = _GroupMaker(base_name, vpc.id, parent)
    rule = make.rule
    alb = make.group("alb-sg", "Load balancer: HTTPS and redirecting HTTP")
    app = make.group("app-sg", "Application instances behind the load balancer")
    db = make.group("db-sg", "PostgreSQL: from the app and rotation function")
    endpoints = make.group("endpoints-sg", "Interface VPC endpoints")

    rule("alb-in-https", alb, HTTPS_PORT, "HTTPS from the internet", cidr="0.0.0.0/0")
    rule("alb-in-http", alb, HTTP_PORT, "HTTP (redirect only) from the internet", cidr="0.0.0.0/0")
    rule("alb-out-app", alb, app_port, "To the app tier", peer_group=app, egress=True)

    rule("app-in-alb", app, app_port, "From the load balancer", peer_group=alb)
    if admin_cidrs:
        _instance_connect(make, app, admin_cidrs, instance_connect_subnet_id)
    rule("app-out-db", app, POSTGRES_PORT, "To PostgreSQL", peer_group=db, egress=True)
    # HTTPS out reaches AWS APIs through the endpoints or the NAT (package mirrors, SSM).
    rule(
        "app-out-https",
        app,
        HTTPS_PORT,
        "HTTPS to AWS APIs and updates",
        cidr="0.0.0.0/0",
        egress=True,
    )

    rule("db-in-app", db, POSTGRES_PORT, "From the app tier", peer_group=app)
    rotation = None
    if rotation_function:
        rotation = make.group("rotation-sg", "Secret rotation function")
        rule("db-in-rotation", db, POSTGRES_PORT, "From the rotation function", peer_group=rotation)
        rule(
            "rotation-out-db", rotation, POSTGRES_PORT, "To PostgreSQL", peer_group=db, egress=True
        )
        rule(
            "rotation-out-endpoints",
            rotation,
            HTTPS_PORT,
            "To Secrets Manager through the endpoint",
            peer_group=endpoints,
            egress=True,
        )

    rule(
        "endpoints-in-vpc", endpoints, HTTPS_PORT, "HTTPS from inside the VPC", cidr=vpc.cidr_block
    )
    return SecurityGroups(alb=alb, app=app, database=db, endpoints=endpoints, rotation=rotation)


def _instance_connect(
    make: _GroupMaker,
    app: aws.ec2.SecurityGroup,
    admin_cidrs: Sequence[str],
    subnet_id: pulumi.Input[str],
) -> aws.ec2transitgateway.InstanceConnectEndpoint:
    """SSH that reaches instances without a public address: an EC2 Instance Connect
    endpoint in the first private subnet (one per VPC is AWS's limit). It keeps the
    client's address (`preserve_client_ip`), so the app group admits SSH from the admin
    networks only; who may open a tunnel is IAM's `ec2-instance-connect:OpenTunnel`."""
    group = make.group("eic-sg", "EC2 Instance Connect endpoint")
    make.rule("eic-out-ssh", group, SSH_PORT, "SSH to the app tier", peer_group=app, egress=True)
    for index, cidr in enumerate(admin_cidrs):
        make.rule(
            f"app-in-ssh-{index}",
            app,
            SSH_PORT,
            "SSH from the admin network through Instance Connect",
            cidr=cidr,
        )
    name = child_name(make.base_name, "eic")
    return aws.ec2transitgateway.InstanceConnectEndpoint(
        name,
        subnet_id=subnet_id,
        security_group_ids=[group.id],
        preserve_client_ip=True,
        tags=name_tag(name),
        # Every input forces a replacement (no update API) and a VPC holds one endpoint,
        # so the old one must go before the new one can be created.
        opts=pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(parent=make.parent),
            pulumi.ResourceOptions(delete_before_replace=True),
        ),
    )
