"""Where databases sit (RDS.46, P4, N3): in DB subnet groups whose subnets have no route to an
internet gateway, followed through `Links` (subnet group, subnets, route table associations,
route tables and routes), so that a first preview, where those ids are unknown, is judged too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationArgs

from ..effective import known, view_of
from .common import SUBNET, as_list, stack_policy
from .database import CLUSTER, CLUSTER_INSTANCE, INSTANCE
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"


def _public_subnets(view: Any) -> set[str]:
    """URNs of the subnets whose route table sends traffic to an internet gateway (a route
    resource or an inline route naming one), found through Links so that a first preview,
    where the gateway and table ids are unknown, finds them too."""
    links = view.links
    public_tables: set[str] = set()
    for resource in view.resources:
        if resource.resource_type == ROUTE_TABLE:
            for index in range(len(as_list(resource.props.get("routes")))):
                if _to_gateway(links, resource, ("routes", index, "gatewayId")):
                    public_tables.add(resource.urn)
        elif resource.resource_type == "aws:ec2/route:Route" and _to_gateway(
            links, resource, ("gatewayId",)
        ):
            public_tables |= {t.urn for t in links.targets(resource, "routeTableId", [ROUTE_TABLE])}
    return {
        subnet.urn
        for r in view.resources
        if r.resource_type == "aws:ec2/routeTableAssociation:RouteTableAssociation"
        and any(t.urn in public_tables for t in links.targets(r, "routeTableId", [ROUTE_TABLE]))
        for subnet in links.targets(r, "subnetId", [SUBNET])
    }


def _to_gateway(links: Any, resource: Any, path: tuple[str | int, ...]) -> bool:
    """Whether a route's gateway is an internet gateway: one the stack declares, or an
    `igw-` id."""
    if links.targets(resource, path, [INTERNET_GATEWAY]):
        return True
    return str(known(resource.props, *path) or "").startswith("igw-")


def _placement(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    view = view_of(args.resources)
    public = _public_subnets(view)
    for resource in args.resources:
        if resource.resource_type not in (INSTANCE, CLUSTER_INSTANCE, CLUSTER):
            continue
        exposed = sorted(
            subnet.name
            for group in view.links.targets(resource, "dbSubnetGroupName", [SUBNET_GROUP])
            for subnet in view.links.targets(group, "subnetIds", [SUBNET])
            if subnet.urn in public
        )
        if exposed:
            yield (
                resource.urn,
                f"{resource.name} is placed in subnets routed to an internet gateway "
                f"({', '.join(exposed)}): use a DB subnet group of private subnets",
            )


POLICIES = [
    stack_policy(
        "rds-private-subnets",
        "P4: databases are placed in DB subnet groups whose subnets have no route to an "
        "internet gateway.",
        MANDATORY,
        _placement,
        Meta(
            category="network",
            requirements=("P4", "N3"),
            partial={
                "RDS.46": "subnet groups, subnets and route tables the stack does not declare "
                "are not seen",
            },
            remediation=(
                "Give the database a DB subnet group made of private subnets whose route tables "
                "send 0.0.0.0/0 to a NAT gateway, or nowhere."
            ),
        ),
    ),
]
