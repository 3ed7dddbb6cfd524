"""The one place that reads `pulumi.Config`: stack config in, `StackConfig` out (S5)."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pydantic import ValidationError

from .errors import problems_of, render_problems
from .stack import StackConfig


class ConfigError(pulumi.RunError, ValueError):
    """Invalid stack config. The message has one block per error: the key, the value given,
    what is allowed and the near miss.

    A RunError because the engine prints one as its message alone: the Python language host
    (pulumi/pulumi sdk/python/cmd/pulumi-language-python-exec) logs `str(e)` for a
    `pulumi.RunError` and the full traceback for any other exception, as does the SDK's inline
    host (pulumi/automation/_server.py, `except RunError`); pulumi/errors.py: "resulting in a
    clean exit rather than the usual verbose unhandled error logic". The offline check's
    runner does the same. Still a ValueError, as it was, for callers that catch one.
    """


def _parse(raw: str) -> Any:
    # Pulumi hands structured config (objects, lists) to the program as JSON strings and
    # scalars as plain strings; pydantic coerces the scalars ("3" -> 3, "true" -> True).
    stripped = raw.strip()
    if stripped[:1] in ("{", "["):
        return json.loads(stripped)
    return raw


def config_from_mapping(namespace: str, values: dict[str, Any]) -> StackConfig:
    """Validate raw config values (camelCase keys without the namespace) into a StackConfig.

    Raises ConfigError naming every problem at once: misspelt keys at any depth (StackConfig
    forbids unknown keys at every level) come with the rest, not before them."""
    try:
        return StackConfig.model_validate(values)
    except ValidationError as exc:
        problems = problems_of(StackConfig, exc.errors())
        raise ConfigError(render_problems(namespace, problems)) from None


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
