"""VPC plumbing: default security groups, network ACLs, interface endpoints, VPN and transit
gateways, against the Security Hub FSBP controls for EC2 networking (P4, P12)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import present, view_of
from .common import as_list, by_type, get, resource_policy, stack_policy, truthy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
VPC = "aws:ec2/vpc:Vpc"
# An adopted default VPC has a default security group too (EC2.2 judges every VPC's).
VPC_TYPES = (VPC, "aws:ec2/defaultVpc:DefaultVpc")
NACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
WORLD = frozenset({"0.0.0.0/0", "::/0"})
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
# Protocol numbers and names a NACL entry reaching TCP or UDP ports may carry.
PORT_PROTOCOLS = frozenset({"-1", "all", "6", "tcp", "17", "udp"})
# EC2.10, EC2.55, EC2.56, EC2.57 (FSBP's serviceNames parameters).
DEFAULT_ENDPOINT_SERVICES = ["ec2", "ecr.api", "ecr.dkr", "ssm"]


# --------------------------------------------------------------------------------------------
# Default security groups (EC2.2)


def _default_security_groups(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    links = view_of(args.resources).links
    managed: dict[str, Any] = {}
    for resource in args.resources:
        if resource.resource_type == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
            for vpc in links.targets(resource, "vpcId", VPC_TYPES):
                managed.setdefault(vpc.urn, resource)
    for vpc in args.resources:
        if vpc.resource_type not in VPC_TYPES:
            continue
        group = managed.get(vpc.urn)
        if group is None:
            yield (
                vpc.urn,
                f"VPC {vpc.name} leaves its default security group with AWS's rules (all "
                "traffic between members, all egress): adopt it with an "
                "aws.ec2.DefaultSecurityGroup with no ingress and no egress",
            )
        elif as_list(group.props.get("ingress")) or as_list(group.props.get("egress")):
            yield (
                group.urn,
                f"the default security group of VPC {vpc.name} has rules: remove its ingress "
                "and egress so nothing can use it",
            )


# --------------------------------------------------------------------------------------------
# Network ACLs (EC2.21, EC2.16)


def _entry_opens_admin_port(entry: Mapping[str, Any]) -> str | None:
    """The admin service an allow entry from the world reaches, if any."""
    action = str(entry.get("action") or entry.get("ruleAction") or "").lower()
    if action != "allow":
        return None
    cidrs = {str(entry.get(k)) for k in ("cidrBlock", "ipv6CidrBlock") if entry.get(k)}
    if not cidrs & WORLD:
        return None
    protocol = str(entry.get("protocol") or "-1").lower()
    if protocol not in PORT_PROTOCOLS:
        return None
    low, high = entry.get("fromPort"), entry.get("toPort")
    for port, service in ADMIN_PORTS.items():
        if protocol in ("-1", "all") or low is None or high is None:
            return service
        if int(low) <= port <= int(high):
            return service
    return None


def _network_acl(args: ResourceValidationArgs) -> Iterator[str]:
    for index, entry in enumerate(as_list(args.props.get("ingress"))):
        service = _entry_opens_admin_port(entry)
        if service:
            yield (
                f"ingress[{index}] allows {service} from the whole internet: allow 22 and 3389 "
                "only from admin CIDRs, or leave them out of the allowed port ranges"
            )


def _network_acl_rule(args: ResourceValidationArgs) -> Iterator[str]:
    if truthy(args.props.get("egress")):
        return
    service = _entry_opens_admin_port(args.props)
    if service:
        yield (
            f"the rule allows {service} from the whole internet: allow 22 and 3389 only from "
            "admin CIDRs, or leave them out of the allowed port ranges"
        )


def _unused_network_acls(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    for effective in view_of(args.resources).of_type(["aws:ec2/networkAcl:NetworkAcl"]):
        acl = effective.resource
        if present(acl.props, "subnetIds") or effective.of(NACL_ASSOCIATION):
            continue
        yield (
            acl.urn,
            f"network ACL {acl.name} is associated with no subnet: associate it (subnet_ids or "
            "an aws.ec2.NetworkAclAssociation) or remove it",
        )


# --------------------------------------------------------------------------------------------
# Interface endpoints (EC2.10, EC2.55, EC2.56, EC2.57, EC2.58, EC2.60)


def _interface_endpoints(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    required = [str(s) for s in as_list(args.get_config().get("requiredServices"))]
    for effective in view_of(args.resources).of_type([VPC]):
        vpc = effective.resource
        # com.amazonaws.<region>.<service>: the service is everything after the region.
        endpoints = {
            ".".join(str(e.props.get("serviceName") or "").split(".")[3:])
            for e in effective.of("aws:ec2/vpcEndpoint:VpcEndpoint")
            if (e.props.get("vpcEndpointType") or "Gateway") == "Interface"
        }
        missing = [s for s in required if s not in endpoints]
        if missing:
            yield (
                vpc.urn,
                f"VPC {vpc.name} has no interface endpoint for {', '.join(missing)}: add them "
                "(network.interfaceEndpoints), so those API calls stay inside the VPC",
            )


# --------------------------------------------------------------------------------------------
# VPN, Client VPN and transit gateways (EC2.23, EC2.51, EC2.171)


def _transit_gateway(args: ResourceValidationArgs) -> Iterator[str]:
    if args.props.get("autoAcceptSharedAttachments") == "enable":
        yield (
            "autoAcceptSharedAttachments is enable: set it to disable so each VPC attachment "
            "is accepted on purpose"
        )


def _client_vpn(args: ResourceValidationArgs) -> Iterator[str]:
    if not truthy(get(args.props, "connectionLogOptions", "enabled")):
        yield (
            "connectionLogOptions.enabled is not true: log client connections to a CloudWatch "
            "Logs group"
        )


def _vpn_connection(args: ResourceValidationArgs) -> Iterator[str]:
    for tunnel in ("tunnel1LogOptions", "tunnel2LogOptions"):
        if not truthy(get(args.props, tunnel, "cloudwatchLogOptions", "logEnabled")):
            yield (
                f"{tunnel}.cloudwatchLogOptions.logEnabled is not true: log both tunnels to "
                "CloudWatch Logs"
            )


POLICIES = [
    stack_policy(
        "default-security-group-closed",
        "P4: every VPC adopts its default security group with no rules, so nothing can rely on "
        "AWS's allow-all defaults.",
        MANDATORY,
        _default_security_groups,
        Meta(
            category="network",
            requirements=("P4", "N1"),
            controls=("EC2.2",),
            remediation=(
                "Add aws.ec2.DefaultSecurityGroup(vpc_id=<the VPC>) with no ingress and no "
                "egress; give workloads security groups of their own."
            ),
        ),
    ),
    resource_policy(
        "network-acl-ingress",
        "P4: network ACLs (inline entries, NetworkAclRule, DefaultNetworkAcl) do not allow SSH "
        "or RDP from 0.0.0.0/0 or ::/0.",
        MANDATORY,
        by_type(
            {
                "aws:ec2/networkAcl:NetworkAcl": _network_acl,
                "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _network_acl,
                "aws:ec2/networkAclRule:NetworkAclRule": _network_acl_rule,
            }
        ),
        Meta(
            category="network",
            requirements=("P4",),
            partial={
                "EC2.21": "checks the network ACLs the program declares; AWS also fails each "
                "VPC's default ACL while it keeps AWS's allow-all entry",
            },
            remediation=(
                "Allow 22 and 3389 only from the admin CIDRs; from 0.0.0.0/0 and ::/0 allow "
                "port ranges that leave them out (0-21, 23-3388, 3390-65535)."
            ),
        ),
    ),
    stack_policy(
        "unused-network-acls",
        "P8: every network ACL the stack declares is associated with a subnet.",
        MANDATORY,
        _unused_network_acls,
        Meta(
            category="network",
            requirements=("P8",),
            controls=("EC2.16",),
            remediation="Associate the ACL with its subnets (subnet_ids) or remove it.",
        ),
    ),
    stack_policy(
        "vpc-interface-endpoints",
        "P4: every VPC has interface endpoints for the required services (default ec2, "
        "ecr.api, ecr.dkr and ssm), so those calls never leave it.",
        MANDATORY,
        _interface_endpoints,
        Meta(
            category="network",
            requirements=("P4", "N7"),
            controls=("EC2.10", "EC2.55", "EC2.56", "EC2.57"),
            partial={
                "EC2.58": "only when requiredServices lists ssm-contacts (off by default: "
                "needed only where Incident Manager runs)",
                "EC2.60": "only when requiredServices lists ssm-incidents (off by default)",
            },
            remediation=(
                "Add interface endpoints (private DNS on, in the private subnets, behind the "
                "endpoint security group) for each service the message names."
            ),
        ),
        config={
            "requiredServices": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Service suffixes (com.amazonaws.<region>.<suffix>) every VPC "
                "needs an interface endpoint for.",
                "default": DEFAULT_ENDPOINT_SERVICES,
            }
        },
    ),
    resource_policy(
        "vpn-and-transit-gateways",
        "P4, P5: transit gateways do not auto-accept shared attachments; Client VPN endpoints "
        "and both tunnels of Site-to-Site VPN connections log to CloudWatch Logs.",
        MANDATORY,
        by_type(
            {
                "aws:ec2transitgateway/transitGateway:TransitGateway": _transit_gateway,
                "aws:ec2clientvpn/endpoint:Endpoint": _client_vpn,
                "aws:ec2/vpnConnection:VpnConnection": _vpn_connection,
            }
        ),
        Meta(
            category="network",
            requirements=("P4", "P5"),
            controls=("EC2.23", "EC2.51", "EC2.171"),
            remediation=(
                "Set auto_accept_shared_attachments='disable' on transit gateways; turn on "
                "connection_log_options on Client VPN endpoints and "
                "tunnel{1,2}_log_options.cloudwatch_log_options on VPN connections."
            ),
        ),
    ),
]
