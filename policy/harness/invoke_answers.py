"""Answers a user supplies for invokes (`run_program(..., invoke_answers=...)`, the check's
`--invoke-answers FILE.json`): a JSON object keyed by invoke token (the provider's token, not the
Python function: `aws:ec2/getInstanceType:getInstanceType` for `aws.ec2.get_instance_type`).
A token's value is either
- one result object, the answer to every call of that token:
    {"aws:ec2/getInstanceType:getInstanceType": {"defaultVcpus": 2, "memorySize": 8192}}
- or a list of entries `{"args": {...}, "result": {...}}`, tried in order against each call; an
  entry matches when every key of its `args` is an argument of the call with an equal value
  (whole values compared; an entry without `args` matches every call), and the first match wins:
    {"aws:ec2/getInstanceType:getInstanceType": [
      {"args": {"instanceType": "m5.large"}, "result": {"defaultVcpus": 2}},
      {"result": {"defaultVcpus": 4}}]}
Arguments and results use the wire (camelCase) names the engine exchanges, as in the provider's
schema (`defaultVcpus`, not `default_vcpus`). User answers override the built-in ones
(`invokes.py`); a call no entry matches gets the built-in answer, or else the empty one (and
stays listed)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import ProgramError

# What the check tells a user to pass, wherever a note names an empty answer.
ANSWERS_OPTION = "--invoke-answers FILE.json"
# `package:module/function:function`; a package may hold dashes, a module slashes.
_TOKEN = re.compile(r"^[A-Za-z][\w-]*:[\w./-]+:\w+$")
# A Python SDK function, `aws.ec2.get_instance_type` or `pulumi_aws.get_region_output`.
_PYTHON_FUNCTION = re.compile(
    r"^(?:pulumi_)?([a-z][\w]*)\.(?:([a-z]\w*)\.)?(get_\w+?)(?:_output)?$"
)
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_ENTRY_KEYS = ("args", "result")


@dataclass(frozen=True)
class _Entry:
    args: Mapping[str, Any]
    """Arguments a call must have with these values; empty: every call."""
    result: Mapping[str, Any]

    def matches(self, call_args: Mapping[str, Any]) -> bool:
        # Plain equality: the engine sends every number as a float, and 2 == 2.0.
        return all(key in call_args and call_args[key] == v for key, v in self.args.items())


class InvokeAnswers:
    """A user's answers to invokes, validated: per token, entries tried in order."""

    def __init__(self, entries: Mapping[str, Sequence[_Entry]] | None = None) -> None:
        self._entries = {token: tuple(found) for token, found in (entries or {}).items()}

    def answer(self, token: str, call_args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The result of the first entry of `token` that matches the call, else None."""
        for entry in self._entries.get(token, ()):
            if entry.matches(call_args):
                return dict(entry.result)
        return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _wire_names(where: str, value: Mapping[str, Any]) -> None:
    """Refuse Python (snake_case) names: the engine exchanges wire names, and a result under a
    Python name reaches the program as None, the very failure the answer was meant to fix."""
    for key in value:
        if isinstance(key, str) and _SNAKE.match(key):
            raise ValueError(
                f"{where}: {key!r} is a Python name; use the wire (camelCase) name {_camel(key)!r}"
            )


def _token_problem(token: object) -> str | None:
    if isinstance(token, str) and _TOKEN.match(token):
        return None
    problem = f"{token!r} is not an invoke token (package:module/function:function)"
    python = _PYTHON_FUNCTION.match(token) if isinstance(token, str) else None
    if python:
        package, module, function = python.groups()
        name = _camel(function)
        return f"{problem}; did you mean '{package}:{module or 'index'}/{name}:{name}'?"
    return f"{problem}, such as 'aws:ec2/getInstanceType:getInstanceType'"


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _object(where: str, value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: {what} must be a JSON object, not a {_kind(value)}")
    _wire_names(where, value)
    return value


def _entries(token: str, value: object) -> list[_Entry]:
    if isinstance(value, Mapping):
        return [_Entry({}, _object(token, value, "the answer"))]
    if not isinstance(value, list):
        raise ValueError(
            f'{token}: the answer must be a result object or a list of {{"args": ..., '
            f'"result": ...}} entries, not a {_kind(value)}'
        )
    if not value:
        raise ValueError(f"{token}: an empty list answers no call; give at least one entry")
    entries = []
    for index, item in enumerate(value):
        where = f"{token}[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(
                f'{where}: an entry must be {{"args": ..., "result": ...}}, not a {_kind(item)}'
            )
        unknown = sorted(set(item) - set(_ENTRY_KEYS))
        if unknown:
            raise ValueError(
                f"{where}: unknown key {unknown[0]!r}; an entry has 'args' (optional) and 'result'"
            )
        if "result" not in item:
            raise ValueError(f"{where}: no 'result' (the object the invoke returns)")
        args = _object(f"{where}.args", item.get("args", {}), "'args'")
        entries.append(_Entry(args, _object(f"{where}.result", item["result"], "'result'")))
    return entries


def parse_invoke_answers(raw: object, source: str = "invoke answers") -> InvokeAnswers:
    """Validate a user's answers (the format of the module docstring; None: no answers); a
    ProgramError names `source`, the token (and entry) and what is wrong."""
    if raw is None:
        return InvokeAnswers()
    try:
        if not isinstance(raw, Mapping):
            raise ValueError(f"must be a JSON object keyed by invoke token, not a {_kind(raw)}")
        entries = {}
        for token, value in raw.items():
            problem = _token_problem(token)
            if problem:
                raise ValueError(problem)
            entries[token] = _entries(token, value)
    except ValueError as problem:
        raise ProgramError(f"{source}: {problem}") from None
    return InvokeAnswers(entries)


def read_invoke_answers(path: str | Path) -> dict[str, Any]:
    """Read and validate an answer file (the check's `--invoke-answers`); errors name the file.
    Returns the file's object, to pass as `invoke_answers=`."""
    source = f"invoke answers {path}"
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ProgramError(f"{source}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise ProgramError(
            f"{source}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    parse_invoke_answers(raw, source)
    return raw


def empty_answer_note(calls: Sequence[tuple[str, Mapping[str, Any]]], limit: int = 10) -> str:
    """What a failed run's error adds when invokes were answered empty: each call (token and
    arguments, once), and how to answer them. Empty when there were none."""
    shown: list[str] = []
    for token, args in calls:
        line = f"  {token} {json.dumps(dict(args), sort_keys=True, default=str)}"
        if line not in shown:
            shown.append(line)
    if not shown:
        return ""
    more = [f"  ... and {len(shown) - limit} more"] if len(shown) > limit else []
    return "\n".join(
        [
            "",
            "The offline check has no answer for these invokes and answered them empty (a "
            "program that reads their results gets None):",
            *shown[:limit],
            *more,
            f"Answer them with {ANSWERS_OPTION}: a JSON object keyed by invoke token whose "
            "values are results in wire (camelCase) names, e.g. "
            f'{{"{calls[0][0]}": {{"someField": "value"}}}}, or lists of '
            '{"args": {...}, "result": {...}} entries to answer by arguments.',
        ]
    )
