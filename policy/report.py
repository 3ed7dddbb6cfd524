"""The offline check's reports (P13): text for people, JSON (the contract), SARIF 2.1.0 for
code-scanning tools and JUnit XML for CI test views.

Every format lists findings sorted by (policy, URN, message), so two runs print the same bytes;
timings go to stderr, never into a report. SARIF maps severity to level (critical and high:
error, medium: warning, low: note), carries each policy's help (remediation steps) and URL, the
resource's URN as a logical location, and the file and line that registered it as the physical
location. Suppressed findings appear with their exemption's reason; JUnit marks them skipped.
"""

from __future__ import annotations

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
from .sarif import INFORMATION_URI, sarif_log, sarif_result, sarif_rule

PROGRAM_FAILED = "program"
"""The JUnit suite (single stack) or class (several) of a stack whose program failed."""

SEVERITY_ORDER = ("low", "medium", "high", "critical")


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
        self._files: dict[str, str] = {}

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
        # Cached per file: JUnit asks for a location per policy and resource (thousands on a
        # big stack) from a few dozen files, and resolving a path is a syscall per component.
        if source[0] not in self._files:
            self._files[source[0]] = self._relative(source[0])
        return self._files[source[0]], source[1]

    def _relative(self, uri_text: str) -> str:
        uri = urlparse(uri_text)
        if uri.scheme == "project":
            # A state export names sources relative to the project: project:///__main__.py.
            return unquote(uri.path).lstrip("/")
        path = Path(unquote(uri.path))
        try:
            return path.resolve().relative_to(self.program_dir).as_posix()
        except ValueError:
            return path.as_posix()

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
                    "rules": [sarif_rule(p) for p in self.policies],
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
        return sarif_result(item, index, self.run.stack, where, suppressed=suppressed)

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
            set_counts(suite, counts)
            totals += counts
        set_counts(root, totals)
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
        return xml_text(self.junit())

    def render(self, fmt: str) -> str:
        """The report in one of text, json, sarif, junit."""
        return {
            "text": self.text,
            "json": self.json_text,
            "sarif": self.sarif_text,
            "junit": self.junit_text,
        }[fmt]()


def set_counts(element: ET.Element, counts: Mapping[str, int]) -> None:
    """A JUnit suite's tests/failures/errors/skipped attributes."""
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts.get(key, 0)))


def xml_text(root: ET.Element) -> str:
    """The JUnit document as indented text with its XML declaration."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
