"""Config of the database tier (D1-D9): PostgreSQL on RDS or Aurora."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from policy.awsfacts.values import PI_RETENTION_DAYS

from .base import Section

# Parameters the program always sets itself (D6); config may not override them.
MANAGED_PARAMETERS = frozenset(
    {"rds.force_ssl", "shared_preload_libraries", "pgaudit.log", "pgaudit.log_catalog"}
)
# pgaudit.log classes (a leading `-` excludes a class).
PGAUDIT_CLASSES = frozenset(
    {"read", "write", "function", "role", "ddl", "misc", "misc_set", "all", "none"}
)
MONITORING_INTERVALS = (1, 5, 10, 15, 30, 60)

_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
_WINDOW = r"([01]\d|2[0-3]):[0-5]\d"
_BACKUP_WINDOW = re.compile(rf"^{_WINDOW}-{_WINDOW}$")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)"
_MAINTENANCE_WINDOW = re.compile(rf"^{_DAY}:{_WINDOW}-{_DAY}:{_WINDOW}$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED_USERS = frozenset({"postgres", "rdsadmin", "admin", "root", "public", "user"})


class DatabaseConfig(Section):
    """Database tier options. Defaults suit dev; Pulumi.prod.yaml sets production values."""

    engine: Literal["postgres", "aurora-postgresql"] = "postgres"
    """`postgres`: one RDS instance (Multi-AZ from `multiAz`); `aurora-postgresql`: a cluster
    with a writer and `readerCount` readers (D1)."""
    engine_version: str = "16"
    """Engine version; its major version picks the parameter group family (postgres16...). A
    major version alone lets RDS apply minor upgrades; an exact minor (`16.6`) needs
    `autoMinorVersionUpgrade: false`, or the first automatic upgrade turns the next `up` into a
    refused downgrade."""
    instance_class: str = "db.t4g.medium"
    multi_az: bool = False
    """RDS instance only: a synchronous standby in another AZ (on in prod)."""
    reader_count: int = Field(default=1, ge=0, le=15)
    """Aurora only: reader instances besides the writer."""
    allocated_storage_gb: int = Field(default=20, ge=20, le=65536)
    """RDS instance only: initial gp3 storage."""
    max_allocated_storage_gb: int = Field(default=100, ge=20, le=65536)
    """RDS instance only: storage autoscaling ceiling."""
    database_name: str = "app"
    master_username: str = "dbadmin"
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    backup_window: str = "03:00-04:00"
    """Daily backup window, UTC `hh:mm-hh:mm`."""
    maintenance_window: str = "sun:04:30-sun:05:30"
    """Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`; must not overlap the backups."""
    deletion_protection: bool = False
    final_snapshot: bool = True
    """Take a final snapshot (stack-unique name) when the database is deleted."""
    protect: bool = False
    """Pulumi `protect` on the database, its secret and parameter groups (on in prod)."""
    performance_insights_retention_days: int = 7
    """7 (free tier), a multiple of 31, or 731."""
    monitoring_interval_seconds: int = 60
    """Enhanced monitoring granularity (1, 5, 10, 15, 30 or 60 seconds)."""
    parameters: dict[str, str] = Field(
        default_factory=lambda: {
            "max_connections": "100",
            "work_mem": "4096",
            "log_min_duration_statement": "1000",
        }
    )
    """Per-stack engine parameters (max_connections, shared_buffers, work_mem, ...)."""
    pgaudit_log: str = "ddl,role"
    """pgaudit.log classes (read, write, function, role, ddl, misc, misc_set, all, none)."""
    secret_recovery_window_days: int = Field(default=7, ge=7, le=30)
    """Days a deleted credentials secret can still be restored."""
    apply_immediately: bool = False
    auto_minor_version_upgrade: bool = True

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        if not _INSTANCE_CLASS.match(value):
            raise ValueError(f"{value!r} is not a DB instance class (db.<family>.<size>)")
        return value

    @field_validator("engine_version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = re.fullmatch(r"(\d+)(\.\d+)?", value)
        if not match or not 13 <= int(match.group(1)) <= 17:
            raise ValueError(f"{value!r} is not a supported PostgreSQL version (13-17, e.g. 16)")
        return value

    @field_validator("backup_window")
    @classmethod
    def _backup_window(cls, value: str) -> str:
        if not _BACKUP_WINDOW.match(value):
            raise ValueError(f"{value!r} is not a window of the form hh:mm-hh:mm (UTC)")
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, value: str) -> str:
        if not _MAINTENANCE_WINDOW.match(value.lower()):
            raise ValueError(f"{value!r} is not a window of the form ddd:hh:mm-ddd:hh:mm (UTC)")
        return value.lower()

    @field_validator("database_name")
    @classmethod
    def _database_name(cls, value: str) -> str:
        if not _IDENTIFIER.match(value) or value in {"postgres", "template0", "template1"}:
            raise ValueError(f"{value!r}: lowercase letter first, then letters, digits, _")
        return value

    @field_validator("master_username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not _IDENTIFIER.match(value) or value in _RESERVED_USERS or value.startswith("rds"):
            raise ValueError(f"{value!r} is reserved or not a PostgreSQL identifier")
        return value

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi_retention(cls, value: int) -> int:
        if value not in PI_RETENTION_DAYS:
            raise ValueError(f"{value} is not 7, a multiple of 31 up to 713, or 731")
        return value

    @field_validator("monitoring_interval_seconds")
    @classmethod
    def _monitoring(cls, value: int) -> int:
        if value not in MONITORING_INTERVALS:
            raise ValueError(f"{value} is not one of {MONITORING_INTERVALS} (D7 needs it on)")
        return value

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name in MANAGED_PARAMETERS:
                raise ValueError(f"{name}: is set by the program and cannot be overridden")
            if not re.fullmatch(r"[a-z_][a-z0-9_.]*", name):
                raise ValueError(f"{name!r} is not a PostgreSQL parameter name")
        return {k: str(v) for k, v in value.items()}

    @field_validator("pgaudit_log")
    @classmethod
    def _pgaudit(cls, value: str) -> str:
        classes = [c.strip().removeprefix("-") for c in value.split(",")]
        unknown = [c for c in classes if c not in PGAUDIT_CLASSES]
        if unknown:
            raise ValueError(f"unknown pgaudit classes {unknown}; use {sorted(PGAUDIT_CLASSES)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise ValueError(
                "maxAllocatedStorageGb: must be at least allocatedStorageGb "
                f"({self.allocated_storage_gb})"
            )
        if "." in self.engine_version and self.auto_minor_version_upgrade:
            major = self.engine_version.split(".")[0]
            raise ValueError(
                f"engineVersion: {self.engine_version!r} pins a minor version while "
                "autoMinorVersionUpgrade is true: after RDS upgrades the engine, the next update "
                f"would ask for a downgrade, which RDS refuses; use {major!r}, or set "
                "autoMinorVersionUpgrade: false to pin the minor version"
            )
        if self.engine == "aurora-postgresql" and self.instance_class.startswith("db.t3."):
            raise ValueError(
                f"instanceClass: {self.instance_class} is not offered for Aurora PostgreSQL"
            )
        return self

    @property
    def is_aurora(self) -> bool:
        """True for an Aurora cluster, False for an RDS instance."""
        return self.engine == "aurora-postgresql"

    @property
    def family(self) -> str:
        """Parameter group family: the engine and its major version (postgres16)."""
        return f"{self.engine}{self.engine_version.split('.')[0]}"
