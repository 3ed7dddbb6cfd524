"""AWS Security Hub controls for the services the program deploys (P12).

`securityhub_controls.json` lists, per control: AWS's severity, whether it belongs to the AWS
Foundational Security Best Practices standard (FSBP v1.0.0), the CIS AWS Foundations
Benchmark v3.0.0 requirements Security Hub maps it to, the resource types it evaluates and its
default parameters. Sources: the Security Hub User Guide's controls reference
(https://docs.aws.amazon.com/securityhub/latest/userguide/<service>-controls.html), its FSBP
standard page (fsbp-standard.html) and CIS v3.0.0 page, cross-checked against Turbot's
steampipe-mod-aws-compliance benchmarks; the file's `source` field says which page and when.
Titles are our own short wording. Not AWS's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pulumi_policy import Severity

FSBP_NAME = "AWS Foundational Security Best Practices"
FSBP_VERSION = "1.0.0"
FSBP_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html"
CIS_NAME = "CIS AWS Foundations Benchmark"
CIS_VERSION = "3.0.0"
CIS_URL = (
    "https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html"
)
SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
_PAGE_NAMES = {"AutoScaling": "autoscaling", "SecretsManager": "secretsmanager"}


@dataclass(frozen=True)
class Control:
    """One Security Hub control."""

    id: str
    title: str
    severity: Severity
    fsbp: bool
    cis: tuple[str, ...]
    resource_types: tuple[str, ...]
    parameters: dict[str, object]
    retired: bool

    @property
    def service(self) -> str:
        """The service part of the ID (`EC2` of `EC2.8`)."""
        return self.id.split(".")[0]

    @property
    def url(self) -> str:
        """The control's section of the Security Hub controls reference."""
        page = _PAGE_NAMES.get(self.service, self.service.lower())
        return (
            f"https://docs.aws.amazon.com/securityhub/latest/userguide/{page}-controls.html"
            f"#{page}-{self.id.split('.')[1]}"
        )

    @property
    def number(self) -> tuple[str, int]:
        """A sort key: service, then the control's number."""
        return self.service.lower(), int(self.id.split(".")[1])


@cache
def controls() -> dict[str, Control]:
    """Every catalogued control by ID, in service and number order."""
    data = json.loads((Path(__file__).parent / "securityhub_controls.json").read_text())
    found = [
        Control(
            id=item["id"],
            title=item["title"],
            severity=Severity(item["severity"]),
            fsbp=bool(item["in_fsbp"]),
            cis=tuple(item.get("cis_v3") or ()),
            resource_types=tuple(item.get("resource_types") or ()),
            parameters=dict(item.get("parameters") or {}),
            retired=bool(item.get("retired")),
        )
        for item in data["controls"]
    ]
    return {c.id: c for c in sorted(found, key=lambda c: c.number)}


def control(control_id: str) -> Control:
    """One control; a clear error for an ID the catalog does not hold."""
    try:
        return controls()[control_id]
    except KeyError:
        raise KeyError(
            f"{control_id} is not in policy/awsfacts/securityhub_controls.json: check the ID "
            "against the Security Hub controls reference"
        ) from None


def fsbp_controls() -> list[Control]:
    """The FSBP controls in force (not retired) for the catalogued services."""
    return [c for c in controls().values() if c.fsbp and not c.retired]


def highest(severities: list[Severity]) -> Severity | None:
    """The most severe of some severities (None for none)."""
    return max(severities, key=SEVERITY_RANK.__getitem__) if severities else None
