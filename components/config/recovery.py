"""Config of the global recovery parts: DNS failover (M2) and AWS Backup (M4).

The parameter rules are AWS's (`policy/awsfacts/route53.py`, `backup.py`): these models check
their values against them at load time, so a bad value fails before any resource is
registered, with the config key named; the components check their arguments against the same
rules. `regional.py` and `__main__.py` map these models to the components' arguments.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from policy.awsfacts.backup import VAULT_NAME, lifecycle_problems, lock_problems, rule_problems
from policy.awsfacts.route53 import health_check_problems

from .base import Section

_VAULT_ARN = re.compile(r"arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}")


def _as_config_error(problem: str, prefix: str = "") -> ValueError:
    """A rule's message, whose first word is the config key, as the loader reports it: the
    key, a colon, the rest (`deleteAfterDays: 30 must be ...`)."""
    key, _, rest = problem.partition(" ")
    return ValueError(f"{prefix}{key}: {rest}")


class HealthCheckSettings(Section):
    """Route 53 health check of each region's load balancer."""

    path: str = "/"
    port: int = 443
    protocol: str = "HTTPS"
    search_string: str | None = None
    request_interval: int = 30
    failure_threshold: int = 3
    measure_latency: bool = False
    regions: list[str] | None = None
    """Route 53 checker regions (at least 3); all when unset."""


class DnsConfig(Section):
    """DNS failover between the regions' load balancers. Off while `zoneId` is unset."""

    zone_id: str | None = None
    """Route 53 hosted zone id that holds the record."""
    record_name: str = "app"
    health_check: HealthCheckSettings = HealthCheckSettings()

    @model_validator(mode="after")
    def _valid_for_route53(self) -> DnsConfig:
        check = self.health_check
        keys = {"checker_regions": "regions"}
        problems = health_check_problems(
            lambda field: keys.get(field, to_camel(field)),
            path=check.path,
            port=check.port,
            protocol=check.protocol,
            search_string=check.search_string,
            request_interval=check.request_interval,
            failure_threshold=check.failure_threshold,
            checker_regions=check.regions,
        )
        if problems:
            raise _as_config_error(problems[0], "healthCheck.")
        if not self.record_name or self.record_name != self.record_name.strip():
            raise ValueError(f"recordName: {self.record_name!r} must be a non-empty DNS name")
        return self


class BackupConfig(Section):
    """AWS Backup of the database in every region, copied to the other region's vault."""

    enabled: bool = True
    vault_name: str = "main"
    """Suffix of each region's vault name, `<environment>-<service>-<region>-<vaultName>`."""
    schedule: str = "cron(0 3 * * ? *)"
    start_window_minutes: int = 60
    completion_window_minutes: int = 180
    delete_after_days: int = 35
    cold_storage_after_days: int | None = None
    copy_to_other_region: bool = True
    copy_delete_after_days: int | None = None
    cross_account_vault_arn: str | None = None
    """Another account's vault that receives a copy of every recovery point."""
    continuous: bool = False
    lock_min_retention_days: int | None = Field(default=None, ge=1)
    protect_vault: bool = False

    @field_validator("cross_account_vault_arn")
    @classmethod
    def _vault_arn(cls, value: str | None) -> str | None:
        if value is not None and not _VAULT_ARN.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a backup vault ARN "
                "(arn:aws:backup:<region>:<account>:backup-vault:<name>)"
            )
        return value

    @property
    def copy_account_id(self) -> str | None:
        """The account of `crossAccountVaultArn`, which must be able to use the data key."""
        if self.cross_account_vault_arn is None:
            return None
        return self.cross_account_vault_arn.split(":")[4]

    @property
    def copy_region(self) -> str | None:
        """The region of `crossAccountVaultArn`, where that account's copy is made."""
        if self.cross_account_vault_arn is None:
            return None
        return self.cross_account_vault_arn.split(":")[3]

    @model_validator(mode="after")
    def _valid_for_aws_backup(self) -> BackupConfig:
        keys = {"enable_continuous_backup": "continuous"}

        def key(field: str) -> str:
            return keys.get(field, to_camel(field))

        if not VAULT_NAME.match(f"x-{self.vault_name}"):
            raise ValueError(
                f"vaultName: {self.vault_name!r} must be letters, digits, '-' or '_' (2-50 "
                "characters with the name's prefix)"
            )
        problems = [
            *rule_problems(
                key,
                schedule=self.schedule,
                start_window_minutes=self.start_window_minutes,
                completion_window_minutes=self.completion_window_minutes,
                delete_after_days=self.delete_after_days,
                cold_storage_after_days=self.cold_storage_after_days,
                continuous=self.continuous,
            ),
            *lock_problems(
                key, delete_after_days=self.delete_after_days, low=self.lock_min_retention_days
            ),
            *lifecycle_problems(
                lambda field: f"copy{field[0].upper()}{to_camel(field)[1:]}",
                None,
                self.copy_delete_after_days,
            ),
        ]
        if problems:
            raise _as_config_error(problems[0])
        return self
