"""Per-resource exemptions from a policy (P9, P13): who is exempt, why, until when.

An exemption lives in the policy's config (`--policy-pack-config`):

    {"resource": "<logical name or URN>", "reason": "...", "expires": "2027-03-31",
     "ticket": "SEC-123"}

- `reason` is required: an exemption without one is not honoured and is itself reported.
- `expires` (optional, ISO date) is the last day the exemption holds; from the next day the
  findings come back, with a violation saying the exemption expired.
- A finding an exemption hides is still told to the reporter when it can listen: the offline
  check passes a reporter with a `suppressed` method and lists those findings in its reports.
  The Pulumi engine's reporter has none, so a preview shows nothing for them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Resources this policy does not apply to: {resource: logical name or URN, reason, "
        "expires (optional YYYY-MM-DD, last day it holds), ticket (optional)}."
    ),
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string"},
            "reason": {"type": "string"},
            "expires": {"type": "string"},
            "ticket": {"type": "string"},
        },
        "required": ["resource"],
        # A misspelt `expires` would make an exemption permanent: the Pulumi CLI validates the
        # pack config against this schema, so under `pulumi preview` too it is refused.
        "additionalProperties": False,
    },
    "default": [],
}


@dataclass(frozen=True)
class Exemption:
    """One exemption from a policy's config."""

    resource: str
    reason: str
    expires: str | None
    ticket: str | None

    def problem(self, policy: str, today: datetime.date) -> str | None:
        """Why the exemption does not hold today (None when it does)."""
        where = f"the `{policy}` policy config"
        if not self.reason.strip():
            return (
                f"exemption for {self.resource} has no `reason`: add one to {where}, or remove "
                "the exemption"
            )
        if self.expires is None:
            return None
        try:
            last_day = datetime.date.fromisoformat(self.expires)
        except ValueError:
            return (
                f"exemption for {self.resource} has expires={self.expires!r}, not a date: "
                f"write it as YYYY-MM-DD in {where}"
            )
        if today > last_day:
            return (
                f"exemption for {self.resource} expired on {self.expires}"
                f"{f' ({self.ticket})' if self.ticket else ''}: fix the findings below or "
                f"renew `expires` in {where}"
            )
        return None


def exemptions(config: Mapping[str, Any] | None) -> list[Exemption]:
    """The exemptions in a policy's config, in order."""
    found = []
    for item in (config or {}).get("exemptions") or ():
        if isinstance(item, Mapping) and item.get("resource"):
            expires = item.get("expires")
            ticket = item.get("ticket")
            found.append(
                Exemption(
                    resource=str(item["resource"]),
                    reason=str(item.get("reason") or ""),
                    expires=str(expires) if expires else None,
                    ticket=str(ticket) if ticket else None,
                )
            )
    return found


def exemption_for(config: Mapping[str, Any] | None, urn: str, name: str) -> Exemption | None:
    """The first exemption naming a resource by URN or logical name."""
    for exemption in exemptions(config):
        if exemption.resource in (urn, name):
            return exemption
    return None


def apply(
    policy: str,
    exemption: Exemption | None,
    messages: Iterable[str],
    report: Callable[..., None],
    urn: str | None,
    today: datetime.date | None = None,
) -> None:
    """Report `messages` for one resource, unless a valid exemption hides them.

    `urn` is passed to `report` for stack policies (None for resource policies, whose
    reporter knows its resource).
    """
    messages = list(messages)
    if not messages:
        return
    target = () if urn is None else (urn,)
    if exemption is not None:
        problem = exemption.problem(policy, today or datetime.date.today())
        if problem is None:
            listener = getattr(report, "suppressed", None)
            if listener is not None:
                for message in messages:
                    listener(message, *target, exemption=exemption)
            return
        report(problem, *target)
    for message in messages:
        report(message, *target)
