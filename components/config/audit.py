"""Config of the audit tier: alert subscriptions, alarm thresholds, AWS Config and the account
hygiene the stack may own (A1, A4-A9)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .base import Section, check_retention

# A deliberately plain check: one @, no spaces, a dot in the domain. SNS sends a confirmation
# mail anyway; this only catches typos such as a missing domain before a deploy.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# AWS Config managed rules this program knows. Rules marked account-wide evaluate global
# (IAM, CloudTrail) resources and are created in the primary region only; the rest are
# created in every region where Config records.
ACCOUNT_WIDE_RULES = frozenset(
    {
        "CLOUD_TRAIL_ENABLED",
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        "IAM_PASSWORD_POLICY",
        "IAM_USER_MFA_ENABLED",
        "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
        "ROOT_ACCOUNT_MFA_ENABLED",
        "IAM_ROOT_ACCESS_KEY_CHECK",
    }
)
REGIONAL_RULES = frozenset(
    {
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "S3_BUCKET_VERSIONING_ENABLED",
        "ENCRYPTED_VOLUMES",
        "EC2_IMDSV2_CHECK",
        "RDS_STORAGE_ENCRYPTED",
        "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
        "RDS_MULTI_AZ_SUPPORT",
        "DB_INSTANCE_BACKUP_ENABLED",
        "VPC_FLOW_LOGS_ENABLED",
        "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
        "RESTRICTED_INCOMING_TRAFFIC",
        "INCOMING_SSH_DISABLED",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "SNS_ENCRYPTED_KMS",
        "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK",
        "ELB_TLS_HTTPS_LISTENERS_ONLY",
        "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        "SECRETSMANAGER_USING_CMK",
    }
)
KNOWN_RULES = ACCOUNT_WIDE_RULES | REGIONAL_RULES

# The controls every stack of this program promises (A2, A3, A5, A7, N6, N8, P1, D2).
DEFAULT_RULES = (
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3_BUCKET_VERSIONING_ENABLED",
    "ENCRYPTED_VOLUMES",
    "RDS_STORAGE_ENCRYPTED",
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "VPC_FLOW_LOGS_ENABLED",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "RESTRICTED_INCOMING_TRAFFIC",
    "INCOMING_SSH_DISABLED",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
)


class SubscriptionConfig(Section):
    """One subscription of the alert topic."""

    protocol: Literal["email", "email-json", "https", "sms", "sqs", "lambda"]
    endpoint: str

    @model_validator(mode="after")
    def _endpoint_fits_protocol(self) -> SubscriptionConfig:
        value = self.endpoint
        if self.protocol.startswith("email") and not _EMAIL.match(value):
            raise ValueError(f"endpoint: {value!r} is not an email address")
        if self.protocol == "https" and not value.startswith("https://"):
            raise ValueError(f"endpoint: {value!r} must be an https:// URL")
        if self.protocol in ("sqs", "lambda") and not value.startswith("arn:"):
            raise ValueError(f"endpoint: {value!r} must be the ARN of the {self.protocol} target")
        if self.protocol == "sms" and not re.fullmatch(r"\+\d{6,15}", value):
            raise ValueError(f"endpoint: {value!r} must be an E.164 phone number (+15551234567)")
        return self


class AlarmThresholds(Section):
    """Thresholds of the operational alarms (A6). Each alarm fires after `evaluationPeriods`
    consecutive periods of `periodSeconds` beyond its threshold."""

    period_seconds: Literal[60, 300, 900, 3600] = 300
    evaluation_periods: int = Field(default=2, ge=1, le=24)
    compute_cpu_percent: float = Field(default=80, gt=0, le=100)
    """Average CPU of the Auto Scaling group above which the compute alarm fires."""
    alb_5xx_count: int = Field(default=10, ge=1)
    """Load balancer 5xx responses per period above which the 5xx alarm fires."""
    unhealthy_hosts: int = Field(default=1, ge=1)
    """Unhealthy targets at or above which the unhealthy-hosts alarm fires."""
    database_cpu_percent: float = Field(default=80, gt=0, le=100)
    database_free_storage_gib: float = Field(default=5, gt=0)
    """Free database storage (GiB) below which the storage alarm fires."""
    database_connections: int = Field(default=100, ge=1)
    """Database connections above which the connections alarm fires."""
    database_replica_lag_seconds: int = Field(default=300, ge=1)
    """Seconds a cross-region read replica may lag its source before its alarm fires: the
    writes a promotion would lose."""


class ConfigServiceConfig(Section):
    """AWS Config (A7). Only one configuration recorder may exist per account and region: set
    `enabled: false` where the account already has one (for example from AWS Organizations)."""

    enabled: bool = True
    rules: list[str] = Field(default_factory=lambda: list(DEFAULT_RULES))
    """AWS Config managed rule identifiers; account-wide ones are created in the primary
    region only."""

    additional_rules: list[str] = Field(default_factory=list)
    """Rules added to `rules` (e.g. RDS_MULTI_AZ_SUPPORT where the stack promises Multi-AZ)
    without restating the defaults."""

    @field_validator("rules", "additional_rules")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        for i, rule in enumerate(value):
            if rule not in KNOWN_RULES:
                raise ValueError(
                    f"[{i}]: {rule!r} is not a managed rule this program supports; use one of "
                    + ", ".join(sorted(KNOWN_RULES))
                )
            if rule in value[:i]:
                raise ValueError(f"[{i}]: {rule} is listed twice")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> ConfigServiceConfig:
        for i, rule in enumerate(self.additional_rules):
            if rule in self.rules:
                raise ValueError(f"additionalRules[{i}]: {rule} is already in rules")
        return self

    def all_rules(self) -> list[str]:
        """`rules` followed by `additionalRules`."""
        return [*self.rules, *self.additional_rules]


class HygieneConfig(Section):
    """Account-wide IAM settings the stack may own (A9). An account has one owner for them
    (two stacks owning the password policy would fight): the MFA group is opt-in, the password
    policy follows `ownsAccountBaseline` unless set."""

    mfa_group_name: str | None = None
    """IAM group of human users that gets the MFA-enforcement policy."""
    create_mfa_group: bool = False
    """Create `mfaGroupName` instead of attaching to an existing group."""
    password_policy: bool | None = None
    """Own the account password policy (length 14, all character classes, 24 remembered,
    90-day maximum age). Unset: the stack that owns the account baseline owns it (IAM.7)."""

    @field_validator("mfa_group_name")
    @classmethod
    def _group_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[\w+=,.@-]{1,128}", value):
            raise ValueError(f"{value!r} is not a valid IAM group name")
        return value

    @model_validator(mode="after")
    def _create_needs_name(self) -> HygieneConfig:
        if self.create_mfa_group and self.mfa_group_name is None:
            raise ValueError("createMfaGroup: needs mfaGroupName")
        return self


# Security Hub standards by their ARN path (aws.securityhub.StandardsSubscription docstring:
# `arn:<partition>:securityhub:<region>::standards/<path>`).
SECURITY_HUB_STANDARDS = frozenset(
    {
        "aws-foundational-security-best-practices/v/1.0.0",
        "cis-aws-foundations-benchmark/v/1.4.0",
        "cis-aws-foundations-benchmark/v/3.0.0",
        "nist-800-53/v/5.0.0",
        "pci-dss/v/4.0.1",
    }
)


class AuditConfig(Section):
    """Audit tier options (A1-A10)."""

    alert_emails: list[str] = Field(default_factory=list)
    """Email addresses subscribed to every region's alert topic."""
    alert_subscriptions: list[SubscriptionConfig] = Field(default_factory=list)
    """Further subscriptions (protocol and endpoint) of every region's alert topic."""
    alarms: AlarmThresholds = AlarmThresholds()
    config: ConfigServiceConfig = ConfigServiceConfig()
    trail_log_retention_days: Annotated[int, AfterValidator(check_retention)] | None = None
    """Retention of the CloudTrail log group; defaults to `logging.retentionDays`."""
    own_account_hygiene: HygieneConfig = HygieneConfig()
    protect_buckets: bool = False
    """Mark the trail and Config buckets `protect` so Pulumi refuses to delete them (prod)."""
    owns_account_baseline: bool = False
    """This stack owns the account-wide services (A10): the multi-region trail and its CIS
    alarms, AWS Config's recorder, channel and rules, Security Hub, GuardDuty and the account
    hygiene. Each exists once per account (and region); exactly one stack of an account sets
    this, the others skip them and say so in their outputs, so stacks deploy side by side."""
    security_hub_standards: list[str] = Field(
        default_factory=lambda: [
            "aws-foundational-security-best-practices/v/1.0.0",
            "cis-aws-foundations-benchmark/v/3.0.0",
        ]
    )
    """Security Hub standards the baseline owner subscribes to in each of its regions."""
    guard_duty: bool = True
    """A GuardDuty detector in each region of the baseline owner."""

    @field_validator("security_hub_standards")
    @classmethod
    def _standards(cls, value: list[str]) -> list[str]:
        for index, standard in enumerate(value):
            if standard not in SECURITY_HUB_STANDARDS:
                allowed = ", ".join(sorted(SECURITY_HUB_STANDARDS))
                raise ValueError(f"[{index}]: {standard!r} is not one of {allowed}")
        return value

    @model_validator(mode="after")
    def _hygiene_needs_the_baseline(self) -> AuditConfig:
        hygiene = self.own_account_hygiene
        if (hygiene.mfa_group_name or hygiene.password_policy) and not self.owns_account_baseline:
            raise ValueError(
                "ownAccountHygiene: the MFA group and the password policy are account-wide: "
                "set ownsAccountBaseline: true in the one stack that owns them"
            )
        return self

    @property
    def owns_password_policy(self) -> bool:
        """Whether this stack declares the account password policy."""
        explicit = self.own_account_hygiene.password_policy
        return self.owns_account_baseline if explicit is None else explicit

    @property
    def baseline_status(self) -> str:
        """What the stack's outputs say about the account baseline."""
        if self.owns_account_baseline:
            return "owned by this stack"
        return "skipped: another stack of the account owns it (audit.ownsAccountBaseline)"

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for i, email in enumerate(value):
            if not _EMAIL.match(email):
                raise ValueError(f"[{i}]: {email!r} is not an email address")
        return value

    def subscriptions(self) -> list[SubscriptionConfig]:
        """Every subscription of the alert topic: the emails first, then the others."""
        emails = [SubscriptionConfig(protocol="email", endpoint=e) for e in self.alert_emails]
        return [*emails, *self.alert_subscriptions]
