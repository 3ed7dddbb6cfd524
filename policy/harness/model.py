"""What a run captures: every registered resource as the engine would hand it to a policy,
and the run as a whole."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


class ProgramError(Exception):
    """The program or its config failed; the message says what and where. `file` and `line`
    locate it when known: given, or else the last frame of the program's own traceback in the
    message (`runner.program_traceback` writes it). `config` is true when the program refused
    its stack config (a config error, which has no frames)."""

    def __init__(
        self,
        message: object = "",
        *,
        file: str | None = None,
        line: int | None = None,
        config: bool = False,
    ):
        super().__init__(message)
        if file is None:
            frames = _PROGRAM_FRAME.findall(str(message))
            if frames:
                file, line = frames[-1][0], int(frames[-1][1])
        self.file, self.line, self.config = file, line, config


_PROGRAM_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in ', re.MULTILINE)


@dataclass(frozen=True)
class CapturedOptions:
    """The resource options the engine would see."""

    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    aliases: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    custom_timeouts: Mapping[str, str] = field(default_factory=dict)
    deleted_with: str | None = None
    replacement_trigger: Any = None
    """The value whose change replaces the resource (unknown values as sentinels)."""


@dataclass
class CapturedResource:
    """One registered resource, as the engine would hand it to a policy."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    """Wire (camelCase) inputs after the provider's Check: default tags merged, names applied.
    Values unknown during preview are pulumi_policy's unknown sentinels."""
    state: dict[str, Any]
    """Outputs the mocks returned (inputs plus plausible id, ARN and computed attributes)."""
    id: str
    provider_urn: str | None
    parent_urn: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    options: CapturedOptions
    source: tuple[str, int] | None = None
    """Where the program registered the resource: (file URI, line), as the SDK reports it."""

    @property
    def is_provider(self) -> bool:
        """True for provider resources (`pulumi:providers:<package>`)."""
        return self.type.startswith("pulumi:providers:")


@dataclass(frozen=True)
class RemoteComponent:
    """A component another language implements (awsx, eks, ...): the engine would run its
    provider to register its children; the offline check cannot, so they are not seen."""

    urn: str
    type: str
    name: str


@dataclass
class ProgramRun:
    """Everything one run of a program registered, in registration order."""

    project: str
    stack: str
    config: dict[str, str]
    resources: list[CapturedResource]
    outputs: dict[str, Any]
    unmocked_invokes: list[str]
    stack_urn: str
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every invoke the program made (token, arguments), in the order they were answered."""
    remote_components: list[RemoteComponent] = field(default_factory=list)
    """Components whose children the check could not see (not expanded)."""
    virtualenv: str | None = None
    """The program's own virtualenv whose packages the run used (None: the check's own)."""

    def by_urn(self) -> dict[str, CapturedResource]:
        """Resources keyed by URN."""
        return {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[CapturedResource]:
        """Resources of one type, in registration order."""
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> CapturedResource:
        """The single resource with this logical name (error if none or several)."""
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def provider_of(self, resource: CapturedResource) -> CapturedResource | None:
        """The provider resource a resource was registered with (explicit or default)."""
        if resource.provider_urn is None:
            return None
        return self.by_urn().get(resource.provider_urn)
