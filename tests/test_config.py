"""Stack config validation (S1, S5, N1-N3): bad config fails before any resource is registered,
with a message naming the key and what is allowed."""

from __future__ import annotations

import copy

import pytest
from conftest import NAMESPACE as NS
from conftest import REPO_ROOT, SECONDARY_CERT, valid_config
from conftest import SECONDARY_REGION as SECONDARY

from components.config import ConfigError, config_from_mapping
from policy.harness import ProgramError, run_program

# Cases here add a secondary region, which needs its own (regional) certificate.
VALID = valid_config()
VALID["compute"]["certificateArn"]["eu-west-1"] = SECONDARY_CERT


def with_changes(**changes: object) -> dict:
    """A deep copy of VALID with top-level keys replaced."""
    values = copy.deepcopy(VALID)
    values.update(copy.deepcopy(changes))
    return values


def region(**changes: object) -> dict:
    """The valid primary region with some keys replaced."""
    return {**VALID["regions"][0], **changes}


def test_valid_config_derives_subnets_deterministically() -> None:
    """N2: subnets derived from the VPC CIDR, one per AZ and tier, never overlapping."""
    config = config_from_mapping(NS, with_changes())
    r = config.primary
    public, private, database = (r.subnet_cidrs(t) for t in ("public", "private", "database"))
    assert [str(c) for c in public] == ["10.0.0.0/20", "10.0.16.0/20"]
    assert [str(c) for c in private] == ["10.0.64.0/20", "10.0.80.0/20"]
    assert [str(c) for c in database] == ["10.0.128.0/20", "10.0.144.0/20"]
    every = public + private + database
    assert all(not a.overlaps(b) for i, a in enumerate(every) for b in every[i + 1 :])
    assert config.secondary is None
    assert config.tags() == {
        "Environment": "dev",
        "Project": "secure-infra",
        "Owner": "platform-team",
        "CostCenter": "CC-1",
        "ManagedBy": "pulumi",
    }


def test_environment_tag_overrides_only_the_tag() -> None:
    """S3: `environmentTag` changes the Environment tag (seed 003's `Production`), not names."""
    config = config_from_mapping(NS, with_changes(environmentTag="Production"))
    assert config.tags()["Environment"] == "Production"
    assert config.environment == "dev"


def test_config_is_frozen() -> None:
    """S5: the validated object cannot be changed by a component."""
    config = config_from_mapping(NS, with_changes())
    with pytest.raises(Exception, match="frozen"):
        config.environment = "prod"  # type: ignore[misc]


