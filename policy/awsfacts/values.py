"""Values AWS accepts for settings that look free-form in the SDK: retention periods, alarm
periods, schedule expressions, backup lifecycles. Each constant and check names its source."""

from __future__ import annotations

import re

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""CloudWatch Logs retention periods (botocore logs shape `Days`; terraform-provider-aws
internal/service/logs/group.go IntInSlice, which also admits 0 for 'never expire')."""

PI_RETENTION_DAYS = frozenset({7, 731, *(31 * month for month in range(1, 24))})
"""Performance Insights retention: 7, 31 * months (1-23) or 731 (botocore rds
CreateDBInstanceMessage.PerformanceInsightsRetentionPeriod: 'If you specify a retention period
that isn't valid, such as 94, Amazon RDS returns an error.')."""

BACKUP_MIN_COLD_DAYS = 90
"""AWS Backup: DeleteAfterDays 'must be at least 90 days after the number of days specified in
MoveToColdStorageAfterDays' (botocore backup shape Lifecycle)."""

ALARM_PERIODS_BELOW_A_MINUTE = (10, 20, 30)
"""CloudWatch PutMetricAlarm Period: 'Valid values are 10, 20, 30, and any multiple of 60'."""
ALARM_MAX_WINDOW_SHORT = 86_400
ALARM_MAX_WINDOW = 604_800


def alarm_period_problem(period: int, evaluation_periods: int | None) -> str | None:
    """What CloudWatch would refuse about an alarm's period (botocore cloudwatch
    PutMetricAlarmInput.Period and EvaluationPeriods: 'Period multiplied by EvaluationPeriods
    can't be more than 604,800 seconds. For alarms with a period of less than one hour, the
    total evaluation period can't be longer than one day')."""
    if period not in ALARM_PERIODS_BELOW_A_MINUTE and (period <= 0 or period % 60):
        return f"period {period} is not 10, 20, 30 or a multiple of 60 seconds"
    if evaluation_periods is not None:
        window = period * evaluation_periods
        limit = ALARM_MAX_WINDOW_SHORT if period < 3600 else ALARM_MAX_WINDOW
        if window > limit:
            return (
                f"period {period} x evaluationPeriods {evaluation_periods} = {window} seconds; "
                f"CloudWatch allows at most {limit} for this period"
            )
    return None


_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_expression(value: int, unit: str) -> str:
    """`rate(1 day)`, `rate(2 days)`: EventBridge wants the singular unit for 1 and the plural
    otherwise (EventBridge User Guide, 'Rate expressions')."""
    if unit not in _RATE_UNITS:
        raise ValueError(f"{unit!r} is not minute, hour or day")
    return f"rate({value} {unit}{'' if value == 1 else 's'})"


def _cron_problem(fields: str) -> str | None:
    parts = fields.split()
    if len(parts) != 6:
        return (
            f"cron({fields}) has {len(parts)} fields; AWS cron expressions have six (minutes "
            "hours day-of-month month day-of-week year)"
        )
    day_of_month, day_of_week = parts[2], parts[4]
    if "?" not in (day_of_month, day_of_week):
        return f"cron({fields}) sets both day-of-month and day-of-week; one of them must be '?'"
    return None


def schedule_problem(expression: str, service: str) -> str | None:
    """What `service` (`events`, `backup` or `secretsmanager`) would refuse about a schedule.

    Sources: EventBridge User Guide 'Rate expressions' ('If the value is equal to 1, then the
    unit must be singular ... greater than 1, the unit must be plural') and 'Cron expressions'
    (six required fields; '?' in day-of-month or day-of-week); botocore backup
    BackupRuleInput.ScheduleExpression ('A CRON expression'); Secrets Manager User Guide
    'Rotation schedules' (rate in hours or days, at most every four hours).
    """
    text = expression.strip()
    cron = _CRON.fullmatch(text)
    if cron:
        return _cron_problem(cron.group(1))
    rate = _RATE.fullmatch(text)
    if service == "backup":
        return f"{text!r} is not a cron(...) expression, the only kind AWS Backup accepts"
    if not rate:
        return f"{text!r} is neither rate(<value> <unit>) nor cron(<six fields>)"
    value, unit = int(rate.group(1)), rate.group(2)
    if value < 1:
        return f"{text!r}: the rate value must be a positive integer"
    base = unit.removesuffix("s")
    if service == "secretsmanager":
        if base not in ("hour", "day"):
            return f"{text!r}: Secrets Manager rotates in hours or days"
        if base == "hour" and value < 4:
            return f"{text!r}: Secrets Manager rotates at most every 4 hours"
        return None
    if base not in _RATE_UNITS:
        return f"{text!r}: the unit must be minute(s), hour(s) or day(s)"
    singular = value == 1
    if singular != (unit == base):
        number = "the singular" if singular else "a plural"
        return f"{text!r}: EventBridge wants {number} unit: {rate_expression(value, base)}"
    return None


def rate_days(expression: str) -> int | None:
    """How many whole days a rate() expression spans (None if it is not a rate)."""
    rate = _RATE.fullmatch(expression.strip())
    if not rate:
        return None
    seconds = int(rate.group(1)) * _RATE_UNITS.get(rate.group(2).removesuffix("s"), 0)
    return seconds // 86_400
