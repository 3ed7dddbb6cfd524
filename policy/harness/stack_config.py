"""A stack's config as the engine hands it to the program: qualified keys, string values,
project defaults applied, secure values replaced by marked placeholders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .model import ProgramError

SECRET_PLACEHOLDER = "offline-check-placeholder-for-{key}"


def config_value(value: Any) -> str:
    # The engine hands the program every config value as a string: objects and lists as JSON,
    # booleans in lowercase, numbers in decimal.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return ("secure" in value and len(value) == 1) or any(
            _has_secure(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _replace_secure(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER.format(key=key)
        return {k: _replace_secure(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def read_project_name(program_dir: Path) -> str:
    """The project name from `<dir>/Pulumi.yaml` (or `.yml`)."""
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = program_dir / candidate
        if path.is_file():
            data = yaml.safe_load(path.read_text()) or {}
            if not data.get("name"):
                raise ProgramError(f"{path} has no `name`")
            return str(data["name"])
    raise ProgramError(f"no Pulumi.yaml in {program_dir}: not a Pulumi project directory")


def load_stack_config(
    program_dir: Path, project: str, stack: str
) -> tuple[dict[str, str], list[str]]:
    """Config of one stack as the engine would pass it: qualified keys, string values, secure
    values replaced by marked placeholders. Returns (config, secret keys)."""
    values: dict[str, Any] = {}
    project_file = next(
        (program_dir / n for n in ("Pulumi.yaml", "Pulumi.yml") if (program_dir / n).is_file()),
        None,
    )
    project_config = (yaml.safe_load(project_file.read_text()) or {}).get("config") or {}
    for key, spec in project_config.items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[qualify(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            values[qualify(key, project)] = spec
    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise ProgramError(f"no stack config {stack_file}: is the stack name right?")
    try:
        stack_data = yaml.safe_load(stack_file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProgramError(f"{stack_file} is not valid YAML: {exc}") from None
    for key, value in (stack_data.get("config") or {}).items():
        values[qualify(key, project)] = value
    secret_keys = [k for k, v in values.items() if _has_secure(v)]
    config = {k: config_value(_replace_secure(v, k)) for k, v in values.items()}
    return config, secret_keys
