"""P7 resilience: Multi-AZ databases with backups, deletion protection, protected stateful
resources, a NAT gateway per AZ.

The same checks run as two policies: `prod-resilience` (mandatory) sees only resources whose
effective Environment tag is prod/production (case-insensitive), `nonprod-resilience`
(advisory) sees the rest, so non-production stacks learn what production will demand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity, StackValidationArgs

from ..effective import view_of
from .common import (
    SUBNET,
    as_list,
    environment_of,
    get,
    is_prod,
    resource_policy,
    stack_policy,
    truthy,
)
from .metadata import Meta

MIN_BACKUP_DAYS = 7
STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:secretsmanager/secret:Secret",
        "aws:backup/vault:Vault",
        "aws:dynamodb/table:Table",
        "aws:efs/fileSystem:FileSystem",
    }
)


def _backups(props: Any, default: int) -> Iterator[str]:
    retention = props.get("backupRetentionPeriod")
    days = default if retention is None else int(retention)
    if days < MIN_BACKUP_DAYS:
        yield f"backupRetentionPeriod is {days}: set it to at least {MIN_BACKUP_DAYS} days"


def _deletion(props: Any) -> Iterator[str]:
    if not truthy(props.get("deletionProtection")):
        yield "deletionProtection is not true: set deletionProtection=True"
    # RDS refuses a final snapshot of a read replica (preflight-replica-final-snapshot): its
    # data lives on in its source.
    if truthy(props.get("skipFinalSnapshot")) and not props.get("replicateSourceDb"):
        yield "skipFinalSnapshot is true: set it to False and name a finalSnapshotIdentifier"


def _rds_instance(props: Any) -> Iterator[str]:
    if not truthy(props.get("multiAz")):
        yield "multiAz is not true: set multiAz=True (a standby in another AZ)"
    if not props.get("replicateSourceDb"):
        yield from _backups(props, 0)
    yield from _deletion(props)


def _rds_cluster(props: Any) -> Iterator[str]:
    yield from _backups(props, 1)
    yield from _deletion(props)


def _load_balancer(props: Any) -> Iterator[str]:
    # Application, network and gateway load balancers alike (ELB.6).
    if not truthy(props.get("enableDeletionProtection")):
        yield "enableDeletionProtection is not true: set enableDeletionProtection=True"


def _auto_scaling_group(props: Any) -> Iterator[str]:
    # AutoScaling.6: capacity survives one instance type running short in an AZ.
    policy = props.get("mixedInstancesPolicy")
    overrides = as_list(get(policy, "launchTemplate", "overrides")) if policy else []
    types = {o.get("instanceType") for o in overrides if o.get("instanceType")}
    requirements = any(o.get("instanceRequirements") for o in overrides)
    if len(types) < 2 and not requirements:
        yield (
            "the group launches a single instance type: give it a mixed_instances_policy whose "
            "launch template overrides list two or more instance types (or instance "
            "requirements)"
        )


CHECKS: dict[str, Callable[[Any], Iterator[str]]] = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:autoscaling/group:Group": _auto_scaling_group,
}


def resilience_check(prod: bool) -> Callable[[ResourceValidationArgs], Iterator[str]]:
    """The shared validator, restricted to production (True) or non-production resources."""

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        handler = CHECKS.get(args.resource_type)
        stateful = args.resource_type in STATEFUL_TYPES
        if handler is None and not stateful:
            return
        if is_prod(environment_of(args.props, args.provider)) != prod:
            return
        if handler is not None:
            yield from handler(args.props)
        if stateful and not args.opts.protect:
            yield (
                "resource option protect is not set on this stateful resource: pass "
                "ResourceOptions(protect=True) so it cannot be deleted by accident"
            )

    return check


NAT = "aws:ec2/natGateway:NatGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"


def _nat_per_az(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    # Subnet -> association -> route table -> NAT gateway -> its subnet's AZ, each hop through
    # Links, so a first preview (where every id is unknown) follows the same path.
    links = view_of(args.resources).links
    if not any(
        r.resource_type == "aws:ec2/vpc:Vpc" and is_prod(environment_of(r.props, r.provider))
        for r in args.resources
    ):
        return
    table_nats: dict[str, list[Any]] = {}
    for table in args.resources:
        if table.resource_type == ROUTE_TABLE:
            for index in range(len(as_list(table.props.get("routes")))):
                nats = links.targets(table, ("routes", index, "natGatewayId"), [NAT])
                table_nats.setdefault(table.urn, []).extend(nats)
        elif table.resource_type == "aws:ec2/route:Route":
            nats = links.targets(table, "natGatewayId", [NAT])
            for owner in links.targets(table, "routeTableId", [ROUTE_TABLE]):
                table_nats.setdefault(owner.urn, []).extend(nats)
    for association in args.resources:
        if association.resource_type != "aws:ec2/routeTableAssociation:RouteTableAssociation":
            continue
        for subnet in links.targets(association, "subnetId", [SUBNET]):
            vpc = next(iter(links.targets(subnet, "vpcId", ["aws:ec2/vpc:Vpc"])), None)
            if vpc is None or not is_prod(environment_of(vpc.props, vpc.provider)):
                continue
            az = subnet.props.get("availabilityZone")
            for table in links.targets(association, "routeTableId", [ROUTE_TABLE]):
                for nat in table_nats.get(table.urn, []):
                    nat_subnet = next(iter(links.targets(nat, "subnetId", [SUBNET])), None)
                    nat_az = nat_subnet.props.get("availabilityZone") if nat_subnet else None
                    if nat_az != az:
                        yield (
                            association.urn,
                            f"a private subnet in {az} of VPC {vpc.name} routes through the "
                            f"NAT gateway in {nat_az}: in production give every AZ its own "
                            "NAT gateway and route each private subnet to the one in its AZ",
                        )


def _aurora_replicas(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    clusters = [
        r
        for r in args.resources
        if r.resource_type == "aws:rds/cluster:Cluster"
        # Multi-AZ DB clusters (dbClusterInstanceClass) place their own instances in 3 AZs.
        and not r.props.get("dbClusterInstanceClass")
        and is_prod(environment_of(r.props, r.provider))
    ]
    if not clusters:
        return
    members: dict[Any, int] = {}
    for resource in args.resources:
        if resource.resource_type == "aws:rds/clusterInstance:ClusterInstance":
            key = resource.props.get("clusterIdentifier")
            members[key] = members.get(key, 0) + 1
    for cluster in clusters:
        count = members.get(cluster.props.get("id"), 0)
        if count < 2:
            yield (
                cluster.urn,
                f"Aurora cluster {cluster.name} has {count} ClusterInstance(s): in production "
                "add at least a writer and one reader (clusterIdentifier = the cluster) so a "
                "failover has somewhere to go",
            )


# The prod and non-prod policies run the same checks, so they claim the same controls.
RESILIENCE = Meta(
    category="resilience",
    requirements=("P7",),
    controls=("RDS.5", "RDS.7", "RDS.8", "RDS.11", "ELB.6", "AutoScaling.6"),
    partial={
        "KMS.3": "keys must carry protect; whether one is scheduled for deletion is only "
        "visible in the account",
    },
    remediation=(
        "RDS: multi_az=True, backup_retention_period >= 7, deletion_protection=True and a final "
        "snapshot. Load balancers: enable_deletion_protection=True. Auto Scaling groups: a "
        "mixed_instances_policy with at least two instance types over two or more AZs. "
        "Stateful resources: ResourceOptions(protect=True)."
    ),
)

POLICIES = [
    resource_policy(
        "prod-resilience",
        "P7 (Environment prod/production): RDS Multi-AZ, backups >= 7 days, deletion "
        "protection and final snapshots on RDS/Aurora/load balancers; Auto Scaling groups "
        "with two or more instance types; stateful resources (RDS, KMS keys, buckets, "
        "secrets, backup vaults) have protect set.",
        EnforcementLevel.MANDATORY,
        resilience_check(prod=True),
        meta=RESILIENCE,
    ),
    resource_policy(
        "nonprod-resilience",
        "P7 (other environments, advisory): the same checks as prod-resilience.",
        EnforcementLevel.ADVISORY,
        resilience_check(prod=False),
        meta=RESILIENCE,
    ),
    stack_policy(
        "prod-nat-per-az",
        "P7 (Environment prod/production): each private subnet routes through a NAT gateway in "
        "its own AZ (one NAT per AZ).",
        EnforcementLevel.MANDATORY,
        _nat_per_az,
        meta=Meta(
            category="resilience",
            requirements=("P7",),
            severity=Severity.MEDIUM,
            url="https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html",
            remediation=(
                "Create one NAT gateway in a public subnet of each AZ and route each private "
                "subnet's 0.0.0.0/0 to the NAT gateway in its own AZ (network.natStrategy: "
                "per-az)."
            ),
        ),
    ),
    stack_policy(
        "prod-aurora-replicas",
        "P7 (Environment prod/production): every Aurora cluster has at least two cluster "
        "instances (a writer and a reader to fail over to).",
        EnforcementLevel.MANDATORY,
        _aurora_replicas,
        meta=Meta(
            category="resilience",
            requirements=("P7",),
            partial={
                "RDS.15": "production clusters need two or more instances; which AZs they land in "
                "is left to RDS",
            },
            remediation=(
                "Add at least two aws.rds.ClusterInstance resources (a writer and a reader) with "
                "cluster_identifier set to the cluster."
            ),
        ),
    ),
]
