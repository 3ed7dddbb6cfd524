"""P8 hygiene: health-check parameter combinations, fixed physical names, deprecated types."""

from __future__ import annotations

import pulumi_aws as aws
import pulumi_random as random

from .helpers import check, doc, provider

TRUST = doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


def test_health_check_parameters() -> None:
    def program() -> None:
        opts = provider()
        aws.route53.HealthCheck(
            "basic-bad",
            type="HTTPS",
            fqdn="example.com",
            port=443,
            resource_path="/",
            failure_threshold=3,
            request_interval=30,
            insufficient_data_health_status="Healthy",
            opts=opts,
        )
        aws.route53.HealthCheck(
            "basic-good",
            type="HTTPS",
            fqdn="example.com",
            port=443,
            resource_path="/",
            failure_threshold=3,
            request_interval=30,
            opts=opts,
        )
        aws.route53.HealthCheck(
            "metric",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name="a",
            cloudwatch_alarm_region="us-east-1",
            insufficient_data_health_status="LastKnownStatus",
            opts=opts,
        )

    result = check(program, ["route53-health-check-params"])
    assert result.names("route53-health-check-params") == {"basic-bad"}
    assert "insufficientDataHealthStatus" in result.messages("route53-health-check-params")


def test_fixed_physical_names() -> None:
    def program() -> None:
        opts = provider()
        suffix = random.RandomString("suffix", length=8, special=False, upper=False, opts=opts)
        aws.iam.Role("autonamed", assume_role_policy=TRUST, opts=opts)
        aws.iam.Role("fixed-role", name="app-role", assume_role_policy=TRUST, opts=opts)
        aws.iam.Role(
            "suffixed",
            name=suffix.result.apply(lambda s: f"app-role-{s}"),
            assume_role_policy=TRUST,
            opts=opts,
        )
        aws.iam.Policy(
            "fixed-policy",
            name="app-policy",
            policy=doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}),
            opts=opts,
        )
        aws.s3.Bucket("fixed-bucket", bucket="prod-core-us-east-1-logs", opts=opts)
        aws.s3.Bucket("unique-bucket", bucket="prod-core-us-east-1-logs-4f9a2c71", opts=opts)
        aws.s3.Bucket("auto-bucket", opts=opts)

    result = check(program, ["unique-physical-names"])
    assert result.names("unique-physical-names", "mandatory") == {
        "fixed-role",
        "fixed-policy",
        "fixed-bucket",
    }
    assert "bucket='prod-core-us-east-1-logs'" in result.messages("unique-physical-names")


def test_deprecated_types_are_advisory() -> None:
    def program() -> None:
        opts = provider()
        aws.s3.BucketV2("legacy", opts=opts)
        aws.ec2.LaunchConfiguration("old-lc", image_id="ami-1", instance_type="t3.micro", opts=opts)
        aws.s3.Bucket("current", opts=opts)

    result = check(program, ["deprecated-resource-types"])
    assert result.names("deprecated-resource-types", "advisory") == {"legacy", "old-lc"}
    assert result.of("deprecated-resource-types", "mandatory") == []
