"""SARIF 2.1.0 pieces of the reports (P13, P17): rules from the policies' metadata and results
from findings, as GitHub code scanning reads them (`security-severity`, `partialFingerprints`,
`suppressions`).

A result's `level` says whether the finding fails the run, as the exit status does: `error`
only for a mandatory violation at or above `--fail-on`; a finding that does not fail the run
(advisory, mandatory below `--fail-on`, suppressed) is a `warning`, or a `note` when its
severity is low. The severity itself is the rule's `security-severity` (what GitHub code
scanning shows and ranks security alerts by) and the `severity` property of rule and result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning reads `security-severity` (0-10) to rank security findings.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
INFORMATION_URI = "https://github.com/secure-infra/secure-infra#policy-pack"


def sarif_level(fails: bool, severity: str) -> str:
    """A finding's SARIF level: `error` when it fails the run, else `warning` (`note` for a low
    severity)."""
    if fails:
        return "error"
    return "note" if severity == "low" else "warning"


def sarif_log(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of these runs."""
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def sarif_result(
    item: Any,
    index: Mapping[str, int],
    stack: str,
    where: tuple[str, int],
    *,
    fails: bool = False,
    suppressed: bool = False,
) -> dict[str, Any]:
    """One finding (a violation, or a suppressed one) as a SARIF result of rule `index`, at
    `where` (file relative to the program, line); `fails` when it fails the run."""
    result: dict[str, Any] = {
        "ruleId": item.policy,
        "ruleIndex": index[item.policy],
        "level": sarif_level(fails, item.severity),
        "message": {"text": f"{item.name} ({item.type}): {item.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": where[0], "uriBaseId": "PROGRAM"},
                    "region": {"startLine": where[1]},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": item.urn, "name": item.name, "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {
            "policyUrnMessage/v1": hashlib.sha256(
                f"{item.policy}\0{item.urn}\0{item.message}".encode()
            ).hexdigest()
        },
        "properties": {
            "resourceType": item.type,
            "stack": stack,
            "severity": item.severity,
            "failsRun": fails,
        },
    }
    if suppressed:
        justification = item.reason + (f" ({item.ticket})" if item.ticket else "")
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": justification}
        ]
    else:
        result["properties"]["enforcement"] = item.enforcement
    return result


def sarif_rule(policy: Policy, fail_on: str = "low") -> dict[str, Any]:
    """A policy as a SARIF rule; its default level is what a finding of its own enforcement
    level and severity gets under `fail_on` (every result states its own level)."""
    severity = policy.severity.value if policy.severity else "medium"
    order = ("low", "medium", "high", "critical")
    fails = policy.enforcement_level != EnforcementLevel.ADVISORY and order.index(
        severity
    ) >= order.index(fail_on)
    framework = policy.framework
    properties: dict[str, Any] = {
        "tags": ["security", *(policy.tags or [])],
        "security-severity": SECURITY_SEVERITY[severity],
        "severity": severity,
        "precision": "high",
    }
    if framework is not None:
        properties["framework"] = {
            "name": framework.name,
            "version": framework.version,
            "reference": framework.reference,
        }
    rule: dict[str, Any] = {
        "id": policy.name,
        "name": "".join(part.capitalize() for part in policy.name.split("-")),
        "shortDescription": {"text": policy.description.split(": ", 1)[-1]},
        "fullDescription": {"text": policy.description},
        "help": {
            "text": policy.remediation_steps or policy.description,
            "markdown": f"{policy.remediation_steps or policy.description}\n\n"
            f"[{framework.reference if framework else 'Reference'}]({policy.url})",
        },
        "defaultConfiguration": {"level": sarif_level(fails, severity)},
        "properties": properties,
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule
