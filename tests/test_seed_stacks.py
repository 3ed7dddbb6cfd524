"""The five systems of the seed reviews as stack configs of this one program (S1, T2).

Each seed stack runs under mocks and has the properties its review asked for; that every stack
file passes the whole pack is tests/policies/test_project_stacks.py's.
"""

from __future__ import annotations

import json

from support import regions, stack_run

from policy.harness import ProgramRun

SEEDS = ["seed000", "seed001", "seed002", "seed003", "seed004"]


def regions_of(run: ProgramRun) -> list[str]:
    """Regions of the run's explicit providers (the program makes one per configured region)."""
    found = sorted(p.inputs["region"] for p in run.of_type("pulumi:providers:aws"))
    assert found == sorted(regions(run.stack))
    return found


def test_seed000_single_region_with_parameter_rotation_and_mfa() -> None:
    """Seed 000 (R7, A9, N4, D1): one region, two AZs, NAT per AZ, Multi-AZ RDS, a scheduled
    Parameter Store password rotation, SecureString settings, MFA enforcement for humans."""
    run = stack_run("seed000")
    assert regions_of(run) == ["us-east-1"]
    assert len(run.of_type("aws:ec2/natGateway:NatGateway")) == 2
    (db,) = run.of_type("aws:rds/instance:Instance")
    assert db.inputs["multiAz"] is True and db.inputs["storageEncrypted"] is True
    (rule,) = [
        r
        for r in run.of_type("aws:cloudwatch/eventRule:EventRule")
        if "scheduleExpression" in r.inputs
    ]
    assert rule.inputs["scheduleExpression"] == "rate(30 days)"
    parameters = run.of_type("aws:ssm/parameter:Parameter")
    assert len(parameters) == 2 and all(p.inputs["type"] == "SecureString" for p in parameters)
    assert run.of_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    mfa = [
        p
        for p in run.of_type("aws:iam/policy:Policy")
        if "MultiFactorAuthPresent" in p.inputs["policy"]
    ]
    assert len(mfa) == 1


def test_seed001_containers_aurora_and_seven_year_logs() -> None:
    """Seed 001 (C8, D1, A3, M4, N7): ECS Fargate behind the ALB, Aurora PostgreSQL with
    readers, ECR endpoints, seven-year log retention, backups copied to another account."""
    run = stack_run("seed001")
    assert run.of_type("aws:ecs/cluster:Cluster")
    assert run.of_type("aws:autoscaling/group:Group") == []
    (cluster,) = run.of_type("aws:rds/cluster:Cluster")
    assert cluster.inputs["engine"] == "aurora-postgresql"
    assert len(run.of_type("aws:rds/clusterInstance:ClusterInstance")) >= 2
    services = {
        e.inputs["serviceName"].rsplit(".", 2)[-2]
        + "."
        + e.inputs["serviceName"].rsplit(".", 1)[-1]
        for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert {"ecr.api", "ecr.dkr"} <= services
    groups = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert {g.inputs["retentionInDays"] for g in groups} == {2557}
    (plan,) = run.of_type("aws:backup/plan:Plan")
    destinations = [
        c["destinationVaultArn"] for r in plan.inputs["rules"] for c in r.get("copyActions", [])
    ]
    assert any(":210987654321:" in d for d in destinations)


def test_seed002_failover_between_two_regions_with_explicit_azs() -> None:
    """Seed 002 (N3, M2, A7, S2): us-east-2 with three explicit AZs, failover records with
    health checks that use only valid parameters, AWS Config with the real managed policy."""
    run = stack_run("seed002")
    assert regions_of(run) == ["us-east-2", "us-west-2"]
    azs = {s.inputs["availabilityZone"] for s in run.of_type("aws:ec2/subnet:Subnet")}
    assert {"us-east-2a", "us-east-2b", "us-east-2c"} <= azs
    records = run.of_type("aws:route53/record:Record")
    assert sorted(r.inputs["failoverRoutingPolicies"][0]["type"] for r in records) == [
        "PRIMARY",
        "SECONDARY",
    ]
    for check in run.of_type("aws:route53/healthCheck:HealthCheck"):
        assert "insufficientDataHealthStatus" not in check.inputs
    attachments = [
        a.inputs["policyArn"]
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    ]
    assert "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole" in attachments
    assert all(r.inputs["name"] != r.name for r in run.of_type("aws:iam/role:Role"))


def test_seed003_compliance_controls() -> None:
    """Seed 003 (N8, S3, C2, A4): SSH only from 203.0.113.0/24, Environment=Production on every
    taggable resource, TLS 1.2+ listener, unauthorized-API alarm."""
    run = stack_run("seed003")
    ssh = [
        r
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["fromPort"] == 22
    ]
    assert [r.inputs["cidrIpv4"] for r in ssh] == ["203.0.113.0/24"]
    tagged = [r for r in run.resources if isinstance(r.inputs.get("tags"), dict)]
    assert tagged and all(r.inputs["tags"]["Environment"] == "Production" for r in tagged)
    https = [
        listener
        for listener in run.of_type("aws:lb/listener:Listener")
        if listener.inputs["protocol"] == "HTTPS"
    ]
    assert [h.inputs["sslPolicy"] for h in https] == ["ELBSecurityPolicy-TLS13-1-2-2021-06"]
    patterns = json.dumps(
        [f.inputs["pattern"] for f in run.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")]
    )
    assert "UnauthorizedOperation" in patterns


def test_seed004_two_regions_nat_per_az_and_alarms() -> None:
    """Seed 004 (M1, N4, A6, S2): two regions with the full tiers, a NAT per AZ, CPU scaling,
    operational alarms to the topic, names <environment>-<service>-<region>."""
    run = stack_run("seed004")
    assert regions_of(run) == ["eu-west-1", "us-east-1"]
    assert len(run.of_type("aws:ec2/natGateway:NatGateway")) == 6
    assert len(run.of_type("aws:autoscaling/policy:Policy")) == 2
    metrics = {
        a.inputs["metricName"] for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert {"CPUUtilization", "HTTPCode_ELB_5XX_Count", "FreeStorageSpace"} <= metrics
    assert all(
        r.name.startswith(
            ("prod-multiregion-us-east-1", "prod-multiregion-eu-west-1", "prod-multiregion-global")
        )
        for r in run.resources
        if not r.is_provider
    )
