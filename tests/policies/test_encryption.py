"""P1 encryption policies: violating and compliant shapes of every encrypted resource."""

from __future__ import annotations

import warnings
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from .helpers import check, default_provider_config, doc, provider

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _bucket(
    name: str, opts: pulumi.ResourceOptions, algorithm: str | None, key=None
) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, opts=opts)
    if algorithm is not None:
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": algorithm,
                        "kms_master_key_id": key,
                    }
                }
            ],
            opts=opts,
        )
    return bucket


def test_bucket_encryption_stack_policy() -> None:
    def program() -> None:
        opts = provider()
        key = aws.kms.Key("key", enable_key_rotation=True, opts=opts)
        _bucket("kms", opts, "aws:kms", key.arn)
        _bucket("none", opts, None)
        _bucket("aes", opts, "AES256")
        _bucket("managed", opts, "aws:kms", "alias/aws/s3")
        _bucket("allowed", opts, "AES256")

    result = check(
        program,
        ["s3-bucket-encryption"],
        pack_config={"s3-bucket-encryption": {"sseS3Buckets": ["allowed"]}},
    )
    # Issue 21: a bucket without encryption is reported on the bucket ("add"); a wrong setting
    # on the encryption configuration that made it ("set").
    assert result.names("s3-bucket-encryption", "mandatory") == {"none", "aes-sse", "managed-sse"}
    messages = result.messages("s3-bucket-encryption")
    assert (
        "bucket none-" in messages and "no BucketServerSideEncryptionConfiguration: add" in messages
    )
    assert "(set by aes-sse) uses sseAlgorithm='AES256'" in messages


@pytest.mark.parametrize("module", [aws.lb, aws.alb], ids=["lb", "alb"])
def test_alb_log_bucket_may_use_sse_s3(module: Any) -> None:
    """ALB access logs go only to SSE-S3 buckets, whichever SDK module declares the balancer
    (aws.alb.LoadBalancer is aws.lb.LoadBalancer's twin)."""

    def program() -> None:
        opts = provider()
        bucket = aws.s3.Bucket("alb-logs", opts=opts)
        aws.s3.BucketServerSideEncryptionConfiguration(
            "alb-logs-sse",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=opts,
        )
        module.LoadBalancer(
            "alb",
            load_balancer_type="application",
            subnets=["subnet-1", "subnet-2"],
            access_logs={"bucket": bucket.bucket, "enabled": True},
            opts=opts,
        )

    assert check(program, ["s3-bucket-encryption"]).of("s3-bucket-encryption") == []


def test_s3_access_log_target_may_use_sse_s3() -> None:
    """A11, P1: S3 delivers server access logs only to SSE-S3 buckets, so a BucketLogging
    target may use AES256; a bucket that only logs elsewhere may not."""

    def program() -> None:
        opts = provider()
        target = _bucket("access-logs", opts, "AES256")
        source = _bucket("source", opts, "AES256")
        aws.s3.BucketLogging(
            "source-logging",
            bucket=source.bucket,
            target_bucket=target.bucket,
            target_prefix="source/",
            opts=opts,
        )

    result = check(program, ["s3-bucket-encryption"])
    assert result.names("s3-bucket-encryption", "mandatory") == {"source-sse"}


def test_rds_instance_cluster_and_performance_insights() -> None:
    def program() -> None:
        opts = provider()
        common = {"instance_class": "db.t3.micro", "engine": "postgres", "opts": opts}
        aws.rds.Instance(
            "good",
            storage_encrypted=True,
            kms_key_id=KEY_ARN,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=KEY_ARN,
            **common,
        )
        aws.rds.Instance("plain", **common)
        aws.rds.Instance(
            "pi-default-key",
            storage_encrypted=True,
            kms_key_id=KEY_ARN,
            performance_insights_enabled=True,
            **common,
        )
        aws.rds.Cluster("cluster-plain", engine="aurora-postgresql", opts=opts)
        aws.rds.Cluster(
            "cluster-good",
            engine="aurora-postgresql",
            storage_encrypted=True,
            kms_key_id=KEY_ARN,
            opts=opts,
        )
        aws.rds.ClusterInstance(
            "member",
            cluster_identifier="c",
            instance_class="db.r6g.large",
            engine="aurora-postgresql",
            performance_insights_enabled=True,
            opts=opts,
        )

    result = check(program, ["rds-encryption"])
    assert result.names("rds-encryption") == {"plain", "pi-default-key", "cluster-plain", "member"}
    assert "performanceInsightsKmsKeyId" in result.messages("rds-encryption")


def test_ebs_volume_launch_template_and_instance() -> None:
    def program() -> None:
        opts = provider()
        aws.ebs.Volume(
            "vol-good",
            availability_zone="us-east-1a",
            size=8,
            encrypted=True,
            kms_key_id=KEY_ARN,
            opts=opts,
        )
        aws.ebs.Volume("vol-bad", availability_zone="us-east-1a", size=8, encrypted=True, opts=opts)
        ebs_good = {"volume_size": 8, "encrypted": "true", "kms_key_id": KEY_ARN}
        aws.ec2.LaunchTemplate(
            "lt-good",
            block_device_mappings=[{"device_name": "/dev/xvda", "ebs": ebs_good}],
            opts=opts,
        )
        aws.ec2.LaunchTemplate(
            "lt-bad",
            block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 8}}],
            opts=opts,
        )
        aws.ec2.LaunchTemplate("lt-none", opts=opts)
        aws.ec2.Instance(
            "vm-good",
            ami="ami-123",
            instance_type="t3.micro",
            root_block_device={"encrypted": True, "kms_key_id": KEY_ARN},
            opts=opts,
        )
        aws.ec2.Instance(
            "vm-bad",
            ami="ami-123",
            instance_type="t3.micro",
            root_block_device={"encrypted": True, "kms_key_id": KEY_ARN},
            ebs_block_devices=[{"device_name": "/dev/sdf", "encrypted": False}],
            opts=opts,
        )
        aws.ec2.Instance("vm-noroot", ami="ami-123", instance_type="t3.micro", opts=opts)

    result = check(program, ["ebs-encryption"])
    assert result.names("ebs-encryption") == {"vol-bad", "lt-bad", "lt-none", "vm-bad", "vm-noroot"}
    assert "ebsBlockDevices[0]" in result.messages("ebs-encryption")


