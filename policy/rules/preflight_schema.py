"""P11 deploy preflight from AWS's published constraints (issue 20).

Each captured resource of a mapped type (`policy.awsfacts.cfn_mapping`) is read as the
CloudFormation resource it creates, and that document is validated against the type's
registry schema and its cfn-lint extensions (`policy.awsfacts.cfn_schemas`, `schema_check`):
ranges, lengths, patterns, enums, formats and cross-property rules, all from data. A finding
names the property as the user wrote it (snake_case), the value, the constraint and where it is
published (package, version, schema and JSON pointer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..awsfacts import cfn_schemas
from ..awsfacts.cfn_mapping import ALL, TYPE_MAP, TypeMap
from ..awsfacts.schema_check import Checker
from ..type_tokens import resource_class
from .common import by_type, is_seq
from .preflight import preflight_policy

_MISSING = object()


def snake(path: str) -> str:
    """`healthCheck.healthyThreshold` -> `health_check.healthy_threshold` (indices kept)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", path).lower()


def _known(value: Any) -> Any:
    """A plain copy of a proxy value without its unknowns (a constraint on an unknown value
    is checked again by `pulumi up`, when the value is known)."""
    if isinstance(value, Mapping):
        copy = {}
        for key in list(value.keys()):
            try:
                item = _known(value[key])
            except UnknownValueError:
                continue
            if item is not _MISSING and item is not None:
                copy[key] = item
        return copy
    if is_seq(value):
        items = []
        for index in range(len(value)):
            try:
                items.append(_known(value[index]))
            except UnknownValueError:
                return _MISSING  # a list with a hole: its item count is not known
        return [i for i in items if i is not _MISSING]
    # The wire carries every number as a float; 30.0 reads as the 30 the user wrote.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _named(schema: Any) -> set[str]:
    """Every property name an extension schema tests (to show those values in a finding)."""
    names: set[str] = set()
    if isinstance(schema, dict):
        names.update(schema.get("properties", {}) or {})
        names.update(schema.get("required", []) or [])
        for item in schema.values():
            names |= _named(item)
    elif isinstance(schema, list):
        for item in schema:
            names |= _named(item)
    return names


def _schema_node(root: dict[str, Any], template: str) -> Any:
    """The schema node at a CloudFormation path template (`A.B[].C`), or None."""
    node: Any = {"properties": root.get("properties", {})}
    for part in template.split("."):
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        node = cfn_schemas.resolve(root, node)
        node = cfn_schemas.resolve(root, (node or {}).get("properties", {}).get(name))
        if not isinstance(node, dict):
            return None
        if is_list:
            node = cfn_schemas.resolve(root, node.get("items"))
            if not isinstance(node, dict):
                return None
    return node


class _Document:
    """The CloudFormation-shaped view of one resource's inputs, with where each value came
    from (CloudFormation path -> the user's snake_case path)."""

    def __init__(self, mapping: TypeMap, root: dict[str, Any]) -> None:
        self.mapping = mapping
        self.root = root
        self.by_name = ALL not in mapping.skip
        self.doc: dict[str, Any] = {}
        self.origin: dict[tuple[Any, ...], str] = {}

    def add(self, value: Any, path: str, shown: str, target: str | None, idx: tuple) -> None:
        """Place the pulumi value at `path` (shown to the user as `shown`)."""
        if path in self.mapping.skip:
            return
        if path in self.mapping.renames:
            target = self.mapping.renames[path]
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                guess = self._by_name(target, key)
                self.add(item, child, f"{shown}.{key}" if shown else key, guess, idx)
            return
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            # Descended even when unmapped: `renames` may name its items' properties.
            item_target = None if target is None else f"{target}[]"
            for index, item in enumerate(value):
                self.add(item, f"{path}[]", f"{shown}[{index}]", item_target, (*idx, index))
            return
        if target is None:
            return
        if value in self.mapping.accepted.get(path, ()):
            return
        self._put(target, idx, value, shown)

    def _by_name(self, parent: str | None, key: str) -> str | None:
        # parent "" is the resource itself; None is a pulumi object no CloudFormation one
        # corresponds to (its children map only by `renames`).
        if not self.by_name or parent is None:
            return None
        name = key[:1].upper() + key[1:]
        candidate = f"{parent}.{name}" if parent else name
        return candidate if _schema_node(self.root, candidate) is not None else None

    def _put(self, template: str, idx: tuple, value: Any, shown: str) -> None:
        current: Any = self.doc
        path: list[Any] = []
        indices = iter(idx)
        parts = template.split(".")
        for n, part in enumerate(parts):
            name, is_list = part.removesuffix("[]"), part.endswith("[]")
            last = n == len(parts) - 1
            path.append(name)
            if is_list:
                index = next(indices, 0)
                items = current.setdefault(name, [])
                while len(items) <= index:
                    items.append({})
                path.append(index)
                if last:  # a scalar renamed to a list item (`policyArn` -> `ManagedPolicyArns[]`)
                    items[index] = value
                    break
                current = items[index]
            elif last:
                current[name] = value
            else:
                current = current.setdefault(name, {})
        self.origin[tuple(path)] = snake(shown)


