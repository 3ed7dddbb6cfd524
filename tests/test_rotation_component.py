"""The rotation tier under mocks (R1-R7): wiring, least privilege, packaging, schedules."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from components.rotation import Rotation, RotationArgs
from components.rotation.trust_store import (
    FETCH_SCRIPT,
    RDS_GLOBAL_BUNDLE_SHA256,
    CaBundleSource,
)
from policy.harness import ProgramRun, run_inline

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111"
LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/2222"


def _rotation(**overrides: object) -> ProgramRun:
    def program() -> None:
        provider = aws.Provider("eu", region="eu-west-1")
        Rotation(
            "dev-core-eu-west-1",
            RotationArgs(
                secret_arn=SECRET,
                secrets_key_arn=SECRETS_KEY,
                logs_key_arn=LOGS_KEY,
                subnet_ids=["subnet-a", "subnet-b"],
                security_group_id="sg-rotation",
                schedule_days=14,
                log_retention_days=90,
                **overrides,
            ),
            opts=pulumi.ResourceOptions(providers={"aws": provider}),
        )

    return run_inline(program)


@pytest.fixture(scope="module")
def rotation() -> ProgramRun:
    """The tier with an app setting and the Parameter Store rotation on."""
    return _rotation(app_settings={"api-token": "s3cret"}, parameter_rotation_days=7)


def _function(run: ProgramRun, handler: str) -> object:
    (function,) = [
        f for f in run.of_type("aws:lambda/function:Function") if f.inputs["handler"] == handler
    ]
    return function


def test_secret_rotates_on_schedule_through_the_function(rotation: ProgramRun) -> None:
    """R2/R4: the secret's rotation points at the function, on the configured schedule, and
    Secrets Manager may invoke it for that secret only."""
    function = _function(rotation, "postgres_rotation.handler")
    (schedule,) = rotation.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert schedule.inputs["secretId"] == SECRET
    assert schedule.inputs["rotationLambdaArn"] == function.state["arn"]
    assert schedule.inputs["rotationRules"] == {"automaticallyAfterDays": 14}
    permission = next(
        p
        for p in rotation.of_type("aws:lambda/permission:Permission")
        if p.inputs["principal"] == "secretsmanager.amazonaws.com"
    )
    assert permission.inputs["sourceArn"] == SECRET
    assert permission.urn in schedule.dependencies


def test_function_packaged_with_driver_in_private_subnets(tmp_path: Path) -> None:
    """R2/R3/R6/R8: the archive holds the handler, pg8000 and the CA bundle named in config,
    which the environment points the function at; the function runs in the private subnets
    with the rotation security group; its environment and log group use CMKs."""
    bundle = tmp_path / "rds-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    rotation = _rotation(ca_bundle=CaBundleSource(file=str(bundle)))
    function = _function(rotation, "postgres_rotation.handler")
    assets = function.inputs["code"].assets
    assert "postgres_rotation.py" in assets and "pg8000/__init__.py" in assets
    assert assets["rds-ca-bundle.pem"].path == str(bundle)
    assert function.inputs["environment"]["variables"]["DB_CA_BUNDLE"] == "rds-ca-bundle.pem"
    assert rotation.of_type("command:local:Command") == []
    assert function.inputs["vpcConfig"] == {
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": ["sg-rotation"],
    }
    assert function.inputs["kmsKeyArn"] == SECRETS_KEY
    assert function.inputs["environment"]["variables"]["PASSWORD_LENGTH"] == "32"
    group = next(
        g
        for g in rotation.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.state["name"] == function.inputs["loggingConfig"]["logGroup"]
    )
    assert group.inputs["kmsKeyId"] == LOGS_KEY and group.inputs["retentionInDays"] == 90


def test_ca_bundle_downloaded_and_pinned_at_deploy_time(rotation: ProgramRun) -> None:
    """R8: without a file, `pulumi up` downloads AWS's RDS trust store through a local command
    that refuses any bundle but the pinned one; the preview (and the offline check) never
    fetches, so the archive stays unknown until then, and a new URL or pin fetches again."""
    (fetch,) = rotation.of_type("command:local:Command")
    assert fetch.inputs["interpreter"] == ["python3", "-c"]
    assert fetch.inputs["create"] == FETCH_SCRIPT
    environment = fetch.inputs["environment"]
    assert environment == {
        "CA_BUNDLE_URL": "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
        "CA_BUNDLE_SHA256": RDS_GLOBAL_BUNDLE_SHA256,
    }
    assert fetch.inputs["triggers"] == list(environment.values())
    # The previous stdout (the whole bundle) would exceed Linux's 128 KiB limit for one
    # environment string on the next run (review finding 8).
    assert fetch.inputs["addPreviousOutputInEnv"] is False
    function = _function(rotation, "postgres_rotation.handler")
    assert fetch.urn in function.property_dependencies["code"]
    assert function.inputs["environment"]["variables"]["DB_CA_BUNDLE"] == "rds-ca-bundle.pem"


@pytest.mark.parametrize("pinned", [True, False], ids=["pin-matches", "pin-differs"])
def test_fetch_script_checks_the_pin(tmp_path: Path, pinned: bool) -> None:
    """R8: the deploy-time fetch prints the bundle only when its SHA-256 is the pinned one,
    and otherwise fails naming both digests and the way out."""
    bundle = tmp_path / "global-bundle.pem"
    bundle.write_bytes(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    result = subprocess.run(
        [sys.executable, "-c", FETCH_SCRIPT],
        env={
            "CA_BUNDLE_URL": bundle.as_uri(),
            "CA_BUNDLE_SHA256": digest if pinned else "0" * 64,
            "PATH": os.environ.get("PATH", ""),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if pinned:
        assert result.returncode == 0, result.stderr
        assert result.stdout == bundle.read_text()
    else:
        assert result.returncode != 0 and result.stdout == ""
        assert digest in result.stderr and "rotation.caBundleSha256" in result.stderr


def test_first_rotation_waits_for_the_database_and_the_secret_value() -> None:
    """R8 (issue: the first rotation fired before the database existed): rotation, which
    starts at once when configured, depends on what `wait_for` names."""

    def program() -> None:
        provider = aws.Provider("eu", region="eu-west-1")
        opts = pulumi.ResourceOptions(providers={"aws": provider})
        database = aws.rds.Instance("db", instance_class="db.t4g.micro", opts=opts)
        value = aws.secretsmanager.SecretVersion("value", secret_id=SECRET, opts=opts)
        Rotation(
            "dev-core-eu-west-1",
            RotationArgs(
                secret_arn=SECRET,
                secrets_key_arn=SECRETS_KEY,
                logs_key_arn=LOGS_KEY,
                subnet_ids=["subnet-a"],
                security_group_id="sg-rotation",
                wait_for=[database, value],
            ),
            opts=opts,
        )

    run = run_inline(program)
    (schedule,) = run.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert {run.named("db").urn, run.named("value").urn} <= set(schedule.dependencies)


def test_real_program_waits_for_database_and_secret(prod: ProgramRun) -> None:
    """R8: in the program the rotation waits for the primary's database instance and the
    secret's first value."""
    (schedule,) = prod.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    (database,) = [
        i
        for i in prod.of_type("aws:rds/instance:Instance")
        if not i.inputs.get("replicateSourceDb")
    ]
    (value,) = prod.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert {database.urn, value.urn} <= set(schedule.dependencies)


