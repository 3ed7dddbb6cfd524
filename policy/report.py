"""The offline check's reports (P13, P17): text for people, JSON (the contract), SARIF 2.1.0
for code-scanning tools and JUnit XML for CI test views (`policy/junit.py`).

Every format lists findings sorted by (policy, URN, message), so two runs print the same bytes;
timings go to stderr, never into a report. Every format agrees with the exit status on what
fails: only a mandatory violation at or above `--fail-on` is a SARIF `error` or a JUnit
`<failure>` (and `"failing": true` in JSON); severity stays in SARIF's `security-severity` and
each finding's properties. Findings carry the policy's Security Hub control IDs and URL. A run
that fails before any policy ran (its program, its stack config, the policy config or a stack
reference) still gets a valid document in the format asked for, saying what failed and where:
JSON `errors` with file and line, SARIF `executionSuccessful: false` with a notification, a
JUnit `<error>`. Suppressed findings appear with their exemption's reason.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi_policy import Policy

from .explain import controls_of
from .findings import Evaluation, Violation
from .harness import ProgramRun
from .junit import junit, junit_groups, xml_text
from .report_text import outcome_counts, stack_text
from .report_view import RunFailure
from .sarif import INFORMATION_URI, sarif_log, sarif_result, sarif_rule

FAILURE_KINDS = (
    "program",
    "stack-config",
    "policy-config",
    "stack-reference",
    "invoke-answers",
    "state",
)
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)


def last_frame(traceback_text: str) -> tuple[str, int] | None:
    """(file, line) of a formatted traceback's last frame."""
    frames = _FRAME.findall(traceback_text)
    return (frames[-1][0], int(frames[-1][1])) if frames else None


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

    `failure` says why a stack's run failed before any policy ran (its run is then empty);
    `fail_on` and `strict` are the check's options that decide what fails and the exit status.
    """

    def __init__(
        self,
        run: ProgramRun,
        evaluation: Evaluation,
        policies: Sequence[Policy],
        program_dir: Path,
        pack_name: str,
        *,
        failure: RunFailure | None = None,
        fail_on: str = "low",
        strict: bool = False,
    ) -> None:
        self.run, self.evaluation, self.policies = run, evaluation, list(policies)
        self.program_dir = program_dir.resolve()
        self.pack_name = pack_name
        self.failure, self.fail_on, self.strict = failure, fail_on, strict
        self.by_urn = run.by_urn()
        self.by_policy = {p.name: p for p in self.policies}
        self._files: dict[str, str] = {}

    @cached_property
    def failing(self) -> frozenset[Violation]:
        """The violations that fail the run: mandatory, at or above `fail_on`."""
        return frozenset(failing(self.evaluation, self.fail_on))

    def fails(self, violation: Violation) -> bool:
        """Whether a violation fails the run (the one meaning every format uses)."""
        return violation in self.failing

    @property
    def status(self) -> int:
        """The stack's exit status: 2 when its run or a policy failed (or, strict, a component
        could not be expanded), 1 when a violation fails the run, else 0."""
        if self.failure or self.evaluation.errors:
            return 2
        if self.strict and self.run.remote_components:
            return 2
        return 1 if self.failing else 0

    def counts(self) -> dict[str, int]:
        """The findings by outcome: failing, mandatory below --fail-on, advisory, suppressed,
        errors (policy errors, or 1 for a failed run)."""
        evaluation = self.evaluation
        mandatory = len(evaluation.mandatory)
        return {
            "failing": len(self.failing),
            "belowFailOn": mandatory - len(self.failing),
            "advisory": len(evaluation.violations) - mandatory,
            "suppressed": len(evaluation.suppressed),
            "remediations": len(evaluation.remediations),
            "errors": len(evaluation.errors) + (self.failure is not None),
        }

    def outcome(self) -> str:
        """The text report's last line: PASS or FAIL, the counts and the exit status."""
        verdict = "PASS" if self.status == 0 else "FAIL"
        if self.failure is not None:
            return f"{verdict}: {self.failure.kind} failed, no policy was evaluated (exit 2)"
        return f"{verdict}: {outcome_counts(self.counts(), self.fail_on)} (exit {self.status})"

    # Shared ------------------------------------------------------------------------------

    def location(self, urn: str) -> tuple[str, int] | None:
        """(path relative to the program directory, line) that registered a resource."""
        resource = self.by_urn.get(urn)
        source = resource.source if resource is not None else None
        if source is None:
            return None
        return self._file(source[0]), source[1]

    def failure_location(self) -> tuple[str, int] | None:
        """(path relative to the program directory, line) of the failed run's cause."""
        if self.failure is None or self.failure.file is None:
            return None
        return self._file(self.failure.file), self.failure.line or 1

    def _file(self, uri_text: str) -> str:
        # Cached per file: JUnit asks for a location per policy and resource (thousands on a
        # big stack) from a few dozen files, and resolving a path is a syscall per component.
        if uri_text not in self._files:
            self._files[uri_text] = self._relative(uri_text)
        return self._files[uri_text]

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

    def _finding(self, item: Any) -> dict[str, Any]:
        """A violation or suppressed finding with its location, its policy's controls and URL,
        and (violations) whether it fails the run."""
        data = self._located(item)
        if isinstance(item, Violation):
            data["failing"] = self.fails(item)
        policy = self.by_policy.get(item.policy)
        data["controls"] = [c["id"] for c in controls_of(policy)] if policy else []
        data["url"] = getattr(policy, "url", None)
        return data

    def errors(self) -> list[dict[str, Any]]:
        """The failed run (policy null) or the policies that raised, each with its kind and
        the file and line to look at (the program's frame, the config file; for a policy, the
        last frame of its traceback)."""
        if self.failure is not None:
            where = self.failure_location()
            return [
                {
                    "policy": None,
                    "kind": self.failure.kind,
                    "urn": self.run.stack_urn,
                    "error": self.failure.message,
                    "file": where[0] if where else None,
                    "line": where[1] if where else None,
                }
            ]
        found = []
        for e in self.evaluation.errors:
            frame = last_frame(e.error)
            data = {**self._located(e), "kind": "policy"}
            data["file"] = self._file(frame[0]) if frame else None
            data["line"] = frame[1] if frame else None
            found.append(data)
        return found

    # JSON --------------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        """The contract's JSON object, with the suppressed findings, remediations, errors (the
        failed run's, or the policies') and unmocked invokes beside the violations."""
        run, evaluation = self.run, self.evaluation
        return {
            "stack": run.stack,
            "resources": len(run.resources),
            "types": dict(sorted(Counter(r.type for r in run.resources).items())),
            "violations": [self._finding(v) for v in evaluation.violations],
            "suppressed": [self._finding(s) for s in evaluation.suppressed],
            "remediations": [r.as_dict() for r in evaluation.remediations],
            "errors": self.errors(),
            "unmockedInvokes": sorted(set(run.unmocked_invokes)),
            "unexpandedComponents": [
                {"urn": c.urn, "type": c.type, "name": c.name} for c in run.remote_components
            ],
        }

    def json_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=False) + "\n"

    # Text --------------------------------------------------------------------------------

    def text(self) -> str:
        """The text report (see `policy/report_text.py`)."""
        return stack_text(self)

    # SARIF -------------------------------------------------------------------------------

    def sarif(self) -> dict[str, Any]:
        """A SARIF 2.1.0 log with one run."""
        return sarif_log([self.sarif_run()])

    def sarif_run(self) -> dict[str, Any]:
        """This stack's SARIF run: its id (`automationDetails.id`, the code-scanning
        category) names pack, project and stack, so several stacks' runs stay apart. A failed
        run or a policy that raised makes `executionSuccessful` false, with a notification
        that carries the message and, when known, the file and line."""
        index = {p.name: i for i, p in enumerate(self.policies)}
        results = [
            self._sarif_result(v, index, fails=self.fails(v)) for v in self.evaluation.violations
        ]
        results += [
            self._sarif_result(s, index, suppressed=True) for s in self.evaluation.suppressed
        ]
        notifications = [self._notification(error) for error in self.errors()]
        return {
            "tool": {
                "driver": {
                    "name": self.pack_name,
                    "informationUri": INFORMATION_URI,
                    "rules": [sarif_rule(p, self.fail_on) for p in self.policies],
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

    def _notification(self, error: Mapping[str, Any]) -> dict[str, Any]:
        if error["policy"] is None:
            text = f"stack {self.run.stack}: {error['kind']} failed: {error['error'].strip()}"
            descriptor = f"{error['kind']}-failed"
        else:
            text = f"policy {error['policy']} failed on {error['urn']}: {error['error'].strip()}"
            descriptor = error["policy"]
        notification: dict[str, Any] = {
            "level": "error",
            "message": {"text": text},
            "descriptor": {"id": descriptor},
        }
        if error["file"]:
            artifact: dict[str, str] = {"uri": Path(error["file"]).as_posix()}
            if Path(error["file"]).is_absolute():
                artifact["uri"] = Path(error["file"]).as_uri()
            else:
                artifact["uriBaseId"] = "PROGRAM"
            notification["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {"startLine": error["line"] or 1},
                    }
                }
            ]
        return notification

    def _sarif_result(
        self,
        item: Any,
        index: Mapping[str, int],
        *,
        fails: bool = False,
        suppressed: bool = False,
    ) -> dict[str, Any]:
        where = self.location(item.urn) or (self.stack_file(), 1)
        return sarif_result(item, index, self.run.stack, where, fails=fails, suppressed=suppressed)

    def sarif_text(self) -> str:
        return json.dumps(self.sarif(), indent=2) + "\n"

    # JUnit -------------------------------------------------------------------------------

    def junit(self) -> ET.Element:
        """JUnit XML (see `policy/junit.py`)."""
        return junit(self)

    def junit_groups(self) -> list[tuple[str, list[ET.Element], Counter[str]]]:
        """(policy, its test cases, their counts) for every policy in pack order."""
        return junit_groups(self)

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
