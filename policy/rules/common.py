"""Helpers shared by every rule module: safe prop access, IAM documents, tags, exemptions (P9).

Validators read wire (camelCase) properties through pulumi_policy's unknown-checking proxy.
Reading a value that is unknown during preview raises `UnknownValueError`; helpers here let it
propagate, so the engine (or the offline evaluator) reports "cannot verify" instead of the rule
silently passing.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..effective import EffectiveView, get_path, identifiers, known
from .exemptions import EXEMPTIONS_SCHEMA, exemption_for
from .exemptions import apply as apply_exemption
from .metadata import Meta

Remediation = Callable[[ResourceValidationArgs], Mapping[str, Any] | None]
"""A rule's remediation: the resource's corrected inputs, or None for nothing to change."""
ResourceCheck = Callable[[ResourceValidationArgs], Iterable[str]]
"""A rule's resource validator: yields one message per violation."""
StackCheck = Callable[[StackValidationArgs], Iterable[tuple[str, str]]]
"""A rule's stack validator: yields (urn, message) per violation."""

PROD_ENVIRONMENTS = frozenset({"prod", "production"})


# --------------------------------------------------------------------------------------------
# Values


def is_seq(value: Any) -> bool:
    """A list (or the proxy's list view), not a string."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def as_list(value: Any) -> list[Any]:
    """A value that may be a single item or a list, as a list (None -> [])."""
    if value is None:
        return []
    if is_seq(value):
        return list(value)
    return [value]


def truthy(value: Any) -> bool:
    """Booleans as the provider accepts them (launch templates use "true" strings)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """Nested lookup that returns `default` on a missing key (unknowns still raise)."""
    value = get_path(props, path)
    return default if value is None else value


def is_aws_managed_key(key: Any) -> bool:
    """True for AWS-managed key aliases (`alias/aws/...`), by alias name or ARN."""
    return isinstance(key, str) and ("alias/aws/" in key)


# --------------------------------------------------------------------------------------------
# IAM documents


def parse_document(value: Any) -> dict[str, Any] | None:
    """An IAM policy document from a JSON string or a dict (None if absent or unparseable)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if isinstance(value, Mapping):
        return _plain(value)
    return None


def _plain(value: Any) -> Any:
    # Copy out of the proxy (raising on unknowns) into plain dicts and lists.
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if is_seq(value):
        return [_plain(v) for v in value]
    return value


def statements(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """A document's statements, whether `Statement` is one object or a list."""
    if not document:
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal of a statement, flattened ("*" for the anonymous principal)."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    found: list[str] = []
    if isinstance(principal, Mapping):
        for value in principal.values():
            found += [str(v) for v in as_list(value)]
    return found


# --------------------------------------------------------------------------------------------
# Resource types and tags


def tag_map(tags: Any) -> dict[str, Any]:
    """Tags as a dict, from a map or an Auto Scaling list of {key, value}."""
    if isinstance(tags, Mapping):
        return dict(tags.items())
    result: dict[str, Any] = {}
    for item in as_list(tags):
        if isinstance(item, Mapping) and "key" in item:
            result[str(item["key"])] = item.get("value")
    return result


SUBNET = "aws:ec2/subnet:Subnet"


def subnet_places(view: EffectiveView, resource: Any, *paths: Sequence[str | int]) -> set[str]:
    """The Availability Zones of the subnets some properties of a resource name (a subnet the
    stack does not declare counts as a place of its own, by its id). Subnets are found through
    `Links`, so a first preview, where their ids are unknown, still places them."""
    places: set[str] = set()
    for path in paths:
        subnets = view.links.targets(resource, path, [SUBNET])
        for subnet in subnets:
            zone = known(subnet.props, "availabilityZone") or known(
                subnet.props, "availabilityZoneId"
            )
            places.add(str(zone) if zone else subnet.urn)
        declared = {i for s in subnets for i in identifiers(s.props)}
        value = known(resource.props, *path)
        items = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for index in range(len(items) if value is not None else 0):
            item = known(items, index)  # an element unknown in preview: placed above
            if isinstance(item, str) and item and item not in declared:
                places.add(item)
    return places


