"""Compute and database config (S5 for C1-C7, D1-D9): defaults suited to dev, and bad values
that fail before any resource is registered with a message naming the key."""

from __future__ import annotations

import copy

import pytest
from conftest import NAMESPACE as NS
from conftest import PRIMARY_CERT as CERT_EAST
from conftest import REPO_ROOT, valid_config
from conftest import SECONDARY_CERT as CERT_WEST
from conftest import SECONDARY_REGION as SECONDARY

from components.config import ConfigError, config_from_mapping
from components.config.compute import TLS_POLICIES
from policy.harness import ProgramError, run_program

VALID = valid_config()
AL2023_X86 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


def values(**sections: dict) -> dict:
    """VALID with the given sections' keys merged in (None removes a key)."""
    result = copy.deepcopy(VALID)
    for section, changes in sections.items():
        merged = {**result.get(section, {}), **changes}
        result[section] = {k: v for k, v in merged.items() if v is not None}
    return result


def fails(raw: dict, key: str, *fragments: str) -> str:
    with pytest.raises(ConfigError) as error:
        config_from_mapping(NS, raw)
    message = str(error.value)
    assert f"{NS}:{key}:" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_defaults_suit_dev() -> None:
    """Every compute and database value has a default; the defaults are dev-sized and safe."""
    config = config_from_mapping(NS, values())
    compute, database = config.compute, config.database
    assert compute.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert compute.deletion_protection is False
    assert (compute.min_size, compute.desired_capacity, compute.max_size) == (1, 1, 2)
    assert compute.health_check.path == "/health"
    assert compute.certificate_for("us-east-1") == CERT_EAST
    assert database.engine == "postgres"
    assert database.engine_version == "16"
    assert database.family == "postgres16"
    assert database.backup_retention_days == 7
    assert database.performance_insights_retention_days == 7
    assert database.multi_az is False and database.protect is False
    aurora = config_from_mapping(NS, values(database={"engine": "aurora-postgresql"})).database
    assert aurora.is_aurora and aurora.family == "aurora-postgresql16"


def test_single_certificate_arn_and_issued_certificate_accepted() -> None:
    """C2: one ARN for a single-region stack, or a hosted zone + domain to issue one."""
    single = config_from_mapping(NS, values(compute={"certificateArn": CERT_EAST}))
    assert single.compute.certificate_for("us-east-1") == CERT_EAST
    issued = config_from_mapping(
        NS,
        values(
            compute={
                "certificateArn": None,
                "hostedZoneId": "Z0123456789",
                "domainName": "app.example.com",
            }
        ),
    )
    assert issued.compute.issues_certificate
    assert issued.compute.certificate_for("us-east-1") is None


def test_missing_certificate_names_the_key() -> None:
    """C2, S5: HTTPS needs a certificate; without one the error names compute.certificateArn."""
    fails(values(compute={"certificateArn": None}), "compute.certificateArn", "us-east-1")


def test_missing_certificate_for_secondary_region() -> None:
    """C2, S5: ACM certificates are regional: every region needs its own."""
    raw = values()
    raw["regions"].append(SECONDARY)
    fails(raw, "compute.certificateArn", "eu-west-1")
    raw["compute"] = {"certificateArn": CERT_EAST}
    fails(raw, "compute.certificateArn", "eu-west-1")
    raw["compute"] = {"certificateArn": {"us-east-1": CERT_EAST, "eu-west-1": CERT_WEST}}
    assert config_from_mapping(NS, raw).compute.certificate_for("eu-west-1") == CERT_WEST


@pytest.mark.parametrize(
    ("compute", "key", "fragment"),
    [
        ({"certificateArn": {"eu-west-1": CERT_EAST}}, "compute.certificateArn", "regional"),
        ({"certificateArn": "arn:aws:iam::123:role/x"}, "compute.certificateArn", "ACM"),
        (
            {"certificateArn": None, "hostedZoneId": "Z0123456789"},
            "compute.domainName",
            "together",
        ),
        ({"sslPolicy": "ELBSecurityPolicy-2016-08"}, "compute.sslPolicy", TLS_POLICIES[0]),
        ({"minSize": 2, "maxSize": 4, "desiredCapacity": 1}, "compute.desiredCapacity", "minSize"),
        ({"instanceType": "db.t3.micro"}, "compute.instanceType", "EC2 instance type"),
        # C5: types come from EC2's own list; a Mac type has no Amazon Linux image.
        ({"instanceType": "t9.huge"}, "compute.instanceType", "EC2 instance type"),
        ({"instanceType": "mac2.metal"}, "compute.instanceType", "arm64_mac"),
        (
            {
                "instanceType": "t4g.small",
                "amiParameter": AL2023_X86,
            },
            "compute.amiParameter",
            "runs arm64",
        ),
        ({"bakeTimeMinutes": 1441}, "compute.bakeTimeMinutes", "1440"),
        ({"waf": {"rateLimit": 5}}, "compute.waf.rateLimit", "10"),
        ({"waf": {"mode": "deny"}}, "compute.waf.mode", "'block' or 'count'"),
        ({"amiParameter": "ami-0123456789"}, "compute.amiParameter", "/aws/service/"),
        ({"cpuTargetPercent": 0}, "compute.cpuTargetPercent", "greater than 0"),
        ({"appPort": 80}, "compute.appPort", "1024"),
        (
            {"healthCheck": {"intervalSeconds": 10, "timeoutSeconds": 10}},
            "compute.healthCheck.timeoutSeconds",
            "less than intervalSeconds",
        ),
        ({"healthCheck": {"path": "health"}}, "compute.healthCheck.path", "absolute"),
        ({"healthCheck": {"matcher": "ok"}}, "compute.healthCheck.matcher", "HTTP code"),
        ({"accessLogPrefix": "/logs/"}, "compute.accessLogPrefix", "no leading"),
        (
            {"certificateArns": {}},
            "compute.certificateArns",
            "did you mean certificateArn?",
        ),
    ],
)
def test_bad_compute_values_name_the_key(compute: dict, key: str, fragment: str) -> None:
    """S5: invalid compute values fail with the offending key named."""
    fails(values(compute=compute), key, fragment)