BAD_CASES = {
    "overlapping region CIDRs": (
        with_changes(regions=[region(), {**SECONDARY, "vpcCidr": "10.0.128.0/17"}]),
        f"{NS}:regions[1].vpcCidr: 10.0.128.0/17 overlaps regions[0].vpcCidr",
    ),
    "AZ of another region": (
        with_changes(regions=[region(azs=["us-east-1a", "eu-west-1b"])]),
        f"{NS}:regions[0].azs[1]: 'eu-west-1b' is not an availability zone of us-east-1",
    ),
    "fewer than two AZs": (
        with_changes(regions=[region(azs=["us-east-1a"])]),
        f"{NS}:regions[0].azs: List should have at least 2 items",
    ),
    "duplicate AZ": (
        with_changes(regions=[region(azs=["us-east-1a", "us-east-1a"])]),
        f"{NS}:regions[0].azs: lists an availability zone twice",
    ),
    "duplicate regions": (
        with_changes(regions=[region(), region(role="secondary", vpcCidr="10.1.0.0/16")]),
        f"{NS}:regions[1].name: us-east-1 duplicates regions[0].name",
    ),
    "unknown region": (
        with_changes(regions=[region(name="us-middle-1", azs=["us-middle-1a", "us-middle-1b"])]),
        f"{NS}:regions[0].name: 'us-middle-1' is not an AWS region",
    ),
    "malformed CIDR": (
        with_changes(regions=[region(vpcCidr="10.0.0.300/16")]),
        f"{NS}:regions[0].vpcCidr: '10.0.0.300/16' is not an IPv4 network",
    ),
    "public VPC CIDR": (
        with_changes(regions=[region(vpcCidr="8.8.0.0/16")]),
        f"{NS}:regions[0].vpcCidr: 8.8.0.0/16 is not a private (RFC 1918) range",
    ),
    "subnet outside its VPC": (
        with_changes(
            regions=[
                region(
                    subnets={
                        "public": ["10.0.0.0/24", "10.9.1.0/24"],
                        "private": ["10.0.2.0/24", "10.0.3.0/24"],
                        "database": ["10.0.4.0/24", "10.0.5.0/24"],
                    }
                )
            ]
        ),
        f"{NS}:regions[0].subnets.public[1]: 10.9.1.0/24 is outside vpcCidr 10.0.0.0/16",
    ),
    "overlapping subnets": (
        with_changes(
            regions=[
                region(
                    subnets={
                        "public": ["10.0.0.0/24", "10.0.1.0/24"],
                        "private": ["10.0.0.128/25", "10.0.3.0/24"],
                        "database": ["10.0.4.0/24", "10.0.5.0/24"],
                    }
                )
            ]
        ),
        f"{NS}:regions[0].subnets.private[0]: 10.0.0.128/25 overlaps subnets.public[0]",
    ),
    "subnet count differs from AZ count": (
        with_changes(
            regions=[
                region(
                    subnets={
                        "public": ["10.0.0.0/24"],
                        "private": ["10.0.2.0/24", "10.0.3.0/24"],
                        "database": ["10.0.4.0/24", "10.0.5.0/24"],
                    }
                )
            ]
        ),
        f"{NS}:regions[0].subnets.public: has 1 CIDRs but azs has 2",
    ),
    "unknown NAT strategy": (
        with_changes(network={"natStrategy": "two"}),
        f"{NS}:network.natStrategy: 'two' is not allowed\n  allowed: 'single' or 'per-az'",
    ),
    "unknown role": (
        with_changes(regions=[region(role="backup")]),
        f"{NS}:regions[0].role: 'backup' is not allowed\n  allowed: 'primary' or 'secondary'",
    ),
    "no primary region": (
        with_changes(regions=[region(role="secondary")]),
        f"{NS}:regions: exactly one region must have role primary",
    ),
    "invalid log retention": (
        with_changes(logging={"retentionDays": 31}),
        f"{NS}:logging.retentionDays: 31 is not a CloudWatch Logs retention period; use one of 1,",
    ),
    "SSH open to the world": (
        with_changes(network={"adminCidrs": ["203.0.113.0/24", "0.0.0.0/0"]}),
        f"{NS}:network.adminCidrs[1]: 0.0.0.0/0 opens SSH",
    ),
    "unknown interface endpoint": (
        with_changes(network={"interfaceEndpoints": ["secretsmanager", "dynamo"]}),
        f"{NS}:network.interfaceEndpoints[1]: 'dynamo' is not supported; use one of",
    ),
    "missing required key": (
        {k: v for k, v in VALID.items() if k != "owner"},
        f"{NS}:owner: is required; set it with `pulumi config set`",
    ),
    "misspelt key": (
        with_changes(costCentre="CC-1"),
        f"{NS}:costCentre: not a known config key\n  did you mean costCenter?",
    ),
    "misspelt nested key": (
        with_changes(network={"natStrategey": "single"}),
        f"{NS}:network.natStrategey: not a known key of network\n  did you mean natStrategy?",
    ),
    "uppercase environment": (
        with_changes(environment="Prod"),
        f"{NS}:environment: 'Prod' must be lowercase letters",
    ),
    # P11, S5: security group names start with the environment; AWS reserves "sg-".
    "environment makes sg- names": (
        with_changes(environment="sg"),
        f"{NS}:environment: 'sg' makes every security group name start with 'sg-'",
    ),
    "environment with an sg- prefix": (
        with_changes(environment="sg-prod"),
        f"{NS}:environment: 'sg-prod' makes every security group name start with 'sg-'",
    ),
    # P11, S5: the names derived from `<environment>-<service>-<region>` must fit AWS's limits.
    "derived names too long": (
        with_changes(environment="production1", service="payments-gateway"),
        f"{NS}:service: 'production1-payments-gateway-us-east-1' (environment-service-"
        "regions[0].name) is 38 characters; the physical names built from it leave room for 37 "
        "(the AWS Backup plan `<base>-plan-<7 random>` must fit in 50): shorten environment or "
        "service by 1 characters",
    ),
    # N2, C1: subnets too small for the load balancer, the endpoints and the workload.
    "VPC too small for load balancer subnets": (
        with_changes(regions=[region(vpcCidr="10.0.0.0/24")]),
        f"{NS}:regions[0].vpcCidr: public subnet 10.0.0.0/28 is smaller than the /27 the load "
        "balancer needs",
    ),
    "private subnet too small for endpoints and instances": (
        with_changes(
            regions=[
                region(
                    subnets={
                        "public": ["10.0.0.0/27", "10.0.0.32/27"],
                        "private": ["10.0.1.0/28", "10.0.1.16/28"],
                        "database": ["10.0.2.0/28", "10.0.2.16/28"],
                    }
                )
            ],
            network={
                "interfaceEndpoints": [
                    "secretsmanager",
                    "logs",
                    "kms",
                    "ssm",
                    "ssmmessages",
                    "ec2messages",
                    "sts",
                    "monitoring",
                    "sns",
                    "sqs",
                ]
            },
        ),
        f"{NS}:regions[0].subnets.private[0]: private subnet 10.0.1.0/28 has 11 usable "
        "addresses; each needs 12 (10 interface endpoints, the rotation function and 1 of "
        "maxSize 2 instances per AZ)",
    ),
    "too many AZs": (
        with_changes(regions=[region(azs=[f"us-east-1{c}" for c in "abcde"])]),
        f"{NS}:regions[0].azs: List should have at most 4 items",
    ),
    "backup schedule not cron": (
        with_changes(backup={"schedule": "daily"}),
        f"{NS}:backup.schedule: 'daily' is not a cron(...) expression",
    ),
    "backup cold storage without 90 more days": (
        with_changes(backup={"deleteAfterDays": 30, "coldStorageAfterDays": 10}),
        f"{NS}:backup.deleteAfterDays: 30 must be at least coldStorageAfterDays + 90",
    ),
    "backup vault name too long": (
        with_changes(backup={"vaultName": "a-very-long-vault-name-that-overflows"}),
        f"{NS}:backup.vaultName: <environment>-<service>-<region>-a-very-long",
    ),
    "health check interval Route 53 refuses": (
        with_changes(dns={"zoneId": "Z1", "healthCheck": {"requestInterval": 20}}),
        f"{NS}:dns.healthCheck.requestInterval: 20 must be 10 or 30",
    ),
    "rotation without the Secrets Manager endpoint": (
        with_changes(network={"interfaceEndpoints": ["logs", "kms"]}),
        f"{NS}:network.interfaceEndpoints: must include secretsmanager",
    ),
    "containers without ECR endpoints": (
        with_changes(
            compute={**VALID["compute"], "kind": "ecs"},
            network={"interfaceEndpoints": ["secretsmanager", "logs", "kms"]},
        ),
        f"{NS}:network.interfaceEndpoints: compute.kind ecs pulls images and writes logs "
        "from private subnets; add ecr.api, ecr.dkr",
    ),
    "multi-region Aurora": (
        with_changes(regions=[region(), SECONDARY], database={"engine": "aurora-postgresql"}),
        f"{NS}:database.engine: a stack with a secondary region needs engine postgres",
    ),
    "empty Environment tag": (
        with_changes(environmentTag=""),
        f"{NS}:environmentTag: must not be empty",
    ),
    "bad account id": (
        with_changes(accountId="12345"),
        f"{NS}:accountId: '12345' is not a 12-digit AWS account id",
    ),
    # AutoScaling.6: further instance types run the template's image and settings.
    "additional instance type of another architecture": (
        with_changes(compute={**VALID["compute"], "additionalInstanceTypes": ["t4g.micro"]}),
        f"{NS}:compute.additionalInstanceTypes[0]: t4g.micro does not run x86_64",
    ),
    "unknown additional instance type": (
        with_changes(compute={**VALID["compute"], "additionalInstanceTypes": ["t9.huge"]}),
        "additionalInstanceTypes[0]: 't9.huge' is not an EC2 instance type",
    ),
    "additional instance type listed twice": (
        with_changes(compute={**VALID["compute"], "additionalInstanceTypes": ["t3.micro"]}),
        "additionalInstanceTypes[0]: t3.micro is listed twice",
    ),
    "additional type that cannot launch EBS-optimized": (
        with_changes(
            compute={
                **VALID["compute"],
                "instanceType": "c3.2xlarge",
                "additionalInstanceTypes": ["t2.micro"],
            }
        ),
        "additionalInstanceTypes[0]: t2.micro cannot launch EBS-optimized",
    ),
}


