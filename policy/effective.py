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

from .awsfacts.split_types import owner_aliases, split_types

# Properties by which other resources name an owner, beyond `id`, `arn` and `name`.
IDENTIFIERS = (
    "id",
    "arn",
    "name",
    "bucket",
    "functionName",
    "keyId",
    "url",
    "zoneId",
    "primaryNetworkInterfaceId",
    "identifier",
    "clusterIdentifier",
)
ARN_TAIL = re.compile(r"[:/]")
# Type tokens the provider keeps as aliases of an owner type: the same AWS resource, so the
# parts the inventory lists for the owner are parts of these too. Source: the `aliases` of the
# owner class's options in the pulumi-aws SDK (`aws.s3.Bucket` registers
# `pulumi.Alias(type_="aws:s3/bucketV2:BucketV2")`); a test checks the SDK still says so.
OWNER_ALIASES = {"aws:s3/bucketV2:BucketV2": "aws:s3/bucket:Bucket"}


def kind_of(type_token: str) -> str:
    """The token the view indexes a type under: the owner it is an alias of, or the twin
    another module of the provider offers (`aws:alb/listener:Listener` as
    `aws:lb/listener:Listener`, from the inventory's `twins`)."""
    return OWNER_ALIASES.get(type_token) or owner_aliases().get(type_token, type_token)


def region_of(resource: Any) -> str:
    """The region a resource lives in: its own `region` argument (pulumi-aws v7 takes one on
    every regional resource), else its provider's."""
    own = known(resource.props, "region")
    if own:
        return str(own)
    provider = getattr(resource, "provider", None)
    return str(known(provider.props, "region") or "") if provider is not None else ""


@dataclass
class Effective:
    """One resource's effective configuration: the resource itself, its parts by type token
    (in URN order) and the properties it ends up with."""

    resource: Any
    parts: dict[str, list[Any]] = field(default_factory=dict)

    def of(self, type_token: str) -> list[Any]:
        """The parts of one type (empty when none sets it)."""
        return self.parts.get(type_token, [])

    def parts_of_all(self, types: Iterable[str] | None = None) -> list[Any]:
        """The parts of some types (default: every part), by type token then URN."""
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


def known(props: Any, *path: str | int) -> Any:
    """A (nested) property's value, None when it is missing or unknown during preview."""
    try:
        return get_path(props, path)
    except UnknownValueError:
        return None


def present(props: Any, *path: str | int) -> bool:
    """Whether a (nested) property is set: a value unknown during preview is set (to what the
    deploy computes)."""
    try:
        return bool(get_path(props, path))
    except UnknownValueError:
        return True


def get_path(props: Any, path: Sequence[str | int]) -> Any:
    """A (nested) property's value, through objects by key and lists by index (unknowns
    raise, as pulumi-policy's proxy does)."""
    value = props
    for key in path:
        if isinstance(key, int):
            is_list = isinstance(value, Sequence) and not isinstance(value, str)
            value = value[key] if is_list and key < len(value) else None
        else:
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


class Links:
    """Which resources of the stack a property names: by a known value (an identifier of the
    resource, or a segment of an ARN), or, when the value is unknown during preview, by the
    property's dependencies (the resources whose outputs it was built from). A property may
    name several (a list of subnet ids)."""

    def __init__(self, resources: Sequence[Any]) -> None:
        self._index: dict[tuple[str, str], list[Any]] = {}
        for resource in sorted(resources, key=lambda r: r.urn):
            kind = kind_of(resource.resource_type)
            for identifier in sorted(identifiers(resource.props)):
                self._index.setdefault((kind, identifier), []).append(resource)

    def _named(self, kind: str, value: str, by: Any) -> Any | None:
        """The resource of a kind an identifier names. Names are unique per region, not per
        stack (a bus or a repository called `orders` in each of two regions): of several, the
        one in the region of the resource naming it, then the smallest URN (registration
        order can differ between runs of the same program)."""
        candidates = self._index.get((kind, value), [])
        if len(candidates) > 1:
            region = region_of(by)
            candidates = [c for c in candidates if region_of(c) == region] or candidates
        return candidates[0] if candidates else None

    def targets(
        self, resource: Any, path: str | Sequence[str | int], types: Iterable[str]
    ) -> list[Any]:
        """The resources of some types (or their aliases) that a (nested) property names, in
        URN order."""
        wanted = sorted({kind_of(t) for t in types})
        keys = [path] if isinstance(path, str) else list(path)
        found: dict[str, Any] = {}
        try:
            value = get_path(resource.props, keys)
            for item in (
                value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
            ):
                for kind in wanted:
                    target = next(
                        (
                            t
                            for v in _link_values(item)
                            if (t := self._named(kind, v, resource)) is not None
                        ),
                        None,
                    )
                    if target is not None:
                        found[target.urn] = target
        except UnknownValueError:
            dependencies = (getattr(resource, "property_dependencies", None) or {}).get(keys[0])
            for dependency in dependencies or []:
                if kind_of(dependency.resource_type) in wanted:
                    found[dependency.urn] = dependency
        return [found[urn] for urn in sorted(found)]

    def names(
        self, resources: Iterable[Any], types: Iterable[str], path: str | Sequence[str]
    ) -> set[str]:
        """URNs of every resource that the `path` property of some resources names (a logging
        configuration's `targetBucket`: the buckets that receive access logs)."""
        return {t.urn for r in resources for t in self.targets(r, path, types)}


class EffectiveView:
    """The effective configuration of every resource of a stack, with contributors both ways."""

    def __init__(self, resources: Sequence[Any]) -> None:
        inventory = split_types()
        self.resources = resources
        self.links = Links(resources)
        self._by_urn: dict[str, Effective] = {r.urn: Effective(r) for r in resources}
        self._owner_of: dict[str, str] = {}
        for part in resources:
            entry = inventory.get(part.resource_type)
            if entry is None:
                continue
            # A link names one owner; dependencies that offer several do not say which.
            owners = self.links.targets(part, entry["link"], [entry["owner"]])
            if len(owners) == 1 and owners[0].urn in self._by_urn:
                self._owner_of[part.urn] = owners[0].urn
                self._by_urn[owners[0].urn].parts.setdefault(part.resource_type, []).append(part)
        # URN order, not registration order: that can differ between runs of one program.
        for effective in self._by_urn.values():
            for parts in effective.parts.values():
                parts.sort(key=lambda p: p.urn)

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


_LAST: list[tuple[Any, EffectiveView]] = []


def view_of(resources: Sequence[Any]) -> EffectiveView:
    """The view of a stack's resources, built once per list of them: the offline check hands
    every stack policy the same list, so the pack's dozen merged policies share one view (the
    engine deserializes a new list for each policy, and gets a view of its own)."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is resources:
        return last[1]
    view = EffectiveView(resources)
    # Holding the list keeps its identity from being reused by another list.
    _LAST[:] = [(resources, view)]
    return view