def test_cmk_encryption_services() -> None:
    def program() -> None:
        opts = provider()
        aws.cloudtrail.Trail("trail-bad", s3_bucket_name="b", opts=opts)
        aws.cloudtrail.Trail("trail-good", s3_bucket_name="b", kms_key_id=KEY_ARN, opts=opts)
        aws.cloudwatch.LogGroup("lg-bad", retention_in_days=7, opts=opts)
        aws.cloudwatch.LogGroup("lg-good", kms_key_id=KEY_ARN, opts=opts)
        aws.sns.Topic("topic-bad", kms_master_key_id="alias/aws/sns", opts=opts)
        aws.sns.Topic("topic-good", kms_master_key_id=KEY_ARN, opts=opts)
        aws.secretsmanager.Secret("secret-bad", opts=opts)
        aws.secretsmanager.Secret(
            "secret-managed", kms_key_id="alias/aws/secretsmanager", opts=opts
        )
        aws.secretsmanager.Secret("secret-good", kms_key_id=KEY_ARN, opts=opts)
        fn = {
            "role": "arn:aws:iam::123456789012:role/r",
            "runtime": "python3.12",
            "handler": "h.h",
            "code": pulumi.AssetArchive({}),
            "opts": opts,
        }
        aws.lambda_.Function("fn-bad", environment={"variables": {"A": "1"}}, **fn)
        aws.lambda_.Function(
            "fn-good", environment={"variables": {"A": "1"}}, kms_key_arn=KEY_ARN, **fn
        )
        aws.lambda_.Function("fn-noenv", **fn)
        aws.ssm.Parameter(
            "param-bad", type="SecureString", value="x", key_id="alias/aws/ssm", opts=opts
        )
        aws.ssm.Parameter("param-good", type="SecureString", value="x", key_id=KEY_ARN, opts=opts)
        aws.ssm.Parameter("param-plain", type="String", value="x", opts=opts)
        aws.backup.Vault("vault-bad", opts=opts)
        aws.backup.Vault("vault-good", kms_key_arn=KEY_ARN, opts=opts)

    result = check(program, ["cmk-encryption"])
    assert result.names("cmk-encryption") == {
        "trail-bad",
        "lg-bad",
        "topic-bad",
        "secret-bad",
        "secret-managed",
        "fn-bad",
        "param-bad",
        "vault-bad",
    }
    assert "AWS-managed key" in result.messages("cmk-encryption")


def test_kms_rotation_on_default_provider() -> None:
    def program() -> None:
        policy = doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
        )
        aws.kms.Key("rotating", enable_key_rotation=True)
        aws.kms.Key("static", policy=policy)
        aws.kms.Key("asymmetric", customer_master_key_spec="RSA_2048", key_usage="SIGN_VERIFY")

    result = check(program, ["kms-key-rotation"], config=default_provider_config())
    assert result.names("kms-key-rotation") == {"static"}
    assert "enableKeyRotation" in result.messages("kms-key-rotation")


def test_bucket_encryption_in_every_spelling() -> None:
    """The encryption set by the bucket's inline `server_side_encryption_configuration`, or by
    a BucketServerSideEncryptionConfigurationV2 naming a BucketV2 by ID or by name, counts as
    the split resource does (issue 21)."""

    def inline(name: str, algorithm: str, key: str | None, opts: pulumi.ResourceOptions) -> None:
        default = {"sse_algorithm": algorithm, "kms_master_key_id": key}
        aws.s3.Bucket(
            name,
            server_side_encryption_configuration={
                "rule": {"apply_server_side_encryption_by_default": default}
            },
            opts=opts,
        )

    def v2(name: str, algorithm: str, by: str, opts: pulumi.ResourceOptions) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            bucket = aws.s3.BucketV2(name, bucket=name, opts=opts)
            aws.s3.BucketServerSideEncryptionConfigurationV2(
                f"{name}-sse",
                bucket=bucket.id if by == "id" else bucket.bucket,
                rules=[
                    {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": algorithm,
                            "kms_master_key_id": KEY_ARN if algorithm == "aws:kms" else None,
                        }
                    }
                ],
                opts=opts,
            )

    def program() -> None:
        opts = provider()
        inline("inline-kms", "aws:kms", KEY_ARN, opts)
        inline("inline-aes", "AES256", None, opts)
        v2("v2-kms-by-id", "aws:kms", "id", opts)
        v2("v2-kms-by-name", "aws:kms", "name", opts)
        v2("v2-aes-by-id", "AES256", "id", opts)

    result = check(program, ["s3-bucket-encryption"])
    # Each on the resource that made the setting: the bucket's inline argument, the V2 resource.
    assert result.names("s3-bucket-encryption") == {"inline-aes", "v2-aes-by-id-sse"}
    assert "sseAlgorithm='AES256'" in result.messages("s3-bucket-encryption")
