"""P1 encryption: data at rest under customer-managed KMS keys, and key rotation on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..effective import Effective, identifiers, known, present, view_of
from .buckets import BUCKET_TYPES, access_log_targets
from .common import (
    as_list,
    by_type,
    get,
    is_aws_managed_key,
    resource_policy,
    stack_policy,
    truthy,
)
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY

SSE_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:"
        "BucketServerSideEncryptionConfigurationV2",
    }
)
LOAD_BALANCERS = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
)
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def _cmk(value: Any) -> bool:
    return bool(value) and not is_aws_managed_key(value)


# --------------------------------------------------------------------------------------------
# S3 buckets (stack policy: the encryption lives on a separate resource)


def _encryption_defaults(effective: Effective) -> list[tuple[Any, Any, Any]]:
    """(resource that sets it, sseAlgorithm, kmsMasterKeyId) of every default encryption rule
    set on the bucket: by its encryption configuration resources and by its inline
    `serverSideEncryptionConfiguration`. A key unknown during preview is another resource's
    output (a key the program creates), never an AWS-managed alias: it reads as `UNKNOWN_KEY`."""
    found = []
    for part in effective.parts_of_all(SSE_TYPES):
        for rule in as_list(part.props.get("rules")):
            default = get(rule, "applyServerSideEncryptionByDefault", default={})
            found.append((part, default.get("sseAlgorithm"), _key(default)))
    bucket = effective.resource
    path = ("serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault")
    inline = get(bucket.props, *path)
    if inline:
        found.append((bucket, inline.get("sseAlgorithm"), _key(inline)))
    return found


UNKNOWN_KEY = "(a key computed at deploy)"


def _key(default: Any) -> Any:
    if present(default, "kmsMasterKeyId") and known(default, "kmsMasterKeyId") is None:
        return UNKNOWN_KEY
    return default.get("kmsMasterKeyId")


def _check_buckets(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    resources = args.resources
    view = view_of(resources)
    configs = view.of_type(BUCKET_TYPES)
    if not configs:
        return
    configured = {str(b) for b in as_list(args.get_config().get("sseS3Buckets"))}
    # The buckets AWS delivers logs to only under SSE-S3, so those may use AES256: ALB access
    # logs, and S3 server access logs ("Default encryption with AWS KMS keys (SSE-KMS) is not
    # supported", S3 User Guide), named by a BucketLogging or a bucket's inline `logging`.
    balancers = [
        r
        for r in resources
        if r.resource_type in LOAD_BALANCERS and truthy(get(r.props, "accessLogs", "enabled"))
    ]
    log_targets = view.links.names(balancers, BUCKET_TYPES, ("accessLogs", "bucket"))
    log_targets |= access_log_targets(view)
    for effective in configs:
        bucket = effective.resource
        found = _encryption_defaults(effective)
        label = bucket.props.get("bucket") or bucket.name
        if not found:
            yield (
                bucket.urn,
                f"bucket {label} has no BucketServerSideEncryptionConfiguration: add one with "
                "sseAlgorithm `aws:kms` and a customer-managed `kmsMasterKeyId`",
            )
            continue
        may_use_sse_s3 = bucket.urn in log_targets or bool(
            configured & (identifiers(bucket.props) | {bucket.name})
        )
        for setter, algorithm, key in found:
            if algorithm in KMS_ALGORITHMS and _cmk(key):
                continue
            if algorithm == "AES256" and may_use_sse_s3:
                continue
            # On the resource that made the setting (the encryption configuration, or the
            # bucket's inline argument), with the values to set there.
            where = "" if setter is bucket else f" (set by {setter.name})"
            yield (
                setter.urn,
                f"bucket {label} encryption{where} uses sseAlgorithm={algorithm!r} "
                f"kmsMasterKeyId={key!r}: set sseAlgorithm `aws:kms` with a customer-managed "
                "`kmsMasterKeyId` (SSE-S3 is only accepted for ALB and S3 access-log buckets "
                "or buckets listed in `sseS3Buckets`)",
            )


# --------------------------------------------------------------------------------------------
# Databases


def _rds_instance(args: Any) -> Iterator[str]:
    props = args.props
    replica = props.get("replicateSourceDb")
    if not replica and not truthy(props.get("storageEncrypted")):
        yield "storageEncrypted is not true: set storageEncrypted=True with a CMK kmsKeyId"
    if not _cmk(props.get("kmsKeyId")):
        yield "kmsKeyId is not a customer-managed key: set kmsKeyId to the database CMK's ARN"
    yield from _performance_insights(props)


def _rds_cluster(args: Any) -> Iterator[str]:
    props = args.props
    if not truthy(props.get("storageEncrypted")):
        yield "storageEncrypted is not true: set storageEncrypted=True with a CMK kmsKeyId"
    if not _cmk(props.get("kmsKeyId")):
        yield "kmsKeyId is not a customer-managed key: set kmsKeyId to the database CMK's ARN"
    yield from _performance_insights(props)


def _performance_insights(props: Any) -> Iterator[str]:
    if truthy(props.get("performanceInsightsEnabled")) and not _cmk(
        props.get("performanceInsightsKmsKeyId")
    ):
        yield (
            "performanceInsightsEnabled without a customer-managed "
            "performanceInsightsKmsKeyId: set it to the database CMK's ARN"
        )


def _rds_cluster_instance(args: Any) -> Iterator[str]:
    yield from _performance_insights(args.props)


# --------------------------------------------------------------------------------------------
# Block storage


def _ebs_volume(args: Any) -> Iterator[str]:
    props = args.props
    if not truthy(props.get("encrypted")) or not _cmk(props.get("kmsKeyId")):
        yield "EBS volume: set encrypted=True and kmsKeyId to a customer-managed key"


def _launch_template(args: Any) -> Iterator[str]:
    mappings = as_list(args.props.get("blockDeviceMappings"))
    volumes = [m for m in mappings if isinstance(m, Mapping) and m.get("ebs") is not None]
    if not volumes:
        yield (
            "blockDeviceMappings has no EBS volume, so instances boot from the AMI's "
            "unencrypted snapshot: add the root device with ebs.encrypted and a CMK kmsKeyId"
        )
    for mapping in volumes:
        ebs = mapping.get("ebs")
        if not truthy(ebs.get("encrypted")) or not _cmk(ebs.get("kmsKeyId")):
            yield (
                f"blockDeviceMappings[{mapping.get('deviceName')}].ebs: set encrypted=true and "
                "kmsKeyId to a customer-managed key"
            )


def _spot_fleet(args: Any) -> Iterator[str]:
    for index, spec in enumerate(as_list(args.props.get("launchSpecifications"))):
        devices = [
            *(("rootBlockDevices", d) for d in as_list(spec.get("rootBlockDevices"))),
            *(("ebsBlockDevices", d) for d in as_list(spec.get("ebsBlockDevices"))),
        ]
        for kind, device in devices:
            if not truthy(device.get("encrypted")) or not _cmk(device.get("kmsKeyId")):
                yield (
                    f"launchSpecifications[{index}].{kind}: set encrypted=True and kmsKeyId "
                    "to a customer-managed key"
                )


def _instance(args: Any) -> Iterator[str]:
    props = args.props
    devices: list[tuple[str, Any]] = []
    root = props.get("rootBlockDevice")
    if root is not None:
        devices.append(("rootBlockDevice", root))
    elif not props.get("launchTemplate"):
        yield "rootBlockDevice is not set: add it with encrypted=True and a CMK kmsKeyId"
    for index, device in enumerate(as_list(props.get("ebsBlockDevices"))):
        devices.append((f"ebsBlockDevices[{index}]", device))
    for label, device in devices:
        if not truthy(device.get("encrypted")) or not _cmk(device.get("kmsKeyId")):
            yield f"{label}: set encrypted=True and kmsKeyId to a customer-managed key"


# --------------------------------------------------------------------------------------------
# Services encrypted with one key property


def _requires_cmk(prop: str, what: str) -> Any:
    def check(args: Any) -> Iterable[str]:
        value = args.props.get(prop)
        if not value:
            return [f"{prop} is not set: encrypt the {what} with a customer-managed KMS key"]
        if is_aws_managed_key(value):
            return [
                f"{prop}={value} is an AWS-managed key: use a customer-managed KMS key for "
                f"the {what}"
            ]
        return []

    return check


def _lambda(args: Any) -> Iterable[str]:
    variables = get(args.props, "environment", "variables", default={})
    if variables:
        return _requires_cmk("kmsKeyArn", "function's environment variables")(args)
    return []


def _ssm_parameter(args: Any) -> Iterable[str]:
    if args.props.get("type") == "SecureString":
        return _requires_cmk("keyId", "SecureString parameter")(args)
    return []


def _kms_key_remediation(args: Any) -> dict[str, Any] | None:
    """Turn automatic rotation on (safe: old key material keeps decrypting)."""
    props = args.props
    spec = props.get("customerMasterKeySpec") or props.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or truthy(props.get("enableKeyRotation")):
        return None
    return {**props, "enableKeyRotation": True}


def _kms_key(args: Any) -> Iterable[str]:
    props = args.props
    spec = props.get("customerMasterKeySpec") or props.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec == "SYMMETRIC_DEFAULT" and not truthy(props.get("enableKeyRotation")):
        return ["enableKeyRotation is not true: set enableKeyRotation=True"]
    return []


POLICIES = [
    stack_policy(
        "s3-bucket-encryption",
        "P1: every S3 bucket has a server-side encryption configuration with SSE-KMS under a "
        "customer-managed key (SSE-S3 only for ALB access-log buckets or configured buckets).",
        MANDATORY,
        _check_buckets,
        config={
            "sseS3Buckets": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Buckets (logical or physical name) allowed to use SSE-S3.",
                "default": [],
            }
        },
        meta=Meta(
            category="encryption",
            requirements=("P1",),
            severity=Severity.MEDIUM,
            url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
            remediation=(
                "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with "
                "sse_algorithm 'aws:kms' and kms_master_key_id set to a customer-managed key (and "
                "bucket_key_enabled=True). Only ALB and S3 access-log buckets may use AES256."
            ),
        ),
    ),
    resource_policy(
        "rds-encryption",
        "P1: RDS instances and Aurora clusters encrypt storage and Performance Insights with a "
        "customer-managed key.",
        MANDATORY,
        by_type(
            {
                "aws:rds/instance:Instance": _rds_instance,
                "aws:rds/cluster:Cluster": _rds_cluster,
                "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
            }
        ),
        meta=Meta(
            category="encryption",
            requirements=("P1",),
            controls=("RDS.3", "RDS.27"),
            remediation=(
                "Set storage_encrypted=True and kms_key_id to a customer-managed key on the "
                "instance or cluster, and performance_insights_kms_key_id when Performance "
                "Insights is on. An existing unencrypted database is encrypted by restoring an "
                "encrypted snapshot copy."
            ),
        ),
    ),
    resource_policy(
        "ebs-encryption",
        "P1: EBS volumes, launch-template, instance and Spot Fleet block devices are "
        "encrypted with a customer-managed key.",
        MANDATORY,
        by_type(
            {
                "aws:ebs/volume:Volume": _ebs_volume,
                "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
                "aws:ec2/instance:Instance": _instance,
                "aws:ec2/spotFleetRequest:SpotFleetRequest": _spot_fleet,
            }
        ),
        meta=Meta(
            category="encryption",
            requirements=("P1",),
            controls=("EC2.3", "EC2.181", "EC2.173"),
            remediation=(
                "Give every EBS volume, launch-template block device mapping (including the root "
                "device), instance block device and Spot Fleet launch specification encrypted=True"
                " and kms_key_id set to a customer-managed key."
            ),
        ),
    ),
    resource_policy(
        "cmk-encryption",
        "P1: CloudTrail, log groups, SNS topics, Secrets Manager secrets, Lambda environments, "
        "SSM SecureString parameters and backup vaults use a customer-managed KMS key.",
        MANDATORY,
        by_type(
            {
                "aws:cloudtrail/trail:Trail": _requires_cmk("kmsKeyId", "trail's log files"),
                "aws:cloudwatch/logGroup:LogGroup": _requires_cmk("kmsKeyId", "log group"),
                "aws:sns/topic:Topic": _requires_cmk("kmsMasterKeyId", "topic"),
                "aws:secretsmanager/secret:Secret": _requires_cmk("kmsKeyId", "secret"),
                "aws:lambda/function:Function": _lambda,
                "aws:ssm/parameter:Parameter": _ssm_parameter,
                "aws:backup/vault:Vault": _requires_cmk("kmsKeyArn", "backup vault"),
            }
        ),
        meta=Meta(
            category="encryption",
            requirements=("P1",),
            controls=("CloudTrail.2", "Backup.1"),
            remediation=(
                "Set the resource's KMS key property (kms_key_id, kms_master_key_id or "
                "kms_key_arn) to a customer-managed key whose key policy lets the service use it; "
                "AWS-managed aliases (alias/aws/...) cannot be audited or shared and are refused."
            ),
        ),
    ),
    resource_policy(
        "kms-key-rotation",
        "P1: symmetric customer-managed KMS keys have automatic rotation on.",
        MANDATORY,
        by_type({"aws:kms/key:Key": _kms_key}),
        meta=Meta(
            category="encryption",
            requirements=("P1",),
            controls=("KMS.4",),
            remediation=(
                "Set enable_key_rotation=True on every symmetric customer-managed key (the "
                "remediate level sets it)."
            ),
        ),
        remediate=_kms_key_remediation,
    ),
]
