"""What the policy pack is made of: its name, policies and initial config.

Both `policy/__main__.py` (which serves the pack to the Pulumi CLI and so must never be
imported) and the offline check read the pack from here.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy

PACK_NAME = "secure-infra-guardrails"
PACK_ENFORCEMENT = EnforcementLevel.MANDATORY
POLICIES: list[Policy] = []
INITIAL_CONFIG: dict[str, Any] = {}
