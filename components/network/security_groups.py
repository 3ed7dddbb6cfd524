"""The security groups every tier uses, referencing each other instead of CIDRs (N5), and
the EC2 Instance Connect endpoint when admin CIDRs are configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..naming import child_name, name_tag

POSTGRES_PORT = 5432
HTTPS_PORT = 443
HTTP_PORT = 80
SSH_PORT = 22

if TYPE_CHECKING:
    from .component import Network


def security_group(network: Network, suffix: str, description: str) -> aws.ec2.SecurityGroup:
    # No `name`: autonaming from the logical name keeps groups unique per stack and never
    # starting with "sg-", which AWS reserves.
    name = child_name(network._name, suffix)
    return aws.ec2.SecurityGroup(
        name,
        description=description,
        vpc_id=network.vpc.id,
        tags=name_tag(name),
        opts=network._child,
    )


def rule(
    network: Network,
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
    rule_name = child_name(network._name, name)
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
        opts=network._child,
    )


def create_security_groups(network: Network) -> None:
    args = network._args
    alb = security_group(network, "alb-sg", "Load balancer: HTTPS and redirecting HTTP")
    app = security_group(network, "app-sg", "Application instances behind the load balancer")
    db = security_group(network, "db-sg", "PostgreSQL: from the app and rotation function")
    endpoints = security_group(network, "endpoints-sg", "Interface VPC endpoints")

    rule(network, "alb-in-https", alb, HTTPS_PORT, "HTTPS from the internet", cidr="0.0.0.0/0")
    rule(
        network,
        "alb-in-http",
        alb,
        HTTP_PORT,
        "HTTP (redirect only) from the internet",
        cidr="0.0.0.0/0",
    )
    rule(network, "alb-out-app", alb, args.app_port, "To the app tier", peer_group=app, egress=True)

    rule(network, "app-in-alb", app, args.app_port, "From the load balancer", peer_group=alb)
    if args.admin_cidrs:
        instance_connect(network, app)
    rule(network, "app-out-db", app, POSTGRES_PORT, "To PostgreSQL", peer_group=db, egress=True)
    # HTTPS out reaches AWS APIs through the endpoints or the NAT (package mirrors, SSM).
    rule(
        network,
        "app-out-https",
        app,
        HTTPS_PORT,
        "HTTPS to AWS APIs and updates",
        cidr="0.0.0.0/0",
        egress=True,
    )

    rule(network, "db-in-app", db, POSTGRES_PORT, "From the app tier", peer_group=app)
    network.rotation_security_group_id = None
    if args.rotation_function:
        rotation = security_group(network, "rotation-sg", "Secret rotation function")
        rule(
            network,
            "db-in-rotation",
            db,
            POSTGRES_PORT,
            "From the rotation function",
            peer_group=rotation,
        )
        rule(
            network,
            "rotation-out-db",
            rotation,
            POSTGRES_PORT,
            "To PostgreSQL",
            peer_group=db,
            egress=True,
        )
        rule(
            network,
            "rotation-out-endpoints",
            rotation,
            HTTPS_PORT,
            "To Secrets Manager through the endpoint",
            peer_group=endpoints,
            egress=True,
        )
        network.rotation_security_group_id = rotation.id

    rule(
        network,
        "endpoints-in-vpc",
        endpoints,
        HTTPS_PORT,
        "HTTPS from inside the VPC",
        cidr=network.vpc.cidr_block,
    )

    network.alb_security_group_id = alb.id
    network.app_security_group_id = app.id
    network.database_security_group_id = db.id
    network.endpoint_security_group_id = endpoints.id


def instance_connect(network: Network, app: aws.ec2.SecurityGroup) -> None:
    """SSH that reaches instances without a public address: an EC2 Instance Connect
    endpoint in the first private subnet (one per VPC is AWS's limit). It keeps the
    client's address (`preserve_client_ip`), so the app group admits SSH from the admin
    networks only; who may open a tunnel is IAM's `ec2-instance-connect:OpenTunnel`."""
    group = security_group(network, "eic-sg", "EC2 Instance Connect endpoint")
    rule(
        network, "eic-out-ssh", group, SSH_PORT, "SSH to the app tier", peer_group=app, egress=True
    )
    for index, cidr in enumerate(network._args.admin_cidrs):
        rule(
            network,
            f"app-in-ssh-{index}",
            app,
            SSH_PORT,
            "SSH from the admin network through Instance Connect",
            cidr=cidr,
        )
    name = child_name(network._name, "eic")
    aws.ec2transitgateway.InstanceConnectEndpoint(
        name,
        subnet_id=network.private_subnet_ids[0],
        security_group_ids=[group.id],
        preserve_client_ip=True,
        tags=name_tag(name),
        # Every input forces a replacement (no update API) and a VPC holds one endpoint,
        # so the old one must go before the new one can be created.
        opts=pulumi.ResourceOptions.merge(
            network._child, pulumi.ResourceOptions(delete_before_replace=True)
        ),
    )
