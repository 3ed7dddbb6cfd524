"""Config of the rotation tier (R4, R6, R7)."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

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
    ca_bundle_file: str | None = None
    """PEM file of the CAs that sign the database's certificate, relative to the project
    directory: packed with the rotation function, which verifies the server against it (R8).
    Unset: AWS's RDS trust store, downloaded by `pulumi up` and checked against
    `caBundleSha256`."""
    ca_bundle_sha256: str | None = None
    """The SHA-256 the downloaded trust store must have (default: the pinned global bundle);
    set it after checking a bundle AWS has updated."""

    @field_validator("ca_bundle_file")
    @classmethod
    def _ca_bundle(cls, value: str | None) -> str | None:
        if value is None:
            return value
        path = Path(value)
        if not path.is_file():
            raise ValueError(f"{value!r} is not a file (paths are relative to the project)")
        try:
            loaded = ssl.create_default_context(cafile=str(path)).get_ca_certs()
        except (ssl.SSLError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a PEM bundle of certificates: {exc}") from None
        if not loaded:
            raise ValueError(f"{value!r} holds no CA certificate")
        return value

    @field_validator("ca_bundle_sha256")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError(f"{value!r} is not a SHA-256 digest (64 lowercase hex digits)")
        return value

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
