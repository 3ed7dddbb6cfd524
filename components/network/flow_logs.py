"""VPC flow logs (N8) into an encrypted log group, delivered through a role scoped to this
account's flow logs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..iam import allow, document, service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag


@dataclass(frozen=True)
class FlowLogs:
    """The flow log and the log group it delivers to."""

    flow_log: aws.ec2.FlowLog
    log_group: aws.cloudwatch.LogGroup


def create_flow_logs(
    base_name: str,
    *,
    vpc_id: pulumi.Input[str],
    traffic_type: str,
    logs_key_arn: pulumi.Input[str],
    retention_days: int,
    ctx: AccountContext,
    parent: pulumi.Resource,
) -> FlowLogs:
    """Flow logs of `traffic_type` for the VPC `vpc_id`, every minute, into a log group under
    `logs_key_arn` kept `retention_days` days."""
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "flow-logs")
    group = encrypted_log_group(
        name,
        kms_key_arn=logs_key_arn,
        retention_days=retention_days,
        parent=parent,
    )
    role = aws.iam.Role(
        name,
        description=f"{name}: VPC flow logs delivery",
        assume_role_policy=service_trust_policy(
            "vpc-flow-logs.amazonaws.com",
            source_account=ctx.account_id,
            source_arn=ctx.arn("ec2", "vpc-flow-log/*"),
        ),
        tags=name_tag(name),
        opts=opts,
    )
    aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=document(
            [
                allow(
                    ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    [group.arn, pulumi.Output.concat(group.arn, ":*")],
                    sid="WriteFlowLogGroup",
                ),
            ]
        ),
        opts=opts,
    )
    flow_log = aws.ec2.FlowLog(
        name,
        vpc_id=vpc_id,
        traffic_type=traffic_type,
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=name_tag(name),
        opts=opts,
    )
    return FlowLogs(flow_log=flow_log, log_group=group)
