"""Network tier and keys under mocks, for the real dev and prod stacks (T1, N1-N9, S2, S3, S7)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import stack_run
from support import stack_config

from policy.harness import CapturedResource, ProgramRun

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
TABLE = "aws:ec2/routeTable:RouteTable"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIC = "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint"
REQUIRED_TAGS = {"Environment", "Project", "Owner", "CostCenter", "ManagedBy"}


def by_id(run: ProgramRun) -> dict[str, CapturedResource]:
    """Resources keyed by their mocked physical id."""
    return {r.id: r for r in run.resources if r.custom}


def subnets(run: ProgramRun, tier: str, region: str | None = None) -> list[CapturedResource]:
    """Subnets of one tier (and region)."""
    return [
        s
        for s in run.of_type(SUBNET)
        if s.inputs["tags"]["Tier"] == tier
        and (region is None or s.inputs["availabilityZone"].startswith(region))
    ]


@pytest.mark.parametrize(
    "stack,azs", [("dev", {"us-east-1": 2}), ("prod", {"us-east-1": 3, "eu-west-1": 3})]
)
def test_three_subnet_tiers_in_every_az(stack: str, azs: dict[str, int]) -> None:
    """N2: a public, a private and a database subnet in each configured AZ of each region;
    no subnet hands out public IPs."""
    run = stack_run(stack)
    for region, count in azs.items():
        for tier in ("public", "private", "database"):
            found = subnets(run, tier, region)
            assert len(found) == count, (region, tier)
            assert len({s.inputs["availabilityZone"] for s in found}) == count
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in run.of_type(SUBNET))


def test_one_vpc_per_region_with_dns(prod: ProgramRun) -> None:
    """N1: one VPC per region with the configured, non-overlapping CIDRs and DNS on."""
    vpcs = prod.of_type("aws:ec2/vpc:Vpc")
    assert sorted(v.inputs["cidrBlock"] for v in vpcs) == ["10.20.0.0/16", "10.30.0.0/16"]
    assert all(v.inputs["enableDnsHostnames"] and v.inputs["enableDnsSupport"] for v in vpcs)


def _routes_of(run: ProgramRun, table: CapturedResource) -> list[CapturedResource]:
    return [r for r in run.of_type(ROUTE) if r.inputs["routeTableId"] == table.id]


def _table_of(run: ProgramRun, subnet: CapturedResource) -> CapturedResource:
    ids = by_id(run)
    (assoc,) = [a for a in run.of_type(ASSOC) if a.inputs["subnetId"] == subnet.id]
    return ids[assoc.inputs["routeTableId"]]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_subnet_is_associated_and_routed_by_tier(stack: str) -> None:
    """N4/N5: public -> IGW; each private subnet -> a NAT gateway in its own AZ (prod) or the
    single NAT (dev); database subnets have no 0.0.0.0/0 route at all."""
    run = stack_run(stack)
    ids = by_id(run)
    per_az = stack == "prod"
    for subnet in run.of_type(SUBNET):
        tier, az = subnet.inputs["tags"]["Tier"], subnet.inputs["availabilityZone"]
        routes = _routes_of(run, _table_of(run, subnet))
        defaults = [r for r in routes if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"]
        if tier == "public":
            assert [ids[r.inputs["gatewayId"]].type for r in defaults] == [
                "aws:ec2/internetGateway:InternetGateway"
            ]
        elif tier == "private":
            (route,) = defaults
            nat = ids[route.inputs["natGatewayId"]]
            nat_az = ids[nat.inputs["subnetId"]].inputs["availabilityZone"]
            if per_az:
                assert nat_az == az, f"{subnet.name} leaves through a NAT in {nat_az}"
            else:
                assert nat_az[:-1] == az[:-1]
        else:
            assert routes == [], f"database subnet {subnet.name} has routes {routes}"


@pytest.mark.parametrize("stack,nats", [("dev", 1), ("prod", 6)])
def test_nat_strategy(stack: str, nats: int) -> None:
    """N4: single NAT in dev, one per AZ in prod, each with its own Elastic IP in a public
    subnet."""
    run = stack_run(stack)
    ids = by_id(run)
    gateways = run.of_type(NAT)
    assert len(gateways) == nats
    assert len({g.inputs["allocationId"] for g in gateways}) == nats
    assert all(ids[g.inputs["subnetId"]].inputs["tags"]["Tier"] == "public" for g in gateways)


def test_nat_per_az_override_on_dev() -> None:
    """N4/S1: the NAT strategy is config, not a stack-name branch."""
    run = stack_run("dev", network={"natStrategy": "per-az"})
    assert len(run.of_type(NAT)) == 2


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_flow_logs_per_vpc_encrypted_with_least_privilege_role(stack: str) -> None:
    """N6: one flow log per VPC, into a KMS-encrypted log group with retention, written by a
    role that may only write to that group."""
    run = stack_run(stack)
    ids = by_id(run)
    vpcs = run.of_type("aws:ec2/vpc:Vpc")
    logs = run.of_type("aws:ec2/flowLog:FlowLog")
    assert sorted(f.inputs["vpcId"] for f in logs) == sorted(v.id for v in vpcs)
    keys = {k.state["arn"] for k in run.of_type("aws:kms/key:Key")}
    for flow_log in logs:
        group = next(
            g
            for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")
            if g.state["arn"] == flow_log.inputs["logDestination"]
        )
        assert group.inputs["kmsKeyId"] in keys
        assert group.inputs["retentionInDays"] in (30, 365)
        role = next(
            r
            for r in run.of_type("aws:iam/role:Role")
            if r.state["arn"] == flow_log.inputs["iamRoleArn"]
        )
        trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
        assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
        assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
        (policy,) = [
            p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
        ]
        (statement,) = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Resource"] == [group.state["arn"], group.state["arn"] + ":*"]
        assert "*" not in json.dumps(statement["Action"])
    assert ids  # every flow log resolved its group and role above


def test_endpoints(prod: ProgramRun) -> None:
    """N7: an S3 gateway endpoint on the private and database route tables and interface
    endpoints with private DNS in the private subnets, behind the endpoint security group that
    admits 443 from the VPC only."""
    ids = by_id(prod)
    endpoints = prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    gateways = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Gateway"]
    assert sorted(e.inputs["serviceName"] for e in gateways) == [
        "com.amazonaws.eu-west-1.s3",
        "com.amazonaws.us-east-1.s3",
    ]
    for gateway in gateways:
        assert len(gateway.inputs["routeTableIds"]) == 4  # 3 private + 1 database
    interface = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"]
    # The services the validated config asks for, which must include FSBP EC2.10, EC2.55,
    # EC2.56 and EC2.57's ec2, ecr.api, ecr.dkr and ssm in every VPC.
    wanted = set(stack_config("prod").network.interface_endpoints)
    assert {"ec2", "ecr.api", "ecr.dkr", "ssm"} <= wanted
    for region in ("us-east-1", "eu-west-1"):
        prefix = f"com.amazonaws.{region}."
        assert {
            e.inputs["serviceName"].removeprefix(prefix)
            for e in interface
            if e.inputs["serviceName"].startswith(prefix)
        } == wanted
    for endpoint in interface:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert {ids[s].inputs["tags"]["Tier"] for s in endpoint.inputs["subnetIds"]} == {"private"}
        (group_id,) = endpoint.inputs["securityGroupIds"]
        rules = [
            r
            for r in prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if r.inputs["securityGroupId"] == group_id
        ]
        vpc = ids[ids[group_id].inputs["vpcId"]]
        assert [(r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in rules] == [
            (443, vpc.inputs["cidrBlock"])
        ]


def _rules(run: ProgramRun, kind: str, group: CapturedResource) -> list[dict]:
    token = f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule"
    return [r.inputs for r in run.of_type(token) if r.inputs["securityGroupId"] == group.id]


def test_security_groups_reference_each_other(dev: ProgramRun) -> None:
    """N8: ALB takes 443/80 from the internet; app only from the ALB; database 5432 only from
    the app and rotation groups; no SSH by default; no group name starts with sg-; the default
    group has no rules."""
    groups = {
        g.name.rsplit("-", 2)[-2]: g for g in dev.of_type("aws:ec2/securityGroup:SecurityGroup")
    }
    assert set(groups) == {"alb", "app", "db", "rotation", "endpoints"}
    alb, app, db, rotation = groups["alb"], groups["app"], groups["db"], groups["rotation"]
    assert sorted((r["fromPort"], r["cidrIpv4"]) for r in _rules(dev, "Ingress", alb)) == [
        (80, "0.0.0.0/0"),
        (443, "0.0.0.0/0"),
    ]
    assert [
        (r["fromPort"], r["referencedSecurityGroupId"]) for r in _rules(dev, "Ingress", app)
    ] == [(8080, alb.id)]
    assert sorted(r["referencedSecurityGroupId"] for r in _rules(dev, "Ingress", db)) == sorted(
        [app.id, rotation.id]
    )
    assert all(r["fromPort"] == 5432 for r in _rules(dev, "Ingress", db))
    assert _rules(dev, "Egress", db) == []
    assert not any(r["fromPort"] == 22 for g in groups.values() for r in _rules(dev, "Ingress", g))
    assert all(not g.inputs["name"].startswith("sg-") for g in groups.values())
    (default,) = dev.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["ingress"] == [] and default.inputs["egress"] == []


def test_ssh_only_from_configured_admin_cidr() -> None:
    """N8 (issue: SSH to instances without a public address could never work): SSH, when
    enabled, goes through an EC2 Instance Connect endpoint in a private subnet that keeps the
    client's address, so the app tier admits port 22 from the admin CIDR only; the endpoint's
    group may only reach the app tier on 22. Without admin CIDRs there is no endpoint."""
    run = stack_run("dev", network={"adminCidrs": ["203.0.113.0/24"]})
    ssh = [
        r
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["fromPort"] == 22
    ]
    assert [r.inputs["cidrIpv4"] for r in ssh] == ["203.0.113.0/24"]
    groups = {g.name: g for g in run.of_type("aws:ec2/securityGroup:SecurityGroup")}
    app, eic = groups["dev-core-us-east-1-app-sg"], groups["dev-core-us-east-1-eic-sg"]
    assert {r.inputs["securityGroupId"] for r in ssh} == {app.id}
    (endpoint,) = run.of_type(EIC)
    assert endpoint.inputs["preserveClientIp"] is True
    # One endpoint per VPC and no update API: the old one goes first (review finding 3).
    assert endpoint.options.delete_before_replace is True
    assert endpoint.inputs["securityGroupIds"] == [eic.id]
    assert endpoint.inputs["subnetId"] in {s.id for s in subnets(run, "private")}
    out = [
        (r.inputs["fromPort"], r.inputs.get("referencedSecurityGroupId"))
        for r in run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] == eic.id
    ]
    assert out == [(22, app.id)]
    assert stack_run("dev").of_type(EIC) == []


def test_rotation_group_only_where_the_function_runs(prod: ProgramRun) -> None:
    """N8 (issue: a rotation group in the replica's region, still admitted to 5432): the
    secondary region runs no rotation function, so it has no rotation security group and its
    database admits the app tier only."""
    names = {g.name for g in prod.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert "prod-core-us-east-1-rotation-sg" in names
    assert "prod-core-eu-west-1-rotation-sg" not in names


def test_endpoint_policies_keep_traffic_in_the_account(prod: ProgramRun) -> None:
    """N7 (issue: endpoints without a policy reach every account): the S3 gateway endpoint
    reaches this account's buckets and the AWS-owned buckets the subnets need (ECR layers,
    Amazon Linux repositories, SSM); interface endpoints admit this account's principals only,
    where the service takes a policy (AWS answers through getVpcEndpointService)."""
    for endpoint in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        document = json.loads(endpoint.inputs["policy"])
        statements = {s["Sid"]: s for s in document["Statement"]}
        region = endpoint.inputs["serviceName"].split(".")[2]
        if endpoint.inputs["vpcEndpointType"] == "Gateway":
            mine = statements["ThisAccountsBuckets"]
            assert mine["Condition"] == {"StringEquals": {"aws:ResourceAccount": "123456789012"}}
            owned = statements["AwsOwnedBucketsTheSubnetsNeed"]
            assert owned["Action"] == "s3:GetObject"
            assert f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*" in owned["Resource"]
            assert all(r.endswith("/*") and "*" not in r[:-2] for r in owned["Resource"])
        else:
            (only,) = statements.values()
            assert only["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
    asked = {
        a["serviceName"]
        for t, a in prod.invokes
        if t == "aws:ec2/getVpcEndpointService:getVpcEndpointService"
    }
    assert "com.amazonaws.us-east-1.secretsmanager" in asked


# AWS's example policy for SSM Agent's AWS-managed buckets, "required only if you are using a
# VPC endpoint" (Systems Manager User Guide, "SSM Agent communications with AWS managed S3
# buckets"), less the Windows-only aws-windows-downloads-<region>: the fleet runs Linux.
SSM_AGENT_BUCKETS = (
    "aws-ssm-{region}",
    "amazon-ssm-{region}",
    "amazon-ssm-packages-{region}",
    "{region}-birdwatcher-prod",
    "aws-ssm-distributor-file-{region}",
    "aws-ssm-document-attachments-{region}",
    "patch-baseline-snapshot-{region}",
)


def test_gateway_reaches_every_bucket_ssm_agent_needs(prod: ProgramRun) -> None:
    """Issue 18, edge N6: the S3 gateway is an allow-list on a route more specific than the
    NAT's, so a bucket missing from it is AccessDenied, not a detour. Every bucket of AWS's
    SSM Agent list is on it, Distributor's package bucket among them."""
    for endpoint in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if endpoint.inputs["vpcEndpointType"] != "Gateway":
            continue
        region = endpoint.inputs["serviceName"].split(".")[2]
        statements = {s["Sid"]: s for s in json.loads(endpoint.inputs["policy"])["Statement"]}
        owned = statements["AwsOwnedBucketsTheSubnetsNeed"]["Resource"]
        wanted = {f"arn:aws:s3:::{b.format(region=region)}/*" for b in SSM_AGENT_BUCKETS}
        assert sorted(wanted - set(owned)) == []


