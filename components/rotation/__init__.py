"""Rotation tier: the database secret rotates on a schedule through a function that really
rotates it (R1-R6), and application settings live in SSM SecureString parameters, one of which
can be a password rotated on an EventBridge schedule (R7).

The functions' code is in `lambda_src/`; `package.py` bundles it with its pure-Python driver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from policy.awsfacts.values import rate_expression

from ..account import AccountContext
from ..iam import allow, document, service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag, token
from .alerts import alarm_on_errors, alert_on_failed_rotations
from .package import DRIVER_DISTRIBUTIONS, build_archive
from .trust_store import BUNDLE_NAME, CaBundleSource, fetched_bundle

LAMBDA_RUNTIME = "python3.12"
# Secrets Manager calls the function up to four times per rotation, each a few round trips to
# the database and the API; a minute leaves room for a slow connect and retries.
FUNCTION_TIMEOUT_SECONDS = 60


@dataclass
class RotationArgs:
    """Arguments of `Rotation`."""

    secret_arn: pulumi.Input[str] | None
    """The database credentials secret (JSON: engine, host, port, username, password, dbname);
    None in a region without one (a replica's region): no database rotation there."""
    secrets_key_arn: pulumi.Input[str]
    """CMK of the secret and the parameters; also encrypts the functions' environments."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the functions' log groups."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the database rotation function runs in."""
    security_group_id: pulumi.Input[str] | None
    """The rotation function's security group (to PostgreSQL and the Secrets Manager
    endpoint); None only where there is no secret to rotate."""
    schedule_days: int = 30
    log_retention_days: int = 30
    password_length: int = 32
    connect_timeout_seconds: int = 5
    app_settings: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Application settings stored as SecureString parameters (setting name -> value)."""
    parameter_rotation_days: int | None = None
    """When set, a SecureString password parameter is rotated every this many days."""
    ca_bundle: CaBundleSource = field(default_factory=CaBundleSource)
    """Where the database rotation function's RDS CA bundle comes from (R8)."""
    secret_replica_region: str | None = None
    """Where Secrets Manager keeps a replica of the secret (M5), if anywhere."""
    secret_replica_key_arn: pulumi.Input[str] | None = None
    """The replica's CMK in that region. Each rotated value is re-encrypted under it for the
    replica, which needs kms:Encrypt and kms:GenerateDataKey there ("No permissions available
    on the KMS key to complete the replication", Secrets Manager troubleshooting)."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What must exist before the first rotation: the database (its instances) and the
    secret's first value. Secrets Manager rotates as soon as rotation is configured."""
    alert_topic_arn: pulumi.Input[str] | None = None
    """When set, failed and abandoned rotations of the secret and the functions' errors are
    published to this SNS topic (its policy must let events.amazonaws.com and
    cloudwatch.amazonaws.com publish)."""


class Rotation(pulumi.ComponentResource):
    """Database secret rotation and SSM SecureString settings for one region."""

    function_arn: pulumi.Output[str] | None
    """The database rotation function, where the region holds the secret."""
    parameter_arns: dict[str, pulumi.Output[str]]
    """SecureString parameters by setting name (and `rotated-password` when enabled)."""

    def __init__(
        self, name: str, args: RotationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("rotation", "Rotation"), name, None, opts)
        self._name = name
        self._args = args
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)

        if args.secret_arn is not None and args.security_group_id is None:
            raise ValueError(f"{name}: rotating a secret needs RotationArgs.security_group_id")
        self.function_arn = self._database_rotation() if args.secret_arn is not None else None
        self.parameter_arns = {
            setting: self._secure_parameter(setting, value).arn
            for setting, value in args.app_settings.items()
        }
        if args.parameter_rotation_days is not None:
            self.parameter_arns["rotated-password"] = self._parameter_rotation(
                args.parameter_rotation_days
            )
        self.register_outputs(
            {"function_arn": self.function_arn, "parameter_arns": self.parameter_arns}
        )

    def _log_group(self, name: str) -> aws.cloudwatch.LogGroup:
        return encrypted_log_group(
            name,
            kms_key_arn=self._args.logs_key_arn,
            retention_days=self._args.log_retention_days,
            parent=self,
        )

    def _replica_key_statements(self) -> list[dict[str, Any]]:
        """The rotation's grant on the replica region's secrets key, through Secrets Manager
        only: in the replica's region, or in this (the primary) region. Replication re-encrypts
        each new version with the caller's identity (forward access session), and AWS does not
        document which region's endpoint then shows as kms:ViaService; refusing the right one
        would leave the replica silently on the old password (issue 18, data U1)."""
        args = self._args
        if args.secret_replica_region is None or args.secret_replica_key_arn is None:
            return []
        via = [
            f"secretsmanager.{args.secret_replica_region}.amazonaws.com",
            pulumi.Output.concat("secretsmanager.", self._ctx.region, ".amazonaws.com"),
        ]
        return [
            allow(
                ["kms:Encrypt", "kms:GenerateDataKey"],
                args.secret_replica_key_arn,
                sid="ReplicaKeyThroughSecretsManager",
                condition={"StringEquals": {"kms:ViaService": via}},
            )
        ]

    def _role(
        self, name: str, statements: list[dict], group: aws.cloudwatch.LogGroup, *, purpose: str
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """The function's role and its inline policy (the function must wait for both)."""
        role = aws.iam.Role(
            name,
            description=f"{name}: {purpose}",
            assume_role_policy=service_trust_policy(
                "lambda.amazonaws.com", source_account=self._ctx.account_id
            ),
            tags=name_tag(name),
            opts=self._child,
        )
        write_logs = allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [group.arn, pulumi.Output.concat(group.arn, ":*")],
            sid="WriteOwnLogGroup",
        )
        policy = aws.iam.RolePolicy(
            name, role=role.id, policy=document([*statements, write_logs]), opts=self._child
        )
        return role, policy

    def _function(
        self,
        name: str,
        handler_module: str,
        code: pulumi.Input[pulumi.Archive],
        role: tuple[aws.iam.Role, aws.iam.RolePolicy],
        group: aws.cloudwatch.LogGroup,
        environment: Mapping[str, pulumi.Input[str]],
        vpc: aws.lambda_.FunctionVpcConfigArgs | None,
    ) -> aws.lambda_.Function:
        role_resource, policy = role
        function = aws.lambda_.Function(
            name,
            description=f"{name}: {handler_module}",
            runtime=LAMBDA_RUNTIME,
            architectures=["arm64"],
            handler=f"{handler_module}.handler",
            code=code,
            role=role_resource.arn,
            timeout=FUNCTION_TIMEOUT_SECONDS,
            memory_size=256,
            kms_key_arn=self._args.secrets_key_arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(environment)),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=group.name
            ),
            vpc_config=vpc,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="PassThrough"),
            tags=name_tag(name),
            # The policy grants the network interfaces a VPC function is created with, and
            # Lambda deletes them after the function: created before it, deleted after it
            # (issue 18, data N7), or the subnets' and security group's deletion hangs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[group, policy]),
        )
        if self._args.alert_topic_arn is not None:
            alarm_on_errors(name, function.name, self._args.alert_topic_arn, self._child)
        return function

    def _database_rotation(self) -> pulumi.Output[str]:
        args = self._args
        name = child_name(self._name, "db-rotation")
        group = self._log_group(name)
        secrets_via = pulumi.Output.concat("secretsmanager.", self._ctx.region, ".amazonaws.com")
        statements = [
            allow(
                [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:ListSecretVersionIds",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                args.secret_arn,
                sid="RotateThisSecret",
            ),
            # GetRandomPassword acts on no resource; AWS only accepts "*" for it.
            allow(["secretsmanager:GetRandomPassword"], "*", sid="GeneratePasswords"),
            allow(
                ["kms:Decrypt", "kms:GenerateDataKey"],
                args.secrets_key_arn,
                sid="SecretKeyThroughSecretsManager",
                condition={"StringEquals": {"kms:ViaService": secrets_via}},
            ),
            *self._replica_key_statements(),
            # Lambda attaches the function to the VPC through network interfaces; EC2 has no
            # resource-level permissions for describing them, so these take "*". The set is
            # AWSLambdaVPCAccessExecutionRole's (v3, 2024-01-05), which added DescribeSubnets.
            allow(
                [
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "*",
                sid="VpcNetworkInterfaces",
            ),
        ]
        role = self._role(name, statements, group, purpose="rotates the database secret")
        if args.alert_topic_arn is not None:
            alert_on_failed_rotations(name, args.secret_arn, args.alert_topic_arn, self._child)
        function = self._function(
            name,
            "postgres_rotation",
            self._database_rotation_code(name),
            role,
            group,
            {
                "PASSWORD_LENGTH": str(args.password_length),
                "DB_CONNECT_TIMEOUT": str(args.connect_timeout_seconds),
                # Relative to the function's code directory, where the archive puts it.
                "DB_CA_BUNDLE": BUNDLE_NAME,
            },
            aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                security_group_ids=[args.security_group_id],
            ),
        )
        permission = aws.lambda_.Permission(
            name,
            action="lambda:InvokeFunction",
            function=function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=args.secret_arn,
            source_account=self._ctx.account_id,
            opts=self._child,
        )
        aws.secretsmanager.SecretRotation(
            name,
            secret_id=args.secret_arn,
            rotation_lambda_arn=function.arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=args.schedule_days
            ),
            # Configuring rotation starts one at once (RotateImmediately defaults to true): the
            # database must answer and the secret must hold its first value by then, or the
            # rotation fails and leaves AWSPENDING on an empty version.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission, *args.wait_for]),
        )
        return function.arn

    def _database_rotation_code(self, name: str) -> pulumi.Input[pulumi.Archive]:
        """The handler, its driver and the RDS CA bundle it verifies the database against."""
        source = self._args.ca_bundle
        if source.file is not None:
            bundle = {BUNDLE_NAME: pulumi.FileAsset(source.file)}
            return build_archive("postgres_rotation", DRIVER_DISTRIBUTIONS, bundle)
        return fetched_bundle(child_name(name, "ca-bundle"), source, self).apply(
            lambda text: build_archive(
                "postgres_rotation", DRIVER_DISTRIBUTIONS, {BUNDLE_NAME: pulumi.StringAsset(text)}
            )
        )

    def _secure_parameter(self, setting: str, value: pulumi.Input[str]) -> aws.ssm.Parameter:
        name = child_name(self._name, "setting", setting)
        return aws.ssm.Parameter(
            name,
            description=f"{self._name}: application setting {setting}",
            type="SecureString",
            key_id=self._args.secrets_key_arn,
            value=pulumi.Output.secret(value),
            tags=name_tag(name),
            opts=self._child,
        )

    def _parameter_rotation(self, days: int) -> pulumi.Output[str]:
        name = child_name(self._name, "param-rotation")
        initial = random.RandomPassword(
            name, length=self._args.password_length, special=False, opts=self._child
        )
        parameter = aws.ssm.Parameter(
            name,
            description=f"{self._name}: password rotated every {days} days",
            type="SecureString",
            key_id=self._args.secrets_key_arn,
            value=initial.result,
            tags=name_tag(name),
            # The function owns the value after the first deployment; Pulumi must not put the
            # initial password back on the next `up`.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["value"]),
        )
        group = self._log_group(name)
        ssm_via = pulumi.Output.concat("ssm.", self._ctx.region, ".amazonaws.com")
        role = self._role(
            name,
            [
                allow(["ssm:PutParameter"], parameter.arn, sid="RotateThisParameter"),
                allow(
                    ["kms:Encrypt", "kms:GenerateDataKey"],
                    self._args.secrets_key_arn,
                    sid="ParameterKeyThroughSsm",
                    condition={"StringEquals": {"kms:ViaService": ssm_via}},
                ),
            ],
            group,
            purpose="rotates a Parameter Store password",
        )
        function = self._function(
            name,
            "ssm_rotation",
            build_archive("ssm_rotation", ()),
            role,
            group,
            {
                "PARAMETER_NAME": parameter.name,
                "KMS_KEY_ID": self._args.secrets_key_arn,
                "PASSWORD_LENGTH": str(self._args.password_length),
            },
            None,
        )
        rule = aws.cloudwatch.EventRule(
            name,
            description=f"{name}: every {days} days",
            schedule_expression=rate_expression(days, "day"),
            tags=name_tag(name),
            opts=self._child,
        )
        permission = aws.lambda_.Permission(
            name,
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=self._child,
        )
        aws.cloudwatch.EventTarget(
            name,
            rule=rule.name,
            arn=function.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        return parameter.arn
