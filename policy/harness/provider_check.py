"""What pulumi-aws's Check does to a resource's inputs before the engine (and so a policy)
sees them: the provider's default tags merged under the resource's own tags, and the
physical name autonamed by the provider's rule for the type (`autonaming.py`), failing as
the provider fails when a name cannot fit."""

from __future__ import annotations

import json
from typing import Any

from ..type_tokens import constructor_parameters, tags_are_a_map
from . import autonaming
from .model import DEFAULT_REGION, CapturedResource


class CheckFailure(Exception):
    """The provider's Check refused the inputs; the message is the provider's."""


def region_of(provider: CapturedResource | None) -> str:
    """The region a provider resource is configured for."""
    if provider is None:
        return DEFAULT_REGION
    return str(provider.inputs.get("region") or DEFAULT_REGION)


def default_tags_of(provider: CapturedResource | None) -> dict[str, str]:
    """The default tags a provider resource is configured with."""
    if provider is None:
        return {}
    raw = provider.inputs.get("defaultTags")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return {}
    if isinstance(raw, dict) and isinstance(raw.get("tags"), dict):
        return {str(k): v for k, v in raw["tags"].items()}
    return {}


def checked_inputs(
    type_token: str,
    logical: str,
    urn: str,
    inputs: dict[str, Any],
    provider: CapturedResource | None,
) -> dict[str, Any]:
    """The inputs as the provider's Check returns them; CheckFailure when it would fail."""
    params = constructor_parameters(type_token)
    if not params:
        return inputs
    result = dict(inputs)
    defaults = default_tags_of(provider)
    if defaults and tags_are_a_map(type_token):
        own = result.get("tags") if isinstance(result.get("tags"), dict) else {}
        result["tags"] = {**defaults, **own}
    rule = autonaming.rule_for(type_token, result, has_name="name" in params)
    try:
        if rule is not None:
            _fill_name(result, rule, type_token, logical, urn)
        nested = autonaming.NESTED.get(type_token)
        if nested is not None and isinstance(result.get(nested[0]), list):
            key, item_rule = nested
            result[key] = [
                _fill_name(dict(item), item_rule, type_token, logical, f"{urn}[{index}]")
                if isinstance(item, dict)
                else item
                for index, item in enumerate(result[key])
            ]
    except autonaming.AutonameError as exc:
        problem, prop = exc.args
        raise CheckFailure(
            f"{type_token} resource '{logical}' ({urn}) has a problem: {problem}. The "
            f"provider autonames `{prop}` from the logical name: set `{prop}` (or a prefix) "
            "explicitly, or shorten the logical name"
        ) from None
    return result


def _fill_name(
    props: dict[str, Any], rule: autonaming.AutonameRule, type_token: str, logical: str, seed: str
) -> dict[str, Any]:
    """`props` with `rule.property` autonamed unless set, or named through its prefix
    (the bridge skips the default when a conflicting `*Prefix` property is set)."""
    prop = rule.property
    if prop in props or f"{prop}Prefix" in props:
        return props
    try:
        props[prop] = autonaming.autoname(rule, type_token, logical, seed, props)
    except autonaming.AutonameError as exc:
        raise autonaming.AutonameError(str(exc), prop) from None
    return props
