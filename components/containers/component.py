"""Container option of the compute tier (C8): an ECS Fargate service in the private subnets
behind the shared load balancer, its image repository, task definition, logs and scaling, and
ECS's native blue/green deployments between two target groups."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..config.compute import ComputeConfig
from ..iam import service_trust_policy
from ..logs import encrypted_log_group
from ..naming import child_name, name_tag, token
from .task import CONTAINER_NAME, create_task

# The service's production and alternate target groups (Pulumi property paths of the wire
# inputs, pulumi_aws ecs.Service `loadBalancers`). ECS alternates the groups from one
# blue/green deployment to the next, the new revision's group becoming the production one
# (observed in hashicorp/terraform-provider-aws#45678), which a refresh records. Pushing the
# created orientation back would be an UpdateService that starts another deployment with the
# roles reversed, so they are ECS's once the service exists.
ORIENTATION = (
    "loadBalancers[0].targetGroupArn",
    "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn",
)


@dataclass
class ContainersArgs:
    """Arguments of `Containers`: the shared load balancer's pieces, the network and the keys."""

    settings: ComputeConfig
    """Validated compute config (`kind` ecs; task size, counts, image tag, ...)."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """The tasks' subnets: the private (application) subnet of every AZ."""
    app_security_group_id: pulumi.Input[str]
    https_listener: aws.lb.Listener
    """The load balancer's HTTPS listener; the production and test rules go on it."""
    blue_target_group_arn: pulumi.Input[str]
    """Target group (type ip) the first revision registers its tasks in."""
    green_target_group_arn: pulumi.Input[str]
    """The alternate target group each blue/green deployment starts the new revision in."""
    data_key_arn: pulumi.Input[str]
    """CMK of the image repository."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the container log group."""
    log_retention_days: int