def provider_default_tags(provider: Any) -> dict[str, Any]:
    """The default tags configured on a resource's provider (explicit or default provider)."""
    if provider is None:
        return {}
    default_tags = parse_document(get(provider.props, "defaultTags"))
    return tag_map(get(default_tags, "tags", default={}))


def environment_of(props: Any, provider: Any) -> str | None:
    """The effective Environment tag: the resource's merged tags, else the provider's."""
    tags = tag_map(get(props, "tags", default={}))
    value = tags.get("Environment") or provider_default_tags(provider).get("Environment")
    return str(value) if value else None


def is_prod(environment: str | None) -> bool:
    """Environment tag prod/production, case-insensitive."""
    return (environment or "").strip().lower() in PROD_ENVIRONMENTS


# --------------------------------------------------------------------------------------------
# Policies with metadata (P12) and exemptions (P9, P13)


def _schema(extra: Mapping[str, Any] | None) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={"exemptions": EXEMPTIONS_SCHEMA, **(extra or {})})


def _logical_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def resource_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    check: ResourceCheck,
    meta: Meta,
    config: Mapping[str, Any] | None = None,
    remediate: Remediation | None = None,
) -> ResourceValidationPolicy:
    """A resource policy running `check`, honouring the policy's `exemptions` config.

    `remediate` (optional) returns the resource's corrected inputs, or None when it has nothing
    to change; the engine runs it at the `remediate` enforcement level, before validation. It
    never touches an exempted resource.
    """

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        messages = list(check(args))
        if messages:
            exemption = exemption_for(args.get_config(), args.urn, args.name)
            apply_exemption(name, exemption, messages, report, None)

    def remediate_unless_exempt(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
        assert remediate is not None
        exemption = exemption_for(args.get_config(), args.urn, args.name)
        if exemption is not None and exemption.problem(name, datetime.date.today()) is None:
            return None
        return remediate(args)

    policy = ResourceValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        validate=validate,
        config_schema=_schema(config),
        remediate=remediate_unless_exempt if remediate is not None else None,
        **meta.policy_kwargs(),
    )
    _describe(policy, meta, getattr(check, "types", None))
    return policy


def stack_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    check: StackCheck,
    meta: Meta,
    config: Mapping[str, Any] | None = None,
) -> StackValidationPolicy:
    """A stack policy running `check`, honouring the policy's `exemptions` config."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        settings = args.get_config()
        found: dict[str, list[str]] = {}
        for urn, message in check(args):
            found.setdefault(urn, []).append(message)
        for urn, messages in found.items():
            exemption = exemption_for(settings, urn, _logical_name(urn))
            apply_exemption(name, exemption, messages, report, urn)

    policy = StackValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        validate=validate,
        config_schema=_schema(config),
        **meta.policy_kwargs(),
    )
    _describe(policy, meta, None)
    return policy


def _describe(policy: Any, meta: Meta, types: Iterable[str] | None) -> None:
    # Read by the offline check (reports, coverage table, fast dispatch), never by the engine.
    policy.meta = meta
    policy.resource_types = frozenset(types) if types is not None else None


AUTONAME = re.compile(r"^(?P<logical>.+)-[0-9a-f]{7}$")


def is_autonamed(value: str, logical: str) -> bool:
    """True when a physical name is the engine's autoname of the logical name."""
    match = AUTONAME.match(value)
    return bool(match and match.group("logical") == logical)


def by_type(checks: Mapping[str, Callable[[Any], Iterable[str]]]) -> ResourceCheck:
    """A resource check dispatching on the resource type (other types pass untouched)."""

    def check(args: ResourceValidationArgs) -> Iterable[str]:
        handler = checks.get(args.resource_type)
        return handler(args) if handler is not None else ()

    check.types = frozenset(checks)  # type: ignore[attr-defined]
    return check
