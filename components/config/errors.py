"""Stack config errors as a person reads them: one block per error, with the full key, the value
given, what is allowed and "did you mean" for near misses (issue 19, item 5).

pydantic's own messages ("Extra inputs are not permitted", "Input is not a valid IPv4 network")
name neither the value nor the fix. The key's path in the error (`loc`) is walked against the
config models to find what that level allows: its keys for a misspelt key, its choices for a
value outside a fixed set.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import reprlib
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

# Validators that check several fields at once start their message with the key they blame,
# relative to where they run ("azs[1]: ..."); the formatter appends it to the location.
_RELATIVE_KEY = re.compile(r"^((?:\[\d+\]|[A-Za-z]\w*)(?:\[\d+\]|\.[A-Za-z]\w*)*): (.*)$", re.S)

# What a key wants, by the pydantic error type that says the value is not of that type.
_WANTED = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}

# Long values (a whole section given where a scalar belongs) are shortened, not dumped.
_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlist = 6
_SHORT.maxdict = 4


def _given(value: Any) -> str:
    return _SHORT.repr(value)


@dataclass(frozen=True)
class ConfigProblem:
    """One error: the key's path, what is wrong (with the value given) and the hints that fix
    it (what is allowed, "did you mean ...?")."""

    key: str
    problem: str
    hints: tuple[str, ...] = ()

    def render(self, namespace: str) -> str:
        """The error's block: `<namespace>:<key>: <problem>`, then one indented line a hint."""
        head = f"{namespace}:{self.key}: {self.problem}" if self.key else self.problem
        return "\n".join([head, *(f"  {hint}" for hint in self.hints)])


def render_problems(namespace: str, problems: Sequence[ConfigProblem]) -> str:
    """The whole message: a count, then the blocks separated by blank lines."""
    count = f"{len(problems)} error{'s' if len(problems) != 1 else ''}"
    return "\n\n".join([f"invalid stack config: {count}", *(p.render(namespace) for p in problems)])


