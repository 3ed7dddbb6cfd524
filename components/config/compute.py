"""Config of the compute tier (C1-C7): load balancer, listeners, target group, Auto Scaling."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from .base import Section

# TLS policies of Application Load Balancers that refuse TLS 1.0 and 1.1 (C2). The API's
# default (ELBSecurityPolicy-2016-08) still accepts TLS 1.0, so the listener always names one.
TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
)

CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

DEFAULT_USER_DATA = """#!/bin/bash
# Session Manager is the way in; the agent ships with Amazon Linux 2023.
systemctl enable --now amazon-ssm-agent
"""


class HealthCheckConfig(Section):
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

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheckConfig:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(
                f"timeoutSeconds: {self.timeout_seconds} must be less than intervalSeconds "
                f"({self.interval_seconds})"
            )
        return self


class ComputeConfig(Section):
    """Compute tier options. Defaults suit dev; Pulumi.prod.yaml sets production values.

    Certificates: ACM certificates are regional, so `certificateArn` is either one ARN (a
    single-region stack) or a map of region name to ARN. Instead, `hostedZoneId` together with
    `domainName` has every region issue its own DNS-validated certificate. A stack whose
    regions cannot all resolve a certificate fails with `compute.certificateArn` named.
    """

    app_port: int = Field(default=8080, ge=1024, le=65535)
    """Port the application listens on behind the load balancer (unprivileged)."""
    certificate_arn: str | dict[str, str] | None = None
    """ACM certificate of the HTTPS listener: an ARN, or a map region -> ARN (C2)."""
    hosted_zone_id: str | None = None
    """Route 53 zone in which to DNS-validate an issued certificate (with `domainName`)."""
    domain_name: str | None = None
    """Name the issued certificate covers (with `hostedZoneId`)."""
    ssl_policy: str = TLS_POLICIES[0]
    """TLS policy of the HTTPS listener; only TLS 1.2+ policies are accepted."""
    deletion_protection: bool = False
    """Load balancer deletion protection (on in prod)."""
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    access_log_prefix: str = "alb"
    """Key prefix of the access logs in the log bucket."""
    access_log_expiration_days: int = Field(default=90, ge=1, le=3653)
    """Days access-log objects are kept."""
    protect_log_bucket: bool = False
    """Pulumi `protect` on the access-log bucket."""
    health_check: HealthCheckConfig = HealthCheckConfig()
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    instance_type: str = "t3.micro"
    ami_parameter: str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    """Public SSM parameter that resolves the AMI (never a hard-coded AMI id, C5)."""
    root_volume_size_gb: int = Field(default=20, ge=8, le=16384)
    user_data: str = DEFAULT_USER_DATA
    """Instance user data (plain text; the program base64-encodes it)."""
    min_size: int = Field(default=1, ge=0, le=100)
    max_size: int = Field(default=2, ge=1, le=100)
    desired_capacity: int = Field(default=1, ge=0, le=100)
    health_check_grace_period_seconds: int = Field(default=300, ge=0, le=7200)
    refresh_min_healthy_percentage: int = Field(default=90, ge=0, le=100)
    """Instance refresh keeps at least this share of capacity healthy while replacing."""
    cpu_target_percent: float = Field(default=50.0, gt=0, le=100)
    """Average CPU the target-tracking policy holds the group at (C6)."""

    @field_validator("ssl_policy")
    @classmethod
    def _tls12(cls, value: str) -> str:
        if value not in TLS_POLICIES:
            raise ValueError(
                f"{value!r} is not a TLS 1.2+ policy; use one of {', '.join(TLS_POLICIES)}"
            )
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _arns(cls, value: str | dict[str, str] | None) -> str | dict[str, str] | None:
        arns = [value] if isinstance(value, str) else list((value or {}).values())
        for arn in arns:
            if not CERTIFICATE_ARN.match(arn):
                raise ValueError(
                    f"{arn!r} is not an ACM certificate ARN "
                    "(arn:aws:acm:<region>:<account>:certificate/<id>)"
                )
        if isinstance(value, dict):
            for region, arn in value.items():
                arn_region = CERTIFICATE_ARN.match(arn).group(1)  # type: ignore[union-attr]
                if arn_region != region:
                    raise ValueError(
                        f"{region}: certificate is in {arn_region}; ACM certificates are "
                        "regional, give one issued in the load balancer's region"
                    )
        return value

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if not _INSTANCE_TYPE.match(value) or value.startswith("db."):
            raise ValueError(f"{value!r} is not an EC2 instance type (for example t3.micro)")
        return value

    @field_validator("ami_parameter")
    @classmethod
    def _public_parameter(cls, value: str) -> str:
        if not value.startswith("/aws/service/"):
            raise ValueError(f"{value!r} must be a public AWS parameter under /aws/service/")
        return value

    @field_validator("domain_name")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is not None and not _DOMAIN.match(value.lower().removeprefix("*.")):
            raise ValueError(f"{value!r} is not a DNS name")
        return value

    @field_validator("access_log_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*", value):
            raise ValueError(f"{value!r}: use letters, digits and / (no leading or trailing /)")
        if "AWSLogs" in value:
            raise ValueError("must not contain AWSLogs (the load balancer adds it)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ComputeConfig:
        if (self.hosted_zone_id is None) != (self.domain_name is None):
            missing = "domainName" if self.domain_name is None else "hostedZoneId"
            raise ValueError(f"{missing}: hostedZoneId and domainName are set together")
        if not self.min_size <= self.desired_capacity <= self.max_size:
            raise ValueError(
                f"desiredCapacity: {self.desired_capacity} must be between minSize "
                f"({self.min_size}) and maxSize ({self.max_size})"
            )
        return self

    @property
    def issues_certificate(self) -> bool:
        """True when each region issues its own DNS-validated certificate."""
        return self.hosted_zone_id is not None and self.domain_name is not None

    def certificate_for(self, region: str) -> str | None:
        """The configured certificate ARN for `region`, if any (a single ARN applies only to
        the region it was issued in)."""
        if isinstance(self.certificate_arn, dict):
            return self.certificate_arn.get(region)
        if isinstance(self.certificate_arn, str):
            match = CERTIFICATE_ARN.match(self.certificate_arn)
            return self.certificate_arn if match and match.group(1) == region else None
        return None
