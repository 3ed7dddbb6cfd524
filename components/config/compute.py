"""Config of the compute tier (C1-C8): load balancer, listeners, target group, and either an
Auto Scaling group or an ECS Fargate service behind it."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from policy.awsfacts.elb import tls12_policies

from .base import Section, narrow_networks
from .health_checks import ContainerHealthCheckConfig, HealthCheckConfig, WafConfig
from .instance_types import instance_types

# TLS policies of Application Load Balancers that refuse TLS 1.0 and 1.1 (C2). The API's
# default (ELBSecurityPolicy-2016-08) still accepts TLS 1.0, so the listener always names one.
TLS_POLICIES = tuple(tls12_policies())
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+$")
# The public SSM parameters of Amazon Linux 2023, per CPU architecture (C5).
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
LAUNCHABLE_ARCHITECTURES = ("arm64", "x86_64")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Fargate task sizes: CPU units -> the memory sizes (MiB) AWS accepts with them (C8).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$")
_USER = re.compile(r"^([a-z_][a-z0-9_-]{0,31}|\d+)(:([a-z_][a-z0-9_-]{0,31}|\d+))?$")

DEFAULT_USER_DATA = """#!/bin/bash
# Session Manager is the way in; the agent ships with Amazon Linux 2023.
systemctl enable --now amazon-ssm-agent
"""


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
    ssl_policy: str = DEFAULT_TLS_POLICY
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
    """EC2 instance type; Graviton types (t4g, m7g, ...) run the arm64 image."""
    additional_instance_types: list[str] = Field(default_factory=list)
    """Further instance types the group may launch when `instanceType` runs short in an AZ,
    in order of preference (a mixed instances policy; AutoScaling.6). Same architecture."""
    ami_parameter: str | None = None
    """Public SSM parameter that resolves the AMI (never a hard-coded AMI id, C5); unset:
    Amazon Linux 2023 for the instance type's architecture."""
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
    """Average CPU the target-tracking policy holds the group (or the ECS service) at (C6)."""

    # Containers (C8): used when kind is ecs -------------------------------------------------
    kind: Literal["asg", "ecs"] = "asg"
    """What runs behind the load balancer: an Auto Scaling group (`asg`) or an ECS Fargate
    service (`ecs`)."""
    image_tag: str | None = None
    """Tag of the image in the stack's ECR repository. Unset: the cluster, repository and task
    definition exist but no service is created (it could not stabilise without an image)."""
    task_cpu: int = 256
    """Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384)."""
    task_memory: int = 512
    """Fargate task memory in MiB; must be a size Fargate accepts with `taskCpu`."""
    cpu_architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """CPU architecture of the task (the image must be built for it)."""
    container_user: str = "1000:1000"
    """`uid[:gid]` (or names) the container runs as; root is refused."""
    desired_count: int = Field(default=1, ge=0, le=1000)
    """Tasks the service starts with (the scaling policies own it afterwards)."""
    min_count: int = Field(default=1, ge=0, le=1000)
    max_count: int = Field(default=2, ge=1, le=1000)
    memory_target_percent: float = Field(default=70.0, gt=0, le=100)
    """Average memory the target-tracking policy holds the service at."""
    container_health_check: ContainerHealthCheckConfig = ContainerHealthCheckConfig()
    ecr_keep_images: int = Field(default=10, ge=1, le=1000)
    """Images the repository's lifecycle policy keeps (older ones expire)."""
    green_header_name: str = "X-Deployment"
    green_header_value: str = "green"
    """Requests carrying `<greenHeaderName>: <greenHeaderValue>` are test traffic: during an
    ECS blue/green deployment they reach the new revision before production traffic does."""
    test_traffic_cidrs: list[ipaddress.IPv4Network] = Field(default_factory=list)
    """Sources (IPv4 CIDRs, at most 4) whose requests with the test header reach the revision
    being deployed, such as the deploy pipeline's runners. Empty: no test rule, so nobody
    reaches an untested revision; ECS deploys with the production rule alone."""
    bake_time_minutes: int = Field(default=5, ge=0, le=1440)
    """ECS blue/green: minutes both revisions keep running after production traffic moved, so
    a rollback is instant (ECS requires it for BLUE_GREEN; 0-1440)."""
    waf: WafConfig = WafConfig()

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
        known = instance_types().get(value)
        if known is None:
            raise ValueError(f"{value!r} is not an EC2 instance type (for example t3.micro)")
        if not set(known.architectures) & set(LAUNCHABLE_ARCHITECTURES):
            raise ValueError(
                f"{value!r} runs {', '.join(known.architectures)}, not arm64 or x86_64: Amazon "
                "Linux 2023 has no image for it"
            )
        return value

    @field_validator("ami_parameter")
    @classmethod
    def _public_parameter(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/aws/service/"):
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

    @field_validator("image_tag")
    @classmethod
    def _image_tag(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _IMAGE_TAG.match(value):
            raise ValueError(f"{value!r} is not an image tag (letters, digits, _ . -; max 128)")
        if value == "latest":
            raise ValueError(
                "'latest' cannot identify a release in an immutable repository: use a version "
                "or commit tag"
            )
        return value

    @field_validator("task_cpu")
    @classmethod
    def _task_cpu(cls, value: int) -> int:
        if value not in FARGATE_SIZES:
            allowed = ", ".join(str(c) for c in FARGATE_SIZES)
            raise ValueError(f"{value} is not a Fargate CPU size; use one of {allowed}")
        return value

    @field_validator("container_user")
    @classmethod
    def _non_root(cls, value: str) -> str:
        if not _USER.match(value):
            raise ValueError(f"{value!r} is not uid[:gid] or user[:group]")
        if value.split(":")[0] in ("0", "root"):
            raise ValueError(f"{value!r} runs as root: use a non-root uid such as 1000:1000")
        return value

    @field_validator("green_header_name")
    @classmethod
    def _header_name(cls, value: str) -> str:
        if not _HEADER_NAME.match(value):
            raise ValueError(f"{value!r} is not an HTTP header name (max 40 characters)")
        return value

    @field_validator("test_traffic_cidrs")
    @classmethod
    def _test_sources(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        # An ALB rule holds 5 condition values, not adjustable (ELB User Guide, "Quotas for
        # your Application Load Balancers"); the test header takes one.
        if len(value) > 4:
            raise ValueError(
                f"{len(value)} CIDRs: a listener rule takes at most 4 besides the header"
            )
        return narrow_networks(value, "sends test traffic from", "the pipeline's network")

    @field_validator("green_header_value")
    @classmethod
    def _header_value(cls, value: str) -> str:
        if not 1 <= len(value) <= 128 or any(c in value for c in "*?"):
            raise ValueError(f"{value!r}: use 1-128 characters without wildcards (* ?)")
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
        if not self.min_count <= self.desired_count <= self.max_count:
            raise ValueError(
                f"desiredCount: {self.desired_count} must be between minCount "
                f"({self.min_count}) and maxCount ({self.max_count})"
            )
        for index, other in enumerate(self.additional_instance_types):
            known = instance_types().get(other)
            if known is None:
                raise ValueError(
                    f"additionalInstanceTypes[{index}]: {other!r} is not an EC2 instance type"
                )
            if self.architecture not in known.architectures:
                raise ValueError(
                    f"additionalInstanceTypes[{index}]: {other} does not run "
                    f"{self.architecture} like instanceType {self.instance_type}; the launch "
                    "template's image is for one architecture"
                )
            if self.ebs_optimized and known.ebs_optimized == "unsupported":
                raise ValueError(
                    f"additionalInstanceTypes[{index}]: {other} cannot launch EBS-optimized, "
                    f"which the template asks for {self.instance_type}"
                )
            if other == self.instance_type or other in self.additional_instance_types[:index]:
                raise ValueError(f"additionalInstanceTypes[{index}]: {other} is listed twice")
        if self.ami_parameter is not None:
            named = [a for a in LAUNCHABLE_ARCHITECTURES if a in self.ami_parameter]
            if named and self.architecture not in named:
                raise ValueError(
                    f"amiParameter: {self.ami_parameter!r} is an {named[0]} image but "
                    f"instanceType {self.instance_type} runs {self.architecture}: pick the "
                    f"{self.architecture} parameter or leave amiParameter unset"
                )
        if self.task_memory not in FARGATE_SIZES[self.task_cpu]:
            sizes = FARGATE_SIZES[self.task_cpu]
            allowed = (
                ", ".join(str(m) for m in sizes)
                if len(sizes) <= 4
                else f"{sizes[0]}-{sizes[-1]} in steps of {sizes[1] - sizes[0]}"
            )
            raise ValueError(
                f"taskMemory: {self.task_memory} MiB is not valid with taskCpu {self.task_cpu}; "
                f"use {allowed}"
            )
        return self

    @property
    def architecture(self) -> str:
        """The CPU architecture the instances run: arm64 for Graviton types, else x86_64."""
        archs = instance_types()[self.instance_type].architectures
        return "x86_64" if "x86_64" in archs else "arm64"

    @property
    def image_parameter(self) -> str:
        """The public SSM parameter of the AMI: the configured one, or Amazon Linux 2023 for
        the instance type's architecture."""
        return self.ami_parameter or AL2023_PARAMETER.format(arch=self.architecture)

    @property
    def ebs_optimized(self) -> bool | None:
        """True where EBS optimization must be asked for; None where the type has it always
        (asking is redundant) or not at all (asking fails the launch)."""
        support = instance_types()[self.instance_type].ebs_optimized
        return True if support == "supported" else None

    def container_health_command(self) -> list[str]:
        """The container health check command: the configured one, or an HTTP probe of the
        load balancer's health path on the app port."""
        command = self.container_health_check.command
        if command is not None:
            return list(command)
        url = f"http://localhost:{self.app_port}{self.health_check.path}"
        return ["CMD-SHELL", f"curl -fs {url} || exit 1"]

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
