"""Config of the compute tier (C1-C8)."""

from __future__ import annotations

from pydantic import Field

from .base import Section


class ComputeConfig(Section):
    """Compute tier options."""

    app_port: int = Field(default=8080, ge=1024, le=65535)
    """Port the application listens on behind the load balancer (unprivileged)."""
