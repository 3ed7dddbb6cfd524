"""Load balancers: request handling of Application Load Balancers, zones, and Classic Load
Balancers, against the Security Hub FSBP controls for Elastic Load Balancing (P4, P6, P12)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import view_of
from .common import as_list, by_type, resource_policy, stack_policy, subnet_places
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
CLASSIC = "aws:elb/loadBalancer:LoadBalancer"
# ELB.12, ELB.14: the desync modes AWS accepts as safe (FSBP's desyncMode parameter).
SAFE_DESYNC_MODES = frozenset({"defensive", "strictest"})


def _application(props: Any) -> bool:
    return (props.get("loadBalancerType") or "application") == "application"


# --------------------------------------------------------------------------------------------
# Request handling (ELB.4, ELB.12), with a remediation


def _requests(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if not _application(props):
        return
    if props.get("dropInvalidHeaderFields") is not True:
        yield (
            "dropInvalidHeaderFields is not true: set drop_invalid_header_fields=True so "
            "headers that are not valid HTTP never reach the targets"
        )
    mode = props.get("desyncMitigationMode") or "defensive"
    if mode not in SAFE_DESYNC_MODES:
        yield (
            f"desyncMitigationMode is {mode}: use defensive (the default) or strictest against "
            "HTTP desync (request smuggling)"
        )


def _requests_remediation(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    props = dict(args.props)
    if not _application(props):
        return None
    changed = False
    if props.get("dropInvalidHeaderFields") is not True:
        props["dropInvalidHeaderFields"] = True
        changed = True
    if (props.get("desyncMitigationMode") or "defensive") not in SAFE_DESYNC_MODES:
        props["desyncMitigationMode"] = "defensive"
        changed = True
    return props if changed else None


# --------------------------------------------------------------------------------------------
# Availability Zones (ELB.13, ELB.10)


def _zones(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    view = view_of(args.resources)
    for balancer in args.resources:
        props = balancer.props
        if balancer.resource_type in LOAD_BALANCERS:
            mappings = len(as_list(props.get("subnetMappings")))
            places = subnet_places(
                view,
                balancer,
                ("subnets",),
                *(("subnetMappings", i, "subnetId") for i in range(mappings)),
            )
        elif balancer.resource_type == CLASSIC:
            places = subnet_places(view, balancer, ("subnets",)) or set(
                as_list(props.get("availabilityZones"))
            )
        else:
            continue
        if len(places) < 2:
            yield (
                balancer.urn,
                f"load balancer {balancer.name} serves from {len(places)} Availability "
                "Zone(s): give it subnets in at least two AZs",
            )


# --------------------------------------------------------------------------------------------
# Classic Load Balancers (ELB.2, ELB.3, ELB.7, ELB.9, ELB.14)


def _classic(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    for index, listener in enumerate(as_list(props.get("listeners"))):
        protocol = str(listener.get("lbProtocol") or "").lower()
        if protocol not in ("https", "ssl"):
            yield (
                f"listeners[{index}] takes {protocol or 'plain'} traffic: front-end listeners "
                "use HTTPS or SSL"
            )
        elif ":acm:" not in str(listener.get("sslCertificateId") or ""):
            yield (
                f"listeners[{index}].sslCertificateId is not an ACM certificate: use one ACM "
                "issues and renews"
            )
    if props.get("connectionDraining") is not True:
        yield "connectionDraining is not true: drain connections before deregistering instances"
    if props.get("crossZoneLoadBalancing") is False:
        yield "crossZoneLoadBalancing is false: spread requests over every zone's instances"
    mode = props.get("desyncMitigationMode") or "defensive"
    if mode not in SAFE_DESYNC_MODES:
        yield f"desyncMitigationMode is {mode}: use defensive or strictest"


POLICIES = [
    resource_policy(
        "alb-request-hardening",
        "P4: Application Load Balancers drop invalid header fields and mitigate HTTP desync "
        "(defensive or strictest).",
        MANDATORY,
        by_type(dict.fromkeys(LOAD_BALANCERS, _requests)),
        Meta(
            category="network",
            requirements=("P4", "C2"),
            controls=("ELB.4", "ELB.12"),
            remediation=(
                "Set drop_invalid_header_fields=True and desync_mitigation_mode 'defensive' or "
                "'strictest' on the load balancer (the remediate level sets both)."
            ),
        ),
        remediate=_requests_remediation,
    ),
    stack_policy(
        "load-balancer-multi-az",
        "P7: load balancers (application, network, gateway and classic) serve from two or "
        "more Availability Zones.",
        MANDATORY,
        _zones,
        Meta(
            category="resilience",
            requirements=("P7",),
            controls=("ELB.13", "ELB.10"),
            remediation="Give the load balancer subnets (or subnet mappings) in two or more AZs.",
        ),
    ),
    resource_policy(
        "classic-load-balancers",
        "P6: Classic Load Balancers take only HTTPS/SSL with ACM certificates, drain "
        "connections, balance across zones and mitigate HTTP desync.",
        MANDATORY,
        by_type({CLASSIC: _classic}),
        Meta(
            category="transport",
            requirements=("P6",),
            controls=("ELB.2", "ELB.3", "ELB.7", "ELB.9", "ELB.14"),
            remediation=(
                "Prefer an Application Load Balancer. On a Classic one: HTTPS/SSL listeners "
                "with ACM certificates, connection_draining=True, cross_zone_load_balancing=True "
                "and desync_mitigation_mode 'defensive' or 'strictest'."
            ),
        ),
    ),
]