class Containers(pulumi.ComponentResource):
    """ECS Fargate behind one region's load balancer. The service (and its scaling) exists only
    once `imageTag` names an image in the repository."""

    cluster: aws.ecs.Cluster
    repository: aws.ecr.Repository
    log_group: aws.cloudwatch.LogGroup
    task_definition: aws.ecs.TaskDefinition
    production_rule: aws.lb.ListenerRule
    """Forwards all traffic; ECS moves its weight from one group to the other."""
    test_rule: aws.lb.ListenerRule | None
    """Forwards requests with the test header from `testTrafficCidrs` to the revision being
    deployed; None without test sources."""
    service: aws.ecs.Service | None
    """None until `imageTag` is set."""

    def __init__(
        self, name: str, args: ContainersArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("containers", "Containers"), name, None, opts)
        self._name = name
        self._args = args
        self._settings = args.settings
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)

        self.cluster = self._create_cluster()
        self.repository = self._create_repository()
        self.log_group = self._create_log_group()
        task = create_task(
            name,
            settings=self._settings,
            ctx=self._ctx,
            repository=self.repository,
            log_group=self.log_group,
            parent=self,
        )
        self.task_definition = task.definition
        self._execution_policy = task.execution_policy
        self.production_rule, self.test_rule = self._create_listener_rules()
        self.service = None
        if self._settings.image_tag is not None:
            self.service = self._create_service()
            self._create_scaling(self.service)

        outputs: dict[str, object] = {
            "cluster_arn": self.cluster.arn,
            "repository_url": self.repository.repository_url,
            "task_definition_arn": self.task_definition.arn,
        }
        if self.service is not None:
            outputs["service_name"] = self.service.name
        self.register_outputs(outputs)

    # Cluster, repository, logs ---------------------------------------------------------------

    def _create_cluster(self) -> aws.ecs.Cluster:
        name = child_name(self._name, "cluster")
        return aws.ecs.Cluster(
            name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enhanced")],
            tags=name_tag(name),
            opts=self._child,
        )

    def _create_repository(self) -> aws.ecr.Repository:
        name = child_name(self._name, "app")
        repository = aws.ecr.Repository(
            name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=self._args.data_key_arn
                )
            ],
            # Images are release artefacts: deleting the stack must not silently drop them.
            force_delete=False,
            tags=name_tag(name),
            opts=self._child,
        )
        keep = self._settings.ecr_keep_images
        aws.ecr.LifecyclePolicy(
            name,
            repository=repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"Keep the {keep} most recent images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": keep,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                }
            ),
            opts=self._child,
        )
        return repository

    def _create_log_group(self) -> aws.cloudwatch.LogGroup:
        name = child_name(self._name, "app-logs")
        return encrypted_log_group(
            name,
            kms_key_arn=self._args.logs_key_arn,
            retention_days=self._args.log_retention_days,
            parent=self,
        )

    # Task definition ---------------------------------------------------------------------------

    # Traffic, service, scaling -----------------------------------------------------------------

    def _create_listener_rules(self) -> tuple[aws.lb.ListenerRule, aws.lb.ListenerRule | None]:
        """The two rules ECS blue/green drives (ECS Developer Guide, "Application Load
        Balancer resources for blue/green deployments"): production forwards everything, the
        test rule the requests that carry the test header. Both forward to the two groups with
        weights; ECS rewrites the weights at every deployment, so Pulumi leaves the actions to
        it after creating them (terraform-aws-modules/terraform-aws-alb#409)."""
        settings, args = self._settings, self._args

        def forward(blue: int, green: int) -> list[aws.lb.ListenerRuleActionArgs]:
            return [
                aws.lb.ListenerRuleActionArgs(
                    type="forward",
                    forward=aws.lb.ListenerRuleActionForwardArgs(
                        target_groups=[
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                                arn=args.blue_target_group_arn, weight=blue
                            ),
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                                arn=args.green_target_group_arn, weight=green
                            ),
                        ]
                    ),
                )
            ]

        # Ignoring the actions would also keep a replaced target group's old ARN in them, and
        # ELB refuses to delete a group a rule still forwards to: so a new group replaces the
        # rules too, the old rule first (a listener takes one rule per priority).
        owned_by_ecs = pulumi.ResourceOptions(
            parent=self,
            ignore_changes=["actions"],
            replacement_trigger=pulumi.Output.all(
                args.blue_target_group_arn, args.green_target_group_arn
            ),
            delete_before_replace=True,
        )
        # During a deployment's test phase the test rule reaches a revision nobody has
        # checked yet: a header anyone can send is not enough, the request must also come
        # from a configured source (both conditions must match). No sources, no test rule.
        test = None
        if settings.test_traffic_cidrs:
            test_name = child_name(self._name, "green")
            test = aws.lb.ListenerRule(
                test_name,
                listener_arn=args.https_listener.arn,
                priority=10,
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(
                        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                            http_header_name=settings.green_header_name,
                            values=[settings.green_header_value],
                        )
                    ),
                    aws.lb.ListenerRuleConditionArgs(
                        source_ip=aws.lb.ListenerRuleConditionSourceIpArgs(
                            values=[str(cidr) for cidr in settings.test_traffic_cidrs]
                        )
                    ),
                ],
                actions=forward(0, 100),
                tags=name_tag(test_name),
                opts=owned_by_ecs,
            )
        production_name = child_name(self._name, "production")
        production = aws.lb.ListenerRule(
            production_name,
            listener_arn=args.https_listener.arn,
            priority=100,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"])
                )
            ],
            actions=forward(100, 0),
            tags=name_tag(production_name),
            opts=owned_by_ecs,
        )
        return production, test

    def _infrastructure_role(self) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """The role ECS moves traffic with during a blue/green deployment: trusted by
        ecs.amazonaws.com, with AWS's policy for it (ECS Developer Guide, "Amazon ECS
        infrastructure IAM role for load balancers")."""
        name = child_name(self._name, "ecs-infrastructure")
        role = aws.iam.Role(
            name,
            description=f"{name}: ECS shifts traffic between the target groups",
            # AWS documents this trust policy without a condition; ECS is not documented to
            # send aws:SourceAccount when it assumes the role, so a condition could lock it out.
            assume_role_policy=service_trust_policy("ecs.amazonaws.com"),
            tags=name_tag(name),
            opts=self._child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            name,
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:",
                self._ctx.partition,
                ":iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
            ),
            opts=self._child,
        )
        return role, attachment

    def _create_service(self) -> aws.ecs.Service:
        settings, args = self._settings, self._args
        name = child_name(self._name, "app")
        infrastructure, infrastructure_policy = self._infrastructure_role()
        return aws.ecs.Service(
            name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=settings.desired_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.private_subnet_ids),
                security_groups=[args.app_security_group_id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.blue_target_group_arn,
                    container_name=CONTAINER_NAME,
                    container_port=settings.app_port,
                    advanced_configuration=aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                        alternate_target_group_arn=args.green_target_group_arn,
                        production_listener_rule=self.production_rule.arn,
                        # Optional in ECS's advanced configuration: without it, ECS shifts
                        # production traffic without a test phase.
                        test_listener_rule=self.test_rule.arn if self.test_rule else None,
                        role_arn=infrastructure.arn,
                    ),
                )
            ],
            health_check_grace_period_seconds=settings.health_check_grace_period_seconds,
            deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type="ECS"),
            # Each deployment starts the new revision in the idle group, sends it the test
            # traffic, then the production traffic, and keeps the old revision for the bake
            # time; the circuit breaker rolls a revision that never gets healthy back (ECS
            # Developer Guide, "deployment failure detection": rolling and blue/green).
            deployment_configuration=aws.ecs.ServiceDeploymentConfigurationArgs(
                strategy="BLUE_GREEN",
                bake_time_in_minutes=str(settings.bake_time_minutes),
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            deployment_minimum_healthy_percent=50,
            deployment_maximum_percent=200,
            enable_execute_command=False,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            tags=name_tag(name),
            # ECS refuses a target group that no listener rule uses yet; the first deployment
            # (which the circuit breaker cannot roll back) needs the roles' permissions; the
            # desired count belongs to the scaling policies once the service exists.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    self.production_rule,
                    *([self.test_rule] if self.test_rule is not None else []),
                    infrastructure_policy,
                    self._execution_policy,
                ],
                ignore_changes=["desiredCount", *ORIENTATION],
                # With the orientation ignored, a replaced group's new ARN would never reach
                # the service, which would stay on the deleted group: a new group replaces the
                # service (create first: its name is autonamed), as it replaces the rules.
                replacement_trigger=pulumi.Output.all(
                    args.blue_target_group_arn, args.green_target_group_arn
                ),
            ),
        )

    def _create_scaling(self, service: aws.ecs.Service) -> None:
        settings = self._settings
        name = child_name(self._name, "app")
        target = aws.appautoscaling.Target(
            name,
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", service.name),
            min_capacity=settings.min_count,
            max_capacity=settings.max_count,
            tags=name_tag(name),
            opts=self._child,
        )
        for metric, value in (
            ("ECSServiceAverageCPUUtilization", settings.cpu_target_percent),
            ("ECSServiceAverageMemoryUtilization", settings.memory_target_percent),
        ):
            suffix = "cpu" if "CPU" in metric else "memory"
            aws.appautoscaling.Policy(
                child_name(name, suffix),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric
                    ),
                    target_value=value,
                    scale_in_cooldown=300,
                    scale_out_cooldown=60,
                ),
                opts=self._child,
            )
