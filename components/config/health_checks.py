"""Health checks of the compute tier (C4, C8) and its WAF settings (C9): the load balancer's
target-group check, the container's own check, and the web ACL's mode and rate limit."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Section


class _PeriodicCheck(Section):
    """A check that runs every `interval_seconds` and gives up after `timeout_seconds`: both
    ELB target groups and ECS container health checks refuse a timeout that is not below the
    interval."""

    interval_seconds: int
    timeout_seconds: int

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> _PeriodicCheck:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(
                f"timeoutSeconds: {self.timeout_seconds} must be less than intervalSeconds "
                f"({self.interval_seconds})"
            )
        return self


class HealthCheckConfig(_PeriodicCheck):
    """Target group health check (C4)."""

    path: str = "/health"
    interval_seconds: int = Field(default=30, ge=5, le=300)
    timeout_seconds: int = Field(default=5, ge=2, le=120)
    healthy_threshold: int = Field(default=3, ge=2, le=10)
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    matcher: str = "200"
    """HTTP codes that count as healthy (`200`, `200-299`, `200,302`)."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or len(value) > 1024:
            raise ValueError(f"{value!r} must be an absolute path such as /health")
        return value

    @field_validator("matcher")
    @classmethod
    def _matcher(cls, value: str) -> str:
        if not re.fullmatch(r"\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*", value):
            raise ValueError(f"{value!r} is not an HTTP code list (200, 200-299, 200,302)")
        return value


class ContainerHealthCheckConfig(_PeriodicCheck):
    """The container's own health check in the task definition (C8). `command` defaults to an
    HTTP probe of the load balancer health-check path on the app port."""

    command: list[str] | None = None
    """`["CMD", ...]` or `["CMD-SHELL", "<shell command>"]`; the image must contain the tool."""
    interval_seconds: int = Field(default=30, ge=5, le=300)
    timeout_seconds: int = Field(default=5, ge=2, le=60)
    retries: int = Field(default=3, ge=1, le=10)
    start_period_seconds: int = Field(default=60, ge=0, le=300)

    @field_validator("command")
    @classmethod
    def _command(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        if len(value) < 2 or value[0] not in ("CMD", "CMD-SHELL") or not all(value[1:]):
            raise ValueError(
                f"{value!r} must start with CMD or CMD-SHELL followed by the command, e.g. "
                '["CMD-SHELL", "curl -fs http://localhost:8080/health || exit 1"]'
            )
        return value


class WafConfig(Section):
    """The web application firewall in front of every internet-facing load balancer (C9)."""

    enabled: bool = True
    mode: Literal["block", "count"] = "block"
    """`block` enforces the rules; `count` only counts matches (to tune before blocking)."""
    rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000)
    """Requests one client IP may send per `rateWindowSeconds` before the rate rule acts
    (WAFv2 RateLimit: 10 to 2,000,000,000)."""
    rate_window_seconds: Literal[60, 120, 300, 600] = 300
    """The window the rate is counted over (WAFv2 EvaluationWindowSec)."""
