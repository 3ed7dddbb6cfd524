"""JUnit XML of the offline check's reports (P13, P17), for CI test views.

A test suite per policy, a test case per policy and resource it applies to, and one case for the
stack where a stack policy found nothing. Only what fails the run is a `<failure>`: a mandatory
violation at or above `--fail-on` (one `<failure>` per case, listing every failing message). A
finding that does not fail the run (advisory, or mandatory below `--fail-on`) leaves its case
passing and is written to the case's `<system-out>`, as Checkov writes soft-failed checks to a
report without failing it; a suppressed finding is `<skipped>` with its exemption's reason. A
policy that raised, or a run that failed before any policy ran (program, stack config, policy
config), is an `<error>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from .findings import Violation
from .report_view import ReportView

Groups = list[tuple[str, list[ET.Element], Counter[str]]]


def junit_groups(report: ReportView) -> Groups:
    """(policy, its test cases, their counts) for every policy in pack order; for a run that
    failed before any policy ran, a single group named after the failure's kind."""
    if report.failure is not None:
        return [_failure_group(report)]
    evaluation = report.evaluation
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
        (r for r in report.run.resources if r.custom and not r.type.startswith("pulumi:")),
        key=lambda r: r.urn,
    )
    stack = report.run.stack
    groups: Groups = []
    for policy in report.policies:
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
                cases.append(ET.Element("testcase", classname=policy.name, name=f"stack {stack}"))
                counts["tests"] += 1
        for resource in targets:
            attributes = {"classname": policy.name, "name": f"{resource.name} ({resource.type})"}
            where = report.location(resource.urn)
            if where is not None:
                attributes |= {"file": where[0], "line": str(where[1])}
            case = ET.Element("testcase", attributes)
            cases.append(case)
            key = (policy.name, resource.urn)
            outcome = _findings(report, case, violations.get(key, []))
            if outcome is None and suppressed.get(key):
                reasons = "; ".join(sorted({s.reason for s in suppressed[key]}))
                ET.SubElement(case, "skipped", message=f"exempt: {reasons}")
                outcome = "skipped"
            counts["tests"] += 1
            if outcome:
                counts[outcome] += 1
        target_urns = {r.urn for r in targets}
        stack_level = [
            v
            for (name, urn), found in violations.items()
            for v in found
            if name == policy.name and urn not in target_urns
        ]
        if stack_level:
            case = ET.Element("testcase", classname=policy.name, name=f"stack {stack}")
            cases.append(case)
            counts["tests"] += 1
            outcome = _findings(report, case, stack_level)
            if outcome:
                counts[outcome] += 1
        for e in errors.get(policy.name, []):
            counts["tests"] += 1
            counts["errors"] += 1
            case = ET.Element("testcase", classname=policy.name, name=e.urn)
            cases.append(case)
            ET.SubElement(case, "error", message="policy raised", type="policy").text = e.error
        groups.append((policy.name, cases, counts))
    return groups


def _findings(report: ReportView, case: ET.Element, found: list[Violation]) -> str | None:
    """A case's violations: one `<failure>` listing those that fail the run, the others in
    `<system-out>`; returns "failures" when the case fails."""
    if not found:
        return None
    failing = [v for v in found if report.fails(v)]
    others = [v for v in found if not report.fails(v)]
    if failing:
        first = failing[0]
        message = first.message if len(failing) == 1 else f"{len(failing)} violations"
        failure = ET.SubElement(
            case, "failure", message=message, type=f"{first.enforcement}/{first.severity}"
        )
        failure.text = "\n".join(f"{v.enforcement}/{v.severity}: {v.message}" for v in failing)
    if others:
        ET.SubElement(case, "system-out").text = "\n".join(
            f"{v.enforcement}/{v.severity} (does not fail the run): {v.message}" for v in others
        )
    return "failures" if failing else None


def _failure_group(report: ReportView) -> tuple[str, list[ET.Element], Counter[str]]:
    failure = report.failure
    assert failure is not None
    attributes = {"classname": failure.kind, "name": f"stack {report.run.stack}"}
    where = report.failure_location()
    if where is not None:
        attributes |= {"file": where[0], "line": str(where[1])}
    case = ET.Element("testcase", attributes)
    ET.SubElement(
        case, "error", message=f"{failure.kind} failed", type=failure.kind
    ).text = failure.message
    return (failure.kind, [case], Counter(tests=1, errors=1))


def junit(report: ReportView) -> ET.Element:
    """One stack's JUnit XML: a suite per policy (or the failure's one suite)."""
    root = ET.Element("testsuites", name=f"{report.pack_name} {report.run.stack}")
    totals: Counter[str] = Counter()
    for name, cases, counts in junit_groups(report):
        suite = ET.SubElement(root, "testsuite", name=name)
        suite.extend(cases)
        set_counts(suite, counts)
        totals += counts
    set_counts(root, totals)
    return root


def set_counts(element: ET.Element, counts: Mapping[str, int]) -> None:
    """A JUnit suite's tests/failures/errors/skipped attributes."""
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts.get(key, 0)))


def xml_text(root: ET.Element) -> str:
    """The JUnit document as indented text with its XML declaration."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