@pytest.mark.parametrize("values,expected", BAD_CASES.values(), ids=BAD_CASES.keys())
def test_bad_config_names_the_key(values: dict, expected: str) -> None:
    """S5: each invalid value is reported with the full key and what is allowed."""
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(NS, values)
    assert expected in str(caught.value)


def test_bad_config_stops_the_program_before_any_resource() -> None:
    """S5: the program fails at config load, so nothing is registered (the harness reports the
    error and the offline check exits 2)."""
    with pytest.raises(ProgramError, match=r"secure-infra:network\.natStrategy"):
        run_program(REPO_ROOT, "dev", config_overrides={"network": {"natStrategy": "many"}})


def test_prod_config_as_required() -> None:
    """S1/M1: prod is us-east-1 primary + eu-west-1 secondary, 3 AZs each, NAT per AZ."""
    from policy.harness import load_stack_config, read_project_name

    project = read_project_name(REPO_ROOT)
    raw, _ = load_stack_config(REPO_ROOT, project, "prod")
    import json

    values = {
        k.split(":", 1)[1]: (json.loads(v) if v[:1] in "[{" else v)
        for k, v in raw.items()
        if k.startswith(f"{project}:")
    }
    values.setdefault("project", project)
    config = config_from_mapping(project, values)
    assert [(r.name, r.role, len(r.azs)) for r in config.regions] == [
        ("us-east-1", "primary", 3),
        ("eu-west-1", "secondary", 3),
    ]
    assert config.network.nat_strategy == "per-az"
