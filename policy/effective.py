"""Each AWS resource's effective configuration (P19): its own properties merged with every
separate pulumi-aws resource that sets part of it (a key's `KeyPolicy`, a bucket's encryption
configuration, a security group's rule resources, a role's policy attachments, a function's
permissions, a secret's rotation, ...), as AWS Config's configuration item of the resource
would show it after the deploy.

Which types are parts of which, and which property names the owner, is the inventory of
`policy.awsfacts.split_types` (derived from the provider's SDK). A part may name its owner by
ID, ARN or name, or by an ARN that carries the name (a Lambda function's qualified ARN): every
identifier of an owner is indexed, and an ARN link also matches on its last segment. In a first
`pulumi preview` the engine sends computed ids and ARNs as unknown, so a link property that is
unknown (or names nothing known) is followed through the part's property dependencies instead:
the engine sends those in preview too, and they name the owner resource whose output the link
was built from.

The view is built from what a *stack* policy receives (`StackValidationArgs.resources`): under
the engine a resource policy sees only its own resource, so merged checks are stack policies,
and the offline check and the engine build the same view from the same resources. The view
records the contributors both ways: the parts of an owner and the owner of a part, so a finding
can name the resource the user should change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from .awsfacts.split_types import split_types

# Properties by which other resources name an owner, beyond `id`, `arn` and `name`.
IDENTIFIERS = ("id", "arn", "name", "bucket", "functionName", "keyId", "url", "zoneId")
ARN_TAIL = re.compile(r"[:/]")
# Type tokens the provider keeps as aliases of an owner type: the same AWS resource, so the
# parts the inventory lists for the owner are parts of these too. Source: the `aliases` of the
# owner class's options in the pulumi-aws SDK (`aws.s3.Bucket` registers
# `pulumi.Alias(type_="aws:s3/bucketV2:BucketV2")`); a test checks the SDK still says so.
OWNER_ALIASES = {"aws:s3/bucketV2:BucketV2": "aws:s3/bucket:Bucket"}


@dataclass
class Effective:
    """One resource's effective configuration: the resource itself, its parts by type token
    (in registration order) and the properties it ends up with."""

    resource: Any
    parts: dict[str, list[Any]] = field(default_factory=dict)

    def of(self, type_token: str) -> list[Any]:
        """The parts of one type (empty when none sets it)."""
        return self.parts.get(type_token, [])

    def parts_of_all(self, types: Iterable[str] | None = None) -> list[Any]:
        """The parts of some types (default: every part), by type token then registration."""
        wanted = None if types is None else frozenset(types)
        return [
            part
            for token in sorted(self.parts)
            if wanted is None or token in wanted
            for part in self.parts[token]
        ]

    @property
    def contributors(self) -> list[str]:
        """URNs of the resources that set part of this one, sorted."""
        return sorted(p.urn for parts in self.parts.values() for p in parts)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def known(props: Any, *path: str) -> Any:
    """A (nested) property's value, None when it is missing or unknown during preview."""
    try:
        return get_path(props, path)
    except UnknownValueError:
        return None


def present(props: Any, *path: str) -> bool:
    """Whether a (nested) property is set: a value unknown during preview is set (to what the
    deploy computes)."""
    try:
        return bool(get_path(props, path))
    except UnknownValueError:
        return True


def get_path(props: Any, path: Sequence[str]) -> Any:
    """A (nested) property's value (unknowns raise, as pulumi-policy's proxy does)."""
    value = props
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def identifiers(props: Mapping[str, Any]) -> set[str]:
    """Every known value by which another resource may name this one: its id, ARN, name (and
    the name-like properties of some types), and an ARN's last segment."""
    found = {v for k in IDENTIFIERS if (v := _text(known(props, k)))}
    arn = _text(known(props, "arn"))
    if arn:
        found.add(ARN_TAIL.split(arn)[-1])
    return found


@dataclass(frozen=True)
class References:
    """What some resources' property names: the known values, and for a value unknown during
    preview, the URNs of the resources it was built from (its property dependencies)."""

    values: frozenset[str] = frozenset()
    urns: frozenset[str] = frozenset()
    # Some value was unknown: a reference exists even when no dependency says to what.
    unresolved: bool = False

    def name(self, resource: Any) -> bool:
        """Whether one of the references names `resource` (by an identifier or its URN)."""
        return resource.urn in self.urns or bool(identifiers(resource.props) & self.values)

    def __bool__(self) -> bool:
        return bool(self.values or self.urns or self.unresolved)

    def __or__(self, other: References) -> References:
        return References(
            self.values | other.values,
            self.urns | other.urns,
            self.unresolved or other.unresolved,
        )


