"""P5 logging: CloudTrail everywhere and tamper-evident, VPC flow logs, load balancer access
logs, database log exports, log retention."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import present, view_of
from .common import by_type, get, resource_policy, stack_policy, truthy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
VPC_TYPE = "aws:ec2/vpc:Vpc"
# A program that adopts the region's default VPC owns its flow logs too (EC2.6 judges every VPC).
VPC_TYPES = (VPC_TYPE, "aws:ec2/defaultVpc:DefaultVpc")
FLOW_LOG_TYPE = "aws:ec2/flowLog:FlowLog"


def _trail(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if not truthy(props.get("isMultiRegionTrail")):
        yield "isMultiRegionTrail is not true: set isMultiRegionTrail=True"
    if not truthy(props.get("enableLogFileValidation")):
        yield "enableLogFileValidation is not true: set enableLogFileValidation=True"
    if not props.get("cloudWatchLogsGroupArn"):
        yield (
            "cloudWatchLogsGroupArn is not set: deliver the trail to a CloudWatch Logs group "
            "(cloud_watch_logs_group_arn and cloud_watch_logs_role_arn), so metric filters and "
            "alarms can watch it"
        )


def _load_balancer(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if (props.get("loadBalancerType") or "application") != "application":
        return
    # The log bucket is often another resource's output, unknown in a first preview: set.
    if not truthy(get(props, "accessLogs", "enabled")) or not present(
        props, "accessLogs", "bucket"
    ):
        yield "accessLogs is not enabled: set accessLogs={bucket: <log bucket>, enabled: True}"


def _classic_load_balancer(args: ResourceValidationArgs) -> Iterator[str]:
    # The provider's access_logs block defaults `enabled` to true.
    if not present(args.props, "accessLogs", "bucket") or (
        get(args.props, "accessLogs", "enabled") is False
    ):
        yield "accessLogs is not enabled: set accessLogs={bucket: <log bucket>, enabled: True}"


def _log_group(args: ResourceValidationArgs) -> Iterator[str]:
    retention = args.props.get("retentionInDays")
    if not retention or int(retention) <= 0:
        yield "retentionInDays is not set: set it (e.g. from the stack's logging config)"


def _flow_logs(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    vpcs = [r for r in args.resources if r.resource_type in VPC_TYPES]
    if not vpcs:
        return
    # EC2.6 asks for rejected traffic at least: ALL or REJECT, not ACCEPT alone. A flow log
    # names its VPC by an optional `vpc_id`, so it is no part in the split-type inventory.
    logged = view_of(args.resources).links.names(
        [
            r
            for r in args.resources
            if r.resource_type == FLOW_LOG_TYPE and r.props.get("trafficType") in ("ALL", "REJECT")
        ],
        VPC_TYPES,
        "vpcId",
    )
    for vpc in vpcs:
        if vpc.urn not in logged:
            yield (
                vpc.urn,
                f"VPC {vpc.name} has no FlowLog with trafficType ALL or REJECT: add an "
                "aws.ec2.FlowLog with vpcId set to it",
            )


POLICIES = [
    resource_policy(
        "audit-logging",
        "P5: CloudTrail trails are multi-region, validate their log files and deliver to "
        "CloudWatch Logs; application and classic load balancers have access logs; log groups "
        "have a retention.",
        MANDATORY,
        by_type(
            {
                "aws:cloudtrail/trail:Trail": _trail,
                "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
                "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
                "aws:elb/loadBalancer:LoadBalancer": _classic_load_balancer,
                "aws:cloudwatch/logGroup:LogGroup": _log_group,
            }
        ),
        meta=Meta(
            category="logging",
            requirements=("P5",),
            controls=("CloudTrail.4", "CloudTrail.5", "ELB.5"),
            remediation=(
                "Trails: is_multi_region_trail=True, enable_log_file_validation=True and "
                "cloud_watch_logs_group_arn with cloud_watch_logs_role_arn. Application and "
                "Classic load balancers: access_logs with a bucket and enabled=True. Log groups: "
                "retention_in_days."
            ),
        ),
    ),
    stack_policy(
        "vpc-flow-logs",
        "P5: every VPC has a flow log (aws.ec2.FlowLog with vpcId = the VPC's id) recording "
        "rejected traffic (ALL or REJECT).",
        MANDATORY,
        _flow_logs,
        meta=Meta(
            category="logging",
            requirements=("P5",),
            controls=("EC2.6",),
            remediation=(
                "Add an aws.ec2.FlowLog with vpc_id set to the VPC and traffic_type ALL (or "
                "REJECT), delivered to an encrypted log group or bucket."
            ),
        ),
    ),
]
