"""Names and tags: `<environment>-<service>-<region>` for everything the stack creates (S2, S3)."""

from __future__ import annotations

import hashlib

import pulumi

from .config.base import base_name

__all__ = ["base_name", "child_name", "name_tag", "stack_suffix", "token"]

TOKEN_PREFIX = "secure-infra"


def child_name(parent: str, *parts: str) -> str:
    """A child resource's logical name, derived from its component's name."""
    return "-".join((parent, *parts))


def name_tag(name: str, **extra: str) -> dict[str, str]:
    """The per-resource tags: `Name` (plus any extra); the rest comes from provider default tags."""
    return {"Name": name, **extra}


def token(module: str, type_name: str) -> str:
    """A component type token, `secure-infra:<module>:<Type>`."""
    return f"{TOKEN_PREFIX}:{module}:{type_name}"


def stack_suffix(*scope: str) -> str:
    """Eight hex characters unique to this organization, project and stack (and `scope`), for
    physical names that must be known before the resource exists (a trail whose ARN its own
    bucket policy names, a dashboard, a service-linked role's suffix) and cannot be autonamed.
    Derived, not random, so it needs no provider and never changes for a deployed stack. (The
    database identifier's suffix is a pulumi-random RandomId, which lives in the state: it
    stays, since changing it would replace the database.)"""
    # str(): without a Pulumi Cloud backend the organization is None; "None" is what the
    # deployed stacks hashed, so it stays.
    parts = (pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack(), *scope)
    stack_id = "/".join(str(part) for part in parts)
    return hashlib.sha256(stack_id.encode()).hexdigest()[:8]
