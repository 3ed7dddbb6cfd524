"""The whole stack's config: identity, tags, regions and one section per tier."""

from __future__ import annotations

import re
from itertools import combinations
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from .audit import AuditConfig
from .base import Section, base_name, check_retention
from .compute import ComputeConfig
from .database import DatabaseConfig
from .network import NetworkConfig, RegionConfig, known_regions, partition_of
from .recovery import BackupConfig, DnsConfig
from .rotation import RotationConfig

_NAME_PART = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Every physical name the program derives from `<environment>-<service>-<region>` must fit its
# type's AWS limit. The tightest today is the AWS Backup plan, autonamed
# `<base>-plan-<7 random>` within Backup's 50 characters (botocore backup BackupPlanName), which
# leaves 37 for the base. tests/test_name_budget.py derives this number from the program.
MAX_BASE_NAME = 37
# ELB User Guide: each load balancer subnet needs "at least a /27 bitmask" and 8 free addresses.
ALB_SUBNET_PREFIX = 27
# AWS reserves the first four and the last address of every subnet.
RESERVED_ADDRESSES = 5
# A Secrets Manager secret's ARN: the name, then the hyphen and six random characters Secrets
# Manager appends (Secrets Manager User Guide, "Secret ARN"; the name allows letters, digits
# and /_+=.@-).
_SECRET_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):secretsmanager:(?P<region>[a-z0-9-]+):"
    r"(?P<account>\d{12}):secret:(?P<name>[A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$"
)
# The logical name of a region's database secret (database/credentials.py); the provider's
# autonaming adds "-" and 7 random characters to it.
_DATABASE_SECRET = "db-credentials"


class LoggingConfig(Section):
    """Retention of every log group the stack creates (A3)."""

    retention_days: Annotated[int, AfterValidator(check_retention)] = 30


class KeysConfig(Section):
    """KMS keys of every region."""

    deletion_window_days: int = Field(default=30, ge=7, le=30)
    """Days a scheduled key deletion waits (7-30): time to notice and cancel a mistake."""
    protect: bool = False
    """Protect the keys from deletion by Pulumi (set in prod)."""


class FailoverConfig(Section):
    """The stack after the primary region was lost and its secondary took over (README,
    "Losing the primary region"; issue 18, data N1). With it, the only region is the former
    secondary, now `primary`: its database is the read replica the operator promoted, which
    keeps the replica's settings and gets no password from the program, and its credentials
    are the secret replica the operator promoted with `stop-replication-to-replica`, which the
    program adopts (rotation, alerts and outputs follow it) instead of creating a secret, a
    first version and a new password. The former replica bucket of the audit trail stays.
    Keep this section for the life of the stack: without it the program would create a new
    secret holding a new password the promoted database never had."""

    from_region: str
    """The lost primary region the stack failed over from (us-east-1 in prod)."""
    database_secret_arn: str
    """ARN of the promoted secret in the surviving region: the same name as the lost region's
    database secret, with this region in its ARN (`aws secretsmanager describe-secret
    --secret-id <name> --region <surviving region> --query ARN`)."""

    @field_validator("from_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in known_regions():
            raise ValueError(f"{value!r} is not an AWS region (the region the stack lost)")
        return value

    @field_validator("database_secret_arn")
    @classmethod
    def _secret_arn(cls, value: str) -> str:
        if not _SECRET_ARN.match(value):
            raise ValueError(
                f"{value!r} is not the full ARN of a Secrets Manager secret "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>); "
                "copy it from `aws secretsmanager describe-secret --query ARN`"
            )
        return value


