"""Enhanced monitoring's role for the database tier (D7)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..iam import service_trust_policy
from ..naming import child_name, name_tag


def monitoring_role(
    database_name: str, ctx: AccountContext, opts: pulumi.ResourceOptions
) -> aws.iam.Role:
    """Enhanced monitoring's own role, with only the AWS managed policy for it; `opts` carries
    the database component as parent."""
    name = child_name(database_name, "db-monitoring")
    role = aws.iam.Role(
        name,
        description=f"{name}: RDS enhanced monitoring publishes OS metrics",
        assume_role_policy=service_trust_policy(
            "monitoring.rds.amazonaws.com", source_account=ctx.account_id
        ),
        tags=name_tag(name),
        opts=opts,
    )
    aws.iam.RolePolicyAttachment(
        name,
        role=role.name,
        policy_arn=pulumi.Output.concat(
            "arn:", ctx.partition, ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
        ),
        opts=opts,
    )
    return role
