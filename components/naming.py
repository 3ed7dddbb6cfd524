"""Names and tags: `<environment>-<service>-<region>` for everything the stack creates (S2, S3)."""

from __future__ import annotations

TOKEN_PREFIX = "secure-infra"


def base_name(environment: str, service: str, region: str) -> str:
    """`<environment>-<service>-<region>`: a regional stack's name, prefix of its children's."""
    return f"{environment}-{service}-{region}"


def child_name(parent: str, *parts: str) -> str:
    """A child resource's logical name, derived from its component's name."""
    return "-".join((parent, *parts))


def name_tag(name: str, **extra: str) -> dict[str, str]:
    """The per-resource tags: `Name` (plus any extra); the rest comes from provider default tags."""
    return {"Name": name, **extra}


def token(module: str, type_name: str) -> str:
    """A component type token, `secure-infra:<module>:<Type>`."""
    return f"{TOKEN_PREFIX}:{module}:{type_name}"
