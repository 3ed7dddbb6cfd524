"""Validation of a policy pack config: the JSON given to `pulumi preview --policy-pack-config`
or `python -m policy.check --config`.

The config maps each policy name, or `all`, to an enforcement level (`advisory`, `mandatory`,
`remediate`, `disabled`) or to an object holding an optional `enforcementLevel` and the
policy's options (its `config_schema` properties). Every problem is one line: the key, what was
given, what is allowed, and "did you mean" for a near miss.

What the Pulumi CLI checks (pulumi/pulumi pkg/resource/analyzer/config.go) is the floor:
`parsePolicyPackConfig` refuses a top level that is not an object, an entry that is neither a
string nor an object, and an enforcement level outside the four; `validatePolicyPackConfig`
validates each policy's options against `{"type": "object", "properties": ..., "required":
...}`. Beyond that, this module refuses what the CLI silently ignores: a key that names no
policy, an option the policy's schema does not declare, options under `all` (the CLI applies
only its level) and, in an object schema that declares `properties` (the exemption entries),
a key it does not declare: a misspelled `expires` would otherwise make an exemption permanent.

The schemas are checked by a small validator of the JSON-schema keywords the pack uses
(`CHECKED_KEYWORDS`; a test fails when a policy's schema uses another), not by the jsonschema
package: that is a development dependency only, its messages do not say what is allowed, and
the installed check would need it and its compiled dependencies at run time.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

ALL = "all"
LEVEL_KEY = "enforcementLevel"
LEVELS = tuple(level.value for level in EnforcementLevel)
# Words other tools use for the levels: "did you mean" finds no near miss for them by spelling.
LEVEL_SYNONYMS = {
    "off": "disabled",
    "none": "disabled",
    "false": "disabled",
    "ignore": "disabled",
    "skip": "disabled",
    "on": "mandatory",
    "true": "mandatory",
    "error": "mandatory",
    "deny": "mandatory",
    "enforce": "mandatory",
    "enforced": "mandatory",
    "required": "mandatory",
    "warn": "advisory",
    "warning": "advisory",
    "info": "advisory",
    "audit": "advisory",
    "fix": "remediate",
    "autofix": "remediate",
}
# Keywords the validator enforces, and those that only describe (never make a value invalid).
CHECKED_KEYWORDS = frozenset(
    {"type", "items", "properties", "required", "additionalProperties", "enum"}
)
ANNOTATIONS = frozenset({"description", "default", "title", "examples"})
_TYPE_NAMES = {
    "string": ("a string", "strings"),
    "array": ("an array", "arrays"),
    "object": ("an object", "objects"),
    "boolean": ("true or false", "booleans"),
    "integer": ("an integer", "integers"),
    "number": ("a number", "numbers"),
    "null": ("null", "nulls"),
}


class PackConfigError(ValueError):
    """A policy pack config that does not fit the pack; `problems` holds one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def validate_pack_config(
    config: object, policies: Iterable[Policy], *, partial: bool = False
) -> list[str]:
    """Every problem of `config` against the pack made of `policies`, one line each, in the
    config's order; [] when it is valid.

    With `partial`, `policies` is only part of the pack (an evaluation of some policies, as
    tests run): keys naming other policies are left alone instead of reported as unknown."""
    if not isinstance(config, Mapping):
        return [
            f"policy config: got {_given(config)}; allowed: an object whose keys are "
            f'"{ALL}" or policy names'
        ]
    by_name = {policy.name: policy for policy in policies}
    problems: list[str] = []
    for key, value in config.items():
        if key == ALL:
            problems += _entry(str(key), value, {})
        elif key in by_name:
            schema = by_name[key].config_schema
            problems += _entry(key, value, dict(schema.properties) if schema else {})
        elif not partial:
            problems.append(
                f'{key}: unknown policy; allowed: "{ALL}" or the name of one of the pack\'s '
                f"policies{_did_you_mean(str(key), [ALL, *by_name])}"
            )
    return problems


def unchecked_keywords(schema: Mapping[str, Any]) -> set[str]:
    """Keywords of `schema`, at any depth, that the validator would not enforce."""
    found = set(schema) - CHECKED_KEYWORDS - ANNOTATIONS
    nested = [schema.get("items"), schema.get("additionalProperties")]
    nested += list((schema.get("properties") or {}).values())
    for sub in nested:
        if isinstance(sub, Mapping):
            found |= unchecked_keywords(sub)
    return found


def describe(schema: Mapping[str, Any], *, article: bool = True) -> str:
    """What `schema` allows, in words ("an array of strings"; "array of strings" without the
    article, as a table's type column shows it)."""
    text = _describe(schema)
    if not article:
        for prefix in ("an ", "a "):
            if text.startswith(prefix):
                return text[len(prefix) :]
    return text


