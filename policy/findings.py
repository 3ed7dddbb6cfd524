"""What an evaluation finds: violations, findings exemptions suppress, remediations applied
and policies that failed, sorted so that two runs report the same; and the reporter each
policy reports through."""

from __future__ import annotations

import asyncio
import inspect
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from .harness import CapturedResource, ProgramRun


@dataclass(frozen=True)
class Violation:
    """One reported violation, in the shape of the offline check's JSON."""

    policy: str
    enforcement: str
    severity: str
    urn: str
    type: str
    name: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The contract's JSON object for this violation."""
        return asdict(self)


@dataclass(frozen=True)
class Suppressed:
    """A finding an exemption hid, with the exemption's reason."""

    policy: str
    severity: str
    urn: str
    type: str
    name: str
    message: str
    reason: str
    expires: str | None
    ticket: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON object of the suppressed finding."""
        return asdict(self)


@dataclass(frozen=True)
class Remediation:
    """A remediation the pack applied to a resource's inputs."""

    policy: str
    urn: str
    type: str
    name: str
    changed: tuple[str, ...]
    """Top-level input properties the remediation changed."""

    def as_dict(self) -> dict[str, Any]:
        """JSON object of the remediation."""
        return {**asdict(self), "changed": list(self.changed)}


@dataclass(frozen=True)
class PolicyError:
    """A policy that raised instead of deciding."""

    policy: str
    urn: str
    error: str

    def as_dict(self) -> dict[str, str]:
        """JSON object of the error."""
        return asdict(self)


@dataclass(frozen=True)
class NotApplicable:
    """A policy that declared itself not applicable to a resource (or the stack)."""

    policy: str
    urn: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """JSON object of the not-applicable result."""
        return asdict(self)


@dataclass
class Evaluation:
    """What the pack found, sorted by (policy, URN, message), and the time it took."""

    violations: list[Violation]
    seconds: float
    suppressed: list[Suppressed] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        """Violations that block a deployment."""
        return [v for v in self.violations if v.enforcement == "mandatory"]


def run_validation(result: Any) -> Any:
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(result)
        finally:
            loop.close()
    return result


class _Reporter:
    """The `report_violation` callback of one policy (and resource), which also listens for
    findings an exemption suppresses."""

    def __init__(
        self, findings: Findings, policy: Policy, level: EnforcementLevel, urn: str | None
    ) -> None:
        self._findings, self._policy, self._level, self._urn = findings, policy, level, urn

    def __call__(self, message: str, urn: str | None = None) -> None:
        self._findings.add(self._policy, self._level, self._urn or urn, message)

    def suppressed(self, message: str, urn: str | None = None, *, exemption: Any) -> None:
        """A finding the policy's exemption hides."""
        self._findings.suppress(self._policy, self._urn or urn, message, exemption)


class Findings:
    """Collects violations, suppressed findings, remediations and errors of one evaluation."""

    def __init__(self, run: ProgramRun, by_urn: Mapping[str, CapturedResource]) -> None:
        self._run, self._by_urn = run, by_urn
        self.violations: list[Violation] = []
        self.suppressed: list[Suppressed] = []
        self.remediations: list[Remediation] = []
        self.errors: list[PolicyError] = []
        self.not_applicable: list[NotApplicable] = []

    def _target(self, urn: str) -> tuple[str, str]:
        target = self._by_urn.get(urn)
        if target is None:
            return "pulumi:pulumi:Stack", f"{self._run.project}-{self._run.stack}"
        return target.type, target.name

    def reporter(self, policy: Policy, level: EnforcementLevel, urn: str | None) -> _Reporter:
        return _Reporter(self, policy, level, urn)

    def add(self, policy: Policy, level: EnforcementLevel, urn: str | None, message: str) -> None:
        urn = urn or self._run.stack_urn
        type_, name = self._target(urn)
        self.violations.append(
            Violation(policy.name, level.value, _severity(policy), urn, type_, name, message)
        )

    def suppress(self, policy: Policy, urn: str | None, message: str, exemption: Any) -> None:
        urn = urn or self._run.stack_urn
        type_, name = self._target(urn)
        self.suppressed.append(
            Suppressed(
                policy.name,
                _severity(policy),
                urn,
                type_,
                name,
                message,
                exemption.reason,
                exemption.expires,
                exemption.ticket,
            )
        )

    def call(
        self, policy: Policy, urn: str, function: Any, *args: Any, remediating: bool = False
    ) -> Any:
        """Run one validation or remediation and return its (awaited) result: unknown values
        become an advisory (one for the remediation and one for the validation, as the engine
        reports both), a policy declaring itself not applicable is recorded, exceptions become
        an error (None is returned for all three)."""
        try:
            return run_validation(function(*args))
        except UnknownValueError as error:
            verb = "remediate" if remediating else "verify"
            self.add(
                policy,
                EnforcementLevel.ADVISORY,
                urn,
                f"cannot {verb} during preview: {error.message}",
            )
        except _NotApplicableError as error:
            self.not_applicable.append(NotApplicable(policy.name, urn, error.reason or ""))
        except Exception:  # a crashing policy is reported, never a pass
            self.errors.append(PolicyError(policy.name, urn, traceback.format_exc()))
        return None

    def evaluation(self, seconds: float) -> Evaluation:
        def order(item: Any) -> tuple[str, str, str]:
            return (item.policy, item.urn, getattr(item, "message", ""))

        return Evaluation(
            sorted(self.violations, key=order),
            seconds,
            sorted(self.suppressed, key=order),
            sorted(self.remediations, key=lambda r: (r.policy, r.urn)),
            sorted(self.errors, key=order),
            sorted(self.not_applicable, key=order),
        )


def plain(value: Any) -> Any:
    """Plain dicts and lists from a value that may hold pulumi_policy proxies."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def _severity(policy: Policy) -> str:
    severity = getattr(policy, "severity", None)
    return severity.value if severity is not None else "medium"
