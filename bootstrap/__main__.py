"""State backend bootstrap (S4): the bucket `pulumi login s3://...` uses and the KMS key for
`--secrets-provider awskms://...`.

Pulumi's S3 backend locks a stack with lock objects in the bucket itself, so no lock table is
needed. Both the bucket and the keys are protected: losing them loses every stack's state.
"""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
region = config.require("region")
noncurrent_days = config.get_int("noncurrentVersionDays") or 90
access_log_days = config.get_int("accessLogDays") or 365
if noncurrent_days < 30:
    raise ValueError(
        f"{pulumi.get_project()}:noncurrentVersionDays must be at least 30 (got "
        f"{noncurrent_days}): old state versions are the way back from a bad update"
    )

provider = aws.Provider(
    f"aws-{region}",
    region=region,
    default_tags=aws.ProviderDefaultTagsArgs(
        tags={
            "Environment": "shared",
            "Project": pulumi.get_project(),
            "Owner": config.require("owner"),
            "CostCenter": config.require("costCenter"),
            "ManagedBy": "pulumi",
        }
    ),
)
keep = pulumi.ResourceOptions(provider=provider, protect=True)
child = pulumi.ResourceOptions(provider=provider)
invoke = pulumi.InvokeOutputOptions(provider=provider)
identity = aws.get_caller_identity_output(opts=invoke)
# The partition from the provider, so the key policy is valid in aws-cn and aws-us-gov too.
partition = aws.get_partition_output(opts=invoke).partition
root = pulumi.Output.concat("arn:", partition, ":iam::", identity.account_id, ":root")


def key(purpose: str) -> tuple[aws.kms.Key, aws.kms.Alias]:
    """A CMK with rotation on whose policy delegates to IAM in this account."""
    name = f"state-{purpose}"
    cmk = aws.kms.Key(
        name,
        description=f"Pulumi state backend: {purpose}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "EnableIamPolicies",
                        "Effect": "Allow",
                        "Principal": {"AWS": root},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            }
        ),
        tags={"Name": name},
        opts=keep,
    )
    alias = aws.kms.Alias(name, name_prefix=f"alias/{name}-", target_key_id=cmk.key_id, opts=child)
    return cmk, alias


bucket_key, _ = key("bucket")
secrets_key, secrets_alias = key("secrets")


def private_bucket(
    name: str,
    *,
    encryption: aws.s3.BucketServerSideEncryptionConfigurationRuleArgs,
    statements: Callable[[str, str], list[dict[str, Any]]],
    expire_current_days: int | None = None,
) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    """A protected, versioned, private bucket: encryption, public-access block, ACLs off,
    old versions expired, TLS only, plus the `statements` built from its ARN and the account."""
    bucket = aws.s3.Bucket(name, tags={"Name": f"pulumi-{name}"}, opts=keep)
    aws.s3.BucketVersioning(
        name,
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name, bucket=bucket.id, rules=[encryption], opts=child
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-old-state-versions",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=noncurrent_days
                ),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=expire_current_days
                )
                if expire_current_days
                else None,
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7
                ),
            )
        ],
        opts=child,
    )
    policy = aws.s3.BucketPolicy(
        name,
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, identity.account_id).apply(
            lambda values: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [values[0], f"{values[0]}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        *statements(values[0], values[1]),
                    ],
                }
            )
        ),
        # The policy call fails while the account-level block is being applied.
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[public_access]),
    )
    return bucket, policy


bucket, _ = private_bucket(
    "state",
    encryption=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=bucket_key.arn
        ),
        bucket_key_enabled=True,
    ),
    statements=lambda arn, account: [],
)
# Who read or wrote which state file (S3 server access logs, S3.9). S3 delivers them only to
# an SSE-S3 bucket in the same account and region, through its logging service principal.
access_logs, access_log_policy = private_bucket(
    "state-access-logs",
    encryption=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        ),
    ),
    statements=lambda arn, account: [
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/state/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }
    ],
    expire_current_days=access_log_days,
)
aws.s3.BucketLogging(
    "state",
    bucket=bucket.id,
    target_bucket=access_logs.id,
    target_prefix="state/",
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[access_log_policy]),
)

pulumi.export("stateBucket", bucket.bucket)
pulumi.export("loginUrl", pulumi.Output.concat("s3://", bucket.bucket, "?region=", region))
pulumi.export(
    "secretsProvider", pulumi.Output.concat("awskms://", secrets_alias.name, "?region=", region)
)
pulumi.export("secretsKeyArn", secrets_key.arn)
