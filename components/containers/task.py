"""The Fargate task (C8): the execution role that pulls the image and writes the logs, the
application's own role, and the hardened container definition."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

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


if TYPE_CHECKING:
    from .component import Containers


def create_execution_role(containers: Containers) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The role ECS pulls the image and writes the logs with: this repository and this log
    group only (the managed AmazonECSTaskExecutionRolePolicy grants both on every one).
    Returned with its policy, which tasks need before they start."""
    name = child_name(containers._name, "task-execution")
    role = aws.iam.Role(
        name,
        description=f"{name}: pull the app image and write its log group",
        assume_role_policy=service_trust_policy(
            TASKS_PRINCIPAL, source_account=containers._ctx.account_id
        ),
        tags=name_tag(name),
        opts=containers._child,
    )
    policy = aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=document(
            [
                # GetAuthorizationToken has no resource type: it is always granted on "*".
                allow(["ecr:GetAuthorizationToken"], "*", sid="EcrLogin"),
                allow(ECR_PULL_ACTIONS, containers.repository.arn, sid="PullAppImage"),
                # GuardDuty Runtime Monitoring (the account baseline turns it on) adds its
                # agent to every Fargate task, pulled with this role from AWS's repository
                # in each region's GuardDuty account (GuardDuty User Guide, "Prerequisites
                # for AWS Fargate (Amazon ECS only) support").
                allow(
                    ECR_PULL_ACTIONS,
                    pulumi.Output.concat(
                        "arn:",
                        containers._ctx.partition,
                        ":ecr:",
                        containers._ctx.region,
                        ":*:repository/aws-guardduty-agent-fargate",
                    ),
                    sid="PullGuardDutyAgent",
                ),
                allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [
                        containers.log_group.arn,
                        pulumi.Output.concat(containers.log_group.arn, ":*"),
                    ],
                    sid="WriteAppLogGroup",
                ),
            ]
        ),
        opts=containers._child,
    )
    return role, policy


def task_role(containers: Containers) -> aws.iam.Role:
    """The application's own identity: no permissions until the app needs some."""
    name = child_name(containers._name, "task")
    return aws.iam.Role(
        name,
        description=f"{name}: the application's role (no permissions by default)",
        assume_role_policy=service_trust_policy(
            TASKS_PRINCIPAL, source_account=containers._ctx.account_id
        ),
        tags=name_tag(name),
        opts=containers._child,
    )


def container_definitions(containers: Containers) -> pulumi.Output[str]:
    settings = containers._settings
    check = settings.container_health_check
    ctx = containers._ctx
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
        containers.repository.name,
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
                        "awslogs-group": containers.log_group.name,
                        "awslogs-region": containers._ctx.region,
                        "awslogs-stream-prefix": CONTAINER_NAME,
                    },
                },
                # Configuration only; secrets belong in Secrets Manager via `secrets`.
                "environment": [],
            }
        ]
    )


def create_task_definition(containers: Containers) -> aws.ecs.TaskDefinition:
    settings = containers._settings
    name = child_name(containers._name, "app")
    execution_role, containers._execution_policy = create_execution_role(containers)
    return aws.ecs.TaskDefinition(
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
        task_role_arn=task_role(containers).arn,
        container_definitions=container_definitions(containers),
        tags=name_tag(name),
        opts=containers._child,
    )
