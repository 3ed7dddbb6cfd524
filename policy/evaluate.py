"""Evaluate CrossGuard policies against a captured program run, as the engine's analyzer would.

Resource policies get each resource's inputs (after the provider's Check) wrapped in
pulumi_policy's unknown-checking proxy; stack policies get every resource. Enforcement levels
come from the pack's default, each policy's own level and the pack config (the same JSON shape
as `pulumi preview --policy-pack-config`), in that order of precedence (lowest first).

As the engine does, remediations of policies at the `remediate` level run first, in pack order,
each on the inputs the previous one left; validation then sees the remediated inputs, and what
still fails is mandatory. Findings an exemption hides are kept as suppressed; a policy that
raises is recorded as an error with its traceback, never as a pass.

What the policies receive follows what the engine sends through the analyzer protocol (P15,
checked by tests/test_engine_protocol.py): the root `pulumi:pulumi:Stack` resource is analyzed
like any other (no inputs; its outputs are the stack's exports), numbers arrive as floats (the
wire's protobuf `Struct` has no integers), and stack policies see no `parent` in a resource's
options (the engine's AnalyzeResources leaves it out; `PolicyResource.parent` carries it).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
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
from pulumi_policy.proxy import unknown_checking_proxy
from pulumi_policy.secret import secrets_preserving_proxy

from .findings import Evaluation, Findings, Remediation, plain
from .harness import CapturedOptions, CapturedResource, ProgramRun
from .pack_config import PackConfigError, validate_pack_config

STACK_TYPE = "pulumi:pulumi:Stack"


def _level(value: Any) -> EnforcementLevel | None:
    # Only called on validated config: every level string is one of the enum's values.
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
    """Each policy's effective enforcement level and config properties, reconciled as the Pulumi
    CLI does before it calls the pack's Configure (pulumi/pulumi `ReconcilePolicyPackConfig` in
    pkg/resource/analyzer/config.go): schema defaults, then the pack's initial config, then the
    user's config, each layer's `all` before the policy's own entry.

    Both configs are validated first (`pack_config.validate_pack_config`): a bad one raises
    PackConfigError listing every problem. `policies` may be part of the pack, so entries naming
    other policies are not reported here; the offline check validates the user's config against
    the whole pack before it runs anything."""
    problems = [
        f"initial config: {problem}"
        for problem in validate_pack_config(initial_config or {}, policies, partial=True)
    ]
    if config is not None:
        problems += validate_pack_config(config, policies, partial=True)
    if problems:
        raise PackConfigError(problems)
    layers = [(initial_config or {}, True), (config or {}, False)]
    result = {}
    for policy in policies:
        level = policy.enforcement_level or pack_level or EnforcementLevel.ADVISORY
        properties: dict[str, Any] = {}
        if policy.config_schema is not None:
            for key, schema in policy.config_schema.properties.items():
                if isinstance(schema, Mapping) and "default" in schema:
                    properties[key] = schema["default"]
        for layer, initial in layers:
            for key in ("all", policy.name):
                value = layer.get(key)
                if value is None:
                    continue
                if initial and isinstance(value, Mapping) and "enforcementLevel" not in value:
                    # The pack reports initial config over gRPC, where an entry without a level
                    # carries the enum's zero, ADVISORY, and the CLI applies it as given.
                    value = {**value, "enforcementLevel": EnforcementLevel.ADVISORY}
                level = _level(value) or level
                if isinstance(value, Mapping) and key == policy.name:
                    properties.update({k: v for k, v in value.items() if k != "enforcementLevel"})
        result[policy.name] = (level, properties)
    return result


def wire(value: Any) -> Any:
    """`value` as it arrives through the analyzer protocol: protobuf's `Struct` holds every
    number as a double, so integers become floats (booleans stay booleans)."""
    if isinstance(value, Mapping):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def root_stack(run: ProgramRun) -> CapturedResource:
    """The run's `pulumi:pulumi:Stack` resource: a state export holds it; a program run only
    knows its URN and exports, which are the engine's inputs ({}) and outputs for it."""
    for resource in run.resources:
        if resource.type == STACK_TYPE:
            return resource
    return CapturedResource(
        urn=run.stack_urn,
        type=STACK_TYPE,
        name=f"{run.project}-{run.stack}",
        custom=False,
        inputs={},
        state=dict(run.outputs),
        id="",
        provider_urn=None,
        parent_urn=None,
        dependencies=[],
        property_dependencies={},
        options=CapturedOptions(),
    )


def stack_properties(resource: CapturedResource, checked: Mapping[str, Any]) -> dict[str, Any]:
    """What a stack policy sees of one resource: its outputs over its checked (and remediated)
    inputs `checked`, as the engine's AnalyzeStack after the resource exists; the checked tags
    (default tags merged) and remediated inputs win over the outputs."""
    props = {**checked, **resource.state}
    props.update({k: v for k, v in checked.items() if k == "tags" or resource.inputs.get(k) != v})
    return wire(props)


