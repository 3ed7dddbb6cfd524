"""A private S3 bucket locked down the same way in every tier (A2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .iam import Statement, document
from .naming import name_tag, token


@dataclass
class SecureBucketArgs:
    """Arguments of `SecureBucket`. Encryption is SSE-KMS under `kms_key_arn` unless `sse_s3`
    is asked for explicitly (AWS requires SSE-S3 for ALB access-log buckets)."""

    kms_key_arn: pulumi.Input[str] | None = None
    """Customer managed key for SSE-KMS. Required unless `sse_s3` is True."""
    sse_s3: bool = False
    """Use SSE-S3 (AES256) instead of a CMK: only where AWS refuses SSE-KMS."""
    policy_statements: Callable[[pulumi.Output[str]], Sequence[Statement]] | None = None
    """Builds extra bucket-policy statements from the bucket ARN; merged with the TLS-only deny."""
    expiration_days: int | None = None
    """Days before current objects expire (None: kept)."""
    noncurrent_version_days: int = 30
    """Days before noncurrent (overwritten or deleted) versions expire."""
    transitions: Sequence[tuple[int, str]] = field(default_factory=list)
    """(days, storage class) transitions of current objects, e.g. (90, "GLACIER")."""
    protect: bool = False
    """Pulumi `protect` on the bucket (a `protect` in the component's opts is inherited too)."""
    access_log_bucket: SecureBucket | None = None
    """Where S3 writes this bucket's server access logs (A11), under `<logical name>/`. None:
    no server access logs."""
    access_logs_from: str | None = None
    """Makes this bucket a target of S3 server access logs from the buckets whose names start
    with this prefix, in this account (A11). S3 delivers them only to a bucket of the same
    account and region whose default encryption is SSE-S3 ("Default encryption with AWS KMS keys
    (SSE-KMS) is not supported") and, with object ownership enforced, only what the bucket
    policy grants `logging.s3.amazonaws.com` (S3 User Guide, "Enabling Amazon S3 server access
    logging"). A prefix, not a list: the sources are created after their target."""


class SecureBucket(pulumi.ComponentResource):
    """An S3 bucket with encryption at rest, versioning, all four public-access blocks,
    owner-enforced object ownership (no ACLs), lifecycle rules and a policy that refuses any
    request not made over TLS. `force_destroy` stays off, so a non-empty bucket is never
    deleted by an update; pass `protect=True` in `opts` to guard the bucket itself."""

    bucket: aws.s3.Bucket
    """The bucket."""
    policy: aws.s3.BucketPolicy
    """Its policy; resources that write into the bucket should depend on it."""
    name: pulumi.Output[str]
    """The bucket's physical (autonamed) name."""
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("storage", "SecureBucket"), name, None, opts)
        if not args.sse_s3 and args.kms_key_arn is None:
            raise ValueError(f"SecureBucket {name}: give kms_key_arn, or ask for sse_s3")
        if args.access_logs_from is not None and not args.sse_s3:
            raise ValueError(f"SecureBucket {name}: an access-log target must use sse_s3")
        child = pulumi.ResourceOptions(parent=self)
        # `protect` guards the bucket (its settings go with it); None inherits the component's.
        self.bucket = aws.s3.Bucket(
            name,
            force_destroy=False,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect or None),
        )
        bucket_id = self.bucket.id
        access_block = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            name,
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        aws.s3.BucketVersioning(
            name,
            bucket=bucket_id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        if args.sse_s3:
            default: dict[str, Any] = {"sse_algorithm": "AES256"}
        else:
            default = {"sse_algorithm": "aws:kms", "kms_master_key_id": args.kms_key_arn}
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket_id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": default,
                    "bucket_key_enabled": not args.sse_s3,
                }
            ],
            opts=child,
        )
        self._lifecycle(name, args)
        if args.access_log_bucket is not None:
            # Reads, writes and deletes of this bucket's objects land in the region's
            # access-log bucket (CloudTrail data events are not on; this is the cheap record).
            aws.s3.BucketLogging(
                name,
                bucket=bucket_id,
                target_bucket=args.access_log_bucket.name,
                target_prefix=f"{name}/",
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[args.access_log_bucket.policy]
                ),
            )

        arn = self.bucket.arn
        tls_only = {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, pulumi.Output.concat(arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        extra = list(args.policy_statements(arn)) if args.policy_statements else []
        if args.access_logs_from is not None:
            extra.append(self._log_delivery_statement(arn, args.access_logs_from))
        # After the public-access block, so a policy is never briefly evaluated without it.
        self.policy = aws.s3.BucketPolicy(
            name,
            bucket=bucket_id,
            policy=document([tls_only, *extra]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_block]),
        )
        self.name = self.bucket.bucket
        self.arn = arn
        self.register_outputs({"bucket_name": self.name, "bucket_arn": self.arn})

    def _log_delivery_statement(self, arn: pulumi.Output[str], prefix: str) -> Statement:
        ctx = AccountContext.lookup(self)
        return {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(arn, "/*"),
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": pulumi.Output.concat(
                        "arn:", ctx.partition, ":s3:::", prefix, "*"
                    )
                },
                "StringEquals": {"aws:SourceAccount": ctx.account_id},
            },
        }

    def _lifecycle(self, name: str, args: SecureBucketArgs) -> None:
        rule: dict[str, Any] = {
            "id": "retention",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_version_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }
        if args.expiration_days is not None:
            rule["expiration"] = {"days": args.expiration_days}
        if args.transitions:
            rule["transitions"] = [
                {"days": days, "storage_class": storage_class}
                for days, storage_class in args.transitions
            ]
        aws.s3.BucketLifecycleConfiguration(
            name, bucket=self.bucket.id, rules=[rule], opts=pulumi.ResourceOptions(parent=self)
        )
