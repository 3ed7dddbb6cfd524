"""The Fargate task (C8): the execution role that pulls the image and writes the logs, the
application's own role, and the hardened container definition."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..config.compute import ComputeConfig
from ..iam import allow, document, service_trust_policy
from ..naming import child_name, name_tag

CONTAINER_NAME = "app"
"""Name of the application container in the task (the service's load balancer refers to it)."""
TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"
ECR_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)


@dataclass(frozen=True)
class Task:
    """The task definition, and the execution role's policy, which the service must wait for
    because tasks need it before they start."""

    definition: aws.ecs.TaskDefinition
    execution_policy: aws.iam.RolePolicy


def create_task(
    base_name: str,
    *,
    settings: ComputeConfig,
    ctx: AccountContext,
    repository: aws.ecr.Repository,
    log_group: aws.cloudwatch.LogGroup,
    parent: pulumi.Resource,
) -> Task:
    """The task definition of the app container as `settings` describes it, its image from
    `repository` and its logs to `log_group`, with its execution and task roles."""
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "app")
    execution_role, execution_policy = _execution_role(
        base_name, ctx=ctx, repository=repository, log_group=log_group, opts=opts
    )
    definition = aws.ecs.TaskDefinition(
        name,
        # The family is the definition's name in the account and region.
        family=name,
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        cpu=str(settings.task_cpu),
        memory=str(settings.task_memory),
        runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
            operating_system_family="LINUX", cpu_architecture=settings.cpu_architecture
        ),
        execution_role_arn=execution_role.arn,
        task_role_arn=_task_role(base_name, ctx=ctx, opts=opts).arn,
        container_definitions=container_definitions(settings, ctx, repository, log_group),
        tags=name_tag(name),
        opts=opts,
    )
    return Task(definition=definition, execution_policy=execution_policy)


def _execution_role(
    base_name: str,
    *,
    ctx: AccountContext,
    repository: aws.ecr.Repository,
    log_group: aws.cloudwatch.LogGroup,
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The role ECS pulls the image and writes the logs with: this repository and this log
    group only (the managed AmazonECSTaskExecutionRolePolicy grants both on every one).
    Returned with its policy, which tasks need before they start."""
    name = child_name(base_name, "task-execution")
    role = aws.iam.Role(
        name,
        description=f"{name}: pull the app image and write its log group",
        assume_role_policy=service_trust_policy(TASKS_PRINCIPAL, source_account=ctx.account_id),
        tags=name_tag(name),
        opts=opts,
    )
    policy = aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=document(
            [
                # GetAuthorizationToken has no resource type: it is always granted on "*".
                allow(["ecr:GetAuthorizationToken"], "*", sid="EcrLogin"),
                allow(ECR_PULL_ACTIONS, repository.arn, sid="PullAppImage"),
                # GuardDuty Runtime Monitoring (the account baseline turns it on) adds its
                # agent to every Fargate task, pulled with this role from AWS's repository
                # in each region's GuardDuty account (GuardDuty User Guide, "Prerequisites
                # for AWS Fargate (Amazon ECS only) support").
                allow(
                    ECR_PULL_ACTIONS,
                    pulumi.Output.concat(
                        "arn:",
                        ctx.partition,
                        ":ecr:",
                        ctx.region,
                        ":*:repository/aws-guardduty-agent-fargate",
                    ),
                    sid="PullGuardDutyAgent",
                ),
                allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [
                        log_group.arn,
                        pulumi.Output.concat(log_group.arn, ":*"),
                    ],
                    sid="WriteAppLogGroup",
                ),
            ]
        ),
        opts=opts,
    )
    return role, policy


def _task_role(
    base_name: str, *, ctx: AccountContext, opts: pulumi.ResourceOptions
) -> aws.iam.Role:
    """The application's own identity: no permissions until the app needs some."""
    name = child_name(base_name, "task")
    return aws.iam.Role(
        name,
        description=f"{name}: the application's role (no permissions by default)",
        assume_role_policy=service_trust_policy(TASKS_PRINCIPAL, source_account=ctx.account_id),
        tags=name_tag(name),
        opts=opts,
    )


def container_definitions(
    settings: ComputeConfig,
    ctx: AccountContext,
    repository: aws.ecr.Repository,
    log_group: aws.cloudwatch.LogGroup,
) -> pulumi.Output[str]:
    """The hardened app container (non-root, read-only root file system, an init process),
    its image from `repository` at the configured tag and its logs to `log_group`."""
    check = settings.container_health_check
    # The repository URL, spelled from the account and region (what `repository_url`
    # returns) so the definition is known at preview. Without an image yet the definition
    # names a placeholder tag; no service runs it.
    image = pulumi.Output.concat(
        ctx.account_id,
        ".dkr.ecr.",
        ctx.region,
        ".",
        ctx.dns_suffix,
        "/",
        repository.name,
        ":",
        settings.image_tag or "unreleased",
    )
    return pulumi.Output.json_dumps(
        [
            {
                "name": CONTAINER_NAME,
                "image": image,
                "essential": True,
                "user": settings.container_user,
                "readonlyRootFilesystem": True,
                "privileged": False,
                "linuxParameters": {"initProcessEnabled": True},
                "portMappings": [
                    {
                        "containerPort": settings.app_port,
                        "hostPort": settings.app_port,
                        "protocol": "tcp",
                    }
                ],
                "healthCheck": {
                    "command": settings.container_health_command(),
                    "interval": check.interval_seconds,
                    "timeout": check.timeout_seconds,
                    "retries": check.retries,
                    "startPeriod": check.start_period_seconds,
                },
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group.name,
                        "awslogs-region": ctx.region,
                        "awslogs-stream-prefix": CONTAINER_NAME,
                    },
                },
                # Configuration only; secrets belong in Secrets Manager via `secrets`.
                "environment": [],
            }
        ]
    )