def _role_statements(run: ProgramRun, function: object) -> dict[str, dict]:
    role = next(
        r for r in run.of_type("aws:iam/role:Role") if r.state["arn"] == function.inputs["role"]
    )
    (policy,) = [
        p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
    ]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


def test_database_rotation_role_is_least_privilege(rotation: ProgramRun) -> None:
    """R5: secret actions on that secret only, GetRandomPassword, that key only through
    Secrets Manager, network interfaces, and its own log group."""
    statements = _role_statements(rotation, _function(rotation, "postgres_rotation.handler"))
    assert set(statements) == {
        "RotateThisSecret",
        "GeneratePasswords",
        "SecretKeyThroughSecretsManager",
        "VpcNetworkInterfaces",
        "WriteOwnLogGroup",
    }
    assert statements["RotateThisSecret"]["Resource"] == SECRET
    assert statements["GeneratePasswords"]["Action"] == ["secretsmanager:GetRandomPassword"]
    key = statements["SecretKeyThroughSecretsManager"]
    assert key["Resource"] == SECRETS_KEY
    assert key["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
    assert all("*" not in action for s in statements.values() for action in s["Action"])
    # What AWSLambdaVPCAccessExecutionRole v3 grants for the network interfaces.
    assert statements["VpcNetworkInterfaces"]["Action"] == [
        "ec2:AssignPrivateIpAddresses",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:UnassignPrivateIpAddresses",
    ]


def test_rotation_may_write_the_secret_replica() -> None:
    """M5, R5 (review finding 5): where the secret has a replica, each rotated value is
    re-encrypted under the replica region's key, so the role may encrypt with that key, only
    through Secrets Manager. Issue 18, data U1: through the replica region's endpoint or the
    primary's (eu-west-1 here), since AWS does not document which one replication presents."""
    replica_key = "arn:aws:kms:eu-central-1:123456789012:key/3333"
    run = _rotation(secret_replica_region="eu-central-1", secret_replica_key_arn=replica_key)
    statements = _role_statements(run, _function(run, "postgres_rotation.handler"))
    assert statements["ReplicaKeyThroughSecretsManager"] == {
        "Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": replica_key,
        "Sid": "ReplicaKeyThroughSecretsManager",
        "Condition": {
            "StringEquals": {
                "kms:ViaService": [
                    "secretsmanager.eu-central-1.amazonaws.com",
                    "secretsmanager.eu-west-1.amazonaws.com",
                ]
            }
        },
    }


def test_real_program_grants_the_replica_key(prod: ProgramRun) -> None:
    """M5: the prod writer region's rotation role reaches the peer region's secrets key."""
    (function,) = [
        f
        for f in prod.of_type("aws:lambda/function:Function")
        if f.inputs["handler"] == "postgres_rotation.handler"
    ]
    statements = _role_statements(prod, function)
    grant = statements["ReplicaKeyThroughSecretsManager"]
    keys = {k.state["arn"]: k.name for k in prod.of_type("aws:kms/key:Key") if "secrets" in k.name}
    assert keys[grant["Resource"]].startswith("prod-core-eu-west-1")


def test_app_settings_are_securestring_under_the_cmk(rotation: ProgramRun) -> None:
    """R7: application settings are SecureString parameters encrypted with the secrets CMK."""
    parameters = rotation.of_type("aws:ssm/parameter:Parameter")
    assert len(parameters) == 2
    assert all(
        p.inputs["type"] == "SecureString" and p.inputs["keyId"] == SECRETS_KEY for p in parameters
    )
    setting = next(p for p in parameters if p.name.endswith("setting-api-token"))
    assert setting.inputs["value"] == "s3cret"


def test_parameter_password_rotates_on_an_eventbridge_schedule(rotation: ProgramRun) -> None:
    """R7: an EventBridge rule invokes the Parameter Store rotation function every N days;
    the function may write only that parameter, and Pulumi leaves the rotated value alone."""
    function = _function(rotation, "ssm_rotation.handler")
    assert set(function.inputs["code"].assets) == {"ssm_rotation.py"}
    (rule,) = rotation.of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["scheduleExpression"] == "rate(7 days)"
    (target,) = rotation.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["arn"] == function.state["arn"]
    parameter = next(
        p
        for p in rotation.of_type("aws:ssm/parameter:Parameter")
        if p.name.endswith("param-rotation")
    )
    assert parameter.options.ignore_changes == ("value",)
    env = function.inputs["environment"]["variables"]
    assert env["PARAMETER_NAME"] == parameter.state["name"] and env["KMS_KEY_ID"] == SECRETS_KEY
    statements = _role_statements(rotation, function)
    assert statements["RotateThisParameter"]["Resource"] == parameter.state["arn"]
    assert statements["RotateThisParameter"]["Action"] == ["ssm:PutParameter"]


def test_parameter_rotation_is_optional() -> None:
    """R7: without the option there is one function and no schedule rule."""
    run = _rotation()
    assert len(run.of_type("aws:lambda/function:Function")) == 1
    assert run.of_type("aws:cloudwatch/eventRule:EventRule") == []


def test_daily_parameter_rotation_uses_the_singular_unit() -> None:
    """R7, P11: EventBridge refuses `rate(1 days)`; a one-day schedule is `rate(1 day)`."""
    (rule,) = _rotation(parameter_rotation_days=1).of_type("aws:cloudwatch/eventRule:EventRule")
    assert rule.inputs["scheduleExpression"] == "rate(1 day)"
