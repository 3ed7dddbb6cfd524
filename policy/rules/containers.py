"""Containers: ECS task definitions, services and clusters, and ECR repositories, against the
Security Hub FSBP controls for ECS and ECR (P4, P5, P12)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import view_of
from .common import as_list, by_type, get, resource_policy, stack_policy, truthy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
# ECS.8: names that carry credentials (FSBP's secretKeys parameter).
SECRET_ENVIRONMENT_NAMES = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"}
)
# ECS.10: what the LATEST Fargate platform is (FSBP's latestLinuxVersion/latestWindowsVersion).
FARGATE_LATEST = frozenset({"LATEST", "1.4.0", "1.0.0"})


# --------------------------------------------------------------------------------------------
# ECS (ECS.3, ECS.4, ECS.5, ECS.8, ECS.9, ECS.10, ECS.12)


def container_definitions(props: Any) -> list[dict[str, Any]]:
    """A task definition's containers (the provider takes them as a JSON string)."""
    raw = props.get("containerDefinitions")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return []
    return [c for c in as_list(raw) if isinstance(c, Mapping)]


def _task_definition(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if props.get("pidMode") == "host":
        yield "pidMode is host: leave it unset (task) so containers cannot see host processes"
    if props.get("networkMode") == "host":
        yield "networkMode is host: use awsvpc so each task has its own interface and groups"
    for container in container_definitions(props):
        label = f"container {container.get('name')!r}"
        if container.get("privileged") is True:
            yield f"{label} is privileged: set privileged to false"
        if container.get("readonlyRootFilesystem") is not True:
            yield (
                f"{label} has a writable root file system: set readonlyRootFilesystem true "
                "and mount volumes where the app must write"
            )
        if not container.get("logConfiguration"):
            yield (
                f"{label} has no logConfiguration: send its logs somewhere (awslogs driver to "
                "an encrypted log group)"
            )
        leaked = sorted(
            {
                str(e.get("name"))
                for e in as_list(container.get("environment"))
                if isinstance(e, Mapping) and str(e.get("name")) in SECRET_ENVIRONMENT_NAMES
            }
        )
        if leaked:
            yield (
                f"{label} passes {', '.join(leaked)} as plain environment variables: use the "
                "task role for AWS credentials and `secrets` (Secrets Manager) for the rest"
            )
        user = str(container.get("user") or "")
        if user.split(":")[0] in ("root", "0"):
            yield f"{label} runs as {user}: run it as an unprivileged user (uid:gid)"


def _fargate(props: Any) -> bool:
    strategies = [
        str(s.get("capacityProvider")) for s in as_list(props.get("capacityProviderStrategies"))
    ]
    return props.get("launchType") == "FARGATE" or any(s.startswith("FARGATE") for s in strategies)


def _ecs_service(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    version = props.get("platformVersion")
    if _fargate(props) and version is not None and str(version) not in FARGATE_LATEST:
        yield (
            f"platformVersion is {version}: use LATEST (1.4.0 on Linux) so the service gets "
            "Fargate's security patches"
        )


def _ecs_cluster(args: ResourceValidationArgs) -> Iterator[str]:
    settings = {
        str(s.get("name")): str(s.get("value")) for s in as_list(args.props.get("settings"))
    }
    if settings.get("containerInsights") not in ("enabled", "enhanced"):
        yield (
            "Container Insights is off: add settings=[{name: 'containerInsights', value: "
            "'enhanced'}] (or 'enabled')"
        )


# --------------------------------------------------------------------------------------------
# ECR (ECR.1, ECR.2, ECR.3)


def _ecr_repositories(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    resources = args.resources
    repositories = view_of(resources).of_type([ECR_REPOSITORY])
    if not repositories:
        return
    registry_scans = any(
        r.resource_type == "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
        and (r.props.get("scanType") == "ENHANCED" or as_list(r.props.get("rules")))
        for r in resources
    )
    for effective in repositories:
        repository = effective.resource
        props = repository.props
        name = props.get("name") or repository.name
        scanning = get(props, "imageScanningConfiguration", "scanOnPush")
        if not truthy(scanning) and not registry_scans:
            yield (
                repository.urn,
                f"repository {name} does not scan images: set image_scanning_configuration="
                "{scan_on_push: True} or configure registry scanning",
            )
        if props.get("imageTagMutability") != "IMMUTABLE":
            yield (
                repository.urn,
                f"repository {name} has mutable tags: set image_tag_mutability='IMMUTABLE' so a "
                "deployed tag always names the same image",
            )
        if not effective.of("aws:ecr/lifecyclePolicy:LifecyclePolicy"):
            yield (
                repository.urn,
                f"repository {name} has no lifecycle policy: add an aws.ecr.LifecyclePolicy "
                "that expires untagged and old images",
            )


POLICIES = [
    resource_policy(
        "ecs-task-definition-hardening",
        "P4: task definitions share no host PID or network namespace; containers are "
        "unprivileged, non-root, with read-only root file systems, a log configuration and no "
        "credentials in plain environment variables.",
        MANDATORY,
        by_type({TASK_DEFINITION: _task_definition}),
        Meta(
            category="compute",
            requirements=("P4", "C8"),
            controls=("ECS.3", "ECS.4", "ECS.5", "ECS.8", "ECS.9"),
            remediation=(
                "In each container definition: privileged false, readonlyRootFilesystem true "
                "(with volumes for writable paths), an unprivileged user, a logConfiguration "
                "(awslogs), credentials through the task role and `secrets`; no pidMode or "
                "networkMode host on the task definition."
            ),
        ),
    ),
    resource_policy(
        "ecs-platform",
        "P5: ECS clusters run Container Insights; Fargate services run the latest platform "
        "version.",
        MANDATORY,
        by_type({"aws:ecs/cluster:Cluster": _ecs_cluster, "aws:ecs/service:Service": _ecs_service}),
        Meta(
            category="compute",
            requirements=("P5", "C8"),
            controls=("ECS.10", "ECS.12"),
            remediation=(
                "Add the containerInsights setting ('enhanced' or 'enabled') to the cluster, "
                "and leave platform_version unset or LATEST on Fargate services."
            ),
        ),
    ),
    stack_policy(
        "ecr-repositories",
        "P4: ECR repositories scan images on push (or through registry scanning), keep tags "
        "immutable and have a lifecycle policy.",
        MANDATORY,
        _ecr_repositories,
        Meta(
            category="compute",
            requirements=("P4", "C8"),
            controls=("ECR.1", "ECR.2", "ECR.3"),
            remediation=(
                "Set image_scanning_configuration={scan_on_push: True} and "
                "image_tag_mutability='IMMUTABLE' on the repository, and add an "
                "aws.ecr.LifecyclePolicy for it."
            ),
        ),
    ),
]
