"""The rotation tier under mocks (R1-R7): wiring, least privilege, packaging, schedules."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.rotation import Rotation, RotationArgs
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


def test_function_packaged_with_driver_in_private_subnets(rotation: ProgramRun) -> None:
    """R2/R3/R6: the archive holds the handler and pg8000; the function runs in the private
    subnets with the rotation security group; its environment and log group use CMKs."""
    function = _function(rotation, "postgres_rotation.handler")
    assets = function.inputs["code"].assets
    assert "postgres_rotation.py" in assets and "pg8000/__init__.py" in assets
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
