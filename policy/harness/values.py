"""Values as the engine passes them: unknown sentinels (what a preview cannot know yet) and
resource references."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from .sdk_compat import RESOURCE_REFERENCE_SIG, SIG_KEY

# How values unknown during preview arrive in policy inputs (pulumi_policy's sentinels).
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


def is_unknown(value: Any) -> bool:
    """Whether a value is one of the unknown sentinels."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def known(value: Any) -> Any:
    """`value` with unknown sentinels removed (for the mocked outputs)."""
    if isinstance(value, dict):
        return {k: known(v) for k, v in value.items() if not is_unknown(v)}
    if isinstance(value, list):
        return [known(v) for v in value if not is_unknown(v)]
    return value


def contains_unknowns(value: Any) -> bool:
    """Whether a value holds an unknown sentinel anywhere."""
    if isinstance(value, dict):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return is_unknown(value)


def convert_refs(value: Any) -> Any:
    """Resource references as pulumi-aws receives them: the referenced id (or URN for a
    component), since the provider does not accept references, so policies see that too."""
    if isinstance(value, list):
        return [convert_refs(v) for v in value]
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_REFERENCE_SIG:
            return value.get("id") or value.get("urn")
        return {k: convert_refs(v) for k, v in value.items()}
    return value
