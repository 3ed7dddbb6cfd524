"""The offline check's text report for people (P13, P17): resource counts, findings with
enforcement before severity (`[policy] mandatory/high ...`), their controls and URL, suppressed
findings, remediations and errors; the last line is PASS or FAIL with the counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .report_view import ReportView


def stack_text(report: ReportView) -> str:
    """Resource counts, findings (enforcement/severity, controls and URL), suppressed,
    remediated, errors; the last line PASS or FAIL with the counts."""
    data = report.as_json()
    if report.failure is not None:
        lines = [f"Stack {data['stack']}: failed, no policy was evaluated"]
        where = report.failure_location()
        at = f" at {where[0]}:{where[1]}" if where else ""
        lines.append(f"  {report.failure.kind} failed{at}:")
        lines += [f"    {line}" for line in report.failure.message.rstrip().splitlines()]
        return "\n".join([*lines, report.outcome()]) + "\n"
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
        for v in found:
            below = (
                f" (below --fail-on {report.fail_on}: does not fail the run)"
                if level == "mandatory" and not v["failing"]
                else ""
            )
            lines.append(
                f"  [{v['policy']}] {level}/{v['severity']} {v['name']} ({v['type']}): "
                f"{v['message']}{below}" + (f"  at {v['location']}" if "location" in v else "")
            )
            lines.append(f"      {reference(v)}")
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
        at = f" at {error['file']}:{error['line']}" if error["file"] else ""
        lines.append(f"Policy error: {error['policy']} on {error['urn']}{at}")
        lines += [f"  {line}" for line in error["error"].rstrip().splitlines()[-3:]]
    lines.append(report.outcome())
    return "\n".join(lines) + "\n"


def outcome_counts(counts: Mapping[str, int], fail_on: str) -> str:
    """The counts of the PASS/FAIL line."""
    return (
        f"{counts['failing']} failing (mandatory, {fail_on} or above), "
        f"{counts['belowFailOn']} mandatory below --fail-on, {counts['advisory']} advisory, "
        f"{counts['suppressed']} suppressed, {counts['errors']} errors"
    )


def reference(finding: Mapping[str, Any]) -> str:
    """A finding's controls and URL, for the text report."""
    controls = ", ".join(finding["controls"])
    return f"controls: {controls or 'none'}; {finding['url'] or 'no URL'}"
