"""A deployed stack as a run: the resources of `pulumi stack export` (format version 3), so the
same pack checks what is deployed, offline and without the CLI (P14).

The engine keeps each resource's inputs as the provider's Check returned them, its outputs,
provider reference, parent, dependencies and options; they map onto a captured resource as a
run under mocks would capture them. Secret values become a marked placeholder unless the
export was made with `--show-secrets`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .model import CapturedOptions, CapturedResource, ProgramError, ProgramRun
from .sdk_compat import SECRET_SIG, SIG_KEY

SECRET_PLACEHOLDER = "[secret]"
# sourcePosition in the state: `project:///<path>#<line>[,<column>]`.
SOURCE_POSITION = re.compile(r"^(?P<uri>[^#]+)#(?P<line>\d+)")


def _reveal(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            plain = value.get("plaintext")
            return json.loads(plain) if isinstance(plain, str) else SECRET_PLACEHOLDER
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def _source(resource: dict[str, Any]) -> tuple[str, int] | None:
    match = SOURCE_POSITION.match(str(resource.get("sourcePosition") or ""))
    return (match.group("uri"), int(match.group("line"))) if match else None


def _options(resource: dict[str, Any]) -> CapturedOptions:
    timeouts = resource.get("customTimeouts") or {}
    return CapturedOptions(
        protect=bool(resource.get("protect")),
        retain_on_delete=bool(resource.get("retainOnDelete")),
        ignore_changes=tuple(resource.get("ignoreChanges") or ()),
        delete_before_replace=resource.get("deleteBeforeReplace"),
        aliases=tuple(a for a in resource.get("aliases") or () if isinstance(a, str)),
        additional_secret_outputs=tuple(resource.get("additionalSecretOutputs") or ()),
        replace_on_changes=tuple(resource.get("replaceOnChanges") or ()),
        custom_timeouts={
            k: f"{v}s" if isinstance(v, int | float) else str(v) for k, v in timeouts.items() if v
        },
        deleted_with=resource.get("deletedWith") or None,
    )


def run_from_export(path: str | Path) -> ProgramRun:
    """The run a `pulumi stack export` file describes."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ProgramError(f"state export {path}: {exc}") from None
    deployment = data.get("deployment") if isinstance(data, dict) else None
    if not isinstance(deployment, dict) or data.get("version") not in (3, 4):
        raise ProgramError(
            f"{path} is not a `pulumi stack export` file (deployment version 3 expected)"
        )
    raw = [r for r in deployment.get("resources") or () if isinstance(r, dict)]
    stack_urn = next((r["urn"] for r in raw if r.get("type") == "pulumi:pulumi:Stack"), None)
    if stack_urn is None:
        raise ProgramError(f"{path} has no pulumi:pulumi:Stack resource")
    stack, project = stack_urn.split("::")[0].split(":")[-1], stack_urn.split("::")[1]
    resources = []
    for resource in raw:
        if resource.get("delete") or resource.get("pendingReplacement"):
            continue  # Old halves of replacements, already on their way out.
        urn = str(resource["urn"])
        provider = resource.get("provider")
        resources.append(
            CapturedResource(
                urn=urn,
                type=str(resource.get("type")),
                name=urn.rsplit("::", 1)[-1],
                custom=bool(resource.get("custom")),
                inputs=_reveal(resource.get("inputs") or {}),
                state=_reveal(resource.get("outputs") or {}),
                id=str(resource.get("id") or ""),
                provider_urn=provider.rsplit("::", 1)[0] if provider else None,
                parent_urn=resource.get("parent") or None,
                dependencies=list(resource.get("dependencies") or ()),
                property_dependencies={
                    k: list(v) for k, v in (resource.get("propertyDependencies") or {}).items()
                },
                options=_options(resource),
                source=_source(resource),
            )
        )
    stack_resource = next(r for r in resources if r.type == "pulumi:pulumi:Stack")
    return ProgramRun(
        project=project,
        stack=stack,
        config={},
        resources=resources,
        outputs=dict(stack_resource.state.get("outputs") or stack_resource.state),
        unmocked_invokes=[],
        stack_urn=stack_urn,
    )
