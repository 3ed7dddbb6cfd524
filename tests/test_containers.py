"""Container option under mocks (C8): the real program for the containers stack (ECS Fargate
behind the shared load balancer) as committed (no image yet) and with an image tag, and dev
(Auto Scaling), plus the config checks of the C8 keys."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import REPO_ROOT, one, prefix, stack_run

from components.config import ConfigError, config_from_mapping
from policy.harness import ProgramRun

NS = "secure-infra"
STACK = "containers"
REGION = "us-east-1"
PREFIX = prefix(STACK, REGION)
CLUSTER = "aws:ecs/cluster:Cluster"
REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KEY = "aws:kms/key:Key"
SG = "aws:ec2/securityGroup:SecurityGroup"
ECS_TYPES = (CLUSTER, REPOSITORY, TASK_DEFINITION, SERVICE, SCALING_TARGET, SCALING_POLICY)


def stack_compute() -> dict[str, Any]:
    """The containers stack's compute section as written in Pulumi.containers.yaml."""
    data = yaml.safe_load(Path(REPO_ROOT, f"Pulumi.{STACK}.yaml").read_text())
    return copy.deepcopy(data["config"][f"{NS}:compute"])


IMAGE_TAG = "2026.11.25"
# Where the deploy pipeline's checks run from (RFC 5737 documentation ranges).
TEST_CIDRS = ["203.0.113.0/24", "198.51.100.16/28"]


def with_image(**compute: Any) -> ProgramRun:
    """The containers stack once the pipeline has pushed an image and set `imageTag`."""
    return stack_run(STACK, compute={**stack_compute(), "imageTag": IMAGE_TAG, **compute})


def with_test_traffic(**compute: Any) -> ProgramRun:
    """The containers stack with an image and the test-traffic CIDRs configured."""
    return with_image(testTrafficCidrs=TEST_CIDRS, **compute)


def container(run: ProgramRun) -> dict[str, Any]:
    definitions = json.loads(
        one(run, TASK_DEFINITION, f"{PREFIX}-app").inputs["containerDefinitions"]
    )
    assert len(definitions) == 1
    return definitions[0]


def region_outputs(run: ProgramRun) -> dict[str, Any]:
    return run.outputs["regions"][REGION]


def test_cluster_has_container_insights() -> None:
    """C8: an ECS cluster with container insights on."""
    cluster = one(stack_run(STACK), CLUSTER, f"{PREFIX}-cluster")
    assert {"name": "containerInsights", "value": "enhanced"} in cluster.inputs["settings"]