def test_db_subnet_group_has_database_subnets_only(prod: ProgramRun) -> None:
    """N9: the DB subnet group is built from the database subnets only."""
    for group in prod.of_type("aws:rds/subnetGroup:SubnetGroup"):
        region = "eu-west-1" if "eu-west-1" in group.name else "us-east-1"
        assert sorted(group.inputs["subnetIds"]) == sorted(
            s.id for s in subnets(prod, "database", region)
        )


def test_keys_rotate_and_admit_only_their_services(prod: ProgramRun) -> None:
    """Keys: data, logs and secrets CMKs per region with rotation on; the logs key admits
    CloudWatch Logs of its own region and CloudTrail scoped to this account."""
    keys = prod.of_type("aws:kms/key:Key")
    assert sorted(k.name.rsplit("-", 1)[-1] for k in keys) == sorted(
        ["data", "logs", "secrets"] * 2
    )
    assert all(k.inputs["enableKeyRotation"] is True for k in keys)
    assert all(k.inputs["deletionWindowInDays"] == 30 for k in keys)
    eu_logs = next(k for k in keys if k.name == "prod-core-eu-west-1-logs")
    statements = {s["Sid"]: s for s in json.loads(eu_logs.inputs["policy"])["Statement"]}
    assert statements["CloudWatchLogsUseKey"]["Principal"] == {
        "Service": "logs.eu-west-1.amazonaws.com"
    }
    assert statements["CloudTrailEncryptLogs"]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "123456789012"
    }
    assert statements["EnableIamPolicies"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    # Alarms are pinned to this account; EventBridge (backup failures) gets the statement AWS
    # documents for encrypted SNS targets, with no source condition that could drop delivery.
    assert statements["AlarmsUseKey"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statements["AlarmsUseKey"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }
    events = statements["EventBridgeUsesKey"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert "Condition" not in events


def test_data_key_shared_with_the_backup_copy_account() -> None:
    """M4 (issue: a cross-account copy could not read the snapshots): RDS recovery points keep
    the source key, so the account of crossAccountVaultArn may use the primary's data key and
    create grants for AWS resources; no other key is shared."""
    run = stack_run("seed001")
    keys = {k.name: json.loads(k.inputs["policy"]) for k in run.of_type("aws:kms/key:Key")}
    data = {s["Sid"]: s for s in keys["prod-fintx-us-east-1-data"]["Statement"]}
    other = {"AWS": ["arn:aws:iam::210987654321:root"]}
    assert data["BackupCopyAccountsUseKey"]["Principal"] == other
    grant = data["BackupCopyAccountsGrantForAwsResources"]
    assert grant["Principal"] == other
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    for name in ("prod-fintx-us-east-1-logs", "prod-fintx-us-east-1-secrets"):
        assert "210987654321" not in json.dumps(keys[name])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_resource_on_an_explicit_regional_provider(stack: str) -> None:
    """S7: every AWS resource uses one of the explicit per-region providers created by the
    program, and sits in the region of the RegionalStack that parents it."""
    run = stack_run(stack)
    providers = {p.urn: p for p in run.resources if p.type == "pulumi:providers:aws"}
    assert all(p.name.startswith("aws-") for p in providers.values())
    for resource in run.resources:
        if resource.custom and resource.type.startswith("aws:"):
            region = providers[resource.provider_urn].inputs["region"]
            # Global services (Route 53 failover) go through the primary region's provider.
            expected = "us-east-1" if resource.name.startswith(f"{stack}-core-global") else None
            assert region == expected or region in resource.name, resource.urn


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_names_follow_environment_service_region(stack: str) -> None:
    """S2: every resource's logical name starts with <environment>-<service>-<region>."""
    run = stack_run(stack)
    # `global` names the parts that span regions (DNS failover).
    pattern = re.compile(rf"^{stack}-core-(us-east-1|eu-west-1|global)(-|$)")
    for resource in run.resources:
        if not resource.is_provider:
            assert pattern.match(resource.name), resource.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_required_tags_after_default_tag_merge(stack: str) -> None:
    """S3: every taggable resource carries Environment, Project, Owner, CostCenter and
    ManagedBy (from the provider's default tags) plus its own Name tag."""
    run = stack_run(stack)
    taggable = [r for r in run.resources if isinstance(r.inputs.get("tags"), dict)]
    assert len(taggable) > 40
    for resource in taggable:
        tags = resource.inputs["tags"]
        assert set(tags) >= REQUIRED_TAGS, resource.name
        assert tags["Environment"] == stack
        assert tags["Name"].startswith(f"{stack}-core-"), resource.name
