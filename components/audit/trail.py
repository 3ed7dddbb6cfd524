"""The account's multi-region CloudTrail trail (A1): its bucket, encrypted log group and
delivery role, in the account-wide region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ..iam import allow, document, service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag

if TYPE_CHECKING:
    from .component import Audit


def create_trail(audit: Audit) -> None:
    ctx = audit.ctx
    name = child_name(audit.base_name, "trail")
    trail_name = f"{name}-{audit.suffix}"
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

    bucket = audit.bucket("trail-logs", bucket_statements)

    group = encrypted_log_group(
        name,
        kms_key_arn=audit.args.logs_key_arn,
        retention_days=audit.args.trail_log_retention_days,
        parent=audit,
    )
    role = aws.iam.Role(
        name,
        description=f"{name}: CloudTrail delivery to CloudWatch Logs",
        assume_role_policy=service_trust_policy(
            "cloudtrail.amazonaws.com", source_account=ctx.account_id, source_arn=trail_arn
        ),
        tags=name_tag(name),
        opts=audit.child_opts,
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
        opts=audit.child_opts,
    )
    audit.trail = aws.cloudtrail.Trail(
        name,
        name=trail_name,
        s3_bucket_name=bucket.name,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        enable_logging=True,
        kms_key_id=audit.args.logs_key_arn,
        # CloudTrail wants the group ARN with the stream wildcard.
        cloud_watch_logs_group_arn=pulumi.Output.concat(group.arn, ":*"),
        cloud_watch_logs_role_arn=role.arn,
        tags=name_tag(name),
        opts=pulumi.ResourceOptions(parent=audit, depends_on=[bucket.policy, role_policy]),
    )
    audit.trail_bucket_name = bucket.name
    audit.trail_bucket = bucket
    audit.trail_log_group = group
