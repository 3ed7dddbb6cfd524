"""The offline check's reports (P13): text for people, JSON (the contract), SARIF 2.1.0 for
code-scanning tools and JUnit XML for CI test views.

Every format lists findings sorted by (policy, URN, message), so two runs print the same bytes;
timings go to stderr, never into a report. SARIF maps severity to level (critical and high:
error, medium: warning, low: note), carries each policy's help (remediation steps) and URL, the
resource's URN as a logical location, and the file and line that registered it as the physical
location. Suppressed findings appear with their exemption's reason; JUnit marks them skipped.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi_policy import Policy, ResourceValidationPolicy

from .findings import Evaluation, Violation
from .harness import CapturedResource, ProgramRun

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning reads `security-severity` (0-10) to rank security findings.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
SEVERITY_ORDER = ("low", "medium", "high", "critical")
INFORMATION_URI = "https://github.com/secure-infra/secure-infra#policy-pack"


def failing(evaluation: Evaluation, fail_on: str = "low") -> list[Violation]:
    """Mandatory violations at or above the `fail_on` severity."""
    floor = SEVERITY_ORDER.index(fail_on)
    return [v for v in evaluation.mandatory if SEVERITY_ORDER.index(v.severity) >= floor]


class Report:
    """One run's findings, rendered in each format."""

    def __init__(
        self,
        run: ProgramRun,
        evaluation: Evaluation,
        policies: Sequence[Policy],
        program_dir: Path,
        pack_name: str,
    ) -> None:
        self.run, self.evaluation, self.policies = run, evaluation, list(policies)
        self.program_dir = program_dir.resolve()
        self.pack_name = pack_name
        self.by_urn = run.by_urn()

    # Shared ------------------------------------------------------------------------------

    def location(self, urn: str) -> tuple[str, int] | None:
        """(path relative to the program directory, line) that registered a resource."""
        resource = self.by_urn.get(urn)
        source = resource.source if resource is not None else None
        if source is None:
            return None
        uri = urlparse(source[0])
        if uri.scheme == "project":
            # A state export names sources relative to the project: project:///__main__.py.
            return unquote(uri.path).lstrip("/"), source[1]
        path = Path(unquote(uri.path))
        try:
            return path.resolve().relative_to(self.program_dir).as_posix(), source[1]
        except ValueError:
            return path.as_posix(), source[1]

    def stack_file(self) -> str:
        return f"Pulumi.{self.run.stack}.yaml"

    def _located(self, item: Any) -> dict[str, Any]:
        data = item.as_dict()
        where = self.location(item.urn)
        if where is not None:
            data["location"] = f"{where[0]}:{where[1]}"
        return data

    # JSON --------------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        """The contract's JSON object, with the suppressed findings, remediations, policy
        errors and unmocked invokes beside the violations."""
        run, evaluation = self.run, self.evaluation
        return {
            "stack": run.stack,
            "resources": len(run.resources),
            "types": dict(sorted(Counter(r.type for r in run.resources).items())),
            "violations": [self._located(v) for v in evaluation.violations],
            "suppressed": [self._located(s) for s in evaluation.suppressed],
            "remediations": [r.as_dict() for r in evaluation.remediations],
            "errors": [e.as_dict() for e in evaluation.errors],
            "unmockedInvokes": sorted(set(run.unmocked_invokes)),
            "unexpandedComponents": [
                {"urn": c.urn, "type": c.type, "name": c.name} for c in run.remote_components
            ],
        }

    def json_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=False) + "\n"

    # Text --------------------------------------------------------------------------------

    def text(self) -> str:
        data = self.as_json()
        lines = [f"Stack {data['stack']}: {data['resources']} resources"]
        width = max((len(t) for t in data["types"]), default=0)
        lines += [f"  {t:<{width}}  {n}" for t, n in data["types"].items()]
        if data["unmockedInvokes"]:
            lines.append(
                "Invokes answered with empty results (not mocked): "
                + ", ".join(data["unmockedInvokes"])
            )
        if data["unexpandedComponents"]:
            lines.append(
                "Components not expanded (their children are not checked): "
                + ", ".join(f"{c['name']} ({c['type']})" for c in data["unexpandedComponents"])
            )
        for level in ("mandatory", "advisory"):
            found = [v for v in data["violations"] if v["enforcement"] == level]
            lines.append(f"{level.capitalize()} violations: {len(found)}")
            lines += [
                f"  [{v['policy']}] ({v['severity']}) {v['name']} ({v['type']}): {v['message']}"
                + (f"  at {v['location']}" if "location" in v else "")
                for v in found
            ]
        if data["suppressed"]:
            lines.append(f"Suppressed by exemptions: {len(data['suppressed'])}")
            for s in data["suppressed"]:
                until = f", until {s['expires']}" if s["expires"] else ""
                ticket = f", {s['ticket']}" if s["ticket"] else ""
                lines.append(
                    f"  [{s['policy']}] {s['name']}: {s['message']} (exempt: {s['reason']}"
                    f"{ticket}{until})"
                )
        if data["remediations"]:
            lines.append(f"Remediated: {len(data['remediations'])}")
            lines += [
                f"  [{r['policy']}] {r['name']} ({r['type']}): set {', '.join(r['changed'])}"
                for r in data["remediations"]
            ]
        for error in data["errors"]:
            lines.append(f"Policy error: {error['policy']} on {error['urn']}")
            lines += [f"  {line}" for line in error["error"].rstrip().splitlines()[-3:]]
        return "\n".join(lines) + "\n"

    # SARIF -------------------------------------------------------------------------------

    def sarif(self) -> dict[str, Any]:
        """A SARIF 2.1.0 log with one run."""
        index = {p.name: i for i, p in enumerate(self.policies)}
        results = [self._sarif_result(v, index) for v in self.evaluation.violations]
        results += [
            self._sarif_result(s, index, suppressed=True) for s in self.evaluation.suppressed
        ]
        notifications = [
            {
                "level": "error",
                "message": {"text": f"policy {e.policy} failed on {e.urn}: {e.error.strip()}"},
                "descriptor": {"id": e.policy},
            }
            for e in self.evaluation.errors
        ]
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": self.pack_name,
                            "informationUri": INFORMATION_URI,
                            "rules": [_sarif_rule(p) for p in self.policies],
                        }
                    },
                    "automationDetails": {
                        "id": f"{self.pack_name}/{self.run.project}/{self.run.stack}/"
                    },
                    "originalUriBaseIds": {
                        "PROGRAM": {"uri": self.program_dir.as_uri() + "/"},
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not self.evaluation.errors,
                            "toolExecutionNotifications": notifications,
                        }
                    ],
                    "results": results,
                }
            ],
        }

    def _sarif_result(
        self, item: Any, index: Mapping[str, int], *, suppressed: bool = False
    ) -> dict[str, Any]:
        where = self.location(item.urn) or (self.stack_file(), 1)
        result: dict[str, Any] = {
            "ruleId": item.policy,
            "ruleIndex": index[item.policy],
            "level": SARIF_LEVELS[item.severity],
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
            "properties": {"resourceType": item.type},
        }
        if suppressed:
            justification = item.reason + (f" ({item.ticket})" if item.ticket else "")
            result["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": justification}
            ]
        else:
            result["properties"]["enforcement"] = item.enforcement
        return result

    def sarif_text(self) -> str:
        return json.dumps(self.sarif(), indent=2) + "\n"

    # JUnit -------------------------------------------------------------------------------

    def junit(self) -> ET.Element:
        """JUnit XML: a suite per policy, a case per policy and resource it applies to (a
        failure per violation, skipped when an exemption suppresses it), and one case for the
        stack where a stack policy found nothing."""
        evaluation = self.evaluation
        violations: dict[tuple[str, str], list[Violation]] = {}
        for v in evaluation.violations:
            violations.setdefault((v.policy, v.urn), []).append(v)
        suppressed: dict[tuple[str, str], list[Any]] = {}
        for s in evaluation.suppressed:
            suppressed.setdefault((s.policy, s.urn), []).append(s)
        errors: dict[str, list[Any]] = {}
        for e in evaluation.errors:
            errors.setdefault(e.policy, []).append(e)
        # By URN: registration order varies between runs (outputs resolve asynchronously).
        resources = sorted(
            (r for r in self.run.resources if r.custom and not r.type.startswith("pulumi:")),
            key=lambda r: r.urn,
        )
        root = ET.Element("testsuites", name=f"{self.pack_name} {self.run.stack}")
        totals = Counter()
        for policy in self.policies:
            suite = ET.SubElement(root, "testsuite", name=policy.name)
            counts = Counter()
            if isinstance(policy, ResourceValidationPolicy):
                types = getattr(policy, "resource_types", None)
                targets = [r for r in resources if types is None or r.type in types]
            else:
                flagged = {urn for (name, urn) in violations if name == policy.name}
                flagged |= {urn for (name, urn) in suppressed if name == policy.name}
                targets = [r for r in resources if r.urn in flagged]
                if not flagged:
                    case = ET.SubElement(
                        suite, "testcase", classname=policy.name, name=f"stack {self.run.stack}"
                    )
                    counts["tests"] += 1
            for resource in targets:
                counts["tests"] += 1
                case = self._junit_case(suite, policy.name, resource)
                key = (policy.name, resource.urn)
                for v in violations.get(key, []):
                    failure = ET.SubElement(
                        case, "failure", message=v.message, type=f"{v.enforcement}/{v.severity}"
                    )
                    failure.text = v.message
                if violations.get(key):
                    counts["failures"] += 1
                elif suppressed.get(key):
                    reasons = "; ".join(sorted({s.reason for s in suppressed[key]}))
                    ET.SubElement(case, "skipped", message=f"exempt: {reasons}")
                    counts["skipped"] += 1
            target_urns = {r.urn for r in targets}
            stack_level = [
                v
                for (name, urn), found in violations.items()
                for v in found
                if name == policy.name and urn not in target_urns
            ]
            if stack_level:
                counts["tests"] += 1
                counts["failures"] += 1
                case = ET.SubElement(
                    suite, "testcase", classname=policy.name, name=f"stack {self.run.stack}"
                )
                for v in stack_level:
                    ET.SubElement(
                        case, "failure", message=v.message, type=v.severity
                    ).text = v.message
            for e in errors.get(policy.name, []):
                counts["tests"] += 1
                counts["errors"] += 1
                case = ET.SubElement(suite, "testcase", classname=policy.name, name=e.urn)
                ET.SubElement(case, "error", message="policy raised").text = e.error
            for key in ("tests", "failures", "errors", "skipped"):
                suite.set(key, str(counts[key]))
                totals[key] += counts[key]
        for key in ("tests", "failures", "errors", "skipped"):
            root.set(key, str(totals[key]))
        return root

    def _junit_case(self, suite: ET.Element, policy: str, resource: CapturedResource) -> ET.Element:
        attributes = {"classname": policy, "name": f"{resource.name} ({resource.type})"}
        where = self.location(resource.urn)
        if where is not None:
            attributes |= {"file": where[0], "line": str(where[1])}
        return ET.SubElement(suite, "testcase", attributes)

    def junit_text(self) -> str:
        tree = self.junit()
        ET.indent(tree)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, "unicode") + "\n"

    def render(self, fmt: str) -> str:
        """The report in one of text, json, sarif, junit."""
        return {
            "text": self.text,
            "json": self.json_text,
            "sarif": self.sarif_text,
            "junit": self.junit_text,
        }[fmt]()


def _sarif_rule(policy: Policy) -> dict[str, Any]:
    severity = policy.severity.value if policy.severity else "medium"
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
        "defaultConfiguration": {"level": SARIF_LEVELS[severity]},
        "properties": properties,
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule
