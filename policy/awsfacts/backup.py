"""What AWS Backup accepts for a plan rule, its copies and a vault lock (botocore backup
`Lifecycle`, `BackupRuleInput`, `PutBackupVaultLockConfigurationInput`; AWS Backup Developer
Guide). The Backup component and the stack config both check against these."""

from __future__ import annotations

import re
from collections.abc import Callable

from .values import BACKUP_MIN_COLD_DAYS, schedule_problem

# `^[a-zA-Z0-9\-\_]{2,50}$`, AWS Backup's vault-name pattern.
VAULT_NAME = re.compile(r"^[A-Za-z0-9_-]{2,50}$")
MIN_START_WINDOW = 60
# Continuous backups (point-in-time restore) are kept 1-35 days and never go to cold storage.
MAX_CONTINUOUS_DAYS = 35
MIN_LOCK_CHANGEABLE_DAYS = 3

Key = Callable[[str], str]
"""Spells a field's name the caller's way (a component's argument, a config key)."""


def lifecycle_problems(key: Key, cold: int | None, delete: int | None) -> list[str]:
    """AWS's lifecycle rules for recovery points (a plan rule's or a copy's)."""
    if delete is not None and delete < 1:
        return [f"{key('delete_after_days')} {delete} must be at least 1"]
    if cold is None:
        return []
    if cold < 1:
        return [f"{key('cold_storage_after_days')} {cold} must be at least 1"]
    if delete is not None and delete < cold + BACKUP_MIN_COLD_DAYS:
        return [
            f"{key('delete_after_days')} {delete} must be at least "
            f"{key('cold_storage_after_days')} + {BACKUP_MIN_COLD_DAYS} "
            f"({cold + BACKUP_MIN_COLD_DAYS}): AWS keeps cold recovery points "
            f"{BACKUP_MIN_COLD_DAYS} days"
        ]
    return []


def rule_problems(
    key: Key,
    *,
    schedule: str,
    start_window_minutes: int,
    completion_window_minutes: int,
    delete_after_days: int,
    cold_storage_after_days: int | None,
    continuous: bool,
) -> list[str]:
    """Why AWS Backup would refuse a plan rule (empty when it would not)."""
    problem = schedule_problem(schedule, "backup")
    if problem:
        return [f"{key('schedule')} {problem}, e.g. 'cron(0 3 * * ? *)'"]
    if start_window_minutes < MIN_START_WINDOW:
        return [
            f"{key('start_window_minutes')} {start_window_minutes} must be at least "
            f"{MIN_START_WINDOW}"
        ]
    if completion_window_minutes < start_window_minutes + 60:
        return [
            f"{key('completion_window_minutes')} {completion_window_minutes} must be at least "
            f"{key('start_window_minutes')} + 60 ({start_window_minutes + 60})"
        ]
    problems = lifecycle_problems(key, cold_storage_after_days, delete_after_days)
    if problems:
        return problems
    if continuous:
        if delete_after_days > MAX_CONTINUOUS_DAYS:
            return [
                f"{key('delete_after_days')} {delete_after_days} must be at most "
                f"{MAX_CONTINUOUS_DAYS} with {key('enable_continuous_backup')}"
            ]
        if cold_storage_after_days is not None:
            return [
                f"{key('cold_storage_after_days')} cannot be used with "
                f"{key('enable_continuous_backup')}"
            ]
    return []


def lock_problems(
    key: Key,
    *,
    delete_after_days: int,
    low: int | None,
    high: int | None = None,
    changeable: int | None = None,
) -> list[str]:
    """Why a vault lock would refuse, or make every backup job fail (a job whose retention is
    outside the lock's range fails)."""
    if low is None:
        if high is not None or changeable is not None:
            return [
                f"{key('lock_max_retention_days')} and {key('lock_changeable_for_days')} need "
                f"{key('lock_min_retention_days')}"
            ]
        return []
    if low < 1:
        return [f"{key('lock_min_retention_days')} {low} must be at least 1"]
    if high is not None and high < low:
        return [
            f"{key('lock_max_retention_days')} {high} must be >= {key('lock_min_retention_days')}"
        ]
    if delete_after_days < low or (high is not None and delete_after_days > high):
        return [
            f"{key('delete_after_days')} {delete_after_days} must lie within the vault lock's "
            f"retention range ({key('lock_min_retention_days')} {low}"
            + (f", {key('lock_max_retention_days')} {high})" if high is not None else ")")
        ]
    if changeable is not None and changeable < MIN_LOCK_CHANGEABLE_DAYS:
        return [
            f"{key('lock_changeable_for_days')} {changeable} must be at least "
            f"{MIN_LOCK_CHANGEABLE_DAYS}"
        ]
    return []
