"""Config of the global recovery parts: DNS failover (M2) and AWS Backup (M4).

The parameter rules live once, in the components' argument classes; these models build those
arguments from placeholder inputs at load time so that a bad value fails before any resource
is registered, with the config key named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi
from pydantic import Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .base import Section

if TYPE_CHECKING:
    from ..backup import BackupArgs
    from ..dns import DnsEndpoint, DnsFailoverArgs

_VAULT_ARN = re.compile(r"arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}")
PLACEHOLDER_ARN = "arn:aws:rds:us-east-1:000000000000:db:config-check"
_FIELD_FIRST = re.compile(r"^([a-z][A-Za-z]*) (.*)$", re.S)


def _in_config_terms(exc: ValueError, prefix: str = "") -> ValueError:
    """The component's message with argument names turned into config keys: `delete_after_days
    30 must ...` becomes `deleteAfterDays: 30 must ...`, which the loader appends to the key."""
    message = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: to_camel(m.group(0)), str(exc))
    match = _FIELD_FIRST.match(message)
    if match and match.group(1) not in ("copy",):
        message = f"{match.group(1)}: {match.group(2)}"
    return ValueError(prefix + message)


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

    def failover_args(self, primary: DnsEndpoint, secondary: DnsEndpoint | None) -> DnsFailoverArgs:
        """The DnsFailover arguments for the regions' load balancers (raises ValueError)."""
        from ..dns import DnsFailoverArgs

        check = self.health_check
        return DnsFailoverArgs(
            zone_id=self.zone_id or "",
            record_name=self.record_name,
            primary=primary,
            secondary=secondary,
            health_check_path=check.path,
            health_check_port=check.port,
            health_check_protocol=check.protocol,
            search_string=check.search_string,
            request_interval=check.request_interval,
            failure_threshold=check.failure_threshold,
            measure_latency=check.measure_latency,
            checker_regions=check.regions,
        )

    @model_validator(mode="after")
    def _valid_for_route53(self) -> DnsConfig:
        from ..dns import DnsEndpoint

        endpoint = DnsEndpoint(region="check", dns_name="lb.example.com", zone_id="Z0")
        try:
            self.failover_args(endpoint, None)
        except ValueError as exc:
            raise _in_config_terms(exc, "healthCheck.") from None
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

    def backup_args(
        self,
        *,
        vault_name: str,
        kms_key_arn: pulumi.Input[str],
        resource_arns: Sequence[pulumi.Input[str]],
        peer_vault: tuple[str, str] | None,
        failure_topic_arn: pulumi.Input[str] | None = None,
    ) -> BackupArgs:
        """The Backup arguments of one region (raises ValueError). `peer_vault` is the other
        region's (region, vault name) that receives copies; a region with nothing to back up
        (`resource_arns` empty) makes no copies."""
        from ..backup import BackupArgs, BackupCopy

        copies = []
        if resource_arns and self.copy_to_other_region and peer_vault is not None:
            region, name = peer_vault
            copies.append(
                BackupCopy(
                    region=region, vault_name=name, delete_after_days=self.copy_delete_after_days
                )
            )
        if resource_arns and self.cross_account_vault_arn:
            copies.append(BackupCopy(vault_arn=self.cross_account_vault_arn))
        return BackupArgs(
            vault_name=vault_name,
            kms_key_arn=kms_key_arn,
            resource_arns=resource_arns,
            schedule=self.schedule,
            start_window_minutes=self.start_window_minutes,
            completion_window_minutes=self.completion_window_minutes,
            delete_after_days=self.delete_after_days,
            cold_storage_after_days=self.cold_storage_after_days,
            copies=copies,
            enable_continuous_backup=self.continuous,
            lock_min_retention_days=self.lock_min_retention_days,
            protect_vault=self.protect_vault,
            failure_topic_arn=failure_topic_arn,
        )

    @model_validator(mode="after")
    def _valid_for_aws_backup(self) -> BackupConfig:
        try:
            self.backup_args(
                vault_name=f"x-{self.vault_name}",
                kms_key_arn="key",
                resource_arns=[PLACEHOLDER_ARN],
                peer_vault=("us-east-1", "config-check"),
            )
        except ValueError as exc:
            raise _in_config_terms(exc) from None
        return self