def test_repository_scans_is_immutable_and_encrypted_with_data_key() -> None:
    """C8, P1: the ECR repository scans on push, refuses tag overwrites, is encrypted with the
    region's data CMK, is not force-deleted and keeps the configured number of images."""
    r = stack_run(STACK)
    repo = one(r, REPOSITORY, f"{PREFIX}-app").inputs
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["forceDelete"] is False
    [encryption] = repo["encryptionConfigurations"]
    assert encryption["encryptionType"] == "KMS"
    assert encryption["kmsKey"] == region_outputs(r)["dataKeyArn"]
    assert encryption["kmsKey"] == one(r, KEY, f"{PREFIX}-data").state["arn"]
    lifecycle = one(r, LIFECYCLE, f"{PREFIX}-app").inputs
    assert lifecycle["repository"] == repo["name"]
    [rule] = json.loads(lifecycle["policy"])["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == stack_compute()["ecrKeepImages"]
    assert rule["action"] == {"type": "expire"}


def test_fargate_task_definition_from_config() -> None:
    """C8: a Fargate task (awsvpc) with CPU, memory and architecture from config, an execution
    role and a separate task role."""
    r = stack_run(STACK)
    compute = stack_compute()
    task = one(r, TASK_DEFINITION, f"{PREFIX}-app").inputs
    assert task["networkMode"] == "awsvpc"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["cpu"] == str(compute["taskCpu"])
    assert task["memory"] == str(compute["taskMemory"])
    assert task["runtimePlatform"] == {
        "operatingSystemFamily": "LINUX",
        "cpuArchitecture": compute["cpuArchitecture"],
    }
    execution = one(r, ROLE, f"{PREFIX}-task-execution")
    task_role = one(r, ROLE, f"{PREFIX}-task")
    assert task["executionRoleArn"] == execution.state["arn"]
    assert task["taskRoleArn"] == task_role.state["arn"]
    assert task["executionRoleArn"] != task["taskRoleArn"]


def test_container_is_hardened() -> None:
    """C8: the container runs as a non-root user with an init process and a read-only root
    filesystem, on the app port, with the configured health check and no environment secrets."""
    r = with_image()
    compute = stack_compute()
    app = container(r)
    repo = one(r, REPOSITORY, f"{PREFIX}-app").inputs
    assert app["image"] == (
        f"123456789012.dkr.ecr.{REGION}.amazonaws.com/{repo['name']}:{IMAGE_TAG}"
    )
    assert app["user"] == "1000:1000"
    assert app["linuxParameters"]["initProcessEnabled"] is True
    assert app["readonlyRootFilesystem"] is True
    assert app["privileged"] is False
    assert app["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    check = compute["containerHealthCheck"]
    assert app["healthCheck"] == {
        "command": check["command"],
        "interval": check["intervalSeconds"],
        "timeout": check["timeoutSeconds"],
        "retries": check["retries"],
        "startPeriod": check["startPeriodSeconds"],
    }
    assert app["environment"] == []
    assert "secrets" not in app


def test_container_logs_under_logs_key_with_retention() -> None:
    """C8, P1, A3: awslogs to a log group of its own, encrypted with the logs CMK and kept for
    the stack's retention."""
    r = stack_run(STACK)
    group = one(r, LOG_GROUP, f"{PREFIX}-app-logs")
    assert group.inputs["kmsKeyId"] == region_outputs(r)["logsKeyArn"]
    assert group.inputs["retentionInDays"] == 30
    logging = container(r)["logConfiguration"]
    assert logging["logDriver"] == "awslogs"
    assert logging["options"]["awslogs-group"] == group.state["name"]
    assert logging["options"]["awslogs-region"] == REGION


def test_execution_role_is_least_privilege() -> None:
    """C8, P3: the execution role may pull from this repository and write to this log group
    only; the task role has no permissions; both trust only ECS tasks of this account."""
    r = stack_run(STACK)
    repo = one(r, REPOSITORY, f"{PREFIX}-app")
    group = one(r, LOG_GROUP, f"{PREFIX}-app-logs")
    execution = one(r, ROLE, f"{PREFIX}-task-execution")
    task_role = one(r, ROLE, f"{PREFIX}-task")
    for role in (execution, task_role):
        [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    [policy] = [p for p in r.of_type(ROLE_POLICY) if p.inputs["role"] == execution.id]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["EcrLogin"]["Action"] == ["ecr:GetAuthorizationToken"]
    assert statements["PullAppImage"]["Resource"] == repo.state["arn"]
    assert all(a.startswith("ecr:") for a in statements["PullAppImage"]["Action"])
    arn = group.state["arn"]
    assert statements["WriteAppLogGroup"]["Resource"] == [arn, f"{arn}:*"]
    # GuardDuty Runtime Monitoring's Fargate agent is pulled with this role (review finding:
    # without it the sidecar fails to start and no task is monitored).
    agent = statements["PullGuardDutyAgent"]
    assert agent["Action"] == statements["PullAppImage"]["Action"]
    assert agent["Resource"] == "arn:aws:ecr:us-east-1:*:repository/aws-guardduty-agent-fargate"
    role_ids = {execution.id, task_role.id}
    assert not [p for p in r.of_type(ROLE_POLICY) if p.inputs["role"] in role_ids and p != policy]
    assert not [a for a in r.of_type(ATTACHMENT) if a.inputs["role"] in role_ids]


def test_service_in_private_subnets_behind_blue_target_group() -> None:
    """C8, C5: the Fargate service runs in the private subnets with the app security group and
    no public IP, rolls back failed deployments, keeps 50% healthy and waits out the grace
    period."""
    r = with_image()
    compute = stack_compute()
    service = one(r, SERVICE, f"{PREFIX}-app")
    props = service.inputs
    assert props["launchType"] == "FARGATE"
    assert props["cluster"] == one(r, CLUSTER, f"{PREFIX}-cluster").state["arn"]
    assert props["taskDefinition"] == one(r, TASK_DEFINITION, f"{PREFIX}-app").state["arn"]
    network = props["networkConfiguration"]
    assert network["subnets"] == region_outputs(r)["privateSubnetIds"]
    assert network["securityGroups"] == [one(r, SG, f"{PREFIX}-app-sg").id]
    assert network["assignPublicIp"] is False
    assert props["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert props["deploymentMinimumHealthyPercent"] == 50
    assert props["healthCheckGracePeriodSeconds"] == 300
    assert props["desiredCount"] == compute["desiredCount"]
    assert props["enableExecuteCommand"] is False
    assert props["propagateTags"] == "SERVICE"
    assert "desiredCount" in service.options.ignore_changes


def test_native_blue_green_moves_traffic_between_the_target_groups() -> None:
    """C8 (issue: the green group never had targets): the service deploys with ECS's native
    blue/green strategy. Each deployment starts the new revision in the idle group, sends the
    test rule's traffic (the green header) there, then moves the production rule's weight,
    with the infrastructure role ECS needs for the listener rules and the configured bake
    time. The listener's default only answers 404, so no traffic can bypass the rules."""
    r = with_test_traffic()
    blue = one(r, TARGET_GROUP, f"{PREFIX}-app")
    green = one(r, TARGET_GROUP, f"{PREFIX}-green")
    production = one(r, LISTENER_RULE, f"{PREFIX}-production")
    test = one(r, LISTENER_RULE, f"{PREFIX}-green")
    https = one(r, LISTENER, f"{PREFIX}-https")
    role = one(r, ROLE, f"{PREFIX}-ecs-infrastructure")
    service = one(r, SERVICE, f"{PREFIX}-app")
    props = service.inputs
    assert props["deploymentController"] == {"type": "ECS"}
    assert props["deploymentConfiguration"] == {
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": str(stack_compute().get("bakeTimeMinutes", 5)),
    }
    assert props["loadBalancers"] == [
        {
            "targetGroupArn": blue.state["arn"],
            "containerName": "app",
            "containerPort": 8080,
            "advancedConfiguration": {
                "alternateTargetGroupArn": green.state["arn"],
                "productionListenerRule": production.state["arn"],
                "testListenerRule": test.state["arn"],
                "roleArn": role.state["arn"],
            },
        }
    ]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    # AWS's documented trust policy for this role, with no condition (review finding 9).
    assert trust == {
        "Effect": "Allow",
        "Principal": {"Service": "ecs.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    [attachment] = [a for a in r.of_type(ATTACHMENT) if a.inputs["role"] == role.state["name"]]
    # The first deployment cannot be rolled back, so the service waits for the listener rules
    # and for both roles' permissions (review finding 4).
    execution = one(r, "aws:iam/rolePolicy:RolePolicy", f"{PREFIX}-task-execution")
    assert {production.urn, test.urn, attachment.urn, execution.urn} <= set(service.dependencies)
    definition = one(r, "aws:ecs/taskDefinition:TaskDefinition", f"{PREFIX}-app")
    assert (
        definition.inputs["executionRoleArn"]
        == one(r, ROLE, f"{PREFIX}-task-execution").state["arn"]
    )
    assert attachment.inputs["policyArn"].endswith(
        ":iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
    )
    [default] = https.inputs["defaultActions"]
    assert default["type"] == "fixed-response"
    assert default["fixedResponse"]["statusCode"] == "404"


def _at(props: dict[str, Any], path: str) -> Any:
    """The value at a Pulumi property path of the form `a[0].b.c` (the ignoreChanges syntax)."""
    value: Any = props
    for part in path.split("."):
        key, _, index = part.partition("[")
        value = value[key]
        if index:
            value = value[int(index.rstrip("]"))]
    return value


def test_blue_green_orientation_belongs_to_ecs_after_the_first_deployment() -> None:
    """Issue 18, edge N2: each blue/green deployment leaves the new revision's group as the
    service's production group and the old one as its alternate. A refresh records the swap
    and the next `up` would push the created orientation back (an UpdateService that starts
    another deployment), so Pulumi leaves both group ARNs to ECS once the service exists. A
    replaced group (new ARN) then replaces the service, like the listener rules, instead of
    leaving it on a deleted group."""
    r = with_image()
    blue = one(r, TARGET_GROUP, f"{PREFIX}-app")
    green = one(r, TARGET_GROUP, f"{PREFIX}-green")
    service = one(r, SERVICE, f"{PREFIX}-app")
    oriented = {
        "loadBalancers[0].targetGroupArn": blue.state["arn"],
        "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn": green.state["arn"],
    }
    for path, arn in oriented.items():
        # The path names wire inputs the service really has (a misspelt path ignores nothing).
        assert _at(service.inputs, path) == arn
        assert path in service.options.ignore_changes
    # The listener rules stay the service's: ECS rewrites their actions, not which rules.
    assert not any("ListenerRule" in path for path in service.options.ignore_changes)
    assert service.options.replacement_trigger == [blue.state["arn"], green.state["arn"]]


def test_listener_rules_forward_to_both_groups_and_leave_weights_to_ecs() -> None:
    """C8: both target groups take IP targets (awsvpc); the production rule forwards every path
    to blue (100) and green (0), the test rule the green-header requests to green; ECS owns the
    weights after creation."""
    r = with_test_traffic()
    blue = one(r, TARGET_GROUP, f"{PREFIX}-app")
    green = one(r, TARGET_GROUP, f"{PREFIX}-green")
    for group in (blue, green):
        assert group.inputs["targetType"] == "ip"
        assert group.inputs["port"] == 8080
        assert group.inputs["healthCheck"]["path"] == "/health"
    https = one(r, LISTENER, f"{PREFIX}-https").state["arn"]
    test = one(r, LISTENER_RULE, f"{PREFIX}-green")
    production = one(r, LISTENER_RULE, f"{PREFIX}-production")
    assert test.inputs["conditions"][0] == {
        "httpHeader": {"httpHeaderName": "X-Deployment", "values": ["green"]}
    }
    assert production.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert test.inputs["priority"] < production.inputs["priority"]
    for rule, weights in ((production, (100, 0)), (test, (0, 100))):
        assert rule.inputs["listenerArn"] == https
        [action] = rule.inputs["actions"]
        assert action["type"] == "forward"
        groups = action["forward"]["targetGroups"]
        assert [(g["arn"], g["weight"]) for g in groups] == list(
            zip((blue.state["arn"], green.state["arn"]), weights, strict=True)
        )
        assert rule.options.ignore_changes == ("actions",)
        # A replaced target group replaces the rules too, old rule first (review finding 7):
        # ignored actions would keep the old group's ARN and block its deletion.
        assert rule.options.replacement_trigger == [blue.state["arn"], green.state["arn"]]
        assert rule.options.delete_before_replace is True


def test_test_rule_admits_only_the_configured_sources() -> None:
    """Issue 18, edge N8: during a deployment's test phase the test rule sends the new,
    untested revision requests that carry the header, so it also asks for a source address
    in `compute.testTrafficCidrs`: nobody else reaches the revision by adding a header."""
    r = with_test_traffic()
    test = one(r, LISTENER_RULE, f"{PREFIX}-green")
    assert test.inputs["conditions"] == [
        {"httpHeader": {"httpHeaderName": "X-Deployment", "values": ["green"]}},
        {"sourceIp": {"values": TEST_CIDRS}},
    ]
    service = one(r, SERVICE, f"{PREFIX}-app")
    advanced = service.inputs["loadBalancers"][0]["advancedConfiguration"]
    assert advanced["testListenerRule"] == test.state["arn"]


def test_no_test_sources_no_test_rule() -> None:
    """Issue 18, edge N8: without `compute.testTrafficCidrs` there is no test path from the
    internet at all: no test rule, and ECS deploys with the production rule alone (the test
    listener rule is optional in ECS's advanced configuration)."""
    for run in (stack_run(STACK), with_image()):
        assert [x.name for x in run.of_type(LISTENER_RULE)] == [f"{PREFIX}-production"]
    service = one(with_image(), SERVICE, f"{PREFIX}-app")
    assert "testListenerRule" not in service.inputs["loadBalancers"][0]["advancedConfiguration"]


def test_cpu_and_memory_target_tracking_on_the_service() -> None:
    """C8, C6: a scalable target on the service's desired count (min/max from config) with CPU
    and memory target-tracking policies at the configured targets."""
    r = with_image()
    compute = stack_compute()
    cluster = one(r, CLUSTER, f"{PREFIX}-cluster").state["name"]
    service = one(r, SERVICE, f"{PREFIX}-app").state["name"]
    target = one(r, SCALING_TARGET, f"{PREFIX}-app").inputs
    assert target["serviceNamespace"] == "ecs"
    assert target["scalableDimension"] == "ecs:service:DesiredCount"
    assert target["resourceId"] == f"service/{cluster}/{service}"
    assert (target["minCapacity"], target["maxCapacity"]) == (
        compute["minCount"],
        compute["maxCount"],
    )
    policies = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
            "predefinedMetricType"
        ]: p.inputs
        for p in r.of_type(SCALING_POLICY)
    }
    assert set(policies) == {
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageMemoryUtilization",
    }
    for metric, key in (
        ("ECSServiceAverageCPUUtilization", "cpuTargetPercent"),
        ("ECSServiceAverageMemoryUtilization", "memoryTargetPercent"),
    ):
        policy = policies[metric]
        assert policy["policyType"] == "TargetTrackingScaling"
        assert policy["resourceId"] == target["resourceId"]
        assert policy["scalableDimension"] == "ecs:service:DesiredCount"
        assert policy["targetTrackingScalingPolicyConfiguration"]["targetValue"] == compute[key]


def test_no_image_no_service() -> None:
    """C8: without `imageTag` the cluster, repository, task definition and blue/green routing
    exist, but no service or scaling (a service without an image cannot stabilise). The
    committed stacks are in this state: their repository is created by the same `up`, so no
    image can have been pushed to it; the deploy pipeline sets the tag."""
    r = stack_run(STACK)
    for type_ in (CLUSTER, REPOSITORY, TASK_DEFINITION):
        assert len(r.of_type(type_)) == 1, type_
    # The production rule (the committed stack names no test-traffic sources: no test rule).
    assert len(r.of_type(LISTENER_RULE)) == 1
    for type_ in (SERVICE, SCALING_TARGET, SCALING_POLICY):
        assert r.of_type(type_) == [], type_
    assert container(r)["image"].endswith(":unreleased")
    for stack in (STACK, "seed001"):
        data = yaml.safe_load(Path(REPO_ROOT, f"Pulumi.{stack}.yaml").read_text())["config"]
        assert "imageTag" not in data[f"{NS}:compute"], stack


def test_asg_stack_has_no_ecs() -> None:
    """C8, C5: with kind asg (the default) nothing of ECS exists and the group keeps the single
    instance target group."""
    r = stack_run("dev")
    for type_ in ECS_TYPES:
        assert r.of_type(type_) == [], type_
    assert r.of_type(LISTENER_RULE) == []
    [group] = r.of_type(TARGET_GROUP)
    assert group.inputs["targetType"] == "instance"
    assert len(r.of_type("aws:autoscaling/group:Group")) == 1


def test_ecs_stack_has_no_auto_scaling_group() -> None:
    """C8: with kind ecs there is no launch template or Auto Scaling group."""
    r = stack_run(STACK)
    assert r.of_type("aws:autoscaling/group:Group") == []
    assert r.of_type("aws:ec2/launchTemplate:LaunchTemplate") == []


def test_stack_reaches_ecr_and_logs_through_endpoints() -> None:
    """C8, N3: tasks in private subnets pull and log through the ecr.api, ecr.dkr and logs
    interface endpoints and the S3 gateway endpoint."""
    r = stack_run(STACK)
    services = {e.inputs["serviceName"] for e in r.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    for service in ("ecr.api", "ecr.dkr", "logs", "s3"):
        assert f"com.amazonaws.{REGION}.{service}" in services, service


VALID: dict[str, Any] = {
    "environment": "containers",
    "service": "core",
    "owner": "platform-team",
    "costCenter": "CC-1",
    "project": "secure-infra",
    "regions": [
        {
            "name": REGION,
            "role": "primary",
            "vpcCidr": "10.0.0.0/16",
            "azs": ["us-east-1a", "us-east-1b"],
        },
    ],
}
CERT = {REGION: "arn:aws:acm:us-east-1:123456789012:certificate/0000-1111"}


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        ({"kind": "eks"}, "compute.kind"),
        ({"kind": "ecs", "taskCpu": 300}, "compute.taskCpu"),
        ({"kind": "ecs", "taskCpu": 256, "taskMemory": 4096}, "compute.taskMemory"),
        ({"kind": "ecs", "taskCpu": 1024, "taskMemory": 1024}, "compute.taskMemory"),
        ({"kind": "ecs", "cpuArchitecture": "arm"}, "compute.cpuArchitecture"),
        ({"kind": "ecs", "imageTag": "latest"}, "compute.imageTag"),
        ({"kind": "ecs", "imageTag": "v1 beta"}, "compute.imageTag"),
        ({"kind": "ecs", "containerUser": "0:0"}, "compute.containerUser"),
        ({"kind": "ecs", "containerUser": "root"}, "compute.containerUser"),
        ({"kind": "ecs", "desiredCount": 5, "maxCount": 3}, "compute.desiredCount"),
        ({"kind": "ecs", "memoryTargetPercent": 120}, "compute.memoryTargetPercent"),
        ({"kind": "ecs", "ecrKeepImages": 0}, "compute.ecrKeepImages"),
        ({"kind": "ecs", "greenHeaderValue": "gr*en"}, "compute.greenHeaderValue"),
        ({"kind": "ecs", "greenHeaderName": "X Deployment"}, "compute.greenHeaderName"),
        (
            {"kind": "ecs", "containerHealthCheck": {"command": ["curl localhost"]}},
            "compute.containerHealthCheck.command",
        ),
        (
            {"kind": "ecs", "containerHealthCheck": {"intervalSeconds": 5, "timeoutSeconds": 5}},
            "compute.containerHealthCheck.timeoutSeconds",
        ),
        ({"kind": "ecs", "imageTags": "1.0.0"}, "compute.imageTags"),
        ({"kind": "ecs", "testTrafficCidrs": ["0.0.0.0/0"]}, "compute.testTrafficCidrs"),
        ({"kind": "ecs", "testTrafficCidrs": ["10.0.0.300/24"]}, "compute.testTrafficCidrs"),
        (
            {"kind": "ecs", "testTrafficCidrs": [f"203.0.113.{i}/32" for i in range(5)]},
            "compute.testTrafficCidrs",
        ),
    ],
)
def test_bad_container_config_names_the_key(compute: dict[str, Any], expected: str) -> None:
    """C8, S5: invalid container settings fail with the offending key named."""
    values = {**copy.deepcopy(VALID), "compute": {"certificateArn": CERT, **compute}}
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(NS, values)
    assert expected in str(caught.value)


def test_container_defaults() -> None:
    """C8: kind defaults to asg; the container defaults are a valid Fargate size, a non-root
    user and an HTTP health check of the load balancer's path on the app port."""
    settings = config_from_mapping(NS, {**VALID, "compute": {"certificateArn": CERT}}).compute
    assert settings.kind == "asg"
    assert settings.image_tag is None
    assert (settings.task_cpu, settings.task_memory) == (256, 512)
    assert settings.container_user == "1000:1000"
    assert settings.container_health_command() == [
        "CMD-SHELL",
        "curl -fs http://localhost:8080/health || exit 1",
    ]