def _options(resource: CapturedResource, *, stack: bool = False) -> PolicyResourceOptions:
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
        parent=None if stack else resource.parent_urn,
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


def evaluate(
    run: ProgramRun,
    policies: Sequence[Policy],
    *,
    pack_level: EnforcementLevel | None = None,
    initial_config: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Run remediations, every resource policy on every resource and every stack policy on the
    whole run."""
    started = time.perf_counter()
    settings = {
        name: (level, wire(properties))
        for name, (level, properties) in resolve_policy_config(
            policies, pack_level, initial_config, config
        ).items()
    }
    # The engine registers (and analyzes) the root stack first.
    resources = [root_stack(run), *(r for r in run.resources if r.type != STACK_TYPE)]
    by_urn = {r.urn: r for r in run.resources}
    found = Findings(run, by_urn)
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

    inputs = _remediate(resources, policies, settings, provider_of, found)
    stack_view: list[PolicyResource] = []
    for policy in policies:
        level, properties = settings[policy.name]
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            # What a remediation left failing is reported as mandatory (the engine's rule).
            level = EnforcementLevel.MANDATORY
        if isinstance(policy, ResourceValidationPolicy):
            types = getattr(policy, "resource_types", None)
            for resource in resources:
                if types is not None and resource.type not in types:
                    continue  # The policy's checks ignore this type; skip the proxy work.
                args = ResourceValidationArgs(
                    resource.type,
                    unknown_checking_proxy(inputs[resource.urn]),
                    resource.urn,
                    resource.name,
                    _options(resource),
                    provider_of(resource),
                    properties,
                )
                report = found.reporter(policy, level, resource.urn)
                found.call(policy, resource.urn, policy.validate, args, report)
        elif isinstance(policy, StackValidationPolicy):
            # Built once: stack policies only read it.
            stack_view = stack_view or _policy_resources(run, resources, inputs, provider_of)
            report = found.reporter(policy, level, None)
            stack_args = StackValidationArgs(stack_view, properties)
            found.call(policy, run.stack_urn, policy.validate, stack_args, report)
    return found.evaluation(time.perf_counter() - started)


def _remediate(
    resources: Sequence[CapturedResource],
    policies: Sequence[Policy],
    settings: Mapping[str, tuple[EnforcementLevel, dict[str, Any]]],
    provider_of: Any,
    found: Findings,
) -> dict[str, dict[str, Any]]:
    """Each resource's inputs after the remediations of policies at the `remediate` level."""
    inputs = {r.urn: r.inputs for r in resources}
    remediating = [
        p
        for p in policies
        if isinstance(p, ResourceValidationPolicy)
        and settings[p.name][0] == EnforcementLevel.REMEDIATE
        and p.has_remediation()
    ]
    for resource in resources:
        for policy in remediating:
            types = getattr(policy, "resource_types", None)
            if types is not None and resource.type not in types:
                continue
            before = inputs[resource.urn]
            # The engine hands remediations the inputs in pulumi_policy's secrets-preserving
            # proxy, which unknown_checking_proxy passes through: a remediation reads unknown
            # values as their sentinel strings instead of failing on them.
            args = ResourceValidationArgs(
                resource.type,
                secrets_preserving_proxy(copy.deepcopy(before)),
                resource.urn,
                resource.name,
                _options(resource),
                provider_of(resource),
                settings[policy.name][1],
            )
            outcome = found.call(policy, resource.urn, policy.remediate, args, remediating=True)
            # A remediation may hand back parts of the proxied inputs: copy them out, as the
            # engine's serialization does. Any non-empty result counts as a remediation, even
            # one that changes nothing: the engine applies and reports it the same way.
            if not outcome:
                continue
            after = wire(plain(outcome))
            changed = tuple(sorted(k for k in {*before, *after} if before.get(k) != after.get(k)))
            inputs[resource.urn] = after
            found.remediations.append(
                Remediation(policy.name, resource.urn, resource.type, resource.name, changed)
            )
    return inputs


def _policy_resources(
    run: ProgramRun,
    resources: Sequence[CapturedResource],
    inputs: Mapping[str, dict[str, Any]],
    provider_of: Any,
) -> list[PolicyResource]:
    # Stack policies see resources after creation: the mocked outputs, over the checked
    # inputs, so both configured and computed properties are visible. (During a preview the
    # engine would send computed outputs as unknown; the check shows the state `up` reaches.)
    built: dict[str, PolicyResource] = {}
    for resource in resources:
        props = stack_properties(resource, inputs[resource.urn])
        built[resource.urn] = PolicyResource(
            resource.type,
            unknown_checking_proxy(props),
            resource.urn,
            resource.name,
            _options(resource, stack=True),
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