def reference(resource: Any, path: str | Sequence[str]) -> References:
    """What one resource's property (a path into nested objects) names: its known value, or
    when that is unknown during preview, the resources the top-level property depends on."""
    keys = [path] if isinstance(path, str) else list(path)
    try:
        value = get_path(resource.props, keys)
    except UnknownValueError:
        dependencies = (getattr(resource, "property_dependencies", None) or {}).get(keys[0])
        return References(urns=frozenset(d.urn for d in dependencies or []), unresolved=True)
    text = _text(value)
    return References(values=frozenset(_link_values(text))) if text else References()


def references(
    resources: Iterable[Any], types: Iterable[str], path: str | Sequence[str]
) -> References:
    """The references that the `path` property of the resources of some types make (a logging
    configuration's `targetBucket`; a lifecycle configuration's `bucket`, for owners the
    inventory does not list, such as directory buckets)."""
    wanted = frozenset(types)
    found = References()
    for resource in resources:
        if resource.resource_type in wanted:
            found |= reference(resource, path)
    return found


def _link_values(value: Any) -> list[str]:
    """The owner identifiers a part's link property may hold: the value, and for an ARN (a
    qualified function ARN, a key ARN) its resource segments."""
    text = _text(value)
    if text is None:
        return []
    values = [text]
    if text.startswith("arn:"):
        segments = [s for s in ARN_TAIL.split(text.split(":", 5)[-1]) if s]
        values += segments
    return values


def _linked_owner(
    part: Any, entry: Mapping[str, str], index: Mapping[tuple[str, str], str]
) -> str | None:
    """The owner a part's link property names by a known identifier."""
    for value in _link_values(known(part.props, entry["link"])):
        owner = index.get((entry["owner"], value))
        if owner is not None:
            return owner
    return None


def _dependency_owner(part: Any, entry: Mapping[str, str]) -> str | None:
    """The owner a part's link property was built from, by its property dependencies: the one
    resource of the owner's type among them (None when there is not exactly one)."""
    dependencies = (getattr(part, "property_dependencies", None) or {}).get(entry["link"]) or []
    owners = {
        d.urn
        for d in dependencies
        if OWNER_ALIASES.get(d.resource_type, d.resource_type) == entry["owner"]
    }
    return owners.pop() if len(owners) == 1 else None


class EffectiveView:
    """The effective configuration of every resource of a stack, with contributors both ways."""

    def __init__(self, resources: Sequence[Any]) -> None:
        inventory = split_types()
        self._by_urn: dict[str, Effective] = {r.urn: Effective(r) for r in resources}
        self._owner_of: dict[str, str] = {}
        index: dict[tuple[str, str], str] = {}
        for resource in sorted(resources, key=lambda r: r.urn):
            for identifier in sorted(identifiers(resource.props)):
                # Of two resources sharing an identifier the one with the smaller URN keeps it:
                # registration order can differ between runs of the same program.
                owner_type = OWNER_ALIASES.get(resource.resource_type, resource.resource_type)
                index.setdefault((owner_type, identifier), resource.urn)
        for part in resources:
            entry = inventory.get(part.resource_type)
            if entry is None:
                continue
            owner = _linked_owner(part, entry, index) or _dependency_owner(part, entry)
            if owner is not None and owner in self._by_urn:
                self._owner_of[part.urn] = owner
                self._by_urn[owner].parts.setdefault(part.resource_type, []).append(part)

    def of(self, resource: Any) -> Effective:
        """The effective configuration of a resource (or of its URN)."""
        return self._by_urn[getattr(resource, "urn", resource)]

    def owner_of(self, part: Any) -> Any | None:
        """The resource a part sets part of (None when it names no resource of the stack)."""
        owner = self._owner_of.get(getattr(part, "urn", part))
        return self._by_urn[owner].resource if owner is not None else None

    def of_type(self, types: Iterable[str]) -> list[Effective]:
        """The effective configurations of the resources of some types, in stack order."""
        wanted = frozenset(types)
        return [e for e in self._by_urn.values() if e.resource.resource_type in wanted]
