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
from policy.awsfacts.cfn_mapping import CHECKED_VERSION, TYPE_MAP
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
