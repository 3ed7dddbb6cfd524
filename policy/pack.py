"""What the policy pack is made of: its name, policies and initial config.

Both `policy/__main__.py` (which serves the pack to the Pulumi CLI and so must never be
imported) and the offline check read the pack from here.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from .rules import (
    account,
    balancers,
    compute,
    containers,
    database,
    encryption,
    guardduty,
    hygiene,
    iam,
    logging,
    network,
    preflight,
    preflight_data,
    preflight_schema,
    rds_events,
    rds_placement,
    resilience,
    services,
    storage,
    tagging,
    transport,
    vpc,
)

PACK_NAME = "secure-infra-guardrails"
PACK_ENFORCEMENT = EnforcementLevel.MANDATORY
POLICIES: list[Policy] = [
    *encryption.POLICIES,
    *tagging.POLICIES,
    *iam.POLICIES,
    *network.POLICIES,
    *logging.POLICIES,
    *transport.POLICIES,
    *resilience.POLICIES,
    *hygiene.POLICIES,
    *preflight.POLICIES,
    *preflight_data.POLICIES,
    *preflight_schema.POLICIES,
    *compute.POLICIES,
    *containers.POLICIES,
    *database.POLICIES,
    *rds_events.POLICIES,
    *rds_placement.POLICIES,
    *storage.POLICIES,
    *vpc.POLICIES,
    *balancers.POLICIES,
    *account.POLICIES,
    *guardduty.POLICIES,
    *services.POLICIES,
]
# Per-policy config the pack starts from; `--policy-pack-config` (or `policy.check --config`)
# overrides it key by key. Defaults live in each policy's config schema.
INITIAL_CONFIG: dict[str, Any] = {}


def serve() -> None:
    """Serve the pack to the Pulumi engine: prints the gRPC port on stdout and blocks until the
    engine stops the process (the PolicyPack constructor does both)."""
    PolicyPack(
        name=PACK_NAME,
        policies=POLICIES,
        enforcement_level=PACK_ENFORCEMENT,
        initial_config=INITIAL_CONFIG,
    )
