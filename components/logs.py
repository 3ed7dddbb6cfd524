"""The one way this project creates a log group: under the logs CMK, with a retention (A3)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .naming import name_tag


def encrypted_log_group(
    name: str,
    *,
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
    parent: pulumi.Resource,
    log_group_name: pulumi.Input[str] | None = None,
) -> aws.cloudwatch.LogGroup:
    """A log group encrypted with `kms_key_arn` that keeps events `retention_days` days.

    `log_group_name` fixes the physical name where a service writes to a name of its own
    choosing (RDS exports to `/aws/rds/...`); otherwise the group is autonamed.
    """
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=name_tag(name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
