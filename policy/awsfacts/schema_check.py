"""Validate a CloudFormation-shaped document against a registry or cfn-lint extension schema.

A small JSON Schema evaluator for the keywords AWS's schemas use to constrain values: ranges
(`minimum`, `maximum`, exclusive forms), lengths (`minLength`, `maxLength`, `minItems`,
`maxItems`), `pattern`, `enum`/`const`, `format` (the formats listed in `FORMATS`), and the
cross-property keywords (`dependentExcluded`, `requiredXor`, `if`/`then`/`else`, `anyOf`,
`oneOf`, `not`, `false` schemas that forbid a property).

Its logic has three values, because a preflight must never raise a false alarm: a test whose
answer is not certain (a keyword it does not implement, a value of another type than the
schema's, an absence it cannot prove) is None, and only a certain False becomes a finding.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from .cfn_schemas import resolve

try:  # cfn-lint's own regex engine: its patterns use `(?i)` mid-pattern, which `re` refuses.
    import regex as _regex
except ImportError:  # pragma: no cover - cfn-lint always brings it
    import re as _regex  # type: ignore[no-redef]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Breach:
    """One constraint a document certainly breaks."""

    path: Path
    """Where in the CloudFormation-shaped document (keys and list indices)."""
    schema_path: str
    """The JSON pointer of the broken keyword inside its schema."""
    constraint: str
    """The constraint in words (`is at most 3653`)."""
    value: Any


def _ip_network(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return ipaddress.ip_network(value, strict=True).version == version
        except ValueError:
            return False

    return check


def _ip_address(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return ipaddress.ip_address(value).version == version
        except ValueError:
            return False

    return check


def _date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


FORMATS: dict[str, Callable[[str], bool]] = {
    "ipv4-network": _ip_network(4),
    "ipv6-network": _ip_network(6),
    "ipv4": _ip_address(4),
    "ipv6": _ip_address(6),
    "date-time": _date_time,
}
"""Formats checked. The AWS-specific ones (`AWS::EC2::VPC.Id`, ...) name resources a program
usually passes as outputs, which under preview are unknown; they are left to the engine."""

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, float) and v == int(v)))
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


@cache
def _compiled(pattern: str) -> Any:
    try:
        return _regex.compile(pattern)
    except Exception:  # a pattern this engine cannot read is not a finding
        return None


def _type_ok(node: dict[str, Any], value: Any) -> bool:
    wanted = node.get("type")
    if wanted is None:
        return True
    names = wanted if isinstance(wanted, list) else [wanted]
    return any(_TYPES.get(name, lambda _: True)(value) for name in names)


def _same(value: Any, allowed: Any) -> bool:
    # True == 1 in Python; AWS does not take one for the other. Case-only differences are left
    # to the provider: pulumi-aws upper-cases several enums itself (ELB and health-check
    # protocols), so a lower-case value deploys.
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(value, str) and isinstance(allowed, str):
        return value.lower() == allowed.lower()
    # CloudFormation (and cfn-lint) read "512" and 512 alike; ECS memory is a string in
    # pulumi-aws and a number in the Fargate table.
    if isinstance(value, str) != isinstance(allowed, str):
        try:
            return float(value) == float(allowed)
        except (TypeError, ValueError):
            return False
    return value == allowed


def _is_default_like(value: Any) -> bool:
    """False, 0, "" and empty collections: what the provider sends as 'not set' or drops."""
    return value is False or value == 0 or value in ("", [], {})


class Checker:
    """Validates documents against the schemas of one resource type.

    `root` resolves `$ref`s; `knowable` names the top-level properties whose absence is
    certain (every property the type's mapping can produce): a `required` elsewhere is unknown.
    """

    def __init__(self, root: dict[str, Any], knowable: frozenset[str]) -> None:
        self.root = root
        self.knowable = knowable

    # ---------------------------------------------------------------- reporting walk

    def breaches(self, value: Any, node: Any, path: Path = (), where: str = "") -> Iterator[Breach]:
        """Every constraint `value` certainly breaks under `node` (a schema)."""
        node = resolve(self.root, node)
        if node is False:
            if not _is_default_like(value):
                yield Breach(path, where, "must not be set here", value)
            return
        if not isinstance(node, dict) or not _type_ok(node, value):
            return
        for problem, keyword in self._leaf(value, node):
            yield Breach(path, f"{where}/{keyword}", problem, value)
        yield from self._children(value, node, path, where)
        for keyword in ("allOf",):
            for i, sub in enumerate(node.get(keyword) or []):
                yield from self.breaches(value, sub, path, f"{where}/{keyword}/{i}")
        for keyword in ("anyOf", "oneOf"):
            subs = node.get(keyword)
            if subs and all(self.holds(value, sub, len(path) == 0) is False for sub in subs):
                yield Breach(path, f"{where}/{keyword}", "matches none of the allowed forms", value)
        if "if" in node:
            condition = self.holds(value, node["if"], len(path) == 0)
            branch = {True: "then", False: "else"}.get(condition)  # type: ignore[arg-type]
            if branch and branch in node:
                yield from self.breaches(value, node[branch], path, f"{where}/{branch}")
        if "not" in node and self.holds(value, node["not"], len(path) == 0) is True:
            yield Breach(path, f"{where}/not", "is a combination AWS refuses", value)

    def _children(
        self, value: Any, node: dict[str, Any], path: Path, where: str
    ) -> Iterator[Breach]:
        if isinstance(value, dict):
            properties = node.get("properties") or {}
            for key, item in value.items():
                if key in properties:
                    yield from self.breaches(
                        item, properties[key], (*path, key), f"{where}/properties/{key}"
                    )
            for key, others in (node.get("dependentExcluded") or {}).items():
                clash = [o for o in others if key in value and o in value]
                if clash:
                    yield Breach(
                        (*path, key),
                        f"{where}/dependentExcluded/{key}",
                        f"cannot be set together with {', '.join(clash)}",
                        value[key],
                    )
            present = [k for k in node.get("requiredXor") or [] if k in value]
            if len(present) > 1:
                yield Breach(
                    (*path, present[0]),
                    f"{where}/requiredXor",
                    f"cannot be set together with {', '.join(present[1:])} (set one of them)",
                    value[present[0]],
                )
        elif isinstance(value, list) and isinstance(node.get("items"), dict | bool):
            for index, item in enumerate(value):
                yield from self.breaches(item, node["items"], (*path, index), f"{where}/items")

    @staticmethod
    def _leaf(value: Any, node: dict[str, Any]) -> Iterator[tuple[str, str]]:
        for keyword in ("enum", "enumCaseInsensitive"):  # the second is cfn-lint's
            allowed = node.get(keyword)
            if isinstance(allowed, list) and not any(_same(value, a) for a in allowed):
                shown = ", ".join(repr(a) for a in allowed[:30])
                more = ", ..." if len(allowed) > 30 else ""
                yield f"is not one of {shown}{more}", keyword
        if "const" in node and not _same(value, node["const"]):
            yield f"is not {node['const']!r}", "const"
        if _TYPES["number"](value):
            if "minimum" in node and value < node["minimum"]:
                yield f"is below the minimum {node['minimum']}", "minimum"
            if "maximum" in node and value > node["maximum"]:
                yield f"is above the maximum {node['maximum']}", "maximum"
            if "exclusiveMinimum" in node and value <= node["exclusiveMinimum"]:
                yield f"is not above {node['exclusiveMinimum']}", "exclusiveMinimum"
            if "exclusiveMaximum" in node and value >= node["exclusiveMaximum"]:
                yield f"is not below {node['exclusiveMaximum']}", "exclusiveMaximum"
        if isinstance(value, str):
            if "minLength" in node and len(value) < node["minLength"]:
                yield (
                    f"is {len(value)} characters, under the minimum {node['minLength']}",
                    ("minLength"),
                )
            if "maxLength" in node and len(value) > node["maxLength"]:
                yield (
                    f"is {len(value)} characters, over the maximum {node['maxLength']}",
                    ("maxLength"),
                )
            compiled = _compiled(node["pattern"]) if "pattern" in node else None
            if compiled is not None and not compiled.search(value):
                yield f"does not match the pattern {node['pattern']}", "pattern"
            check = FORMATS.get(node.get("format", ""))
            if check is not None and not check(value):
                yield f"is not in the format {node['format']}", "format"
        if isinstance(value, list):
            if "minItems" in node and len(value) < node["minItems"]:
                yield f"has {len(value)} items, under the minimum {node['minItems']}", "minItems"
            if "maxItems" in node and len(value) > node["maxItems"]:
                yield f"has {len(value)} items, over the maximum {node['maxItems']}", "maxItems"

    # ---------------------------------------------------------------- three-valued test

    def holds(self, value: Any, node: Any, at_root: bool) -> bool | None:
        """Whether `value` satisfies `node`: True, False, or None when not certain."""
        node = resolve(self.root, node)
        if node is True:
            return True
        if node is False:
            return None if _is_default_like(value) else False
        if not isinstance(node, dict):
            return None
        if not _type_ok(node, value):
            # A value of another type than the schema's is the provider's shape, not AWS's.
            return None
        results: list[bool | None] = [
            not any(True for _ in self._leaf(value, node)),
            *self._holds_children(value, node, at_root),
        ]
        for sub in node.get("allOf") or []:
            results.append(self.holds(value, sub, at_root))
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                answers = [self.holds(value, sub, at_root) for sub in node[keyword]]
                results.append(True if True in answers else None if None in answers else False)
        if "not" in node:
            inner = self.holds(value, node["not"], at_root)
            results.append(None if inner is None else not inner)
        if "if" in node:
            condition = self.holds(value, node["if"], at_root)
            branch = {True: "then", False: "else"}.get(condition)  # type: ignore[arg-type]
            if condition is None:
                results.append(None)
            elif branch in node:
                results.append(self.holds(value, node[branch], at_root))
        if any(node.get(k) is not None for k in ("cfnGather", "cfnLint", "fn_equals")):
            results.append(None)  # cfn-lint's own keywords: not evaluated here
        if False in results:
            return False
        return None if None in results else True

    def _holds_children(self, value: Any, node: dict[str, Any], at_root: bool) -> list[bool | None]:
        found: list[bool | None] = []
        if isinstance(value, dict):
            for key in node.get("required") or []:
                if key not in value:
                    found.append(False if at_root and key in self.knowable else None)
            properties = node.get("properties") or {}
            for key, item in value.items():
                if key in properties:
                    found.append(self.holds(item, properties[key], False))
        elif isinstance(value, list) and "contains" in node:
            answers = [self.holds(item, node["contains"], False) for item in value]
            found.append(True if True in answers else None if None in answers else False)
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            found.extend(self.holds(item, node["items"], False) for item in value)
        return found
