"""DNS failover between the regions' load balancers (M2): a Route 53 health check per load
balancer and PRIMARY/SECONDARY failover alias records in a configured hosted zone, with only
the health-check parameters valid for the check's type (P8).

Route 53 is a global service; the component still takes its provider from `opts` like every
other component (S7) — the stack passes the primary region's provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from policy.awsfacts.route53 import health_check_problems

from .naming import child_name, name_tag, token

# The health-check rules' field names as this component's arguments spell them.
ARGUMENT_NAMES = {
    "path": "health_check_path",
    "port": "health_check_port",
    "protocol": "health_check_protocol",
}


@dataclass
class DnsEndpoint:
    """One region's load balancer, the target of an alias record."""

    region: str
    """Region label (used in the record's set identifier and the health check's Name tag)."""
    dns_name: pulumi.Input[str]
    """The load balancer's DNS name: the alias target and the health check's FQDN."""
    zone_id: pulumi.Input[str]
    """The load balancer's canonical hosted zone id (for the alias)."""


@dataclass
class DnsFailoverArgs:
    """Arguments of `DnsFailover`; invalid values raise `ValueError` naming the field."""

    zone_id: pulumi.Input[str]
    """The hosted zone the records go in (from config)."""
    record_name: str
    """The record's name, relative to the zone or fully qualified (`app`, `app.example.com`)."""
    primary: DnsEndpoint
    """The primary region's load balancer."""
    secondary: DnsEndpoint | None = None
    """The secondary region's load balancer; without it the record is a plain alias."""
    health_check_path: str = "/"
    """Path Route 53 requests on each load balancer."""
    health_check_port: int = 443
    health_check_protocol: str = "HTTPS"
    """`HTTPS` or `HTTP` (Route 53 does not validate the certificate of an HTTPS endpoint)."""
    search_string: str | None = None
    """When set, the check also requires this string in the first 5,120 bytes of the body
    (types `HTTPS_STR_MATCH` / `HTTP_STR_MATCH`)."""
    request_interval: int = 30
    """Seconds between checks: 30 (standard) or 10 (fast, billed extra)."""
    failure_threshold: int = 3
    """Consecutive failures (or successes) that flip the status, 1-10."""
    measure_latency: bool = False
    """Latency graphs in CloudWatch; AWS cannot change this after creation (replacement)."""
    checker_regions: Sequence[str] | None = None
    """Regions the health checkers run from (at least three of Route 53's checker regions); all when
    unset."""

    def __post_init__(self) -> None:
        if not self.record_name or self.record_name != self.record_name.strip():
            raise ValueError(f"record_name {self.record_name!r} must be a non-empty DNS name")
        problems = health_check_problems(
            lambda field: ARGUMENT_NAMES.get(field, field),
            path=self.health_check_path,
            port=self.health_check_port,
            protocol=self.health_check_protocol,
            search_string=self.search_string,
            request_interval=self.request_interval,
            failure_threshold=self.failure_threshold,
            checker_regions=self.checker_regions,
        )
        if problems:
            raise ValueError(problems[0])
        if self.secondary is not None and self.secondary.region == self.primary.region:
            raise ValueError(
                f"secondary.region {self.secondary.region!r} must differ from primary.region"
            )

    @property
    def health_check_type(self) -> str:
        """The Route 53 health-check type these arguments describe."""
        suffix = "_STR_MATCH" if self.search_string is not None else ""
        return self.health_check_protocol + suffix


class DnsFailover(pulumi.ComponentResource):
    """Health checks on each region's load balancer and failover alias records (M2).

    With a secondary: a PRIMARY and a SECONDARY alias record (type A), each with its own set
    identifier, the health check of its load balancer and `evaluate_target_health` on, so
    Route 53 answers with the secondary while the primary's endpoint or targets are unhealthy.

    Without a secondary (a one-region stack): one plain alias record — failover with a single
    record would only add a routing policy that can never fail over — and still the health
    check, so the endpoint's availability is measured and can be alarmed on the same way.
    """

    health_check_ids: dict[str, pulumi.Output[str]]
    """Health-check ids by role (`primary`, and `secondary` when there is one)."""
    fqdn: pulumi.Output[str]
    """The record's fully qualified name (the same for both failover records)."""

    def __init__(
        self, name: str, args: DnsFailoverArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("dns", "DnsFailover"), name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)

        endpoints = {"primary": args.primary}
        if args.secondary is not None:
            endpoints["secondary"] = args.secondary
        checks = {role: self._health_check(role, ep) for role, ep in endpoints.items()}
        self.health_check_ids = {role: check.id for role, check in checks.items()}

        if args.secondary is None:
            records = [self._record("primary", args.primary, None, None)]
        else:
            records = [
                self._record(role, ep, role.upper(), checks[role]) for role, ep in endpoints.items()
            ]
        self.fqdn = records[0].fqdn
        self.register_outputs({"health_check_ids": self.health_check_ids, "fqdn": self.fqdn})

    def _health_check(self, role: str, endpoint: DnsEndpoint) -> aws.route53.HealthCheck:
        args = self._args
        name = child_name(self._name, role)
        # Only the parameters of an endpoint check: the CloudWatch-metric and calculated-check
        # parameters (insufficient_data_health_status, cloudwatch_alarm_*, child_health*) are
        # rejected by Route 53 for HTTP(S) checks (P8).
        return aws.route53.HealthCheck(
            name,
            type=args.health_check_type,
            fqdn=endpoint.dns_name,
            port=args.health_check_port,
            resource_path=args.health_check_path,
            search_string=args.search_string,
            request_interval=args.request_interval,
            failure_threshold=args.failure_threshold,
            measure_latency=args.measure_latency,
            regions=list(args.checker_regions) if args.checker_regions is not None else None,
            tags=name_tag(name, Region=endpoint.region),
            opts=self._child,
        )

    def _record(
        self,
        role: str,
        endpoint: DnsEndpoint,
        failover: str | None,
        check: aws.route53.HealthCheck | None,
    ) -> aws.route53.Record:
        alias = aws.route53.RecordAliasArgs(
            name=endpoint.dns_name, zone_id=endpoint.zone_id, evaluate_target_health=True
        )
        if failover is None:
            return aws.route53.Record(
                child_name(self._name, role),
                zone_id=self._args.zone_id,
                name=self._args.record_name,
                type="A",
                aliases=[alias],
                opts=self._child,
            )
        return aws.route53.Record(
            child_name(self._name, role),
            zone_id=self._args.zone_id,
            name=self._args.record_name,
            type="A",
            aliases=[alias],
            set_identifier=f"{role}-{endpoint.region}",
            failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=failover)],
            health_check_id=check.id if check is not None else None,
            opts=self._child,
        )
