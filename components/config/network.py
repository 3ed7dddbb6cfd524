"""Config of the regions and the network tier (N1-N8, M1)."""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Section, narrow_networks

# Interface endpoints this program knows how to create (service suffix of
# com.amazonaws.<region>.<service>). Secrets Manager, CloudWatch Logs, KMS and SSM are what the
# rotation function and Session Manager need in private subnets; ECR for containers.
INTERFACE_ENDPOINT_SERVICES = frozenset(
    {
        "secretsmanager",
        "logs",
        "kms",
        "ssm",
        "ssmmessages",
        "ec2messages",
        "ecr.api",
        "ecr.dkr",
        "sts",
        "monitoring",
        "sns",
        "sqs",
        "events",
        "lambda",
        "elasticloadbalancing",
        "autoscaling",
        "ec2",
        "rds",
        "backup",
    }
)

# Subnets derived from the VPC CIDR are VPC prefix + 4 bits (a /16 gives /20s); the tiers take
# fixed slots so that adding an AZ later never renumbers an existing subnet.
DERIVED_SUBNET_BITS = 4
MAX_AZS = 4
TIER_SLOT_OFFSET = {"public": 0, "private": MAX_AZS, "database": 2 * MAX_AZS}


@cache
def _partitions() -> tuple[dict, ...]:
    """botocore's endpoint data: every partition with its regions (no network needed; no
    service model either, which get_available_regions would load)."""
    from botocore.loaders import create_loader

    return tuple(create_loader().load_data("endpoints")["partitions"])


@cache
def known_regions() -> frozenset[str]:
    """Every region of every AWS partition, from botocore's endpoint data."""
    return frozenset(region for partition in _partitions() for region in partition["regions"])


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (`aws`, `aws-us-gov`, `aws-cn`, ...)."""
    for partition in _partitions():
        if region in partition["regions"]:
            return str(partition["partition"])
    for partition in _partitions():
        if re.match(partition["regionRegex"], region):
            return str(partition["partition"])
    return "aws"


class SubnetCidrs(Section):
    """Explicit subnet CIDRs, one per AZ and tier, in the order of the region's `azs` list."""

    public: list[ipaddress.IPv4Network]
    private: list[ipaddress.IPv4Network]
    database: list[ipaddress.IPv4Network]


class RegionConfig(Section):
    """One region of the stack: its role, VPC CIDR and the AZs it spans."""

    name: str
    role: Literal["primary", "secondary"]
    vpc_cidr: ipaddress.IPv4Network
    azs: list[str] = Field(min_length=2, max_length=MAX_AZS)
    subnets: SubnetCidrs | None = None

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in known_regions():
            raise ValueError(f"{value!r} is not an AWS region (for example us-east-1, eu-west-1)")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr_size(cls, value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not 16 <= value.prefixlen <= 24:
            raise ValueError(f"{value} must be between /16 and /24 so that subnets fit in it")
        if not value.is_private:
            raise ValueError(f"{value} is not a private (RFC 1918) range")
        return value

    @model_validator(mode="after")
    def _azs_in_region(self) -> RegionConfig:
        # N3: AZs are an explicit list; each must belong to this region (us-east-1a for
        # us-east-1), which also catches an AZ copied from another region's block.
        pattern = re.compile(rf"^{re.escape(self.name)}[a-z]$")
        for index, az in enumerate(self.azs):
            if not pattern.match(az):
                raise ValueError(
                    f"azs[{index}]: {az!r} is not an availability zone of {self.name} "
                    f"(expected {self.name}a, {self.name}b, ...)"
                )
        if len(set(self.azs)) != len(self.azs):
            raise ValueError(f"azs: lists an availability zone twice: {self.azs}")
        if self.subnets is not None:
            self._check_explicit_subnets(self.subnets)
        return self

    def _check_explicit_subnets(self, subnets: SubnetCidrs) -> None:
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier in ("public", "private", "database"):
            cidrs = getattr(subnets, tier)
            if len(cidrs) != len(self.azs):
                raise ValueError(
                    f"subnets.{tier}: has {len(cidrs)} CIDRs but azs has {len(self.azs)}; "
                    "give one per availability zone"
                )
            for index, cidr in enumerate(cidrs):
                key = f"subnets.{tier}[{index}]"
                if not cidr.subnet_of(self.vpc_cidr):
                    raise ValueError(f"{key}: {cidr} is outside vpcCidr {self.vpc_cidr}")
                for other_key, other in seen:
                    if cidr.overlaps(other):
                        raise ValueError(f"{key}: {cidr} overlaps {other_key} {other}")
                seen.append((key, cidr))

    def subnet_cidrs(self, tier: str) -> list[ipaddress.IPv4Network]:
        """CIDRs of one tier, explicit or derived deterministically from the VPC CIDR (N2)."""
        if self.subnets is not None:
            return list(getattr(self.subnets, tier))
        slots = list(self.vpc_cidr.subnets(prefixlen_diff=DERIVED_SUBNET_BITS))
        offset = TIER_SLOT_OFFSET[tier]
        return slots[offset : offset + len(self.azs)]


class NetworkConfig(Section):
    """Network tier options shared by every region."""

    nat_strategy: Literal["single", "per-az"] = "single"
    """`per-az`: one NAT gateway per AZ (HA, prod); `single`: one for the region (cost, dev)."""
    admin_cidrs: list[ipaddress.IPv4Network] = Field(default_factory=list)
    """CIDRs allowed SSH to the app tier. Empty by default: Session Manager is the way in."""
    interface_endpoints: list[str] = Field(
        default_factory=lambda: [
            "secretsmanager",
            "logs",
            "kms",
            "ssm",
            "ssmmessages",
            "ec2messages",
            # FSBP EC2.10, EC2.55, EC2.56 ask every VPC for these three.
            "ec2",
            "ecr.api",
            "ecr.dkr",
        ]
    )
    flow_log_traffic: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"

    @field_validator("admin_cidrs")
    @classmethod
    def _no_world_ssh(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        return narrow_networks(value, "opens SSH to", "the admin network")

    @field_validator("interface_endpoints")
    @classmethod
    def _known_endpoints(cls, value: list[str]) -> list[str]:
        for index, service in enumerate(value):
            if service not in INTERFACE_ENDPOINT_SERVICES:
                allowed = ", ".join(sorted(INTERFACE_ENDPOINT_SERVICES))
                raise ValueError(f"[{index}]: {service!r} is not supported; use one of {allowed}")
        if len(set(value)) != len(value):
            raise ValueError("lists a service twice")
        return value
