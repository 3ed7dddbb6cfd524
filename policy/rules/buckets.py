"""S3 general purpose buckets as the S3 policies read them: their types, their effective
configuration (P19) and the buckets that receive server access logs."""

from __future__ import annotations

from typing import Any

from ..effective import Effective, EffectiveView, view_of

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
BUCKET_LOGGING_TYPES = frozenset(
    {"aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"}
)
# The target of a bucket's (deprecated) inline `logging`.
INLINE_LOGGING = ("logging", "targetBucket")


def bucket_configs(resources: Any) -> list[Effective]:
    """The effective configuration of every general purpose bucket (Bucket or its BucketV2
    alias), with the split resources naming it by ID or name (P19)."""
    return view_of(resources).of_type(BUCKET_TYPES)


def access_log_targets(view: EffectiveView) -> set[str]:
    """URNs of the buckets that receive S3 server access logs: named by a BucketLogging's
    `target_bucket` or by a bucket's inline `logging`."""
    resources = view.resources
    return view.links.names(
        [r for r in resources if r.resource_type in BUCKET_LOGGING_TYPES],
        BUCKET_TYPES,
        "targetBucket",
    ) | view.links.names(
        [r for r in resources if r.resource_type in BUCKET_TYPES], BUCKET_TYPES, INLINE_LOGGING
    )
