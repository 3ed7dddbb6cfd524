"""Several stacks checked in one run, rendered as one document (P13).

Several stacks checked in one run render as one document (`StackReports`): the text has a
section per stack and a summary; the JSON keeps the one-stack keys (findings from every stack,
each naming its stack) and adds `stacks`, a summary per stack; SARIF has one run per stack,
told apart by `automationDetails.id` as GitHub code scanning requires (it no longer merges
runs of one tool and category); JUnit has one test suite per stack. A stack whose run failed
(program, stack config, policy config) is in every format as an error, never dropped. What
fails is decided per stack with the same `--fail-on` (`Report.fails`); the text ends with a
PASS/FAIL line per stack and one overall.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .junit import set_counts, xml_text
from .report import Report, outcome_counts
from .sarif import sarif_log


class StackReports:
    """Several stacks' reports as one document in each format, stacks in the order checked."""

    def __init__(self, reports: Sequence[Report]) -> None:
        if not reports:
            raise ValueError("no stack to report")
        self.reports = list(reports)
        self.pack_name = reports[0].pack_name
        self.fail_on = reports[0].fail_on

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
        """Each stack's text report as a section, then a line per stack and, last, the overall
        PASS or FAIL with the counts over every stack."""
        sections = [r.text() for r in self.reports]
        count = len(self.reports)
        lines = [f"Summary: {count} stack{'s' if count != 1 else ''}, exit status {self.status}"]
        lines += [f"  {r.run.stack}: {r.outcome()}" for r in self.reports]
        totals: Counter[str] = Counter()
        for report in self.reports:
            totals.update(report.counts())
        failed = sum(r.status != 0 for r in self.reports)
        verdict = "PASS" if self.status == 0 else "FAIL"
        lines.append(
            f"{verdict}: {count} stacks ({count - failed} passed, {failed} failed), "
            f"{outcome_counts(totals, self.fail_on)} (exit {self.status})"
        )
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
            set_counts(suite, counts)
            totals += counts
        set_counts(root, totals)
        return root

    def render(self, fmt: str) -> str:
        """The report in one of text, json, sarif, junit."""
        if fmt == "text":
            return self.text()
        if fmt == "json":
            return json.dumps(self.as_json(), indent=2) + "\n"
        if fmt == "sarif":
            return json.dumps(self.sarif(), indent=2) + "\n"
        return xml_text(self.junit())


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
            "failing": sum(v["failing"] for v in violations),
            "mandatory": sum(v["enforcement"] == "mandatory" for v in violations),
            "advisory": sum(v["enforcement"] == "advisory" for v in violations),
            "suppressed": len(data["suppressed"]),
            "remediations": len(data["remediations"]),
            "errors": len(data["errors"]),
        },
        "unmockedInvokes": data["unmockedInvokes"],
    }
