"""Compute: EC2 instances, launch templates and configurations, Auto Scaling groups and Lambda,
against the Security Hub FSBP controls for those services (P4, P12); containers are in
`containers.py`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..awsfacts.ec2 import PARAVIRTUAL_INSTANCE_TYPES
from ..effective import view_of
from .common import (
    as_list,
    by_type,
    get,
    resource_policy,
    stack_policy,
    subnet_places,
)
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
ASG = "aws:autoscaling/group:Group"
# Condition keys that keep a Lambda permission from being public (Lambda.1).
LAMBDA_PINNING = ("sourceAccount", "sourceArn", "principalOrgId")


# --------------------------------------------------------------------------------------------
# IMDSv2 (EC2.8, EC2.170, AutoScaling.3), with a remediation


def _imds_problems(label: str, options: Any) -> Iterator[str]:
    options = options or {}
    if str(options.get("httpEndpoint") or "enabled") == "disabled":
        return
    if options.get("httpTokens") != "required":
        yield (
            f"{label}.httpTokens is {options.get('httpTokens') or 'unset (optional)'}: set "
            "http_tokens='required' so only IMDSv2 session requests reach the metadata service"
        )


def _imds(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _imds_problems("metadataOptions", args.props.get("metadataOptions"))


def _imds_remediation(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    options = dict(args.props.get("metadataOptions") or {})
    if str(options.get("httpEndpoint") or "enabled") == "disabled":
        return None
    if options.get("httpTokens") == "required":
        return None
    props = dict(args.props)
    props["metadataOptions"] = {**options, "httpEndpoint": "enabled", "httpTokens": "required"}
    return props


IMDS_TYPES = (INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION)


# --------------------------------------------------------------------------------------------
# Instances: one network interface, HVM, source/destination check (EC2.17, EC2.24, EC2.180)


def _instance(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    interfaces = as_list(props.get("networkInterfaces"))
    if len(interfaces) > 1:
        yield (
            f"{len(interfaces)} network interfaces: give the instance one, so its traffic "
            "crosses one set of security groups and subnet"
        )
    instance_type = props.get("instanceType")
    if instance_type in PARAVIRTUAL_INSTANCE_TYPES:
        yield (
            f"instanceType {instance_type} is a paravirtual (previous generation) type: use a "
            "current-generation HVM type such as m7g or m7i"
        )
    if props.get("sourceDestCheck") is False:
        yield "sourceDestCheck is false: leave it on unless the instance routes traffic (NAT)"


def _instance_attachments(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    # What other resources attach to an instance, which its Config item then shows: an
    # Elastic IP gives it a public IPv4 address (EC2.9, ec2-instance-no-public-ip), an
    # attached network interface a second interface (EC2.17, ec2-instance-multiple-eni-check).
    view = view_of(args.resources)
    for resource in args.resources:
        kind = resource.resource_type
        if kind in EIP_LINKS:
            by_instance, by_interface = EIP_LINKS[kind]
            # By the instance, or by its primary network interface, whose public address is
            # the instance's (the Config item's publicIpAddress).
            instances = view.links.targets(resource, by_instance, [INSTANCE])
            instances += view.links.targets(resource, by_interface, [INSTANCE])
            for instance in {i.urn: i for i in instances}.values():
                yield (
                    resource.urn,
                    f"{resource.name} gives instance {instance.name} a public IPv4 address "
                    "(EC2.9): remove it, and reach the instance through a load balancer or "
                    "Session Manager",
                )
        elif kind == NIC_ATTACHMENT:
            for instance in view.links.targets(resource, "instanceId", [INSTANCE]):
                yield (resource.urn, _second_interface(resource.name, instance.name))
        elif kind == NETWORK_INTERFACE:
            for index, instance in _attached_instances(view, resource):
                yield (
                    resource.urn,
                    _second_interface(f"{resource.name} attachments[{index}]", instance.name),
                )


NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface"
NIC_ATTACHMENT = "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment"
# An Elastic IP's link to an instance, and to a network interface (an instance's primary one
# names the instance: `primaryNetworkInterfaceId` is among its identifiers).
EIP_LINKS = {
    "aws:ec2/eip:Eip": ("instance", "networkInterface"),
    "aws:ec2/eipAssociation:EipAssociation": ("instanceId", "networkInterfaceId"),
}


def _second_interface(what: str, instance: str) -> str:
    return (
        f"{what} adds a second network interface to instance {instance} (EC2.17): launch "
        "instances with one"
    )


def _attached_instances(view: Any, interface: Any) -> list[tuple[int, Any]]:
    """(index, instance) of a network interface's own `attachments` beyond device 0 (an
    interface an instance launches with is its primary one, which the interface's state lists
    too), leaving out those a NetworkInterfaceAttachment makes (judged on it)."""
    by_resource = {
        i.urn
        for part in view.of(interface).of(NIC_ATTACHMENT)
        for i in view.links.targets(part, "instanceId", [INSTANCE])
    }
    found = []
    for index, attachment in enumerate(as_list(interface.props.get("attachments"))):
        if str(get(attachment, "deviceIndex", default="")) in ("0", "0.0"):
            continue
        for instance in view.links.targets(
            interface, ("attachments", index, "instance"), [INSTANCE]
        ):
            if instance.urn not in by_resource:
                found.append((index, instance))
    return found


def _launch_template_interfaces(args: ResourceValidationArgs) -> Iterator[str]:
    interfaces = as_list(args.props.get("networkInterfaces"))
    if len(interfaces) > 1:
        yield (f"{len(interfaces)} networkInterfaces: launch instances with one network interface")
    instance_type = args.props.get("instanceType")
    if instance_type in PARAVIRTUAL_INSTANCE_TYPES:
        yield (
            f"instanceType {instance_type} is a paravirtual (previous generation) type: use a "
            "current-generation HVM type"
        )


def _network_interface(args: ResourceValidationArgs) -> Iterator[str]:
    if args.props.get("sourceDestCheck") is False:
        yield (
            "sourceDestCheck is false: leave source/destination checking on unless the "
            "interface belongs to a NAT or routing appliance"
        )


# --------------------------------------------------------------------------------------------
# Auto Scaling groups (AutoScaling.1, AutoScaling.2, AutoScaling.9)


def _auto_scaling_groups(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    view = view_of(args.resources)
    for group in args.resources:
        if group.resource_type != ASG:
            continue
        props = group.props
        balanced = as_list(props.get("targetGroupArns")) or as_list(props.get("loadBalancers"))
        if balanced and props.get("healthCheckType") != "ELB":
            yield (
                group.urn,
                f"Auto Scaling group {group.name} sits behind a load balancer but uses "
                f"{props.get('healthCheckType') or 'EC2'} health checks: set "
                "health_check_type='ELB' so unhealthy instances are replaced",
            )
        places = subnet_places(view, group, ("vpcZoneIdentifiers",)) or set(
            as_list(props.get("availabilityZones"))
        )
        if len(places) < 2:
            yield (
                group.urn,
                f"Auto Scaling group {group.name} spans {len(places)} Availability Zone(s): "
                "give vpc_zone_identifiers subnets in at least two AZs",
            )
        if props.get("launchConfiguration"):
            yield (
                group.urn,
                f"Auto Scaling group {group.name} launches from a launch configuration: use a "
                "launch template (launch_template or mixed_instances_policy)",
            )


# --------------------------------------------------------------------------------------------
# Lambda (Lambda.1, Lambda.5)


def _lambda_permission(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    principal = str(props.get("principal") or "")
    pinned = any(props.get(key) for key in LAMBDA_PINNING)
    if principal in ("*", "") and not pinned and props.get("functionUrlAuthType") != "AWS_IAM":
        yield (
            "principal '*' lets anyone invoke the function: name the account or service, or "
            "set source_account, source_arn or principal_org_id"
        )
    elif principal.endswith(".amazonaws.com") and not (
        props.get("sourceAccount") or props.get("sourceArn")
    ):
        yield (
            f"{principal} may invoke the function on behalf of any account: set source_arn (the "
            "resource that invokes it) and source_account"
        )


def _function_url(args: ResourceValidationArgs) -> Iterator[str]:
    if args.props.get("authorizationType") == "NONE":
        yield (
            "authorizationType NONE makes the function URL public: use AWS_IAM and sign the "
            "requests"
        )


def _lambda_zones(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    view = view_of(args.resources)
    for function in args.resources:
        if function.resource_type != "aws:lambda/function:Function":
            continue
        places = subnet_places(view, function, ("vpcConfig", "subnetIds"))
        if places and len(places) < 2:
            yield (
                function.urn,
                f"function {function.name} runs in the VPC in one Availability Zone: give "
                "vpc_config subnets in at least two AZs",
            )


POLICIES = [
    resource_policy(
        "ec2-imdsv2",
        "P4: instances, launch templates and launch configurations require IMDSv2 session "
        "tokens for the instance metadata service (or turn it off).",
        MANDATORY,
        by_type(dict.fromkeys(IMDS_TYPES, _imds)),
        Meta(
            category="compute",
            requirements=("P4",),
            controls=("EC2.8", "EC2.170", "AutoScaling.3"),
            remediation=(
                "Set metadata_options={http_endpoint: 'enabled', http_tokens: 'required'} on "
                "the instance, launch template or launch configuration (the remediate level "
                "sets it). Software that still calls IMDSv1 must move to an AWS SDK from 2019 "
                "or later first."
            ),
        ),
        remediate=_imds_remediation,
    ),
    resource_policy(
        "ec2-instance-hardening",
        "P4: instances and launch templates use one network interface and HVM instance "
        "types; instances and network interfaces keep source/destination checking on.",
        MANDATORY,
        by_type(
            {
                INSTANCE: _instance,
                LAUNCH_TEMPLATE: _launch_template_interfaces,
                "aws:ec2/networkInterface:NetworkInterface": _network_interface,
            }
        ),
        Meta(
            category="compute",
            requirements=("P4",),
            controls=("EC2.17", "EC2.24", "EC2.180"),
            remediation=(
                "Launch instances with one network interface and a current-generation HVM "
                "instance type; leave source_dest_check on except on NAT or routing "
                "appliances."
            ),
        ),
    ),
    stack_policy(
        "instance-attachments",
        "P4: no Elastic IP is associated with an instance and no second network interface is "
        "attached to one (by aws.ec2.Eip, EipAssociation, NetworkInterfaceAttachment or a "
        "NetworkInterface's attachments).",
        MANDATORY,
        _instance_attachments,
        Meta(
            category="network",
            requirements=("P4",),
            controls=("EC2.9", "EC2.17"),
            remediation=(
                "Reach instances through a load balancer or Session Manager rather than an "
                "Elastic IP, and launch them with one network interface."
            ),
        ),
    ),
    stack_policy(
        "autoscaling-groups",
        "P7: Auto Scaling groups behind a load balancer use ELB health checks, span two or "
        "more Availability Zones and launch from launch templates.",
        MANDATORY,
        _auto_scaling_groups,
        Meta(
            category="compute",
            requirements=("P7", "C5"),
            controls=("AutoScaling.1", "AutoScaling.2", "AutoScaling.9"),
            remediation=(
                "Set health_check_type='ELB' on groups with target groups, give "
                "vpc_zone_identifiers subnets in two or more AZs, and launch from a launch "
                "template instead of a launch configuration."
            ),
        ),
    ),
    resource_policy(
        "lambda-public-access",
        "P3: Lambda permissions name their principal or pin it to a source account, ARN or "
        "organization; service principals carry the source; function URLs require IAM auth.",
        MANDATORY,
        by_type(
            {
                "aws:lambda/permission:Permission": _lambda_permission,
                "aws:lambda/functionUrl:FunctionUrl": _function_url,
            }
        ),
        Meta(
            category="iam",
            requirements=("P3",),
            controls=("Lambda.1",),
            remediation=(
                "Grant lambda:InvokeFunction to a named account or service; for services set "
                "source_arn to the invoking resource and source_account to this account; give "
                "function URLs authorization_type='AWS_IAM'."
            ),
        ),
    ),
    stack_policy(
        "lambda-multi-az",
        "P7: functions attached to a VPC run in subnets of two or more Availability Zones.",
        MANDATORY,
        _lambda_zones,
        Meta(
            category="resilience",
            requirements=("P7",),
            controls=("Lambda.5",),
            remediation="Give the function's vpc_config subnets in at least two AZs.",
        ),
    ),
]
