"""Enhanced monitoring's role for the database tier (D7)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..iam import managed_service_role
from ..naming import child_name, name_tag


def monitoring_role(
    database_name: str, ctx: AccountContext, opts: pulumi.ResourceOptions
) -> aws.iam.Role:
    """Enhanced monitoring's own role, with only the AWS managed policy for it; `opts` carries
    the database component as parent."""
    name = child_name(database_name, "db-monitoring")
    return managed_service_role(
        name,
        description=f"{name}: RDS enhanced monitoring publishes OS metrics",
        service="monitoring.rds.amazonaws.com",
        managed_policy="AmazonRDSEnhancedMonitoringRole",
        account_id=ctx.account_id,
        partition=ctx.partition,
        tags=name_tag(name),
        opts=opts,
    )
