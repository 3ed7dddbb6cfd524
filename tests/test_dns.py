"""DNS failover under mocks (M2, P8): a health check per load balancer with only the parameters
valid for its type, PRIMARY/SECONDARY alias records wired to the right load balancer and health
check, the one-region variant, and invalid parameters rejected before anything is registered."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from components.dns import DnsEndpoint, DnsFailover, DnsFailoverArgs
from policy.harness import ProgramRun, run_inline

ZONE = "Z0123456789ABCDEFGHIJ"
PRIMARY = DnsEndpoint("eu-west-1", "primary-lb-1.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")
SECONDARY = DnsEndpoint(
    "eu-central-1", "secondary-lb-2.eu-central-1.elb.amazonaws.com", "Z215JYRZR1TBD5"
)
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
# Parameters of CLOUDWATCH_METRIC and CALCULATED checks, which Route 53 rejects on HTTP(S) ones.
FOREIGN_PARAMS = {
    "insufficientDataHealthStatus",
    "cloudwatchAlarmName",
    "cloudwatchAlarmRegion",
    "childHealthThreshold",
    "childHealthchecks",
    "ipAddress",
    "routingControlArn",
}


def _dns(secondary: DnsEndpoint | None = SECONDARY, **overrides: object) -> ProgramRun:
    def program() -> None:
        provider = aws.Provider(
            "primary",
            region="eu-west-1",
            default_tags=aws.ProviderDefaultTagsArgs(tags={"Environment": "test"}),
        )
        DnsFailover(
            "test-core-global",
            DnsFailoverArgs(
                zone_id=ZONE,
                record_name="app.example.com",
                primary=PRIMARY,
                secondary=secondary,
                health_check_path="/health",
                **overrides,
            ),
            opts=pulumi.ResourceOptions(providers={"aws": provider}),
        )

    return run_inline(program)


@pytest.fixture(scope="module")
def failover() -> ProgramRun:
    """Two regions with default health-check settings."""
    return _dns()


def _check_for(run: ProgramRun, endpoint: DnsEndpoint) -> object:
    (check,) = [c for c in run.of_type(HEALTH_CHECK) if c.inputs["fqdn"] == endpoint.dns_name]
    return check


def test_health_check_per_load_balancer_with_valid_parameters(failover: ProgramRun) -> None:
    """M2/P8: one HTTPS check per load balancer, on its DNS name, with only endpoint-check
    parameters (never insufficientDataHealthStatus or CloudWatch/calculated ones)."""
    checks = failover.of_type(HEALTH_CHECK)
    assert len(checks) == 2
    for endpoint in (PRIMARY, SECONDARY):
        check = _check_for(failover, endpoint)
        assert check.inputs["type"] == "HTTPS"
        assert check.inputs["port"] == 443
        assert check.inputs["resourcePath"] == "/health"
        assert check.inputs["requestInterval"] == 30
        assert check.inputs["failureThreshold"] == 3
        assert not FOREIGN_PARAMS & set(check.inputs)
        assert check.inputs["tags"]["Region"] == endpoint.region
        assert check.inputs["tags"]["Environment"] == "test"
        assert failover.provider_of(check).name == "primary"


def test_failover_records_alias_the_right_load_balancer(failover: ProgramRun) -> None:
    """M2: a PRIMARY and a SECONDARY alias A record for the same name, each aliasing its own
    load balancer, evaluating target health and carrying its own health check."""
    records = {r.inputs["failoverRoutingPolicies"][0]["type"]: r for r in failover.of_type(RECORD)}
    assert set(records) == {"PRIMARY", "SECONDARY"}
    for role, endpoint in (("PRIMARY", PRIMARY), ("SECONDARY", SECONDARY)):
        record = records[role]
        assert record.inputs["zoneId"] == ZONE
        assert record.inputs["name"] == "app.example.com"
        assert record.inputs["type"] == "A"
        assert record.inputs["aliases"] == [
            {"name": endpoint.dns_name, "zoneId": endpoint.zone_id, "evaluateTargetHealth": True}
        ]
        assert record.inputs["healthCheckId"] == _check_for(failover, endpoint).id
        assert record.inputs["setIdentifier"] == f"{role.lower()}-{endpoint.region}"
        assert "ttl" not in record.inputs and "records" not in record.inputs


def test_single_region_gets_a_plain_alias_and_one_health_check() -> None:
    """M2: without a secondary, a plain alias record (no routing policy to fail over with) and
    the primary's health check."""
    run = _dns(secondary=None)
    (check,) = run.of_type(HEALTH_CHECK)
    assert check.inputs["fqdn"] == PRIMARY.dns_name
    (record,) = run.of_type(RECORD)
    assert record.inputs["aliases"][0]["name"] == PRIMARY.dns_name
    for absent in ("failoverRoutingPolicies", "setIdentifier", "healthCheckId"):
        assert absent not in record.inputs


def test_http_string_match_and_checker_options() -> None:
    """M2: HTTP with a search string becomes HTTP_STR_MATCH; interval, threshold, latency and
    checker regions pass through."""
    run = _dns(
        secondary=None,
        health_check_protocol="HTTP",
        health_check_port=80,
        search_string="ok",
        request_interval=10,
        failure_threshold=1,
        measure_latency=True,
        checker_regions=["us-east-1", "eu-west-1", "ap-southeast-1"],
    )
    (check,) = run.of_type(HEALTH_CHECK)
    assert check.inputs["type"] == "HTTP_STR_MATCH"
    assert check.inputs["searchString"] == "ok"
    assert check.inputs["port"] == 80
    assert check.inputs["requestInterval"] == 10
    assert check.inputs["failureThreshold"] == 1
    assert check.inputs["measureLatency"] is True
    assert check.inputs["regions"] == ["us-east-1", "eu-west-1", "ap-southeast-1"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"request_interval": 20}, "request_interval"),
        ({"failure_threshold": 0}, "failure_threshold"),
        ({"failure_threshold": 11}, "failure_threshold"),
        ({"health_check_protocol": "TCP"}, "health_check_protocol"),
        ({"health_check_port": 0}, "health_check_port"),
        ({"health_check_path": "health"}, "health_check_path"),
        ({"checker_regions": ["us-east-1", "eu-west-1"]}, "checker_regions"),
        ({"checker_regions": ["us-east-1", "eu-west-1", "eu-central-1"]}, "checker_regions"),
        ({"record_name": ""}, "record_name"),
        ({"secondary": DnsEndpoint("eu-west-1", "x", "y")}, "secondary.region"),
    ],
)
def test_invalid_parameters_raise_naming_the_field(overrides: dict, field: str) -> None:
    """P8: values Route 53 would reject fail in the arguments, naming the field."""
    values: dict = {"zone_id": ZONE, "record_name": "app", "primary": PRIMARY, **overrides}
    with pytest.raises(ValueError, match=field):
        DnsFailoverArgs(**values)
