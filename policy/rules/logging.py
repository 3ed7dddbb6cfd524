"""P5 logging: CloudTrail everywhere and tamper-evident, VPC flow logs, load balancer access
logs, database log exports, log retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from .common import as_list, by_type, get, resource_policy, stack_policy, truthy

MANDATORY = EnforcementLevel.MANDATORY
VPC_TYPE = "aws:ec2/vpc:Vpc"
FLOW_LOG_TYPE = "aws:ec2/flowLog:FlowLog"


def _trail(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if not truthy(props.get("isMultiRegionTrail")):
        yield "isMultiRegionTrail is not true: set isMultiRegionTrail=True"
    if not truthy(props.get("enableLogFileValidation")):
        yield "enableLogFileValidation is not true: set enableLogFileValidation=True"


def _load_balancer(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if (props.get("loadBalancerType") or "application") != "application":
        return
    logs = get(props, "accessLogs", default={})
    if not truthy(logs.get("enabled")) or not logs.get("bucket"):
        yield "accessLogs is not enabled: set accessLogs={bucket: <log bucket>, enabled: True}"


def _database(args: ResourceValidationArgs) -> Iterator[str]:
    if not as_list(args.props.get("enabledCloudwatchLogsExports")):
        yield (
            "enabledCloudwatchLogsExports is empty: export the engine's logs (e.g. "
            "['postgresql', 'upgrade'])"
        )


def _log_group(args: ResourceValidationArgs) -> Iterator[str]:
    retention = args.props.get("retentionInDays")
    if not retention or int(retention) <= 0:
        yield "retentionInDays is not set: set it (e.g. from the stack's logging config)"


def _flow_logs(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    vpcs = [r for r in args.resources if r.resource_type == VPC_TYPE]
    if not vpcs:
        return
    logged: set[Any] = {
        r.props.get("vpcId") for r in args.resources if r.resource_type == FLOW_LOG_TYPE
    }
    for vpc in vpcs:
        if vpc.props.get("id") not in logged:
            yield (
                vpc.urn,
                f"VPC {vpc.name} has no FlowLog: add an aws.ec2.FlowLog with vpcId set to it",
            )


POLICIES = [
    resource_policy(
        "audit-logging",
        "P5: CloudTrail trails are multi-region with log-file validation; application load "
        "balancers have access logs; RDS instances and clusters export logs; log groups have "
        "a retention.",
        MANDATORY,
        by_type(
            {
                "aws:cloudtrail/trail:Trail": _trail,
                "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
                "aws:rds/instance:Instance": _database,
                "aws:rds/cluster:Cluster": _database,
                "aws:cloudwatch/logGroup:LogGroup": _log_group,
            }
        ),
    ),
    stack_policy(
        "vpc-flow-logs",
        "P5: every VPC has a flow log (aws.ec2.FlowLog with vpcId = the VPC's id).",
        MANDATORY,
        _flow_logs,
    ),
]