class StackConfig(Section):
    """Validated, frozen config of one stack (S1, S5). Built only by `load_config`."""

    environment: str
    """Short environment name, first part of every name (`dev`, `prod`)."""
    service: str
    """Service name, second part of every name."""
    environment_tag: str | None = None
    """Value of the Environment tag when it must differ from the short name (`Production`)."""
    owner: str
    cost_center: str
    project: str
    """Value of the Project tag; defaults to the Pulumi project name."""
    account_id: str | None = None
    """When set, the providers refuse to run against any other AWS account."""
    regions: list[RegionConfig] = Field(min_length=1, max_length=2)
    network: NetworkConfig = NetworkConfig()
    logging: LoggingConfig = LoggingConfig()
    keys: KeysConfig = KeysConfig()
    audit: AuditConfig = AuditConfig()
    rotation: RotationConfig = RotationConfig()
    compute: ComputeConfig = ComputeConfig()
    database: DatabaseConfig = DatabaseConfig()
    backup: BackupConfig = BackupConfig()
    dns: DnsConfig = DnsConfig()
    failover: FailoverConfig | None = None
    """Set by the failover runbook once the secondary region has taken over for good."""

    @field_validator("environment", "service")
    @classmethod
    def _name_part(cls, value: str) -> str:
        if not _NAME_PART.match(value) or len(value) > 16:
            raise ValueError(
                f"{value!r} must be lowercase letters, digits and single hyphens, at most 16 "
                "characters (it is part of every resource name)"
            )
        return value

    @field_validator("owner", "cost_center", "project", "environment_tag")
    @classmethod
    def _tag_value(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty (it becomes a required tag)")
        return value

    @field_validator("account_id", mode="before")
    @classmethod
    def _account_id_as_text(cls, value: object) -> object:
        # Tools that parse config as JSON or YAML read an unquoted id as a number; the id is
        # text (a leading zero lost that way fails the 12-digit check below).
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("account_id")
    @classmethod
    def _account_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{12}", value):
            raise ValueError(f"{value!r} is not a 12-digit AWS account id")
        return value

    @model_validator(mode="after")
    def _regions_consistent(self) -> StackConfig:
        names = [r.name for r in self.regions]
        for i, j in combinations(range(len(self.regions)), 2):
            if names[i] == names[j]:
                raise ValueError(f"regions[{j}].name: {names[j]} duplicates regions[{i}].name")
            a, b = self.regions[i].vpc_cidr, self.regions[j].vpc_cidr
            if a.overlaps(b):
                raise ValueError(f"regions[{j}].vpcCidr: {b} overlaps regions[{i}].vpcCidr {a}")
        roles = [r.role for r in self.regions]
        if roles.count("primary") != 1:
            raise ValueError("regions: exactly one region must have role primary")
        if roles.count("secondary") > 1:
            raise ValueError("regions: at most one region may have role secondary")
        self._baseline_owner_pins_its_account()
        self._failover_fits()
        self._names_fit()
        self._subnets_fit()
        self._certificates_cover_regions()
        self._tiers_fit_together()
        return self

    def _baseline_owner_pins_its_account(self) -> None:
        # The baseline's singletons (Security Hub, GuardDuty, the Config recorder, the password
        # policy) exist once per account: an owner deployed into an account that already has
        # one fails, or two owners fight over the password policy (issue 18, data N8). Pinning
        # the account makes the providers refuse any other (allowed_account_ids).
        if self.audit.owns_account_baseline and self.account_id is None:
            raise ValueError(
                "accountId: audit.ownsAccountBaseline is true, so this stack declares the "
                "account's singletons and must name its account: `pulumi config set accountId "
                "<12-digit id>` (the providers then refuse any other account)"
            )

    def _failover_fits(self) -> None:
        # Issue 18, data N1: the adopted secret must be the promoted replica of this stack's
        # database secret, in the surviving region; anything else would point rotation at a
        # secret the promoted database does not log in with.
        failover = self.failover
        if failover is None:
            return
        survivor = self.primary.name
        if len(self.regions) > 1:
            raise ValueError(
                "regions: failover is set, so the stack has only the surviving region; a "
                "secondary region's read replica needs a replica of the database secret, and "
                "the adopted secret is not one this stack manages: leave the second region out"
            )
        if failover.from_region == survivor:
            raise ValueError(
                f"failover.fromRegion: {survivor} is the surviving region; name the lost one"
            )
        if self.database.is_aurora:
            raise ValueError(
                "failover: only an RDS instance (database.engine postgres) has a cross-region "
                "read replica to promote"
            )
        arn = _SECRET_ARN.match(failover.database_secret_arn)
        assert arn is not None  # the field's own validator ran first
        expected = f"{base_name(self.environment, self.service, failover.from_region)}-"
        problems = []
        if arn["region"] != survivor:
            problems.append(
                f"it is in {arn['region']}, and the promoted replica is in {survivor} "
                "(same name, this region's ARN)"
            )
        if partition_of(survivor) != arn["partition"]:
            problems.append(f"its partition is not {partition_of(survivor)}'s")
        if self.account_id is not None and arn["account"] != self.account_id:
            problems.append(f"its account is not accountId {self.account_id}")
        if not arn["name"].startswith(f"{expected}{_DATABASE_SECRET}-"):
            problems.append(
                f"its name is not {expected}{_DATABASE_SECRET}-<suffix>, the database secret "
                f"of {failover.from_region} in this stack"
            )
        if problems:
            raise ValueError(
                "failover.databaseSecretArn: not the promoted database secret: "
                + "; ".join(problems)
            )

    def _names_fit(self) -> None:
        # S2, S5: names are `<environment>-<service>-<region>-...`; refuse what AWS would.
        if f"{self.environment}-".startswith("sg-"):
            raise ValueError(
                f"environment: {self.environment!r} makes every security group name start with "
                "'sg-', which AWS reserves for group ids: choose another environment name"
            )
        for index, region in enumerate(self.regions):
            base = base_name(self.environment, self.service, region.name)
            if len(base) > MAX_BASE_NAME:
                raise ValueError(
                    f"service: {base!r} (environment-service-regions[{index}].name) is "
                    f"{len(base)} characters; the physical names built from it leave room for "
                    f"{MAX_BASE_NAME} (the AWS Backup plan `<base>-plan-<7 random>` must fit in "
                    f"50): shorten environment or service by {len(base) - MAX_BASE_NAME} "
                    "characters"
                )

    def _private_addresses_needed(self) -> tuple[int, str]:
        """Addresses each private subnet must hold, and what they are for."""
        compute, azs = self.compute, min(len(r.azs) for r in self.regions)
        endpoints = len(self.network.interface_endpoints)
        if compute.kind == "ecs":
            # Blue/green runs both revisions at once: twice the tasks.
            workload, what = 2 * compute.max_count, f"2 x maxCount {compute.max_count} tasks"
        else:
            workload, what = compute.max_size, f"maxSize {compute.max_size} instances"
        per_az = -(-workload // azs)
        instance_connect = 1 if self.network.admin_cidrs else 0
        need = endpoints + 1 + instance_connect + per_az
        parts = f"{endpoints} interface endpoints, the rotation function"
        if instance_connect:
            parts += ", the Instance Connect endpoint"
        return need, f"{parts} and {per_az} of {what} per AZ"

    def _subnets_fit(self) -> None:
        # N2, C1: subnets big enough for the load balancer, the endpoints and the workload.
        need, why = self._private_addresses_needed()
        for index, region in enumerate(self.regions):
            explicit = region.subnets is not None
            for tier in ("public", "private"):
                for position, cidr in enumerate(region.subnet_cidrs(tier)):
                    key = (
                        f"regions[{index}].subnets.{tier}[{position}]"
                        if explicit
                        else f"regions[{index}].vpcCidr"
                    )
                    hint = (
                        "give a larger subnet"
                        if explicit
                        else f"{region.vpc_cidr} derives /{cidr.prefixlen} subnets; use a larger "
                        "VPC or set subnets explicitly"
                    )
                    if tier == "public" and cidr.prefixlen > ALB_SUBNET_PREFIX:
                        raise ValueError(
                            f"{key}: public subnet {cidr} is smaller than the /{ALB_SUBNET_PREFIX} "
                            f"the load balancer needs (ELB User Guide): {hint}"
                        )
                    usable = cidr.num_addresses - RESERVED_ADDRESSES
                    if tier == "private" and usable < need:
                        raise ValueError(
                            f"{key}: private subnet {cidr} has {usable} usable addresses; each "
                            f"needs {need} ({why}): {hint}"
                        )

    def _tiers_fit_together(self) -> None:
        if len(self.regions) > 1 and self.database.is_aurora:
            # The secondary region's database is a cross-region read replica of an RDS
            # instance; an Aurora global database is not built by this program.
            raise ValueError(
                "database.engine: a stack with a secondary region needs engine postgres (its "
                "database becomes a cross-region read replica); aurora-postgresql is "
                "single-region here"
            )
        if self.compute.kind == "ecs":
            missing = {"ecr.api", "ecr.dkr", "logs"} - set(self.network.interface_endpoints)
            if missing:
                raise ValueError(
                    f"network.interfaceEndpoints: compute.kind ecs pulls images and writes logs "
                    f"from private subnets; add {', '.join(sorted(missing))}"
                )
        if self.rotation.ca_bundle_file is None:
            others = [r.name for r in self.regions if partition_of(r.name) != "aws"]
            if others:
                raise ValueError(
                    f"rotation.caBundleFile: {', '.join(others)} is outside the commercial "
                    "partition, whose RDS trust store is the only one pinned here: download "
                    "that partition's RDS CA bundle, check it, and name the file"
                )
        if "secretsmanager" not in self.network.interface_endpoints:
            raise ValueError(
                "network.interfaceEndpoints: must include secretsmanager; the rotation "
                "function reaches Secrets Manager only through that endpoint"
            )
        longest = max(
            len(f"{base_name(self.environment, self.service, r.name)}-{self.backup.vault_name}")
            for r in self.regions
        )
        if longest > 50:
            raise ValueError(
                f"backup.vaultName: <environment>-<service>-<region>-{self.backup.vault_name} is "
                f"{longest} characters; AWS Backup allows 50: shorten vaultName or service"
            )

    def _certificates_cover_regions(self) -> None:
        # C2, S5: the HTTPS listener needs a certificate in every region, either configured
        # (ACM certificates are regional) or issued through the configured hosted zone.
        if self.compute.issues_certificate:
            return
        missing = [r.name for r in self.regions if self.compute.certificate_for(r.name) is None]
        if missing:
            raise ValueError(
                f"compute.certificateArn: no ACM certificate for {', '.join(missing)}; HTTPS is "
                "required: set compute.certificateArn (an ARN, or a map region -> ARN) or "
                "compute.hostedZoneId with compute.domainName to issue one"
            )

    @property
    def primary(self) -> RegionConfig:
        """The primary region's config."""
        return next(r for r in self.regions if r.role == "primary")

    @property
    def secondary(self) -> RegionConfig | None:
        """The secondary region's config, if the stack has one."""
        return next((r for r in self.regions if r.role == "secondary"), None)

    def tags(self) -> dict[str, str]:
        """The tags every resource carries through the providers' default tags (S3)."""
        return {
            "Environment": self.environment_tag or self.environment,
            "Project": self.project,
            "Owner": self.owner,
            "CostCenter": self.cost_center,
            "ManagedBy": "pulumi",
        }
