"""Shared base for every config section: frozen, camelCase keys, unknown keys rejected."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from policy.awsfacts.values import LOG_RETENTION_DAYS


class Section(BaseModel):
    """Base class of all config models.

    Keys are camelCase in the stack files (Pulumi's convention) and snake_case in Python.
    Unknown keys are an error, so a typo in a stack file fails instead of being ignored.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


def base_name(environment: str, service: str, region: str) -> str:
    """`<environment>-<service>-<region>`: a regional stack's name, the prefix of its children's
    names. It lives in the config package because the config bounds it (`stack.py`'s
    MAX_BASE_NAME); `components/naming.py` re-exports it for the components."""
    return f"{environment}-{service}-{region}"


def check_retention(value: int) -> int:
    """Reject a log retention that CloudWatch Logs would refuse."""
    # CloudWatch Logs refuses any other period at deploy time. 0 (never expire) is left out
    # on purpose: every log group in this project must have a retention (A3).
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"{value} is not a CloudWatch Logs retention period; use one of {allowed}")
    return value


def narrow_networks(
    value: list[ipaddress.IPv4Network], opens: str, example: str
) -> list[ipaddress.IPv4Network]:
    """Refuse source networks wider than /8: `opens` says what they would be let into, and the
    message suggests `example` instead."""
    for index, cidr in enumerate(value):
        if cidr.prefixlen < 8:
            raise ValueError(
                f"[{index}]: {cidr} {opens} too much of the internet; give {example} (for "
                "example 203.0.113.0/24)"
            )
    return value
