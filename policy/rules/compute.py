"""Compute: EC2 instances, launch templates and configurations, Auto Scaling groups, ECS, ECR
and Lambda, against the Security Hub FSBP controls for those services (P4, P12)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..awsfacts.ec2 import PARAVIRTUAL_INSTANCE_TYPES
from .common import (
    as_list,
    by_type,
    get,
    resource_policy,
    stack_policy,
    subnet_zones,
    truthy,
)
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
ASG = "aws:autoscaling/group:Group"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
# ECS.8: names that carry credentials (FSBP's secretKeys parameter).
SECRET_ENVIRONMENT_NAMES = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"}
)
# ECS.10: what the LATEST Fargate platform is (FSBP's latestLinuxVersion/latestWindowsVersion).
FARGATE_LATEST = frozenset({"LATEST", "1.4.0", "1.0.0"})
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
    zones = subnet_zones(args.resources)
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
        subnets = [str(s) for s in as_list(props.get("vpcZoneIdentifiers"))]
        places = {zones.get(s, s) for s in subnets} or set(as_list(props.get("availabilityZones")))
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
# ECS (ECS.3, ECS.4, ECS.5, ECS.8, ECS.9, ECS.10, ECS.12)


def container_definitions(props: Any) -> list[dict[str, Any]]:
    """A task definition's containers (the provider takes them as a JSON string)."""
    raw = props.get("containerDefinitions")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return []
    return [c for c in as_list(raw) if isinstance(c, Mapping)]


def _task_definition(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if props.get("pidMode") == "host":
        yield "pidMode is host: leave it unset (task) so containers cannot see host processes"
    if props.get("networkMode") == "host":
        yield "networkMode is host: use awsvpc so each task has its own interface and groups"
    for container in container_definitions(props):
        label = f"container {container.get('name')!r}"
        if container.get("privileged") is True:
            yield f"{label} is privileged: set privileged to false"
        if container.get("readonlyRootFilesystem") is not True:
            yield (
                f"{label} has a writable root file system: set readonlyRootFilesystem true "
                "and mount volumes where the app must write"
            )
        if not container.get("logConfiguration"):
            yield (
                f"{label} has no logConfiguration: send its logs somewhere (awslogs driver to "
                "an encrypted log group)"
            )
        leaked = sorted(
            {
                str(e.get("name"))
                for e in as_list(container.get("environment"))
                if isinstance(e, Mapping) and str(e.get("name")) in SECRET_ENVIRONMENT_NAMES
            }
        )
        if leaked:
            yield (
                f"{label} passes {', '.join(leaked)} as plain environment variables: use the "
                "task role for AWS credentials and `secrets` (Secrets Manager) for the rest"
            )
        user = str(container.get("user") or "")
        if user.split(":")[0] in ("root", "0"):
            yield f"{label} runs as {user}: run it as an unprivileged user (uid:gid)"


def _fargate(props: Any) -> bool:
    strategies = [
        str(s.get("capacityProvider")) for s in as_list(props.get("capacityProviderStrategies"))
    ]
    return props.get("launchType") == "FARGATE" or any(s.startswith("FARGATE") for s in strategies)


def _ecs_service(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    version = props.get("platformVersion")
    if _fargate(props) and version is not None and str(version) not in FARGATE_LATEST:
        yield (
            f"platformVersion is {version}: use LATEST (1.4.0 on Linux) so the service gets "
            "Fargate's security patches"
        )


def _ecs_cluster(args: ResourceValidationArgs) -> Iterator[str]:
    settings = {
        str(s.get("name")): str(s.get("value")) for s in as_list(args.props.get("settings"))
    }
    if settings.get("containerInsights") not in ("enabled", "enhanced"):
        yield (
            "Container Insights is off: add settings=[{name: 'containerInsights', value: "
            "'enhanced'}] (or 'enabled')"
        )


# --------------------------------------------------------------------------------------------
# ECR (ECR.1, ECR.2, ECR.3)


def _ecr_repositories(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    resources = args.resources
    repositories = [r for r in resources if r.resource_type == ECR_REPOSITORY]
    if not repositories:
        return
    with_lifecycle = {
        str(r.props.get("repository"))
        for r in resources
        if r.resource_type == "aws:ecr/lifecyclePolicy:LifecyclePolicy"
    }
    registry_scans = any(
        r.resource_type == "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
        and (r.props.get("scanType") == "ENHANCED" or as_list(r.props.get("rules")))
        for r in resources
    )
    for repository in repositories:
        props = repository.props
        name = props.get("name") or repository.name
        scanning = get(props, "imageScanningConfiguration", "scanOnPush")
        if not truthy(scanning) and not registry_scans:
            yield (
                repository.urn,
                f"repository {name} does not scan images: set image_scanning_configuration="
                "{scan_on_push: True} or configure registry scanning",
            )
        if props.get("imageTagMutability") != "IMMUTABLE":
            yield (
                repository.urn,
                f"repository {name} has mutable tags: set image_tag_mutability='IMMUTABLE' so a "
                "deployed tag always names the same image",
            )
        if not {str(props.get("name")), str(props.get("id"))} & with_lifecycle:
            yield (
                repository.urn,
                f"repository {name} has no lifecycle policy: add an aws.ecr.LifecyclePolicy "
                "that expires untagged and old images",
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
    zones = subnet_zones(args.resources)
    for function in args.resources:
        if function.resource_type != "aws:lambda/function:Function":
            continue
        subnets = [str(s) for s in as_list(get(function.props, "vpcConfig", "subnetIds"))]
        if subnets and len({zones.get(s, s) for s in subnets}) < 2:
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
        "ecs-task-definition-hardening",
        "P4: task definitions share no host PID or network namespace; containers are "
        "unprivileged, non-root, with read-only root file systems, a log configuration and no "
        "credentials in plain environment variables.",
        MANDATORY,
        by_type({TASK_DEFINITION: _task_definition}),
        Meta(
            category="compute",
            requirements=("P4", "C8"),
            controls=("ECS.3", "ECS.4", "ECS.5", "ECS.8", "ECS.9"),
            remediation=(
                "In each container definition: privileged false, readonlyRootFilesystem true "
                "(with volumes for writable paths), an unprivileged user, a logConfiguration "
                "(awslogs), credentials through the task role and `secrets`; no pidMode or "
                "networkMode host on the task definition."
            ),
        ),
    ),
    resource_policy(
        "ecs-platform",
        "P5: ECS clusters run Container Insights; Fargate services run the latest platform "
        "version.",
        MANDATORY,
        by_type({"aws:ecs/cluster:Cluster": _ecs_cluster, "aws:ecs/service:Service": _ecs_service}),
        Meta(
            category="compute",
            requirements=("P5", "C8"),
            controls=("ECS.10", "ECS.12"),
            remediation=(
                "Add the containerInsights setting ('enhanced' or 'enabled') to the cluster, "
                "and leave platform_version unset or LATEST on Fargate services."
            ),
        ),
    ),
    stack_policy(
        "ecr-repositories",
        "P4: ECR repositories scan images on push (or through registry scanning), keep tags "
        "immutable and have a lifecycle policy.",
        MANDATORY,
        _ecr_repositories,
        Meta(
            category="compute",
            requirements=("P4", "C8"),
            controls=("ECR.1", "ECR.2", "ECR.3"),
            remediation=(
                "Set image_scanning_configuration={scan_on_push: True} and "
                "image_tag_mutability='IMMUTABLE' on the repository, and add an "
                "aws.ecr.LifecyclePolicy for it."
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