def _entry(key: str, value: Any, options: Mapping[str, Any]) -> list[str]:
    """Problems of one policy's entry (or `all`'s, whose `options` are empty)."""
    if isinstance(value, str | EnforcementLevel):
        return _level_problems(key, value)
    if not isinstance(value, Mapping):
        return [
            f"{key}: got {_given(value)}; allowed: an enforcement level ({', '.join(LEVELS)}) "
            "or an object of the policy's options"
        ]
    problems = []
    for option, given in value.items():
        where = f"{key}.{option}"
        if option == LEVEL_KEY:
            problems += _level_problems(where, given)
        elif key == ALL:
            problems.append(
                f'{where}: unknown option ("{ALL}" sets only the enforcement level: options go '
                f"under a policy's name); allowed: {LEVEL_KEY}"
            )
        elif option in options:
            problems += _value_problems(where, given, options[option])
        else:
            names = _option_names(options)
            problems.append(
                f"{where}: unknown option; allowed: {', '.join(names)}"
                f"{_did_you_mean(str(option), names)}"
            )
    return problems


def _option_names(options: Mapping[str, Any]) -> list[str]:
    # The level first, then the policy's own options, then `exemptions`, which every policy has.
    own = [name for name in options if name != "exemptions"]
    return [LEVEL_KEY, *own, *(["exemptions"] if "exemptions" in options else [])]


def _level_problems(where: str, value: Any) -> list[str]:
    if isinstance(value, EnforcementLevel) or value in LEVELS:
        return []
    if not isinstance(value, str):
        return [f"{where}: got {_given(value)}; allowed: {', '.join(LEVELS)}"]
    hint = LEVEL_SYNONYMS.get(value.strip().lower())
    suggestion = f'; did you mean "{hint}"?' if hint else _did_you_mean(value, LEVELS)
    return [
        f"{where}: got {json.dumps(value)}, not an enforcement level; allowed: "
        f"{', '.join(LEVELS)}{suggestion}"
    ]


def _value_problems(where: str, value: Any, schema: Mapping[str, Any]) -> list[str]:
    """Problems of `value` against `schema`: the first that makes it the wrong kind of value,
    else every problem of its items or keys."""
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: got {_given(value)}; allowed: {_describe(schema)}"]
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in allowed):
            return [f"{where}: got {_given(value)}; allowed: {_describe(schema)}"]
    problems: list[str] = []
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        for index, item in enumerate(value):
            problems += _value_problems(f"{where}[{index}]", item, items)
    if isinstance(value, Mapping):
        problems += _object_problems(where, value, schema)
    return problems


def _object_problems(where: str, value: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    problems = [
        f'{where}: got an object without "{name}"; allowed: {_describe(schema)}'
        for name in schema.get("required") or ()
        if name not in value
    ]
    for key, given in value.items():
        if key in properties:
            problems += _value_problems(f"{where}.{key}", given, properties[key])
        elif isinstance(extra, Mapping):
            problems += _value_problems(f"{where}.{key}", given, extra)
        elif extra is False or (properties and extra is not True):
            # Declared properties are every key the pack reads (see the module docstring).
            names = list(properties)
            problems.append(
                f"{where}.{key}: unknown key; allowed: {', '.join(names)}"
                f"{_did_you_mean(str(key), names)}"
            )
    return problems


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list | tuple)
    if name == "object":
        return isinstance(value, Mapping)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # JSON has one number type: 3.0 is an integer to a JSON schema (and to the CLI).
    return name == "number" or float(value).is_integer()


def _describe(schema: Mapping[str, Any], *, plural: bool = False) -> str:
    """`schema` in words: "an array of strings", or "strings" with `plural`."""
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    types = schema.get("type")
    if types is None:
        return "any values" if plural else "any value"
    if not isinstance(types, str):
        return " or ".join(_describe({**schema, "type": t}, plural=plural) for t in types)
    single, many = _TYPE_NAMES.get(types, (types, types))
    name = many if plural else single
    if types == "array" and isinstance(schema.get("items"), Mapping):
        return f"{name} of {_describe(schema['items'], plural=True)}"
    if types == "object":
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        if properties:
            keys = [f"{k} (required)" if k in required else k for k in properties]
            return f"{name} with {', '.join(keys)}"
        if isinstance(schema.get("additionalProperties"), Mapping):
            return f"{name} of {_describe(schema['additionalProperties'], plural=True)}"
    return name


def _given(value: Any) -> str:
    """A value as the message shows it: its JSON kind, and the value when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return f"the string {_short(value)}"
    if isinstance(value, int | float):
        return f"the number {_short(value)}"
    if isinstance(value, list | tuple):
        return f"an array ({_short(list(value))})"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _did_you_mean(given: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    # Compared case-insensitively: "Mandatory" is a near miss of "mandatory".
    lowered = {choice.lower(): choice for choice in choices}
    match = difflib.get_close_matches(given.lower(), list(lowered), n=1)
    return f'; did you mean "{lowered[match[0]]}"?' if match else ""