def key_path(parts: Iterable[str | int]) -> str:
    """`regions[0].subnets.public` from ("regions", 0, "subnets", "public")."""
    key = ""
    for part in parts:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types inside Optional/Union/Annotated/list/dict, one level down."""
    return tuple(arg for arg in get_args(annotation) if arg is not type(None))


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and len(_members(annotation)) > 1


def _models_in(annotation: Any) -> tuple[type[BaseModel], ...]:
    """Every config model an annotation can hold (`SubnetCidrs | None`, `list[RegionConfig]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    found: list[type[BaseModel]] = []
    for member in _members(annotation):
        found.extend(m for m in _models_in(member) if m not in found)
    return tuple(found)


def _literals(annotation: Any) -> tuple[Any, ...]:
    """The allowed values of a `Literal[...]` (also inside Optional)."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return tuple(value for member in _members(annotation) for value in _literals(member))


def _field(model: type[BaseModel], key: str) -> Any | None:
    for name, field in model.model_fields.items():
        if key in (field.alias, name):
            return field
    return None


def keys_of(model: type[BaseModel]) -> list[str]:
    """The keys a model takes in a stack file (its camelCase aliases), sorted."""
    return sorted(field.alias or name for name, field in model.model_fields.items())


@dataclass(frozen=True)
class _Place:
    """Where a pydantic `loc` points, in the config's terms."""

    parts: tuple[str | int, ...]
    """The key's path without pydantic's union-branch labels."""
    parents: tuple[type[BaseModel], ...]
    """The models the last part is a key of (several when the path goes through a union)."""
    annotation: Any
    """The annotation of the field the path ends at (None when it is not a field)."""
    union: tuple[str | int, ...] | None = None
    """The path of the union-typed key whose branch pydantic tried, if the path went through
    one ("compute.certificateArn" for its "dict[str,str]" branch)."""
    inside_branch: bool = False
    """True when the error lies inside the branch's value: it had the branch's shape (a
    mapping) and one of its items was wrong."""


def _place(root: type[BaseModel], loc: Sequence[str | int]) -> _Place:
    models: tuple[type[BaseModel], ...] = (root,)
    parents = models
    annotation: Any = None
    parts: list[str | int] = []
    union: tuple[str | int, ...] | None = None
    inside = False
    after_union = False
    for part in loc:
        if union is not None:
            inside = True
        if isinstance(part, int):
            parts.append(part)
            continue
        fields = [f for m in models if (f := _field(m, part)) is not None]
        if after_union and not fields:
            # pydantic labels the branch of a union it tried ("dict[str,str]"): not a key.
            union, after_union = tuple(parts), False
            continue
        parts.append(part)
        parents = models
        annotation = fields[0].annotation if fields else None
        models = _models_in(annotation) if fields else ()
        after_union = bool(fields) and _is_union(annotation)
    return _Place(tuple(parts), parents, annotation, union, inside)


def _near(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a misspelling, compared without case (`per_Az` ~ `per-az`)."""
    by_folded = {choice.casefold(): choice for choice in choices}
    match = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[match[0]] if match else None


def _unknown_key(place: _Place, key: str) -> ConfigProblem:
    known = sorted({k for model in place.parents for k in keys_of(model)})
    section = key_path(place.parts[:-1])
    where = f"a known key of {section}" if section else "a known config key"
    hints = []
    near = _near(key, known)
    if near:
        hints.append(f"did you mean {near}?")
    hints.append(f"known keys{' of ' + section if section else ''}: {', '.join(known)}")
    return ConfigProblem(key_path(place.parts), f"not {where}", tuple(hints))


def _network_meant(value: Any) -> ipaddress.IPv4Network | None:
    """The network a refused CIDR names once its host bits are cleared (`10.40.0.0/16` for
    `10.40.0.1/16`), or None when it is no CIDR at all."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.IPv4Network(value.strip(), strict=False)
    except ValueError:
        return None


def _problem(error: ErrorDetails, place: _Place) -> ConfigProblem:
    kind, value = error["type"], error.get("input")
    key = key_path(place.parts)
    if kind == "missing":
        section = key_path(place.parts[:-1])
        if section:
            return ConfigProblem(key, f"is required; add it to {section} in the stack file")
        return ConfigProblem(key, "is required; set it with `pulumi config set`")
    if kind == "extra_forbidden":
        return _unknown_key(place, str(place.parts[-1]))
    if kind in _WANTED:
        return ConfigProblem(key, f"{_given(value)} is not {_WANTED[kind]}")
    if kind == "ip_v4_network":
        meant = _network_meant(value)
        if meant is not None:
            # pydantic parses strictly; the user wrote an address inside the network.
            return ConfigProblem(
                key, f"{_given(value)} has host bits set", (f"did you mean {meant}?",)
            )
        return ConfigProblem(
            key, f"{_given(value)} is not an IPv4 network", ("write it as a.b.c.d/n",)
        )
    if kind in ("literal_error", "enum"):
        expected = str((error.get("ctx") or {}).get("expected", ""))
        hints = [f"allowed: {expected}"]
        choices = [str(c) for c in _literals(place.annotation)]
        near = _near(str(value), choices) if choices else None
        if near is not None and near != str(value):
            hints.append(f"did you mean {near!r}?")
        return ConfigProblem(key, f"{_given(value)} is not allowed", tuple(hints))
    message = error["msg"].removeprefix("Value error, ")
    match = _RELATIVE_KEY.match(message)
    if kind == "value_error" and match:
        # A validator of a section blamed one of the section's keys ("azs[1]: ..."): the
        # full key is the section's path and that one.
        relative = match.group(1)
        key += relative if relative.startswith("[") or not key else f".{relative}"
        message = match.group(2)
    if kind == "value_error":
        # The project's own validators already name the value and the fix.
        return ConfigProblem(key, message)
    if message.startswith("Input "):
        # pydantic's constraint messages ("Input should be greater than 0") with the value.
        return ConfigProblem(key, _given(value) + message.removeprefix("Input"))
    return ConfigProblem(key, message, (f"given: {_given(value)}",))


def _merge_branches(key: str, errors: Sequence[ErrorDetails]) -> ConfigProblem:
    """One block for a value that fits none of a union's shapes: each shape it is not."""
    wanted = [_WANTED.get(e["type"], e["msg"]) for e in errors]
    shapes = " or ".join(dict.fromkeys(w.removesuffix(" (key: value)") for w in wanted))
    return ConfigProblem(key, f"{_given(errors[0].get('input'))} is not {shapes}")


def problems_of(root: type[BaseModel], errors: Sequence[ErrorDetails]) -> list[ConfigProblem]:
    """Every pydantic error of a validation of `root` as one ConfigProblem, in input order;
    the per-branch errors of one union-typed value become one."""
    placed = [(error, _place(root, error["loc"])) for error in errors]
    branches: dict[tuple[str | int, ...], list[tuple[ErrorDetails, _Place]]] = {}
    for error, place in placed:
        if place.union is not None:
            branches.setdefault(place.union, []).append((error, place))
    problems: list[ConfigProblem] = []
    for error, place in placed:
        if place.union is None:
            problems.append(_problem(error, place))
            continue
        group = branches.pop(place.union, None)
        if group is None:
            continue  # its union was reported with the group's first error
        # pydantic reports every branch the value failed; one whose error lies inside the value
        # (it was a mapping, but an item was wrong) is the branch the user meant.
        inside = [(e, p) for e, p in group if p.inside_branch]
        if inside:
            problems.extend(_problem(e, p) for e, p in inside)
        else:
            problems.append(_merge_branches(key_path(place.union), [e for e, _ in group]))
    return problems
