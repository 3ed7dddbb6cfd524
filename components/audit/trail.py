"""The account's multi-region CloudTrail trail (A1): its bucket, encrypted log group and
delivery role, in the account-wide region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..buckets import SecureBucket
from ..iam import allow, document, service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag
from .shared import BucketFactory


@dataclass(frozen=True)
class Trail:
    """The trail, the bucket it delivers to (replicated by the secondary region, M3) and the
    log group the CIS filters read."""

    trail: aws.cloudtrail.Trail
    bucket: SecureBucket
    log_group: aws.cloudwatch.LogGroup


def create_trail(
    base_name: str,
    *,
    suffix: str,
    ctx: AccountContext,
    logs_key_arn: pulumi.Input[str],
    retention_days: int,
    bucket_factory: BucketFactory,
    parent: pulumi.Resource,
) -> Trail:
    """The multi-region trail named `<base_name>-trail-<suffix>`, encrypted under
    `logs_key_arn`, delivering to an audit bucket from `bucket_factory` and to a log group
    kept `retention_days` days."""
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "trail")
    trail_name = f"{name}-{suffix}"
    # Built rather than read from the trail: the trail can only be created once the bucket
    # policy that names it exists.
    trail_arn = ctx.arn("cloudtrail", pulumi.Output.concat("trail/", trail_name))
    cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
    source = {"aws:SourceArn": trail_arn}

    def bucket_statements(bucket_arn: pulumi.Output[str]) -> list[dict[str, Any]]:
        return [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": source},
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": cloudtrail,
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(bucket_arn, "/AWSLogs/", ctx.account_id, "/*"),
                "Condition": {
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}
                },
            },
        ]

    bucket = bucket_factory("trail-logs", bucket_statements)

    group = encrypted_log_group(
        name,
        kms_key_arn=logs_key_arn,
        retention_days=retention_days,
        parent=parent,
    )
    role = aws.iam.Role(
        name,
        description=f"{name}: CloudTrail delivery to CloudWatch Logs",
        assume_role_policy=service_trust_policy(
            "cloudtrail.amazonaws.com", source_account=ctx.account_id, source_arn=trail_arn
        ),
        tags=name_tag(name),
        opts=opts,
    )
    role_policy = aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=document(
            [
                allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    pulumi.Output.concat(group.arn, ":log-stream:*"),
                    sid="WriteTrailLogGroup",
                )
            ]
        ),
        opts=opts,
    )
    trail = aws.cloudtrail.Trail(
        name,
        name=trail_name,
        s3_bucket_name=bucket.name,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        enable_logging=True,
        kms_key_id=logs_key_arn,
        # CloudTrail wants the group ARN with the stream wildcard.
        cloud_watch_logs_group_arn=pulumi.Output.concat(group.arn, ":*"),
        cloud_watch_logs_role_arn=role.arn,
        tags=name_tag(name),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[bucket.policy, role_policy]),
    )
    return Trail(trail=trail, bucket=bucket, log_group=group)
