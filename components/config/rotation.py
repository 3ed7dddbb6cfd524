"""Config of the rotation tier (R4, R6, R7)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from .base import Section


class ParameterRotationConfig(Section):
    """Scheduled rotation of a Parameter Store SecureString password (R7)."""

    enabled: bool = False
    schedule_days: int = Field(default=30, ge=1, le=365)


class RotationConfig(Section):
    """Database secret rotation and application settings in Parameter Store."""

    schedule_days: int = Field(default=30, ge=1, le=365)
    """Days between automatic rotations of the database secret (Secrets Manager: 1-365)."""
    password_length: int = Field(default=32, ge=16, le=128)
    connect_timeout_seconds: int = Field(default=5, ge=1, le=30)
    app_settings: dict[str, str] = Field(default_factory=dict)
    """Application settings stored as SecureString parameters under the secrets CMK. Set
    secret values with `pulumi config set --secret`."""
    parameter_rotation: ParameterRotationConfig = ParameterRotationConfig()

    @field_validator("app_settings")
    @classmethod
    def _setting_names(cls, value: dict[str, str]) -> dict[str, str]:
        for setting in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", setting):
                raise ValueError(
                    f"{setting}: setting names are lowercase letters, digits and hyphens "
                    "(they become part of resource names)"
                )
        return value
