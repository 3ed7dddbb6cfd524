"""P11 preflight from AWS's published constraints (issue 20): for each constraint kind (range,
length, pattern, enum, format, cross-property) a value AWS refuses is flagged and the value at
the limit is not, on resource types this project's stacks do not use.

Each case builds two resources of one type: `bad`, one step past the published limit, and
`limit`, exactly at it; only the schema policy is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pytest

from policy.awsfacts import cfn_schemas
from policy.awsfacts.cfn_mapping import CHECKED_VERSION, TYPE_MAP, UNMAPPABLE
from policy.rules.preflight_schema import input_properties, schema_problems, snake

from .helpers import check, provider

POLICY = "preflight-published-constraints"
Make = Callable[[str, dict[str, Any], Any], Any]

# (case id, constructor, violating inputs, inputs at the limit, words the finding must hold)
CASES: list[tuple[str, Make, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
    (
        "range-sqs-delay",
        lambda n, kw, o: aws.sqs.Queue(n, **kw, opts=o),
        {"delay_seconds": 901},
        {"delay_seconds": 900},
        ("delay_seconds=901", "above the maximum 900", "AWS::SQS::Queue", "/DelaySeconds/maximum"),
    ),
    (
        "range-kinesis-retention",
        lambda n, kw, o: aws.kinesis.Stream(n, shard_count=1, **kw, opts=o),
        {"retention_period": 8761},
        {"retention_period": 8760},
        ("retention_period=8761", "maximum 8760", "RetentionPeriodHours"),
    ),
    (
        "range-event-source-batch",
        lambda n, kw, o: aws.lambda_.EventSourceMapping(n, function_name="f", **kw, opts=o),
        {"parallelization_factor": 11},
        {"parallelization_factor": 10},
        ("parallelization_factor=11", "maximum 10"),
    ),
    (
        "range-elasticache-clusters",
        lambda n, kw, o: aws.elasticache.ReplicationGroup(n, description="d", **kw, opts=o),
        {"num_cache_clusters": 7},
        {"num_cache_clusters": 6},
        ("num_cache_clusters=7", "maximum 6"),
    ),
    (
        "length-state-machine-name",
        lambda n, kw, o: aws.sfn.StateMachine(n, role_arn="arn", definition="{}", **kw, opts=o),
        {"name": "s" * 81},
        {"name": "s" * 80},
        ("name='sss", "81 characters, over the maximum 80", "StateMachineName"),
    ),
    (
        "length-beanstalk-description",
        lambda n, kw, o: aws.elasticbeanstalk.Application(n, name=n, **kw, opts=o),
        {"description": "d" * 201},
        {"description": "d" * 200},
        ("description=", "201 characters, over the maximum 200"),
    ),
    (
        "length-cognito-pool-name",
        lambda n, kw, o: aws.cognito.UserPool(n, **kw, opts=o),
        {"name": "p" * 129},
        {"name": "p" * 128},
        ("name=", "over the maximum 128", "UserPoolName"),
    ),
    (
        "pattern-kinesis-name",
        lambda n, kw, o: aws.kinesis.Stream(n, shard_count=1, **kw, opts=o),
        {"name": "orders stream"},
        {"name": "orders_stream.v1-" + "x" * 111},
        ("name='orders stream'", "does not match the pattern ^[a-zA-Z0-9_.-]+$"),
    ),
    (
        "enum-dynamodb-table-class",
        lambda n, kw, o: aws.dynamodb.Table(
            n, hash_key="id", attributes=[{"name": "id", "type": "S"}], **kw, opts=o
        ),
        {"table_class": "INFREQUENT"},
        {"table_class": "STANDARD_INFREQUENT_ACCESS"},
        ("table_class='INFREQUENT'", "is not one of 'STANDARD', 'STANDARD_INFREQUENT_ACCESS'"),
    ),
    (
        "enum-efs-throughput-mode",
        lambda n, kw, o: aws.efs.FileSystem(n, **kw, opts=o),
        {"throughput_mode": "burst"},
        {"throughput_mode": "elastic"},
        ("throughput_mode='burst'", "'bursting', 'elastic', 'provisioned'"),
    ),
    (
        "enum-ebs-volume-type",
        lambda n, kw, o: aws.ebs.Volume(n, availability_zone="us-east-1a", size=8, **kw, opts=o),
        {"type": "gp4"},
        {"type": "gp3"},
        ("type='gp4'", "enumCaseInsensitive"),
    ),
    (
        "format-vpc-cidr",
        lambda n, kw, o: aws.ec2.Vpc(n, **kw, opts=o),
        {"cidr_block": "10.0.0.1/16"},
        {"cidr_block": "10.0.0.0/16"},
        ("cidr_block='10.0.0.1/16'", "format ipv4-network", "AWS::EC2::VPC"),
    ),
    (
        "cross-subnet-az-and-az-id",
        lambda n, kw, o: aws.ec2.Subnet(n, vpc_id="vpc-1", cidr_block="10.0.1.0/24", **kw, opts=o),
        {"availability_zone": "us-east-1a", "availability_zone_id": "use1-az1"},
        {"availability_zone_id": "use1-az1"},
        ("availability_zone=", "cannot be set together with AvailabilityZoneId"),
    ),
    (
        "cross-sqs-fifo-name",
        lambda n, kw, o: aws.sqs.Queue(n, fifo_queue=True, **kw, opts=o),
        {"name": "orders"},
        {"name": "orders.fifo"},
        ("name='orders'", "E3503", "aws_sqs_queue/properties.json"),
    ),
    (
        "cross-fargate-cpu-memory",
        lambda n, kw, o: aws.ecs.TaskDefinition(
            n,
            family=n,
            container_definitions="[]",
            requires_compatibilities=["FARGATE"],
            cpu="256",
            **kw,
            opts=o,
        ),
        {"memory": "4096"},
        {"memory": "2048"},
        ("cpu='256'", "memory='4096'", "E3047 Fargate CPU/memory pairs"),
    ),
]


@pytest.mark.parametrize(
    ("make", "bad", "limit", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_violation_flagged_limit_passes(
    make: Make, bad: dict[str, Any], limit: dict[str, Any], words: tuple[str, ...]
) -> None:
    def program() -> None:
        options = provider()
        make("bad", bad, options)
        make("limit", limit, options)

    found = check(program, [POLICY]).of(POLICY)
    assert {name for name, _ in found} == {"bad"}, found
    message = "\n".join(message for _, message in found)
    for word in words:
        assert word in message, message
    assert f"cfn-lint {cfn_schemas.version()}" in message


def test_cases_cover_ten_types_outside_the_stacks() -> None:
    """Issue 20: every constraint kind, on at least ten types the stacks do not use."""
    kinds = {case[0].split("-")[0] for case in CASES}
    assert kinds == {"range", "length", "pattern", "enum", "format", "cross"}
    assert len({case[0].split("-", 1)[1].rsplit("-", 1)[0] for case in CASES}) >= 10


def test_mapping_checked_against_pinned_cfn_lint() -> None:
    """The mapping was read against one cfn-lint release; a new one needs a re-read (and a
    new CHECKED_VERSION) before the range in requirements.txt moves."""
    assert cfn_schemas.version() == CHECKED_VERSION


def test_every_mapped_type_has_a_schema_and_its_renames_resolve() -> None:
    """A mapping that names a type, a property or an extension the schemas lack would
    silently check nothing."""
    from policy.rules.preflight_schema import _schema_node

    for pulumi_type, mapping in TYPE_MAP.items():
        root = cfn_schemas.resource_schema(mapping.cfn)
        assert root is not None, (pulumi_type, mapping.cfn)
        wires = set(input_properties(pulumi_type))
        assert wires, pulumi_type
        for source, target in mapping.renames.items():
            assert source.split(".")[0].removesuffix("[]") in wires, (pulumi_type, source)
            assert _schema_node(root, target) is not None, (pulumi_type, target)
        for extension in mapping.extensions:
            assert cfn_schemas.extension_schema(mapping.cfn, extension.filename), extension


def test_provider_disagreements_are_not_flagged() -> None:
    """Values pulumi-aws accepts that the schema does not: an SSM SecureString (the schema's
    Type enum is CloudFormation's, which cannot create one) and a log group retention of 0
    ('never expire' to the provider)."""
    ssm = {"name": "/app/db", "type": "SecureString", "value": "s"}
    assert list(schema_problems("aws:ssm/parameter:Parameter", ssm)) == []
    logs = {"name": "app", "retentionInDays": 0.0}
    assert list(schema_problems("aws:cloudwatch/logGroup:LogGroup", logs)) == []
    assert list(schema_problems("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 8.0}))


def test_case_only_and_number_string_differences_are_left_to_the_provider() -> None:
    """pulumi-aws upper-cases ELB protocols itself, and CloudFormation reads "512" as 512."""
    group = {"port": 80.0, "protocol": "http", "healthCheck": {"protocol": "http"}}
    assert list(schema_problems("aws:lb/targetGroup:TargetGroup", group)) == []
    task = {"cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]}
    assert list(schema_problems("aws:ecs/taskDefinition:TaskDefinition", task)) == []


def test_messages_name_the_snake_case_path() -> None:
    assert snake("healthCheck.healthyThreshold") == "health_check.healthy_threshold"
    found = list(
        schema_problems("aws:lb/targetGroup:TargetGroup", {"healthCheck": {"interval": 301.0}})
    )
    assert found and found[0].startswith("health_check.interval=301 is above the maximum 300")
    assert "/properties/HealthCheckIntervalSeconds/maximum" in found[0]


def _transition_rule(storage_class: str) -> dict[str, Any]:
    transition = {"days": 30, "storage_class": storage_class}
    return {"id": "r", "status": "Enabled", "transitions": [transition]}


# Types the stacks and test programs use that the first mapping left out (issue 20's first
# Done-when line): one violating and one at-the-limit resource each.
USED_TYPE_CASES: list[tuple[str, Make, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
    (
        "range-ingress-rule-port",
        lambda n, kw, o: aws.vpc.SecurityGroupIngressRule(
            n, security_group_id="sg-1", ip_protocol="icmp", cidr_ipv4="10.0.0.0/8", **kw, opts=o
        ),
        {"from_port": -2, "to_port": -1},
        {"from_port": -1, "to_port": -1},
        ("from_port=-2", "below the minimum -1", "AWS::EC2::SecurityGroupIngress"),
    ),
    (
        "format-ingress-rule-cidr",
        lambda n, kw, o: aws.vpc.SecurityGroupIngressRule(
            n, security_group_id="sg-1", ip_protocol="tcp", from_port=443, to_port=443, **kw, opts=o
        ),
        {"cidr_ipv4": "10.0.0.1/8"},
        {"cidr_ipv4": "10.0.0.0/8"},
        ("cidr_ipv4='10.0.0.1/8'", "format ipv4-network", "/CidrIp/format"),
    ),
    (
        "cross-egress-rule-two-destinations",
        lambda n, kw, o: aws.vpc.SecurityGroupEgressRule(
            n, security_group_id="sg-1", ip_protocol="-1", cidr_ipv4="0.0.0.0/0", **kw, opts=o
        ),
        {"referenced_security_group_id": "sg-2"},
        {},
        ("cidr_ipv4='0.0.0.0/0'", "cannot be set together with DestinationSecurityGroupId"),
    ),
    (
        "length-role-policy-name",
        lambda n, kw, o: aws.iam.RolePolicy(n, role="app", policy="{}", **kw, opts=o),
        {"name": "p" * 129},
        {"name": "p" * 128},
        ("name='ppp", "129 characters, over the maximum 128", "AWS::IAM::RolePolicy"),
    ),
    (
        "pattern-role-policy-attachment-arn",
        lambda n, kw, o: aws.iam.RolePolicyAttachment(n, role="app", **kw, opts=o),
        {"policy_arn": "arn:aws:iam::aws:role/ReadOnlyAccess"},
        {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        ("policy_arn='arn:aws:iam::aws:role/ReadOnlyAccess'", "does not match the pattern"),
    ),
    (
        "enum-bucket-versioning-status",
        lambda n, kw, o: aws.s3.BucketVersioning(n, bucket="b", **kw, opts=o),
        {"versioning_configuration": {"status": "Enable"}},
        {"versioning_configuration": {"status": "Suspended"}},
        ("versioning_configuration.status='Enable'", "'Enabled', 'Suspended'", "AWS::S3::Bucket"),
    ),
    (
        "enum-lifecycle-storage-class",
        lambda n, kw, o: aws.s3.BucketLifecycleConfiguration(n, bucket="b", **kw, opts=o),
        {"rules": [_transition_rule("GLACIER_DEEP")]},
        {"rules": [_transition_rule("DEEP_ARCHIVE")]},
        ("rules[0].transitions[0].storage_class='GLACIER_DEEP'", "is not one of"),
    ),
    (
        "length-lifecycle-rule-id",
        lambda n, kw, o: aws.s3.BucketLifecycleConfiguration(n, bucket="b", **kw, opts=o),
        {"rules": [{"id": "r" * 256, "status": "Enabled", "expiration": {"days": 30}}]},
        {"rules": [{"id": "r" * 255, "status": "Enabled", "expiration": {"days": 30}}]},
        ("rules[0].id=", "256 characters, over the maximum 255", "LifecycleConfiguration"),
    ),
    (
        "pattern-metric-filter-name",
        lambda n, kw, o: aws.cloudwatch.LogMetricFilter(
            n,
            log_group_name="app",
            pattern="ERROR",
            metric_transformation={"name": "errors", "namespace": "App", "value": "1"},
            **kw,
            opts=o,
        ),
        # The published pattern `^[^:*]{1,512}` is not anchored at its end: only a name that
        # starts with `:` or `*` breaks it (`errors:5xx` passes it, though the API refuses it).
        {"name": ":errors"},
        {"name": "e" * 512},
        ("name=':errors'", "does not match the pattern", "AWS::Logs::MetricFilter"),
    ),
    (
        "enum-guardduty-feature-name",
        lambda n, kw, o: aws.guardduty.DetectorFeature(
            n, detector_id="d", status="ENABLED", **kw, opts=o
        ),
        {"name": "S3_LOGS"},
        {"name": "S3_DATA_EVENTS"},
        ("name='S3_LOGS'", "is not one of", "AWS::GuardDuty::Detector"),
    ),
    (
        "length-record-set-identifier",
        lambda n, kw, o: aws.route53.Record(
            n,
            zone_id="Z1",
            name="app.example.com",
            type="A",
            ttl=60,
            records=["192.0.2.1"],
            weighted_routing_policies=[{"weight": 1}],
            **kw,
            opts=o,
        ),
        {"set_identifier": "s" * 129},
        {"set_identifier": "s" * 128},
        ("set_identifier=", "over the maximum 128", "AWS::Route53::RecordSet"),
    ),
]


@pytest.mark.parametrize(
    ("make", "bad", "limit", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in USED_TYPE_CASES],
)
def test_used_types_violation_flagged_limit_passes(
    make: Make, bad: dict[str, Any], limit: dict[str, Any], words: tuple[str, ...]
) -> None:
    test_violation_flagged_limit_passes(make, bad, limit, words)


def test_split_resources_read_their_own_args_class() -> None:
    """pulumi-aws names a resource's args `<Name>InitArgs` when `<Name>Args` is taken by an
    input type of another resource (`BucketVersioningArgs` is `Bucket.versioning`'s)."""
    assert "versioningConfiguration" in input_properties("aws:s3/bucketVersioning:BucketVersioning")
    assert "rules" in input_properties(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )


def test_provider_only_values_of_the_split_resources_are_not_flagged() -> None:
    """pulumi-aws takes versioning status `Disabled` (for a bucket never versioned) and a
    lifecycle date as a full-date (`2023-08-22`), which CloudFormation spells differently."""
    versioning = {"bucket": "b", "versioningConfiguration": {"status": "Disabled"}}
    assert list(schema_problems("aws:s3/bucketVersioning:BucketVersioning", versioning)) == []
    rule = {"id": "r", "status": "Enabled", "expiration": {"date": "2030-01-01"}}
    lifecycle = {"bucket": "b", "rules": [rule]}
    assert list(schema_problems(_LIFECYCLE, lifecycle)) == []


_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def test_unmappable_types_say_why_and_are_not_mapped() -> None:
    """A type with no CloudFormation counterpart (or nothing to check) is listed with its
    reason, apart from the types not yet mapped."""
    assert UNMAPPABLE
    for pulumi_type, reason in UNMAPPABLE.items():
        assert pulumi_type not in TYPE_MAP, pulumi_type
        assert len(reason) > 20, pulumi_type
