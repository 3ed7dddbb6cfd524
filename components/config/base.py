"""Shared base for every config section: frozen, camelCase keys, unknown keys rejected."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

# AWS CloudWatch Logs accepts only these retention periods (PutRetentionPolicy); anything else
# is rejected at deploy time, so the config refuses it up front. 0 (never expire) is left out on
# purpose: every log group in this project must have a retention (A3).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


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


def check_retention(value: int) -> int:
    """Reject a log retention that CloudWatch Logs would refuse."""
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"{value} is not a CloudWatch Logs retention period; use one of {allowed}")
    return value
