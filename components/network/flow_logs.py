"""VPC flow logs (N8) into an encrypted log group, delivered through a role scoped to this
account's flow logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..iam import allow, document, service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag

if TYPE_CHECKING:
    from .component import Network


def create_flow_logs(network: Network) -> None:
    name = child_name(network._name, "flow-logs")
    group = encrypted_log_group(
        name,
        kms_key_arn=network._args.logs_key_arn,
        retention_days=network._args.log_retention_days,
        parent=network,
    )
    role = aws.iam.Role(
        name,
        description=f"{name}: VPC flow logs delivery",
        assume_role_policy=service_trust_policy(
            "vpc-flow-logs.amazonaws.com",
            source_account=network._ctx.account_id,
            source_arn=network._ctx.arn("ec2", "vpc-flow-log/*"),
        ),
        tags=name_tag(name),
        opts=network._child,
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
        opts=network._child,
    )
    aws.ec2.FlowLog(
        name,
        vpc_id=network.vpc.id,
        traffic_type=network._args.flow_log_traffic,
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags=name_tag(name),
        opts=network._child,
    )
    network.flow_log_group_arn = group.arn
