"""What every policy says about itself (P12): severity, framework and control IDs, remediation
steps and a URL, in pulumi-policy's own fields, so `pulumi preview` diagnostics, Pulumi Cloud
and the offline reports all carry them.

A policy names the Security Hub controls it checks fully (`controls`) and those it checks only
in part (`partial`, with the gap in words). From those come:
- `framework`: FSBP with the FSBP control IDs as its reference; CIS AWS Foundations v3.0.0 when
  the policy maps only to CIS controls; else the project's own requirement catalog;
- `tags`: `fsbp:<id>`, `cis-v3.0.0:<requirement>`, `requirement:<P-id>` for filtering;
- `severity`: the highest AWS severity of its controls, unless the policy sets its own;
- `url`: the first control's section of the Security Hub controls reference, unless given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyComplianceFramework, Severity

from ..awsfacts import securityhub

PROJECT_FRAMEWORK = "secure-infra requirements"


@dataclass(frozen=True)
class Meta:
    """A policy's metadata; see the module docstring for how fields derive."""

    category: str
    """What the policy guards: encryption, tagging, iam, network, logging, transport,
    resilience, hygiene, preflight, compute, data, account."""
    requirements: tuple[str, ...]
    remediation: str
    controls: tuple[str, ...] = ()
    partial: Mapping[str, str] = field(default_factory=dict)
    severity: Severity | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        for control_id in (*self.controls, *self.partial):
            securityhub.control(control_id)
        if not self.requirements:
            raise ValueError("a policy names at least one requirement ID (P1..P14)")
        if not self.controls and not self.partial and (self.severity is None or not self.url):
            raise ValueError("a policy with no Security Hub control sets severity and url")

    @property
    def all_controls(self) -> list[securityhub.Control]:
        """Every control the policy checks, fully or in part, in catalog order."""
        wanted = {*self.controls, *self.partial}
        return [c for c in securityhub.controls().values() if c.id in wanted]

    @property
    def fsbp_ids(self) -> list[str]:
        """FSBP control IDs checked, fully or in part."""
        return [c.id for c in self.all_controls if c.fsbp]

    @property
    def cis_ids(self) -> list[str]:
        """CIS v3.0.0 requirement numbers of the controls checked."""
        found: list[str] = []
        for control in self.all_controls:
            found += [n for n in control.cis if n not in found]
        return found

    @property
    def effective_severity(self) -> Severity:
        """The policy's severity: its own, else the highest of its controls'."""
        if self.severity is not None:
            return self.severity
        severity = securityhub.highest([c.severity for c in self.all_controls])
        assert severity is not None  # __post_init__ guarantees a control or a severity
        return severity

    def framework(self) -> PolicyComplianceFramework:
        """The compliance framework the policy reports under."""
        if self.fsbp_ids:
            return PolicyComplianceFramework(
                name=securityhub.FSBP_NAME,
                version=securityhub.FSBP_VERSION,
                reference=", ".join(self.fsbp_ids),
                specification=securityhub.FSBP_URL,
            )
        if self.cis_ids:
            return PolicyComplianceFramework(
                name=securityhub.CIS_NAME,
                version=securityhub.CIS_VERSION,
                reference=", ".join(self.cis_ids),
                specification=securityhub.CIS_URL,
            )
        return PolicyComplianceFramework(
            name=PROJECT_FRAMEWORK,
            version="1",
            reference=", ".join(self.requirements),
            specification="README.md#policy-pack",
        )

    def tags(self) -> list[str]:
        """Filterable tags: category, requirement, FSBP and CIS IDs."""
        return [
            self.category,
            *(f"requirement:{r}" for r in self.requirements),
            *(f"fsbp:{c}" for c in self.fsbp_ids),
            *(f"cis-v{securityhub.CIS_VERSION}:{n}" for n in self.cis_ids),
        ]

    def policy_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for pulumi-policy's policy constructors."""
        declared = [*self.controls, *self.partial]
        first = securityhub.control(declared[0]) if declared else None
        return {
            "severity": self.effective_severity,
            "framework": self.framework(),
            "tags": self.tags(),
            "remediation_steps": self.remediation,
            "url": self.url or (first.url if first else None),
        }
