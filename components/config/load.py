"""The one place that reads `pulumi.Config`: stack config in, `StackConfig` out (S5)."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
from pydantic import ValidationError

from .stack import StackConfig


class ConfigError(ValueError):
    """Invalid stack config. The message names every offending key and what is allowed."""


# Validators that check several fields at once start their message with the key they blame,
# relative to where they run ("azs[1]: ..."); the formatter appends it to the location.
_RELATIVE_KEY = re.compile(r"^((?:\[\d+\]|[A-Za-z]\w*)(?:\[\d+\]|\.[A-Za-z]\w*)*): (.*)$", re.S)


def _format_error(namespace: str, loc: tuple[Any, ...], message: str) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in loc]
    match = _RELATIVE_KEY.match(message)
    if match:
        parts.append(match.group(1))
        message = match.group(2)
    key = ""
    for part in parts:
        key += part if part.startswith("[") or not key else "." + part
    return f"{namespace}:{key}: {message}"


def _parse(raw: str) -> Any:
    # Pulumi hands structured config (objects, lists) to the program as JSON strings and
    # scalars as plain strings; pydantic coerces the scalars ("3" -> 3, "true" -> True).
    stripped = raw.strip()
    if stripped[:1] in ("{", "["):
        return json.loads(stripped)
    return raw


def config_from_mapping(namespace: str, values: dict[str, Any]) -> StackConfig:
    """Validate raw config values (camelCase keys without the namespace) into a StackConfig."""
    known = {field.alias or name for name, field in StackConfig.model_fields.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            "\n".join(
                f"{namespace}:{key} is not a known config key; "
                f"known keys: {', '.join(sorted(known))}"
                for key in unknown
            )
        )
    try:
        return StackConfig.model_validate(values)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required; set it with `pulumi config set`"
            lines.append(_format_error(namespace, error["loc"], message))
        raise ConfigError("invalid stack config:\n  " + "\n  ".join(lines)) from None


def load_config() -> StackConfig:
    """Read the current stack's config and validate it before any resource is registered."""
    namespace = pulumi.get_project()
    config = pulumi.Config(namespace)
    # Every key set for this stack, so that a misspelt key is reported instead of ignored.
    present = {
        key.split(":", 1)[1]
        for key in {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
        if key.startswith(f"{namespace}:")
    }
    values: dict[str, Any] = {}
    for key in present:
        raw = config.get(key)
        if raw is not None:
            try:
                values[key] = _parse(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{namespace}:{key} is not valid JSON/YAML: {exc}") from None
    values.setdefault("project", namespace)
    return config_from_mapping(namespace, values)
