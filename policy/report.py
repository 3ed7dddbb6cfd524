"""The offline check's reports (P13): text for people, JSON (the contract), SARIF 2.1.0 for
code-scanning tools and JUnit XML for CI test views.

Every format lists findings sorted by (policy, URN, message), so two runs print the same bytes;
timings go to stderr, never into a report. SARIF maps severity to level (critical and high:
error, medium: warning, low: note), carries each policy's help (remediation steps) and URL, the
resource's URN as a logical location, and the file and line that registered it as the physical
location. Suppressed findings appear with their exemption's reason; JUnit marks them skipped.

Several stacks checked in one run render as one document (`StackReports`): the text has a
section per stack and a summary; the JSON keeps the one-stack keys (findings from every stack,
each naming its stack) and adds `stacks`, a summary per stack; SARIF has one run per stack,
told apart by `automationDetails.id` as GitHub code scanning requires (it no longer merges
runs of one tool and category); JUnit has one test suite per stack. A stack whose program or
config failed is in every format as an error, never dropped.
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

PROGRAM_FAILED = "program"
"""The JUnit suite (single stack) or class (several) of a stack whose program failed."""

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


def failed_run(project: str, stack: str) -> ProgramRun:
    """The empty run that stands for a stack whose program or config failed, so that its
    report still names the project and stack."""
    return ProgramRun(
        project=project,
        stack=stack,
        config={},
        resources=[],
        outputs={},
        unmocked_invokes=[],
        stack_urn=f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}",
    )


class Report:
    """One run's findings, rendered in each format.

    `failure` is the error of a stack whose program or config failed (its run is then empty);
    `fail_on` and `strict` are the check's options that decide the stack's exit status.
    """

    def __init__(
        self,
        run: ProgramRun,
        evaluation: Evaluation,
        policies: Sequence[Policy],
        program_dir: Path,
        pack_name: str,
        *,
        failure: str | None = None,
        fail_on: str = "low",
        strict: bool = False,
    ) -> None:
        self.run, self.evaluation, self.policies = run, evaluation, list(policies)
        self.program_dir = program_dir.resolve()
        self.pack_name = pack_name
        self.failure, self.fail_on, self.strict = failure, fail_on, strict
        self.by_urn = run.by_urn()

    @property
    def status(self) -> int:
        """The stack's exit status: 2 when its program, its config or a policy failed (or,
        strict, a component could not be expanded), 1 when a mandatory violation at or above
        `fail_on` remains, else 0."""
        if self.failure or self.evaluation.errors:
            return 2
        if self.strict and self.run.remote_components:
            return 2
        return 1 if failing(self.evaluation, self.fail_on) else 0

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
        errors (and the program's, if it failed) and unmocked invokes beside the violations."""
        run, evaluation = self.run, self.evaluation
        errors = [e.as_dict() for e in evaluation.errors]
        if self.failure is not None:
            # No policy failed (`policy` is null): the program or its config did, before any
            # policy ran.
            errors.insert(0, {"policy": None, "urn": run.stack_urn, "error": self.failure})
        return {
            "stack": run.stack,
            "resources": len(run.resources),
            "types": dict(sorted(Counter(r.type for r in run.resources).items())),
            "violations": [self._located(v) for v in evaluation.violations],
            "suppressed": [self._located(s) for s in evaluation.suppressed],
            "remediations": [r.as_dict() for r in evaluation.remediations],
            "errors": errors,
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
        if self.failure is not None:
            lines = [f"Stack {data['stack']}: failed, no policy was evaluated"]
            lines += [f"  {line}" for line in self.failure.rstrip().splitlines()]
            return "\n".join(lines) + "\n"
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
        return sarif_log([self.sarif_run()])

    def sarif_run(self) -> dict[str, Any]:
        """This stack's SARIF run: its id (`automationDetails.id`, the code-scanning
        category) names pack, project and stack, so several stacks' runs stay apart."""
        index = {p.name: i for i, p in enumerate(self.policies)}
        results = [self._sarif_result(v, index) for v in self.evaluation.violations]
        results += [
            self._sarif_result(s, index, suppressed=True) for s in self.evaluation.suppressed
        ]
        notifications: list[dict[str, Any]] = []
        if self.failure is not None:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"stack {self.run.stack} failed: {self.failure.strip()}"},
                }
            )
        notifications += [
            {
                "level": "error",
                "message": {"text": f"policy {e.policy} failed on {e.urn}: {e.error.strip()}"},
                "descriptor": {"id": e.policy},
            }
            for e in self.evaluation.errors
        ]
        return {
            "tool": {
                "driver": {
                    "name": self.pack_name,
                    "informationUri": INFORMATION_URI,
                    "rules": [_sarif_rule(p) for p in self.policies],
                }
            },
            "automationDetails": {"id": f"{self.pack_name}/{self.run.project}/{self.run.stack}/"},
            "originalUriBaseIds": {
                "PROGRAM": {"uri": self.program_dir.as_uri() + "/"},
            },
            "invocations": [
                {
                    "executionSuccessful": not notifications,
                    "toolExecutionNotifications": notifications,
                }
            ],
            "results": results,
            "properties": {"project": self.run.project, "stack": self.run.stack},
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
            "properties": {"resourceType": item.type, "stack": self.run.stack},
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
        stack where a stack policy found nothing; a failed program is one suite whose case
        has an `<error>`."""
        root = ET.Element("testsuites", name=f"{self.pack_name} {self.run.stack}")
        totals: Counter[str] = Counter()
        for name, cases, counts in self.junit_groups():
            suite = ET.SubElement(root, "testsuite", name=name)
            suite.extend(cases)
            _set_counts(suite, counts)
            totals += counts
        _set_counts(root, totals)
        return root

    def junit_groups(self) -> list[tuple[str, list[ET.Element], Counter[str]]]:
        """(policy, its test cases, their counts) for every policy in pack order; for a stack
        whose program failed, a single group with the failure as an error case."""
        stack = self.run.stack
        if self.failure is not None:
            case = ET.Element("testcase", classname=PROGRAM_FAILED, name=f"stack {stack}")
            ET.SubElement(case, "error", message="program failed").text = self.failure
            return [(PROGRAM_FAILED, [case], Counter(tests=1, errors=1))]
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
        groups = []
        for policy in self.policies:
            cases: list[ET.Element] = []
            counts: Counter[str] = Counter()
            if isinstance(policy, ResourceValidationPolicy):
                types = getattr(policy, "resource_types", None)
                targets = [r for r in resources if types is None or r.type in types]
            else:
                flagged = {urn for (name, urn) in violations if name == policy.name}
                flagged |= {urn for (name, urn) in suppressed if name == policy.name}
                targets = [r for r in resources if r.urn in flagged]
                if not flagged:
                    cases.append(
                        ET.Element("testcase", classname=policy.name, name=f"stack {stack}")
                    )
                    counts["tests"] += 1
            for resource in targets:
                counts["tests"] += 1
                case = self._junit_case(policy.name, resource)
                cases.append(case)
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
                case = ET.Element("testcase", classname=policy.name, name=f"stack {stack}")
                cases.append(case)
                for v in stack_level:
                    ET.SubElement(
                        case, "failure", message=v.message, type=v.severity
                    ).text = v.message
            for e in errors.get(policy.name, []):
                counts["tests"] += 1
                counts["errors"] += 1
                case = ET.Element("testcase", classname=policy.name, name=e.urn)
                cases.append(case)
                ET.SubElement(case, "error", message="policy raised").text = e.error
            groups.append((policy.name, cases, counts))
        return groups

    def _junit_case(self, policy: str, resource: CapturedResource) -> ET.Element:
        attributes = {"classname": policy, "name": f"{resource.name} ({resource.type})"}
        where = self.location(resource.urn)
        if where is not None:
            attributes |= {"file": where[0], "line": str(where[1])}
        return ET.Element("testcase", attributes)

    def junit_text(self) -> str:
        return _xml_text(self.junit())

    def render(self, fmt: str) -> str:
        """The report in one of text, json, sarif, junit."""
        return {
            "text": self.text,
            "json": self.json_text,
            "sarif": self.sarif_text,
            "junit": self.junit_text,
        }[fmt]()


class StackReports:
    """Several stacks' reports as one document in each format, stacks in the order checked."""

    def __init__(self, reports: Sequence[Report]) -> None:
        if not reports:
            raise ValueError("no stack to report")
        self.reports = list(reports)
        self.pack_name = reports[0].pack_name

    @property
    def status(self) -> int:
        """The worst stack's exit status (2 over 1 over 0)."""
        return max(r.status for r in self.reports)

    def as_json(self) -> dict[str, Any]:
        """The one-stack keys over every stack, so a parser of a one-stack report reads it
        unchanged (each finding names its stack; `stack` lists the stacks, comma-separated;
        `resources` and `types` are totals), and `stacks`: each stack's own summary."""
        parts = [r.as_json() for r in self.reports]
        types: Counter[str] = Counter()
        for part in parts:
            types.update(part["types"])

        def stamped(key: str) -> list[dict[str, Any]]:
            # Each item names its stack first; the one-stack report names it once at the top.
            return [{"stack": part["stack"], **item} for part in parts for item in part[key]]

        return {
            "stack": ", ".join(part["stack"] for part in parts),
            "resources": sum(part["resources"] for part in parts),
            "types": dict(sorted(types.items())),
            "violations": stamped("violations"),
            "suppressed": stamped("suppressed"),
            "remediations": stamped("remediations"),
            "errors": stamped("errors"),
            "unmockedInvokes": sorted({i for part in parts for i in part["unmockedInvokes"]}),
            "unexpandedComponents": stamped("unexpandedComponents"),
            "stacks": [
                _stack_summary(report, part)
                for report, part in zip(self.reports, parts, strict=True)
            ],
        }

    def text(self) -> str:
        """Each stack's text report as a section, then a line per stack."""
        sections = [r.text() for r in self.reports]
        count = len(self.reports)
        lines = [f"Summary: {count} stack{'s' if count != 1 else ''}, exit status {self.status}"]
        for report in self.reports:
            summary = _stack_summary(report, report.as_json())
            if report.failure is not None:
                outcome = "program or config failed"
            else:
                counts = summary["counts"]
                outcome = (
                    f"{summary['resources']} resources, {counts['mandatory']} mandatory, "
                    f"{counts['advisory']} advisory, {counts['suppressed']} suppressed"
                )
                if counts["errors"]:
                    outcome += f", {counts['errors']} policy errors"
            lines.append(f"  {report.run.stack}: {outcome} (exit {report.status})")
        return "\n".join([*sections, "\n".join(lines) + "\n"])

    def sarif(self) -> dict[str, Any]:
        """A SARIF 2.1.0 log with one run per stack."""
        return sarif_log([r.sarif_run() for r in self.reports])

    def junit(self) -> ET.Element:
        """JUnit XML with one test suite per stack; a case's class is `<stack>.<policy>`, so
        test views that group by class keep the stacks apart."""
        root = ET.Element("testsuites", name=self.pack_name)
        totals: Counter[str] = Counter()
        for report in self.reports:
            stack = report.run.stack
            suite = ET.SubElement(root, "testsuite", name=stack)
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="project", value=report.run.project)
            ET.SubElement(properties, "property", name="stack", value=stack)
            counts: Counter[str] = Counter()
            for _name, cases, group_counts in report.junit_groups():
                for case in cases:
                    case.set("classname", f"{stack}.{case.get('classname')}")
                suite.extend(cases)
                counts += group_counts
            _set_counts(suite, counts)
            totals += counts
        _set_counts(root, totals)
        return root

    def render(self, fmt: str) -> str:
        """The report in one of text, json, sarif, junit."""
        if fmt == "text":
            return self.text()
        if fmt == "json":
            return json.dumps(self.as_json(), indent=2) + "\n"
        if fmt == "sarif":
            return json.dumps(self.sarif(), indent=2) + "\n"
        return _xml_text(self.junit())


def _stack_summary(report: Report, data: Mapping[str, Any]) -> dict[str, Any]:
    """One stack's entry in the several-stacks JSON."""
    violations = data["violations"]
    return {
        "stack": report.run.stack,
        "project": report.run.project,
        "status": report.status,
        "resources": data["resources"],
        "types": data["types"],
        "counts": {
            "mandatory": sum(v["enforcement"] == "mandatory" for v in violations),
            "advisory": sum(v["enforcement"] == "advisory" for v in violations),
            "suppressed": len(data["suppressed"]),
            "remediations": len(data["remediations"]),
            "errors": len(data["errors"]),
        },
        "unmockedInvokes": data["unmockedInvokes"],
    }


def sarif_log(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of these runs."""
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def _set_counts(element: ET.Element, counts: Mapping[str, int]) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts.get(key, 0)))


def _xml_text(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


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
