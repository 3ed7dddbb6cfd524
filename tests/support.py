"""The one set of test helpers: the real program run for a stack (cached once per session),
its validated config, names built with the program's own naming helpers, lookups and the
type tokens the tests share. Expectations come from the validated config, not from literals
retyped from the stack files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from components.config import StackConfig
from components.config.load import config_from_mapping
from components.naming import base_name
from policy.harness import (
    CapturedResource,
    ProgramRun,
    load_stack_config,
    read_project_name,
    run_program,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

# Type tokens several test modules look up.
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KMS_KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
TOPIC = "aws:sns/topic:Topic"
DB_INSTANCE = "aws:rds/instance:Instance"
DB_CLUSTER = "aws:rds/cluster:Cluster"
DB_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


@cache
def _cached_run(stack: str, overrides_json: str) -> ProgramRun:
    return run_program(REPO_ROOT, stack, config_overrides=json.loads(overrides_json))


def stack_run(stack: str, **overrides: object) -> ProgramRun:
    """The real program run for `stack` (config keys overridden), cached for the session."""
    return _cached_run(stack, json.dumps(overrides, sort_keys=True))


@cache
def stack_config(stack: str) -> StackConfig:
    """The stack file's config, validated as the program validates it."""
    project = read_project_name(REPO_ROOT)
    raw, _ = load_stack_config(REPO_ROOT, project, stack)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace != project:
            continue
        try:
            values[name] = json.loads(value)
        except json.JSONDecodeError:
            values[name] = value
    values.setdefault("project", project)  # as load_config does
    return config_from_mapping(project, values)


def regions(stack: str) -> list[str]:
    """The stack's regions, primary first."""
    return [region.name for region in stack_config(stack).regions]


def prefix(stack: str, region: str) -> str:
    """A regional stack's name (`<environment>-<service>-<region>`), the prefix of every child's
    logical name, built as the program builds it."""
    config = stack_config(stack)
    return base_name(config.environment, config.service, region)


def one(run: ProgramRun, type_token: str, name: str | None = None) -> CapturedResource:
    """The single resource of a type, with a logical name when `name` is given (fails naming
    both otherwise)."""
    found = [r for r in run.of_type(type_token) if name is None or r.name == name]
    assert len(found) == 1, (type_token, name, len(found))
    return found[0]


def region_of(run: ProgramRun, resource: CapturedResource) -> str:
    """The region of the provider a resource is managed by."""
    provider = run.provider_of(resource)
    assert provider is not None
    return provider.inputs["region"]


def in_region(run: ProgramRun, type_token: str, region: str) -> list[CapturedResource]:
    """The resources of a type managed by the provider of one region."""
    return [r for r in run.of_type(type_token) if region_of(run, r) == region]