@pytest.mark.parametrize(
    ("database", "key", "fragment"),
    [
        ({"engine": "mysql"}, "database.engine", "postgres"),
        ({"engine": "aurora-mysql"}, "database.engine", "aurora-postgresql"),
        ({"backupRetentionDays": 0}, "database.backupRetentionDays", "greater than or equal to 1"),
        ({"backupRetentionDays": 36}, "database.backupRetentionDays", "less than or equal to 35"),
        ({"instanceClass": "t3.micro"}, "database.instanceClass", "db.<family>.<size>"),
        ({"instanceClass": "db.large"}, "database.instanceClass", "db.<family>.<size>"),
        ({"engineVersion": "9.6"}, "database.engineVersion", "13-17"),
        # P11: an exact minor with automatic minor upgrades on breaks the next `up`.
        ({"engineVersion": "16.6"}, "database.engineVersion", "autoMinorVersionUpgrade: false"),
        ({"backupWindow": "3am"}, "database.backupWindow", "hh:mm-hh:mm"),
        ({"maintenanceWindow": "03:00-04:00"}, "database.maintenanceWindow", "ddd:hh:mm"),
        (
            {"performanceInsightsRetentionDays": 30},
            "database.performanceInsightsRetentionDays",
            "731",
        ),
        ({"monitoringIntervalSeconds": 0}, "database.monitoringIntervalSeconds", "D7"),
        ({"parameters": {"rds.force_ssl": "0"}}, "database.parameters.rds.force_ssl", "program"),
        (
            {"parameters": {"shared_preload_libraries": "x"}},
            "database.parameters.shared_preload_libraries",
            "program",
        ),
        ({"pgauditLog": "ddl,everything"}, "database.pgauditLog", "everything"),
        ({"masterUsername": "postgres"}, "database.masterUsername", "reserved"),
        ({"databaseName": "1app"}, "database.databaseName", "letter"),
        ({"readerCount": 16}, "database.readerCount", "15"),
        ({"secretRecoveryWindowDays": 0}, "database.secretRecoveryWindowDays", "7"),
        (
            {"allocatedStorageGb": 200, "maxAllocatedStorageGb": 100},
            "database.maxAllocatedStorageGb",
            "allocatedStorageGb",
        ),
        ({"masterPassword": "hunter2"}, "database.masterPassword", "not a known key of database"),
    ],
)
def test_bad_database_values_name_the_key(database: dict, key: str, fragment: str) -> None:
    """S5, D1, D3, D9: invalid database values fail with the offending key named; there is no
    key for a master password at all (credentials are generated)."""
    fails(values(database=database), key, fragment)


def test_program_fails_before_registering_anything() -> None:
    """S5: the real program refuses an unknown engine and a missing certificate up front."""
    with pytest.raises(ProgramError, match=r"secure-infra:database\.engine"):
        run_program(REPO_ROOT, "dev", config_overrides={"database": {"engine": "mysql"}})
    with pytest.raises(ProgramError, match=r"secure-infra:compute\.certificateArn"):
        run_program(REPO_ROOT, "prod", config_overrides={"compute": {"minSize": 1}})


def test_minor_version_pin_needs_auto_upgrades_off() -> None:
    """D1, P11: `16.6` is accepted once automatic minor upgrades are off."""
    config = config_from_mapping(
        NS, values(database={"engineVersion": "16.6", "autoMinorVersionUpgrade": False})
    )
    assert (config.database.engine_version, config.database.family) == ("16.6", "postgres16")


def test_instance_type_table_is_moto_s_data() -> None:
    """C5: the instance-type table the config checks against is exactly what moto's copy of
    EC2 DescribeInstanceTypes says (regenerate with `python -m components.config.instance_types`
    after a moto upgrade)."""
    from components.config.instance_types import TABLE, from_moto, render

    assert TABLE.read_text() == render(from_moto())


def test_graviton_type_resolves_the_arm64_image() -> None:
    """C5: the image parameter follows the instance type's architecture unless configured."""
    compute = config_from_mapping(NS, values(compute={"instanceType": "m7g.large"})).compute
    assert compute.architecture == "arm64"
    assert compute.image_parameter.endswith("al2023-ami-kernel-default-arm64")
    assert compute.ebs_optimized is None
