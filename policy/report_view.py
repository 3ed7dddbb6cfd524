"""What the text and JUnit renderers read of one stack's report (a Protocol that `Report`
satisfies), so that they need not import the report module that imports them, and the failure
a report carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pulumi_policy import Policy

from .findings import Evaluation, Violation
from .harness import ProgramRun


@dataclass(frozen=True)
class RunFailure:
    """Why a stack's run failed before any policy ran: its kind (one of FAILURE_KINDS), the
    message, and the file and line to look at when known."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None


class ReportView(Protocol):
    """One stack's report as the renderers read it."""

    run: ProgramRun
    evaluation: Evaluation
    policies: Sequence[Policy]
    pack_name: str
    failure: RunFailure | None
    fail_on: str

    def as_json(self) -> dict[str, Any]:
        """The JSON report of the stack."""
        ...

    def fails(self, violation: Violation) -> bool:
        """Whether a violation fails the run."""
        ...

    def outcome(self) -> str:
        """The PASS/FAIL line."""
        ...

    def location(self, urn: str) -> tuple[str, int] | None:
        """Where the program registered a resource."""
        ...

    def failure_location(self) -> tuple[str, int] | None:
        """Where the failed run's cause is."""
        ...
