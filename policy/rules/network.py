"""P4 network: no world ingress except 80/443, admin ports only from admin CIDRs, nothing
public that should be private, S3 public-access blocks fully on."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity, StackValidationArgs

from ..effective import view_of
from .buckets import bucket_configs
from .common import as_list, by_type, get, resource_policy, stack_policy, truthy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
WORLD = frozenset({"0.0.0.0/0", "::/0"})
WEB_PORTS = frozenset({80, 443})
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
ICMP_PROTOCOLS = frozenset({"icmp", "icmpv6", "1", "58"})
PAB_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _port_range(rule: Mapping[str, Any]) -> tuple[int, int] | None:
    """(from, to) ports of a rule; None when it covers every port (protocol -1/all)."""
    protocol = str(rule.get("protocol") or rule.get("ipProtocol") or "-1").lower()
    if protocol in ("-1", "all"):
        return None
    low, high = rule.get("fromPort"), rule.get("toPort")
    if low is None or high is None:
        return None
    low, high = int(low), int(high)
    if low == -1 or (low == 0 and high in (0, 65535)):
        return None
    return low, high


def _covers(ports: tuple[int, int] | None, port: int) -> bool:
    return ports is None or ports[0] <= port <= ports[1]


def _describe(ports: tuple[int, int] | None, protocol: str = "tcp") -> str:
    if protocol in ICMP_PROTOCOLS:
        return "ICMP"
    if ports is None:
        return "all ports"
    return f"port {ports[0]}" if ports[0] == ports[1] else f"ports {ports[0]}-{ports[1]}"


def _within(cidr: str, allowed: list[str]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    for candidate in allowed:
        try:
            parent = ipaddress.ip_network(candidate, strict=False)
        except ValueError:
            continue
        if network.version == parent.version and network.subnet_of(parent):
            return True
    return False


def ingress_problems(
    label: str, rule: Mapping[str, Any], cidrs: list[str], admin_cidrs: list[str]
) -> Iterator[str]:
    """Problems of one ingress rule reaching the given source CIDRs."""
    ports = _port_range(rule)
    protocol = str(rule.get("protocol") or rule.get("ipProtocol") or "-1").lower()
    admin_ports = {} if protocol in ICMP_PROTOCOLS else ADMIN_PORTS
    for cidr in cidrs:
        for port, service in admin_ports.items():
            if _covers(ports, port) and not _within(cidr, admin_cidrs):
                where = f"the whole internet ({cidr})" if cidr in WORLD else cidr
                yield (
                    f"{label} opens {service} ({_describe(ports)}) to {where}: allow {port} "
                    f"only from an allowed admin CIDR ({', '.join(admin_cidrs) or 'none set'}) "
                    "or use Session Manager"
                )
                break
        else:
            if cidr in WORLD and not (ports is not None and ports[0] == ports[1] in WEB_PORTS):
                yield (
                    f"{label} allows {cidr} on {_describe(ports, protocol)}: the internet may "
                    "reach only ports 80/443; use a security-group reference or a narrower CIDR"
                )


def _admin_cidrs(args: ResourceValidationArgs) -> list[str]:
    return [str(c) for c in as_list(args.get_config().get("allowedAdminCidrs"))]


def _security_group(args: ResourceValidationArgs) -> Iterator[str]:
    for index, rule in enumerate(as_list(args.props.get("ingress"))):
        cidrs = [*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks"))]
        yield from ingress_problems(f"ingress[{index}]", rule, cidrs, _admin_cidrs(args))


def _security_group_rule(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if props.get("type") != "ingress":
        return
    cidrs = [*as_list(props.get("cidrBlocks")), *as_list(props.get("ipv6CidrBlocks"))]
    yield from ingress_problems("cidrBlocks/ipv6CidrBlocks", props, cidrs, _admin_cidrs(args))


def _ingress_rule(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    cidrs = [str(c) for c in (props.get("cidrIpv4"), props.get("cidrIpv6")) if c]
    yield from ingress_problems("cidrIpv4/cidrIpv6", props, cidrs, _admin_cidrs(args))


def _database(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(args.props.get("publiclyAccessible")):
        yield "publiclyAccessible is true: set publiclyAccessible=False (databases stay private)"


def _instance(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(args.props.get("associatePublicIpAddress")):
        yield (
            "associatePublicIpAddress is true: set it to False and reach the instance through "
            "a load balancer or Session Manager"
        )


def _launch_template(args: ResourceValidationArgs) -> Iterator[str]:
    for index, interface in enumerate(as_list(args.props.get("networkInterfaces"))):
        if truthy(interface.get("associatePublicIpAddress")):
            yield (
                f"networkInterfaces[{index}].associatePublicIpAddress is true: set it to false "
                "(instances run in private subnets)"
            )


def _launch_configuration(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(args.props.get("associatePublicIpAddress")):
        yield (
            "associatePublicIpAddress is true: set it to False (instances run in private "
            "subnets behind the load balancer)"
        )


def _ecs_network(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(get(args.props, "networkConfiguration", "assignPublicIp")):
        yield (
            "networkConfiguration.assignPublicIp is true: set assign_public_ip=False and run "
            "the tasks in private subnets (they reach AWS APIs through NAT or VPC endpoints)"
        )


def _subnet(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(args.props.get("mapPublicIpOnLaunch")):
        yield (
            "mapPublicIpOnLaunch is true: set it to False; give public endpoints a load "
            "balancer or an Elastic IP instead"
        )


def _public_access_block_remediation(args: ResourceValidationArgs) -> dict[str, Any] | None:
    """Turn every public-access-block flag on (the only exposure this policy fixes itself:
    the others change how a resource is reached)."""
    if args.resource_type != PAB_TYPE:
        return None
    if all(truthy(args.props.get(flag)) for flag in PAB_FLAGS):
        return None
    return {**args.props, **dict.fromkeys(PAB_FLAGS, True)}


def _public_access_block(args: ResourceValidationArgs) -> Iterator[str]:
    off = [flag for flag in PAB_FLAGS if not truthy(args.props.get(flag))]
    if off:
        yield f"{', '.join(off)} not true: set all four public-access-block flags to True"


def _buckets_blocked(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    for effective in bucket_configs(args.resources):
        bucket = effective.resource
        if not effective.of(PAB_TYPE):
            yield (
                bucket.urn,
                f"bucket {bucket.props.get('bucket') or bucket.name} has no "
                "BucketPublicAccessBlock: add one with all four flags True",
            )


LOAD_BALANCER_TYPES = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
)
WAF_ASSOCIATION_TYPE = "aws:wafv2/webAclAssociation:WebAclAssociation"


def _public_load_balancers_behind_waf(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    """Every internet-facing Application Load Balancer has a regional WAF web ACL associated
    (C9; AWS FSBP ELB / WAF guidance, Checkov CKV2_AWS_28)."""
    protected = view_of(args.resources).links.names(
        [r for r in args.resources if r.resource_type == WAF_ASSOCIATION_TYPE],
        LOAD_BALANCER_TYPES,
        "resourceArn",
    )
    for balancer in args.resources:
        if balancer.resource_type not in LOAD_BALANCER_TYPES:
            continue
        props = balancer.props
        if truthy(props.get("internal")):
            continue
        if (props.get("loadBalancerType") or "application") != "application":
            continue
        if balancer.urn not in protected:
            yield (
                balancer.urn,
                f"internet-facing load balancer {balancer.name} has no WAF web ACL: add an "
                "aws.wafv2.WebAcl (scope REGIONAL) and a WebAclAssociation with resourceArn "
                "set to the load balancer's ARN",
            )


ADMIN_CIDRS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "description": "CIDRs from which SSH (22) and RDP (3389) may be allowed.",
    "default": ["203.0.113.0/24"],
}

POLICIES = [
    resource_policy(
        "security-group-ingress",
        "P4: security-group ingress (inline, SecurityGroupRule, SecurityGroupIngressRule; "
        "IPv4 and IPv6) admits 0.0.0.0/0 or ::/0 only on 80/443, and SSH/RDP only from the "
        "allowed admin CIDRs.",
        MANDATORY,
        by_type(
            {
                "aws:ec2/securityGroup:SecurityGroup": _security_group,
                "aws:ec2/securityGroupRule:SecurityGroupRule": _security_group_rule,
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ingress_rule,
            }
        ),
        config={"allowedAdminCidrs": ADMIN_CIDRS_SCHEMA},
        meta=Meta(
            category="network",
            requirements=("P4",),
            controls=("EC2.18", "EC2.19", "EC2.53", "EC2.54"),
            remediation=(
                "Admit 0.0.0.0/0 and ::/0 only on ports 80 and 443 of the load balancer's group; "
                "reach other tiers through security-group references; allow SSH/RDP only from the "
                "configured admin CIDRs, or use Session Manager or EC2 Instance Connect Endpoint."
            ),
        ),
    ),
    resource_policy(
        "no-public-exposure",
        "P4: databases are not publicly accessible; instances, launch templates, launch "
        "configurations, subnets, ECS services and task sets assign no public IPs; S3 "
        "public-access blocks have all four flags on.",
        MANDATORY,
        by_type(
            {
                "aws:rds/instance:Instance": _database,
                "aws:rds/cluster:Cluster": _database,
                "aws:rds/clusterInstance:ClusterInstance": _database,
                "aws:ec2/instance:Instance": _instance,
                "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
                "aws:ec2/launchConfiguration:LaunchConfiguration": _launch_configuration,
                "aws:ecs/service:Service": _ecs_network,
                "aws:ecs/taskSet:TaskSet": _ecs_network,
                "aws:ec2/subnet:Subnet": _subnet,
                PAB_TYPE: _public_access_block,
            }
        ),
        meta=Meta(
            category="network",
            requirements=("P4",),
            controls=(
                "RDS.2",
                "EC2.9",
                "EC2.15",
                "EC2.25",
                "AutoScaling.5",
                "ECS.2",
                "ECS.16",
                "S3.8",
            ),
            remediation=(
                "Set publicly_accessible=False on databases, associate_public_ip_address=False on "
                "instances, launch templates and launch configurations, "
                "map_public_ip_on_launch=False on subnets and assign_public_ip=False on ECS "
                "services and task sets; set all four public-access-block flags to True (the "
                "remediate level sets the flags)."
            ),
        ),
        remediate=_public_access_block_remediation,
    ),
    stack_policy(
        "s3-bucket-public-access-block",
        "P4: every S3 bucket has a BucketPublicAccessBlock.",
        MANDATORY,
        _buckets_blocked,
        meta=Meta(
            category="network",
            requirements=("P4",),
            controls=("S3.8", "S3.2", "S3.3"),
            remediation=(
                "Add an aws.s3.BucketPublicAccessBlock for the bucket with block_public_acls, "
                "block_public_policy, ignore_public_acls and restrict_public_buckets all True."
            ),
        ),
    ),
]

POLICIES.append(
    stack_policy(
        "public-alb-waf",
        "P4, C9: every internet-facing Application Load Balancer has a regional WAF web ACL "
        "associated.",
        MANDATORY,
        _public_load_balancers_behind_waf,
        meta=Meta(
            category="network",
            requirements=("P4", "C9"),
            severity=Severity.MEDIUM,
            url="https://docs.aws.amazon.com/waf/latest/developerguide/waf-application-load-balancer.html",
            remediation=(
                "Create an aws.wafv2.WebAcl with scope REGIONAL (AWS managed rule groups and a "
                "rate rule) and an aws.wafv2.WebAclAssociation whose resource_arn is the load "
                "balancer."
            ),
        ),
    )
)
