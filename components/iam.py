"""IAM documents as data: one helper per recurring shape, serialised with `Output.json_dumps`;
and the one recurring role shape: a service role with one AWS managed policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

Statement = Mapping[str, Any]


def document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy document (Version 2012-10-17) as a JSON string; statements may hold Outputs."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    actions: Sequence[str],
    resources: Sequence[Any] | Any,
    *,
    sid: str | None = None,
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Allow statement for an identity policy."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources,
    }
    if sid:
        statement["Sid"] = sid
    if condition:
        statement["Condition"] = condition
    return statement


def service_trust_policy(
    service: str, *, source_account: Any = None, source_arn: Any = None
) -> pulumi.Output[str]:
    """Trust policy letting one AWS service assume a role, optionally pinned to this account or
    to a source ARN (the confused-deputy guard AWS recommends for service roles)."""
    condition: dict[str, Any] = {}
    if source_account is not None:
        condition.setdefault("StringEquals", {})["aws:SourceAccount"] = source_account
    if source_arn is not None:
        condition.setdefault("ArnLike", {})["aws:SourceArn"] = source_arn
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return document([statement])


def managed_service_role(
    name: str,
    *,
    description: str,
    service: str,
    managed_policy: str,
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    """A role `service` assumes for this account only, with the AWS managed policy
    `service-role/<managed_policy>` attached (both named `name`)."""
    role = aws.iam.Role(
        name,
        description=description,
        assume_role_policy=service_trust_policy(service, source_account=account_id),
        tags=tags,
        opts=opts,
    )
    aws.iam.RolePolicyAttachment(
        name,
        role=role.name,
        policy_arn=pulumi.Output.concat(
            "arn:", partition, ":iam::aws:policy/service-role/", managed_policy
        ),
        opts=opts,
    )
    return role