@cache
def _checker(pulumi_type: str) -> tuple[Checker, TypeMap] | None:
    mapping = TYPE_MAP.get(pulumi_type)
    root = cfn_schemas.resource_schema(mapping.cfn) if mapping else None
    if mapping is None or root is None:
        return None
    return Checker(root, _knowable(pulumi_type, mapping, root)), mapping


def _knowable(pulumi_type: str, mapping: TypeMap, root: dict[str, Any]) -> frozenset[str]:
    """The top-level CloudFormation properties some pulumi input maps to: their absence from
    a resource's inputs is certain."""
    names = set()
    for wire in input_properties(pulumi_type):
        if wire in mapping.skip:
            continue
        target = mapping.renames.get(wire)
        if target is None and ALL not in mapping.skip:
            target = wire[:1].upper() + wire[1:]
        if target and "." not in target and _schema_node(root, target) is not None:
            names.add(target)
    return frozenset(names)


@cache
def input_properties(pulumi_type: str) -> tuple[str, ...]:
    """The wire names of a pulumi-aws type's inputs, read from its `*Args` class."""
    cls = resource_class(pulumi_type)
    if cls is None:
        return ()
    module = __import__(cls.__module__, fromlist=["_"])
    # `<Name>InitArgs` when `<Name>Args` is an input type of another resource (the module
    # imports those too: `BucketVersioningArgs` is `Bucket.versioning`'s).
    candidates = (getattr(module, f"{cls.__name__}{s}", None) for s in ("InitArgs", "Args"))
    args = next((c for c in candidates if c is not None and c.__module__ == cls.__module__), None)
    if args is None:
        return ()
    return tuple(
        getattr(prop.fget, "_pulumi_name", name)
        for name, prop in vars(args).items()
        if isinstance(prop, property)
    )


def _shown_path(document: _Document, path: tuple[Any, ...]) -> str:
    for end in range(len(path), 0, -1):
        if path[:end] in document.origin:
            return document.origin[path[:end]]
    return ".".join(str(p) for p in path) or "(the resource)"


def schema_problems(pulumi_type: str, props: Any) -> Iterator[str]:
    """Every published constraint the inputs of one resource break, as messages."""
    found = _checker(pulumi_type)
    if found is None:
        return
    checker, mapping = found
    known = _known(props)
    if len(known) < len(list(props.keys())):
        # An input left out as unknown may be the one a required-together rule looks for.
        checker = Checker(checker.root, frozenset())
    document = _Document(mapping, checker.root)
    document.add(known, "", "", "", ())
    source = f"cfn-lint {cfn_schemas.version()} schema {mapping.cfn}"
    for breach in checker.breaches(document.doc, checker.root):
        where = _shown_path(document, breach.path)
        yield (
            f"{where}={breach.value!r} {breach.constraint}: AWS refuses it "
            f"({source}, {breach.schema_path or '/'})"
        )
    for extension in mapping.extensions:
        schema = cfn_schemas.extension_schema(mapping.cfn, extension.filename)
        if schema is None:
            continue
        for breach in checker.breaches(document.doc, schema):
            if breach.path:
                subject = f"{_shown_path(document, breach.path)}={breach.value!r}"
            else:  # a rule on the resource as a whole: show the values it reads
                named = _named(schema)
                subject = ", ".join(
                    f"{_shown_path(document, (k,))}={v!r}"
                    for k, v in document.doc.items()
                    if k in named
                )
            yield (
                f"{subject} {breach.constraint}: {extension.rule} (cfn-lint "
                f"{cfn_schemas.version()} extensions/{cfn_schemas.extension_dir_name(mapping.cfn)}"
                f"/{extension.filename}, {breach.schema_path or '/'})"
            )


def _check(args: ResourceValidationArgs) -> Iterator[str]:
    yield from schema_problems(args.resource_type, args.props)


POLICIES = [
    preflight_policy(
        "preflight-published-constraints",
        "inputs meet AWS's published resource constraints (CloudFormation registry schemas and "
        "cfn-lint's cross-property rules): ranges, lengths, patterns, allowed values, formats.",
        by_type(dict.fromkeys(TYPE_MAP, _check)),
        url="https://github.com/aws-cloudformation/cfn-lint",
        remediation=(
            "Change the property the message names to a value within the published constraint "
            "it quotes; AWS refuses the deployment otherwise."
        ),
    ),
]
