"""Evaluate CrossGuard policies against a captured program run, as the engine's analyzer would.

Resource policies get each resource's inputs (after the provider's Check) wrapped in
pulumi_policy's unknown-checking proxy; stack policies get every resource. Enforcement levels
come from the pack's default, each policy's own level and the pack config (the same JSON shape
as `pulumi preview --policy-pack-config`), in that order of precedence (lowest first).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .harness import CapturedResource, ProgramRun


@dataclass(frozen=True)
class Violation:
    """One reported violation, in the shape of the offline check's JSON."""

    policy: str
    enforcement: str
    urn: str
    type: str
    name: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The contract's JSON object for this violation."""
        return asdict(self)


@dataclass
class Evaluation:
    """Violations found and the time spent evaluating policies."""

    violations: list[Violation]
    seconds: float

    @property
    def mandatory(self) -> list[Violation]:
        """Violations that block a deployment."""
        return [v for v in self.violations if v.enforcement == "mandatory"]


def _level(value: Any) -> EnforcementLevel | None:
    if isinstance(value, EnforcementLevel):
        return value
    if isinstance(value, str):
        return EnforcementLevel(value)
    if isinstance(value, Mapping) and "enforcementLevel" in value:
        return EnforcementLevel(value["enforcementLevel"])
    return None


def resolve_policy_config(
    policies: Sequence[Policy],
    pack_level: EnforcementLevel | None,
    initial_config: Mapping[str, Any] | None,
    config: Mapping[str, Any] | None,
) -> dict[str, tuple[EnforcementLevel, dict[str, Any]]]:
    """Each policy's effective enforcement level and config properties."""
    layers = [initial_config or {}, config or {}]
    result = {}
    for policy in policies:
        level = policy.enforcement_level or pack_level or EnforcementLevel.ADVISORY
        properties: dict[str, Any] = {}
        if policy.config_schema is not None:
            for key, schema in policy.config_schema.properties.items():
                if isinstance(schema, Mapping) and "default" in schema:
                    properties[key] = schema["default"]
        for layer in layers:
            for key in ("all", policy.name):
                value = layer.get(key)
                if value is None:
                    continue
                level = _level(value) or level
                if isinstance(value, Mapping) and key == policy.name:
                    properties.update({k: v for k, v in value.items() if k != "enforcementLevel"})
        result[policy.name] = (level, properties)
    return result


def _options(resource: CapturedResource) -> PolicyResourceOptions:
    opts = resource.options
    seconds = {k: _duration_seconds(v) for k, v in opts.custom_timeouts.items()}
    return PolicyResourceOptions(
        protect=opts.protect,
        ignore_changes=list(opts.ignore_changes),
        delete_before_replace=opts.delete_before_replace,
        aliases=list(opts.aliases),
        custom_timeouts=PolicyCustomTimeouts(
            seconds.get("create", 0), seconds.get("update", 0), seconds.get("delete", 0)
        ),
        additional_secret_outputs=list(opts.additional_secret_outputs),
        parent=resource.parent_urn,
    )


def _duration_seconds(value: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0.0, ""
    for char in value:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += float(number) * units[char]
            number = ""
    return total


def _run_validation(result: Any) -> None:
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


def evaluate(
    run: ProgramRun,
    policies: Sequence[Policy],
    *,
    pack_level: EnforcementLevel | None = None,
    initial_config: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Run every resource policy on every resource and every stack policy on the whole run."""
    started = time.perf_counter()
    settings = resolve_policy_config(policies, pack_level, initial_config, config)
    by_urn = run.by_urn()
    violations: list[Violation] = []

    providers: dict[str | None, PolicyProviderResource | None] = {}

    def provider_of(resource: CapturedResource) -> PolicyProviderResource | None:
        # One proxy per provider, not one per resource and policy.
        if resource.provider_urn not in providers:
            provider = run.provider_of(resource)
            providers[resource.provider_urn] = provider and PolicyProviderResource(
                provider.type,
                unknown_checking_proxy(provider.inputs),
                provider.urn,
                provider.name,
            )
        return providers[resource.provider_urn]

    def add(policy: Policy, level: EnforcementLevel, urn: str, message: str) -> None:
        target = by_urn.get(urn)
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        violations.append(
            Violation(
                policy=policy.name,
                enforcement=level.value,
                urn=urn,
                type=target.type if target else "pulumi:pulumi:Stack",
                name=target.name if target else f"{run.project}-{run.stack}",
                message=message,
            )
        )

    def cannot_verify(policy: Policy, urn: str, error: UnknownValueError) -> None:
        add(
            policy, EnforcementLevel.ADVISORY, urn, f"cannot verify during preview: {error.message}"
        )

    resources = [r for r in run.resources if r.type != "pulumi:pulumi:Stack"]
    for policy in policies:
        level, properties = settings[policy.name]
        if level == EnforcementLevel.DISABLED:
            continue
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(
                    resource.type,
                    unknown_checking_proxy(resource.inputs),
                    resource.urn,
                    resource.name,
                    _options(resource),
                    provider_of(resource),
                    properties,
                )

                def report(
                    message: str,
                    _urn: str | None = None,
                    *,
                    _r: CapturedResource = resource,
                    _p: Policy = policy,
                    _l: EnforcementLevel = level,
                ) -> None:
                    add(_p, _l, _r.urn, message)

                try:
                    _run_validation(policy.validate(args, report))
                except UnknownValueError as error:
                    cannot_verify(policy, resource.urn, error)
                except _NotApplicableError:
                    pass
        elif isinstance(policy, StackValidationPolicy):
            policy_resources = _policy_resources(run, resources, provider_of)

            def report_stack(
                message: str,
                urn: str | None = None,
                *,
                _p: Policy = policy,
                _l: EnforcementLevel = level,
            ) -> None:
                add(_p, _l, urn or run.stack_urn, message)

            try:
                _run_validation(
                    policy.validate(StackValidationArgs(policy_resources, properties), report_stack)
                )
            except UnknownValueError as error:
                cannot_verify(policy, run.stack_urn, error)
            except _NotApplicableError:
                pass
    return Evaluation(violations, time.perf_counter() - started)


def _policy_resources(
    run: ProgramRun, resources: Sequence[CapturedResource], provider_of: Any
) -> list[PolicyResource]:
    # Stack policies see resources after creation: the mocked outputs, over the checked
    # inputs, so both configured and computed properties are visible.
    built: dict[str, PolicyResource] = {}
    for resource in resources:
        props = {**resource.inputs, **resource.state}
        if "tags" in resource.inputs:
            props["tags"] = resource.inputs["tags"]
        built[resource.urn] = PolicyResource(
            resource.type,
            unknown_checking_proxy(props),
            resource.urn,
            resource.name,
            _options(resource),
            provider_of(resource),
            None,
            [],
            {},
        )
    for resource in resources:
        policy_resource = built[resource.urn]
        policy_resource.parent = built.get(resource.parent_urn or "")
        policy_resource.dependencies = [built[u] for u in resource.dependencies if u in built]
        policy_resource.property_dependencies = {
            key: [built[u] for u in urns if u in built]
            for key, urns in resource.property_dependencies.items()
        }
    return list(built.values())
