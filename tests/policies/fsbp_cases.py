"""A violating and a compliant program for every Security Hub control a policy claims (P12).

Each case names the control, the policy that claims it, two small programs and a fragment of
the message the violating one must produce. `test_fsbp_controls.py` runs them all and checks
that every claimed control has a case, so a policy cannot claim a control it does not test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .helpers import PROD_TAGS, provider

Program = Callable[[], Any]
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/abc"


@dataclass(frozen=True)
class Case:
    """One control's proof: `bad` violates `policy` with a message containing `fragment`,
    `good` passes it (both under the pack config `config`). `tags` are the provider's default
    tags the programs ask for (None: `helpers.TAGS`), so that their default-provider spelling
    gets the same through stack config."""

    control: str
    policy: str
    bad: Program
    good: Program
    fragment: str
    config: dict[str, Any] | None = None
    tags: Mapping[str, str] | None = None


CASES: list[Case] = []


def case(
    control: str, policy: str, fragment: str, tags: Mapping[str, str] | None = None
) -> Callable[[Callable], Callable]:
    """Register the decorated `(good: bool) -> None` program builder as a case."""

    def register(build: Callable[[bool], None]) -> Callable[[bool], None]:
        CASES.append(
            Case(control, policy, lambda: build(False), lambda: build(True), fragment, tags=tags)
        )
        return build

    return register


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _vpc(o: pulumi.ResourceOptions, name: str = "vpc") -> aws.ec2.Vpc:
    return aws.ec2.Vpc(name, cidr_block="10.0.0.0/16", opts=o)


def _subnets(o: pulumi.ResourceOptions, vpc: aws.ec2.Vpc, zones: list[str]) -> list[Any]:
    return [
        aws.ec2.Subnet(
            f"subnet-{zone}",
            vpc_id=vpc.id,
            cidr_block=f"10.0.{i}.0/24",
            availability_zone=zone,
            opts=o,
        )
        for i, zone in enumerate(zones)
    ]


# -- Encryption -------------------------------------------------------------------------------


@case("RDS.3", "rds-encryption", "storageEncrypted")
def _rds3(good: bool) -> None:
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        storage_encrypted=good,
        kms_key_id=KEY,
        opts=provider(),
    )


@case("RDS.27", "rds-encryption", "storageEncrypted")
def _rds27(good: bool) -> None:
    aws.rds.Cluster(
        "cluster",
        engine="aurora-postgresql",
        storage_encrypted=good,
        kms_key_id=KEY,
        opts=provider(),
    )


@case("EC2.3", "ebs-encryption", "EBS volume")
def _ec2_3(good: bool) -> None:
    aws.ebs.Volume(
        "volume",
        availability_zone="us-east-1a",
        size=8,
        encrypted=good,
        kms_key_id=KEY,
        opts=provider(),
    )


@case("EC2.181", "ebs-encryption", "blockDeviceMappings")
def _ec2_181(good: bool) -> None:
    aws.ec2.LaunchTemplate(
        "template",
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {"encrypted": "true" if good else "false", "kms_key_id": KEY},
            }
        ],
        opts=provider(),
    )


@case("EC2.173", "ebs-encryption", "launchSpecifications[0]")
def _ec2_173(good: bool) -> None:
    aws.ec2.SpotFleetRequest(
        "fleet",
        iam_fleet_role=f"arn:aws:iam::{ACCOUNT}:role/fleet",
        target_capacity=1,
        launch_specifications=[
            {
                "ami": "ami-1",
                "instance_type": "t3.micro",
                "root_block_devices": [{"encrypted": good, "kms_key_id": KEY}],
            }
        ],
        opts=provider(),
    )


@case("CloudTrail.2", "cmk-encryption", "kmsKeyId is not set")
def _cloudtrail2(good: bool) -> None:
    aws.cloudtrail.Trail(
        "trail", s3_bucket_name="b", kms_key_id=KEY if good else None, opts=provider()
    )


@case("Backup.1", "cmk-encryption", "kmsKeyArn")
def _backup1(good: bool) -> None:
    aws.backup.Vault("vault", kms_key_arn=KEY if good else "alias/aws/backup", opts=provider())


@case("KMS.4", "kms-key-rotation", "enableKeyRotation")
def _kms4(good: bool) -> None:
    aws.kms.Key("key", enable_key_rotation=good, opts=provider())


# -- IAM --------------------------------------------------------------------------------------


@case("IAM.1", "iam-least-privilege", "Action '*'")
def _iam1(good: bool) -> None:
    action = "s3:GetObject" if good else "*"
    aws.iam.Policy(
        "policy",
        policy=doc({"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b/*"}),
        opts=provider(),
    )


@case("IAM.21", "iam-least-privilege", "allows ec2:*")
def _iam21(good: bool) -> None:
    action = "ec2:DescribeInstances" if good else "ec2:*"
    aws.iam.Policy(
        "policy",
        policy=doc({"Effect": "Allow", "Action": action, "Resource": "*"}),
        opts=provider(),
    )


@case("KMS.1", "iam-least-privilege", "kms:decrypt on Resource '*'")
def _kms1(good: bool) -> None:
    aws.iam.Policy(
        "policy",
        policy=doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY if good else "*"}),
        opts=provider(),
    )


@case("KMS.2", "iam-least-privilege", "kms:reencryptfrom on Resource '*'")
def _kms2(good: bool) -> None:
    o = provider()
    role = aws.iam.Role(
        "role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        opts=o,
    )
    aws.iam.RolePolicy(
        "inline",
        role=role.id,
        policy=doc(
            {"Effect": "Allow", "Action": "kms:ReEncrypt*", "Resource": KEY if good else "*"}
        ),
        opts=o,
    )


@case("IAM.27", "iam-managed-policy-attachments", "AWSCloudShellFullAccess")
def _iam27(good: bool) -> None:
    name = "ReadOnlyAccess" if good else "AWSCloudShellFullAccess"
    aws.iam.RolePolicyAttachment(
        "attach", role="r", policy_arn=f"arn:aws:iam::aws:policy/{name}", opts=provider()
    )


def _public_statement(good: bool, action: str, resource: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
    }
    if good:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    return statement


@case("KMS.5", "resource-policy-principals", "Principal '*'")
def _kms5(good: bool) -> None:
    aws.kms.Key(
        "key",
        enable_key_rotation=True,
        policy=doc(_public_statement(good, "kms:Decrypt", "*")),
        opts=provider(),
    )


@case("SNS.4", "resource-policy-principals", "Principal '*'")
def _sns4(good: bool) -> None:
    aws.sns.TopicPolicy(
        "policy",
        arn="arn:aws:sns:us-east-1:123456789012:t",
        policy=doc(_public_statement(good, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:t")),
        opts=provider(),
    )


@case("S3.2", "resource-policy-principals", "Principal '*'")
def _s3_2(good: bool) -> None:
    aws.s3.BucketPolicy(
        "policy",
        bucket="b",
        policy=doc(_public_statement(good, "s3:GetObject", "arn:aws:s3:::b/*")),
        opts=provider(),
    )


@case("S3.3", "resource-policy-principals", "Principal '*'")
def _s3_3(good: bool) -> None:
    aws.s3.BucketPolicy(
        "policy",
        bucket="b",
        policy=doc(_public_statement(good, "s3:PutObject", "arn:aws:s3:::b/*")),
        opts=provider(),
    )


# -- Network ----------------------------------------------------------------------------------


def _ingress(good: bool, port: int, cidr: str) -> None:
    # The compliant group opens only HTTPS to the same source.
    key = "ipv6_cidr_blocks" if ":" in cidr else "cidr_blocks"
    port = 443 if good else port
    aws.ec2.SecurityGroup(
        "group",
        ingress=[{"protocol": "tcp", "from_port": port, "to_port": port, key: [cidr]}],
        opts=provider(),
    )


@case("EC2.18", "security-group-ingress", "the internet may reach only ports 80/443")
def _ec2_18(good: bool) -> None:
    _ingress(good, 8443, "0.0.0.0/0")


@case("EC2.19", "security-group-ingress", "port 3306")
def _ec2_19(good: bool) -> None:
    _ingress(good, 3306, "0.0.0.0/0")


@case("EC2.53", "security-group-ingress", "opens SSH")
def _ec2_53(good: bool) -> None:
    _ingress(good, 22, "0.0.0.0/0")


@case("EC2.54", "security-group-ingress", "opens RDP")
def _ec2_54(good: bool) -> None:
    _ingress(good, 3389, "::/0")


@case("RDS.2", "no-public-exposure", "publiclyAccessible")
def _rds2(good: bool) -> None:
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        publicly_accessible=not good,
        opts=provider(),
    )


@case("EC2.9", "no-public-exposure", "associatePublicIpAddress")
def _ec2_9(good: bool) -> None:
    aws.ec2.Instance(
        "instance",
        ami="ami-1",
        instance_type="t3.micro",
        associate_public_ip_address=not good,
        opts=provider(),
    )


@case("EC2.15", "no-public-exposure", "mapPublicIpOnLaunch")
def _ec2_15(good: bool) -> None:
    aws.ec2.Subnet(
        "subnet",
        vpc_id="vpc-1",
        cidr_block="10.0.0.0/24",
        map_public_ip_on_launch=not good,
        opts=provider(),
    )


@case("EC2.25", "no-public-exposure", "networkInterfaces[0].associatePublicIpAddress")
def _ec2_25(good: bool) -> None:
    aws.ec2.LaunchTemplate(
        "template",
        network_interfaces=[{"associate_public_ip_address": "false" if good else "true"}],
        opts=provider(),
    )


@case("AutoScaling.5", "no-public-exposure", "associatePublicIpAddress is true")
def _autoscaling5(good: bool) -> None:
    aws.ec2.LaunchConfiguration(
        "config",
        image_id="ami-1",
        instance_type="t3.micro",
        associate_public_ip_address=not good,
        opts=provider(),
    )


@case("ECS.2", "no-public-exposure", "assignPublicIp")
def _ecs2(good: bool) -> None:
    aws.ecs.Service(
        "service",
        cluster="c",
        task_definition="t",
        launch_type="FARGATE",
        network_configuration={"subnets": ["subnet-1"], "assign_public_ip": not good},
        opts=provider(),
    )


@case("ECS.16", "no-public-exposure", "assignPublicIp")
def _ecs16(good: bool) -> None:
    aws.ecs.TaskSet(
        "set",
        cluster="c",
        service="s",
        task_definition="t",
        network_configuration={"subnets": ["subnet-1"], "assign_public_ip": not good},
        opts=provider(),
    )


def _pab(o: pulumi.ResourceOptions, bucket: Any, on: bool) -> None:
    aws.s3.BucketPublicAccessBlock(
        "block",
        bucket=bucket,
        block_public_acls=True,
        block_public_policy=on,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=o,
    )


@case("S3.8", "no-public-exposure", "blockPublicPolicy not true")
def _s3_8(good: bool) -> None:
    _pab(provider(), "b", good)


def _bucket_with_block(good: bool) -> None:
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    if good:
        _pab(o, bucket.id, True)


for _control in ("S3.8", "S3.2", "S3.3"):
    CASES.append(
        Case(
            _control,
            "s3-bucket-public-access-block",
            lambda: _bucket_with_block(False),
            lambda: _bucket_with_block(True),
            "has no BucketPublicAccessBlock",
        )
    )


@case("EC2.2", "default-security-group-closed", "has rules")
def _ec2_2(good: bool) -> None:
    o = provider()
    vpc = _vpc(o)
    aws.ec2.DefaultSecurityGroup(
        "default",
        vpc_id=vpc.id,
        egress=[]
        if good
        else [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
        opts=o,
    )


@case("EC2.21", "network-acl-ingress", "allows SSH from the whole internet")
def _ec2_21(good: bool) -> None:
    o = provider()
    aws.ec2.NetworkAclRule(
        "rule",
        network_acl_id="acl-1",
        rule_number=100,
        egress=False,
        protocol="tcp",
        rule_action="allow",
        cidr_block="0.0.0.0/0",
        from_port=23 if good else 0,
        to_port=1024,
        opts=o,
    )


@case("EC2.16", "unused-network-acls", "is associated with no subnet")
def _ec2_16(good: bool) -> None:
    o = provider()
    vpc = _vpc(o)
    acl = aws.ec2.NetworkAcl("acl", vpc_id=vpc.id, opts=o)
    # The violating association is of another ACL.
    aws.ec2.NetworkAclAssociation(
        "assoc",
        network_acl_id=acl.id if good else "acl-0123456789abcdef0",
        subnet_id="subnet-1",
        opts=o,
    )


def _endpoints(good: bool, service: str) -> None:
    o = provider()
    vpc = _vpc(o)
    services = ["ec2", "ecr.api", "ecr.dkr", "ssm"]
    for name in services if good else [s for s in services if s != service]:
        aws.ec2.VpcEndpoint(
            f"endpoint-{name.replace('.', '-')}",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.us-east-1.{name}",
            vpc_endpoint_type="Interface",
            opts=o,
        )


def _optional_endpoint(good: bool, service: str) -> None:
    o = provider()
    vpc = _vpc(o)
    if good:
        aws.ec2.VpcEndpoint(
            "endpoint",
            vpc_id=vpc.id,
            vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.us-east-1.{service}",
            opts=o,
        )


# EC2.58 and EC2.60 are checked when requiredServices lists their services.
for _control, _service in (("EC2.58", "ssm-contacts"), ("EC2.60", "ssm-incidents")):
    CASES.append(
        Case(
            _control,
            "vpc-interface-endpoints",
            (lambda s=_service: _optional_endpoint(False, s)),
            (lambda s=_service: _optional_endpoint(True, s)),
            f"no interface endpoint for {_service}",
            config={"vpc-interface-endpoints": {"requiredServices": [_service]}},
        )
    )


for _control, _service in (
    ("EC2.10", "ec2"),
    ("EC2.55", "ecr.api"),
    ("EC2.56", "ecr.dkr"),
    ("EC2.57", "ssm"),
):
    CASES.append(
        Case(
            _control,
            "vpc-interface-endpoints",
            (lambda s=_service: _endpoints(False, s)),
            (lambda s=_service: _endpoints(True, s)),
            f"no interface endpoint for {_service}",
        )
    )


@case("EC2.23", "vpn-and-transit-gateways", "autoAcceptSharedAttachments")
def _ec2_23(good: bool) -> None:
    aws.ec2transitgateway.TransitGateway(
        "tgw", auto_accept_shared_attachments="disable" if good else "enable", opts=provider()
    )


@case("EC2.51", "vpn-and-transit-gateways", "connectionLogOptions.enabled")
def _ec2_51(good: bool) -> None:
    aws.ec2clientvpn.Endpoint(
        "vpn",
        server_certificate_arn=CERT,
        client_cidr_block="10.8.0.0/22",
        authentication_options=[
            {"type": "certificate-authentication", "root_certificate_chain_arn": CERT}
        ],
        connection_log_options={"enabled": good, "cloudwatch_log_group": "vpn" if good else None},
        opts=provider(),
    )


@case("EC2.171", "vpn-and-transit-gateways", "tunnel2LogOptions")
def _ec2_171(good: bool) -> None:
    logged = {"cloudwatch_log_options": {"log_enabled": True, "log_group_arn": "arn:aws:logs:x"}}
    aws.ec2.VpnConnection(
        "vpn",
        customer_gateway_id="cgw-1",
        type="ipsec.1",
        transit_gateway_id="tgw-1",
        tunnel1_log_options=logged,
        tunnel2_log_options=logged if good else None,
        opts=provider(),
    )


# -- Logging ----------------------------------------------------------------------------------


@case("CloudTrail.4", "audit-logging", "enableLogFileValidation")
def _cloudtrail4(good: bool) -> None:
    aws.cloudtrail.Trail(
        "trail",
        s3_bucket_name="b",
        is_multi_region_trail=True,
        enable_log_file_validation=good,
        cloud_watch_logs_group_arn="arn:aws:logs:x:*",
        opts=provider(),
    )


@case("CloudTrail.5", "audit-logging", "cloudWatchLogsGroupArn")
def _cloudtrail5(good: bool) -> None:
    aws.cloudtrail.Trail(
        "trail",
        s3_bucket_name="b",
        is_multi_region_trail=True,
        enable_log_file_validation=True,
        cloud_watch_logs_group_arn="arn:aws:logs:x:*" if good else None,
        opts=provider(),
    )


@case("ELB.5", "audit-logging", "accessLogs is not enabled")
def _elb5(good: bool) -> None:
    aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        subnets=["subnet-1", "subnet-2"],
        access_logs={"bucket": "logs", "enabled": good},
        opts=provider(),
    )


@case("EC2.6", "vpc-flow-logs", "has no FlowLog with trafficType ALL or REJECT")
def _ec2_6(good: bool) -> None:
    o = provider()
    vpc = _vpc(o)
    aws.ec2.FlowLog(
        "flow",
        vpc_id=vpc.id,
        traffic_type="REJECT" if good else "ACCEPT",
        log_destination="arn:aws:logs:x",
        opts=o,
    )


# -- Transport --------------------------------------------------------------------------------


@case("ELB.1", "listener-tls", "HTTP listeners must only redirect to HTTPS")
def _elb1(good: bool) -> None:
    action = (
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
        }
        if good
        else {"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:x"}
    )
    aws.lb.Listener(
        "http",
        load_balancer_arn="arn:lb",
        port=80,
        protocol="HTTP",
        default_actions=[action],
        opts=provider(),
    )


@case("ELB.1", "http-listener-rules", "HTTP listeners must only redirect to HTTPS")
def _elb1_rules(good: bool) -> None:
    # The Config rule fails an HTTP listener whose rules forward, whatever its default does.
    o = provider()
    redirect = {
        "type": "redirect",
        "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
    }
    listener = aws.lb.Listener(
        "http",
        load_balancer_arn="arn:lb",
        port=80,
        protocol="HTTP",
        default_actions=[redirect],
        opts=o,
    )
    aws.lb.ListenerRule(
        "api",
        listener_arn=listener.arn,
        priority=10,
        conditions=[{"path_pattern": {"values": ["/api/*"]}}],
        actions=[
            redirect
            if good
            else {"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:x"}
        ],
        opts=o,
    )


@case("ELB.17", "listener-tls", "is not an allowed TLS 1.2+ policy")
def _elb17(good: bool) -> None:
    policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" if good else "ELBSecurityPolicy-2016-08"
    aws.lb.Listener(
        "https",
        load_balancer_arn="arn:lb",
        port=443,
        protocol="HTTPS",
        ssl_policy=policy,
        certificate_arn=CERT,
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "status_code": "404"},
            }
        ],
        opts=provider(),
    )


@case("ELB.18", "listener-tls", "HTTP listeners must only redirect to HTTPS")
def _elb18(good: bool) -> None:
    _elb1(good)


@case("S3.5", "s3-bucket-tls-only", "denying aws:SecureTransport=false")
def _s3_5(good: bool) -> None:
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    if good:
        aws.s3.BucketPolicy(
            "policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(
                lambda arn: doc(
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                )
            ),
            opts=o,
        )


# -- Resilience -------------------------------------------------------------------------------


def prod(protect: bool = False) -> pulumi.ResourceOptions:
    """An explicit provider whose default tags say Environment=Production."""
    return pulumi.ResourceOptions.merge(
        provider(PROD_TAGS), pulumi.ResourceOptions(protect=protect)
    )


@case("RDS.5", "prod-resilience", "multiAz", tags=PROD_TAGS)
def _rds5(good: bool) -> None:
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        multi_az=good,
        backup_retention_period=7,
        deletion_protection=True,
        final_snapshot_identifier="final",
        opts=prod(protect=True),
    )


@case("RDS.7", "prod-resilience", "deletionProtection", tags=PROD_TAGS)
def _rds7(good: bool) -> None:
    aws.rds.Cluster(
        "cluster",
        engine="aurora-postgresql",
        backup_retention_period=7,
        deletion_protection=good,
        final_snapshot_identifier="final",
        opts=prod(protect=True),
    )


@case("RDS.8", "prod-resilience", "deletionProtection", tags=PROD_TAGS)
def _rds8(good: bool) -> None:
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        multi_az=True,
        backup_retention_period=7,
        deletion_protection=good,
        final_snapshot_identifier="final",
        opts=prod(protect=True),
    )


@case("RDS.11", "prod-resilience", "backupRetentionPeriod is 1", tags=PROD_TAGS)
def _rds11(good: bool) -> None:
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        multi_az=True,
        backup_retention_period=7 if good else 1,
        deletion_protection=True,
        final_snapshot_identifier="final",
        opts=prod(protect=True),
    )


@case("ELB.6", "prod-resilience", "enableDeletionProtection", tags=PROD_TAGS)
def _elb6(good: bool) -> None:
    aws.lb.LoadBalancer(
        "nlb",
        load_balancer_type="network",
        subnets=["subnet-1", "subnet-2"],
        enable_deletion_protection=good,
        opts=prod(),
    )


@case("AutoScaling.6", "prod-resilience", "launches a single instance type", tags=PROD_TAGS)
def _autoscaling6(good: bool) -> None:
    overrides = [
        {"instance_type": t} for t in (["m6i.large", "m7i.large"] if good else ["m6i.large"])
    ]
    aws.autoscaling.Group(
        "group",
        min_size=1,
        max_size=2,
        vpc_zone_identifiers=["subnet-1", "subnet-2"],
        mixed_instances_policy={
            "launch_template": {
                "launch_template_specification": {"launch_template_id": "lt-1"},
                "overrides": overrides,
            }
        },
        opts=prod(),
    )


@case("KMS.3", "prod-resilience", "protect is not set", tags=PROD_TAGS)
def _kms3(good: bool) -> None:
    aws.kms.Key("key", enable_key_rotation=True, opts=prod(protect=good))


@case("RDS.15", "prod-aurora-replicas", "has 1 ClusterInstance", tags=PROD_TAGS)
def _rds15(good: bool) -> None:
    o = prod()
    cluster = aws.rds.Cluster("cluster", engine="aurora-postgresql", opts=o)
    for index in range(2 if good else 1):
        aws.rds.ClusterInstance(
            f"member-{index}",
            cluster_identifier=cluster.id,
            instance_class="db.r6g.large",
            engine="aurora-postgresql",
            opts=o,
        )


@case("ELB.13", "load-balancer-multi-az", "serves from 1 Availability Zone")
def _elb13(good: bool) -> None:
    o = provider()
    subnets = _subnets(o, _vpc(o), ["us-east-1a", "us-east-1b"] if good else ["us-east-1a"])
    aws.lb.LoadBalancer(
        "nlb", load_balancer_type="network", subnets=[s.id for s in subnets], opts=o
    )


@case("ELB.10", "load-balancer-multi-az", "serves from 1 Availability Zone")
def _elb10(good: bool) -> None:
    aws.elb.LoadBalancer(
        "clb",
        availability_zones=["us-east-1a", "us-east-1b"] if good else ["us-east-1a"],
        listeners=[
            {
                "instance_port": 80,
                "instance_protocol": "http",
                "lb_port": 443,
                "lb_protocol": "https",
                "ssl_certificate_id": CERT,
            }
        ],
        opts=provider(),
    )


@case("Lambda.5", "lambda-multi-az", "in one Availability Zone")
def _lambda5(good: bool) -> None:
    o = provider()
    subnets = _subnets(o, _vpc(o), ["us-east-1a", "us-east-1b"] if good else ["us-east-1a"])
    aws.lambda_.Function(
        "function",
        role="arn:aws:iam::123456789012:role/r",
        runtime="python3.12",
        handler="index.handler",
        code=pulumi.AssetArchive({}),
        vpc_config={"subnet_ids": [s.id for s in subnets], "security_group_ids": ["sg-1"]},
        opts=o,
    )


# -- Compute ----------------------------------------------------------------------------------


@case("EC2.8", "ec2-imdsv2", "httpTokens is optional")
def _ec2_8(good: bool) -> None:
    aws.ec2.Instance(
        "instance",
        ami="ami-1",
        instance_type="t3.micro",
        metadata_options={"http_tokens": "required" if good else "optional"},
        opts=provider(),
    )


@case("EC2.170", "ec2-imdsv2", "httpTokens is unset")
def _ec2_170(good: bool) -> None:
    aws.ec2.LaunchTemplate(
        "template",
        metadata_options={"http_tokens": "required"} if good else None,
        opts=provider(),
    )


@case("AutoScaling.3", "ec2-imdsv2", "httpTokens is optional")
def _autoscaling3(good: bool) -> None:
    aws.ec2.LaunchConfiguration(
        "config",
        image_id="ami-1",
        instance_type="t3.micro",
        metadata_options={"http_tokens": "required" if good else "optional"},
        opts=provider(),
    )


@case("EC2.17", "ec2-instance-hardening", "2 network interfaces")
def _ec2_17(good: bool) -> None:
    interfaces = [
        {"network_interface_id": f"eni-{i}", "device_index": i} for i in range(1 if good else 2)
    ]
    aws.ec2.Instance(
        "instance",
        ami="ami-1",
        instance_type="t3.micro",
        network_interfaces=interfaces,
        opts=provider(),
    )


def _attached(good: bool, kind: str) -> None:
    # EC2.9 and EC2.17 made by a resource that attaches to the instance: an Elastic IP
    # association, a network interface attachment. The compliant program attaches it to
    # nothing (the EIP to a network interface of a NAT appliance is another program).
    o = provider()
    instance = aws.ec2.Instance("instance", ami="ami-1", instance_type="t3.micro", opts=o)
    if kind == "eip":
        eip = aws.ec2.Eip("eip", domain="vpc", opts=o)
        if not good:
            aws.ec2.EipAssociation(
                "eip-association", allocation_id=eip.allocation_id, instance_id=instance.id, opts=o
            )
    elif not good:
        interface = aws.ec2.NetworkInterface("second", subnet_id="subnet-1", opts=o)
        aws.ec2.NetworkInterfaceAttachment(
            "second-attachment",
            instance_id=instance.id,
            network_interface_id=interface.id,
            device_index=1,
            opts=o,
        )


CASES += [
    Case(
        "EC2.9",
        "instance-attachments",
        lambda: _attached(False, "eip"),
        lambda: _attached(True, "eip"),
        "a public IPv4 address (EC2.9)",
    ),
    Case(
        "EC2.17",
        "instance-attachments",
        lambda: _attached(False, "eni"),
        lambda: _attached(True, "eni"),
        "adds a second network interface to instance",
    ),
]


@case("EC2.24", "ec2-instance-hardening", "paravirtual")
def _ec2_24(good: bool) -> None:
    aws.ec2.Instance(
        "instance", ami="ami-1", instance_type="m5.large" if good else "m3.medium", opts=provider()
    )


@case("EC2.180", "ec2-instance-hardening", "sourceDestCheck is false")
def _ec2_180(good: bool) -> None:
    aws.ec2.NetworkInterface("eni", subnet_id="subnet-1", source_dest_check=good, opts=provider())


def _group(good: bool, **overrides: Any) -> None:
    o = provider()
    subnets = _subnets(o, _vpc(o), ["us-east-1a", "us-east-1b"])
    values: dict[str, Any] = {
        "min_size": 1,
        "max_size": 2,
        "vpc_zone_identifiers": [s.id for s in subnets],
        "launch_template": {"id": "lt-1"},
        "target_group_arns": ["arn:tg"],
        "health_check_type": "ELB",
    }
    if not good:
        values.update(overrides)
    aws.autoscaling.Group("group", **values, opts=o)


CASES += [
    Case(
        "AutoScaling.1",
        "autoscaling-groups",
        lambda: _group(False, health_check_type="EC2"),
        lambda: _group(True),
        "uses EC2 health checks",
    ),
    Case(
        "AutoScaling.2",
        "autoscaling-groups",
        lambda: _group(False, vpc_zone_identifiers=["subnet-only"]),
        lambda: _group(True),
        "spans 1 Availability Zone",
    ),
    Case(
        "AutoScaling.9",
        "autoscaling-groups",
        lambda: _group(False, launch_template=None, launch_configuration="lc"),
        lambda: _group(True),
        "launches from a launch configuration",
    ),
]


def _container(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "app",
        "image": "app:1",
        "essential": True,
        "user": "1000:1000",
        "readonlyRootFilesystem": True,
        "privileged": False,
        "logConfiguration": {"logDriver": "awslogs", "options": {}},
        "environment": [{"name": "PORT", "value": "8080"}],
        **overrides,
    }


def _task(good: bool, task: dict[str, Any] | None = None, **container: Any) -> None:
    definitions = [_container() if good else _container(**container)]
    aws.ecs.TaskDefinition(
        "task",
        family="app",
        container_definitions=json.dumps(definitions),
        **({} if good else (task or {})),
        opts=provider(),
    )


CASES += [
    Case(
        "ECS.3",
        "ecs-task-definition-hardening",
        lambda: _task(False, {"pid_mode": "host"}),
        lambda: _task(True),
        "pidMode is host",
    ),
    Case(
        "ECS.4",
        "ecs-task-definition-hardening",
        lambda: _task(False, privileged=True),
        lambda: _task(True),
        "is privileged",
    ),
    Case(
        "ECS.5",
        "ecs-task-definition-hardening",
        lambda: _task(False, readonlyRootFilesystem=False),
        lambda: _task(True),
        "writable root file system",
    ),
    Case(
        "ECS.8",
        "ecs-task-definition-hardening",
        lambda: _task(False, environment=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]),
        lambda: _task(True),
        "AWS_SECRET_ACCESS_KEY",
    ),
    Case(
        "ECS.9",
        "ecs-task-definition-hardening",
        lambda: _task(False, logConfiguration=None),
        lambda: _task(True),
        "has no logConfiguration",
    ),
]


@case("ECS.10", "ecs-platform", "platformVersion is 1.3.0")
def _ecs10(good: bool) -> None:
    aws.ecs.Service(
        "service",
        cluster="c",
        task_definition="t",
        launch_type="FARGATE",
        platform_version="LATEST" if good else "1.3.0",
        opts=provider(),
    )


@case("ECS.12", "ecs-platform", "Container Insights is off")
def _ecs12(good: bool) -> None:
    aws.ecs.Cluster(
        "cluster",
        settings=[{"name": "containerInsights", "value": "enhanced" if good else "disabled"}],
        opts=provider(),
    )


def _repository(good: bool, **overrides: Any) -> None:
    o = provider()
    values: dict[str, Any] = {
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": {"scan_on_push": True},
    }
    if not good:
        values.update(overrides)
    repository = aws.ecr.Repository("repo", **values, opts=o)
    if good or "lifecycle" not in overrides:
        aws.ecr.LifecyclePolicy(
            "lifecycle",
            repository=repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "selection": {
                                "tagStatus": "untagged",
                                "countType": "sinceImagePushed",
                                "countUnit": "days",
                                "countNumber": 7,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                }
            ),
            opts=o,
        )


CASES += [
    Case(
        "ECR.1",
        "ecr-repositories",
        lambda: _repository(False, image_scanning_configuration={"scan_on_push": False}),
        lambda: _repository(True),
        "does not scan images",
    ),
    Case(
        "ECR.2",
        "ecr-repositories",
        lambda: _repository(False, image_tag_mutability="MUTABLE"),
        lambda: _repository(True),
        "has mutable tags",
    ),
]


def _ecr3(good: bool) -> None:
    o = provider()
    repository = aws.ecr.Repository(
        "repo",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        opts=o,
    )
    # The violating lifecycle policy is another repository's.
    aws.ecr.LifecyclePolicy(
        "lifecycle",
        repository=repository.name if good else "other",
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 10,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
        opts=o,
    )


CASES.append(
    Case(
        "ECR.3",
        "ecr-repositories",
        lambda: _ecr3(False),
        lambda: _ecr3(True),
        "has no lifecycle policy",
    )
)


@case("Lambda.1", "lambda-public-access", "on behalf of any account")
def _lambda1(good: bool) -> None:
    aws.lambda_.Permission(
        "invoke",
        action="lambda:InvokeFunction",
        function="f",
        principal="s3.amazonaws.com",
        source_arn="arn:aws:s3:::b" if good else None,
        source_account=ACCOUNT if good else None,
        opts=provider(),
    )


@case("Lambda.2", "preflight-lambda-runtime", "python3.8")
def _lambda2(good: bool) -> None:
    aws.lambda_.Function(
        "function",
        role="arn:aws:iam::123456789012:role/r",
        runtime="python3.12" if good else "python3.8",
        handler="index.handler",
        code=pulumi.AssetArchive({}),
        opts=provider(),
    )


# -- Databases --------------------------------------------------------------------------------


def _instance(good: bool, engine: str = "postgres", **bad: Any) -> None:
    values: dict[str, Any] = {
        "instance_class": "db.t3.micro",
        "engine": engine,
        "monitoring_interval": 60,
        "iam_database_authentication_enabled": True,
        "copy_tags_to_snapshot": True,
        "username": "app_admin",
        "auto_minor_version_upgrade": True,
    }
    if not good:
        values.update(bad)
    aws.rds.Instance("db", **values, opts=provider())


def _cluster(good: bool, engine: str = "aurora-postgresql", **bad: Any) -> None:
    values: dict[str, Any] = {
        "engine": engine,
        "iam_database_authentication_enabled": True,
        "copy_tags_to_snapshot": True,
        "master_username": "app_admin",
    }
    if engine == "aurora-mysql":
        values["backtrack_window"] = 86400
    if not good:
        values.update(bad)
    aws.rds.Cluster("cluster", **values, opts=provider())


CASES += [
    Case(
        "RDS.13",
        "rds-configuration",
        lambda: _instance(False, auto_minor_version_upgrade=False),
        lambda: _instance(True),
        "autoMinorVersionUpgrade is false",
    ),
    Case(
        "RDS.6",
        "rds-configuration",
        lambda: _instance(False, monitoring_interval=0),
        lambda: _instance(True),
        "Enhanced Monitoring",
    ),
    Case(
        "RDS.10",
        "rds-configuration",
        lambda: _instance(False, iam_database_authentication_enabled=False),
        lambda: _instance(True),
        "IAM database authentication (postgres supports it)",
    ),
    Case(
        "RDS.12",
        "rds-configuration",
        lambda: _cluster(False, iam_database_authentication_enabled=False),
        lambda: _cluster(True),
        "IAM database authentication on the cluster",
    ),
    Case(
        "RDS.14",
        "rds-configuration",
        lambda: _cluster(False, engine="aurora-mysql", backtrack_window=0),
        lambda: _cluster(True, engine="aurora-mysql"),
        "backtrackWindow is 0",
    ),
    Case(
        "RDS.16",
        "rds-configuration",
        lambda: _cluster(False, copy_tags_to_snapshot=False),
        lambda: _cluster(True),
        "copyTagsToSnapshot",
    ),
    Case(
        "RDS.47",
        "rds-configuration",
        lambda: _cluster(
            False,
            engine="postgres",
            db_cluster_instance_class="db.m6gd.large",
            copy_tags_to_snapshot=False,
        ),
        lambda: _cluster(True, engine="postgres"),
        "copyTagsToSnapshot",
    ),
    Case(
        "RDS.48",
        "rds-configuration",
        lambda: _cluster(
            False,
            engine="mysql",
            db_cluster_instance_class="db.m6gd.large",
            copy_tags_to_snapshot=False,
        ),
        lambda: _cluster(True, engine="mysql"),
        "copyTagsToSnapshot",
    ),
    Case(
        "RDS.17",
        "rds-configuration",
        lambda: _instance(False, copy_tags_to_snapshot=False),
        lambda: _instance(True),
        "copyTagsToSnapshot",
    ),
    Case(
        "RDS.24",
        "rds-configuration",
        lambda: _cluster(False, master_username="postgres"),
        lambda: _cluster(True),
        "masterUsername is the default 'postgres'",
    ),
    Case(
        "RDS.25",
        "rds-configuration",
        lambda: _instance(False, engine="mysql", username="admin"),
        lambda: _instance(True, engine="mysql"),
        "username is the default 'admin'",
    ),
    Case(
        "RDS.35",
        "rds-configuration",
        lambda: _cluster(
            False,
            engine="postgres",
            db_cluster_instance_class="db.m6gd.large",
            auto_minor_version_upgrade=False,
        ),
        lambda: _cluster(True, engine="postgres", db_cluster_instance_class="db.m6gd.large"),
        "autoMinorVersionUpgrade is false",
    ),
]


def _logs(kind: str, engine: str, wanted: list[str], good: bool) -> None:
    exports = wanted if good else wanted[:-1]
    if kind == "instance":
        aws.rds.Instance(
            "db",
            instance_class="db.t3.xlarge",
            engine=engine,
            enabled_cloudwatch_logs_exports=exports,
            opts=provider(),
        )
    else:
        aws.rds.Cluster(
            "cluster", engine=engine, enabled_cloudwatch_logs_exports=exports, opts=provider()
        )


for _control, _kind, _engine, _wanted in (
    ("RDS.9", "instance", "mariadb", ["audit", "error", "general", "slowquery"]),
    ("RDS.34", "cluster", "aurora-mysql", ["error", "general", "slowquery", "audit"]),
    ("RDS.36", "instance", "postgres", ["upgrade", "postgresql"]),
    ("RDS.37", "cluster", "aurora-postgresql", ["postgresql"]),
    ("RDS.40", "instance", "sqlserver-se", ["agent", "error"]),
    ("RDS.42", "instance", "mariadb", ["error", "general", "slowquery", "audit"]),
):
    CASES.append(
        Case(
            _control,
            "rds-log-exports",
            (lambda k=_kind, e=_engine, w=_wanted: _logs(k, e, w, False)),
            (lambda k=_kind, e=_engine, w=_wanted: _logs(k, e, w, True)),
            f"lacks {_wanted[-1]}: a {_engine} database",
        )
    )


def _parameters(good: bool, engine: str, family: str, name: str, value: str) -> None:
    o = provider()
    cluster = engine.startswith("aurora")
    group_type = aws.rds.ClusterParameterGroup if cluster else aws.rds.ParameterGroup
    group = group_type(
        "params", family=family, parameters=[{"name": name, "value": value}] if good else [], opts=o
    )
    if cluster:
        aws.rds.Cluster(
            "cluster", engine=engine, db_cluster_parameter_group_name=group.name, opts=o
        )
    else:
        aws.rds.Instance(
            "db",
            instance_class="db.t3.xlarge",
            engine=engine,
            parameter_group_name=group.name,
            opts=o,
        )


CASES += [
    Case(
        "RDS.41",
        "rds-engine-parameters",
        lambda: _parameters(False, "sqlserver-se", "sqlserver-se-16.0", "rds.force_ssl", "1"),
        lambda: _parameters(True, "sqlserver-se", "sqlserver-se-16.0", "rds.force_ssl", "1"),
        "set rds.force_ssl = 1",
    ),
    Case(
        "RDS.44",
        "rds-engine-parameters",
        lambda: _parameters(False, "mariadb", "mariadb10.11", "require_secure_transport", "ON"),
        lambda: _parameters(True, "mariadb", "mariadb10.11", "require_secure_transport", "ON"),
        "require_secure_transport = ON",
    ),
    Case(
        "RDS.45",
        "rds-engine-parameters",
        lambda: _parameters(False, "aurora-mysql", "aurora-mysql8.0", "server_audit_logging", "1"),
        lambda: _parameters(True, "aurora-mysql", "aurora-mysql8.0", "server_audit_logging", "1"),
        "server_audit_logging = 1",
    ),
]


@case("RDS.43", "rds-engine-parameters", "require_tls=True")
def _rds43(good: bool) -> None:
    aws.rds.Proxy(
        "proxy",
        engine_family="POSTGRESQL",
        role_arn="arn:aws:iam::123456789012:role/p",
        vpc_subnet_ids=["subnet-1"],
        require_tls=good,
        auths=[{"auth_scheme": "SECRETS", "secret_arn": "arn:aws:secretsmanager:x"}],
        opts=provider(),
    )


def _events(good: bool, source: str) -> None:
    o = provider()
    if source == "db-instance":
        target = aws.rds.Instance(
            "db", identifier="orders", instance_class="db.t3.micro", engine="postgres", opts=o
        )
        source_id: Any = target.identifier
        categories = ["configuration change", "failure", "maintenance"]
    elif source == "db-cluster":
        target = aws.rds.Cluster(
            "cluster", cluster_identifier="orders", engine="aurora-postgresql", opts=o
        )
        source_id = target.cluster_identifier
        categories = ["failure", "maintenance"]
    else:
        target = aws.rds.ParameterGroup("params", family="postgres16", opts=o)
        source_id = target.name
        categories = ["configuration change"]
    aws.rds.EventSubscription(
        "events",
        sns_topic="arn:aws:sns:us-east-1:123456789012:alerts",
        source_type=source,
        # The violating subscription misses a category or, with one category, names another
        # source.
        source_ids=[source_id if good or len(categories) > 1 else "another-group"],
        event_categories=categories if good or len(categories) == 1 else categories[1:],
        opts=o,
    )


for _control, _source, _missing in (
    ("RDS.19", "db-cluster", "failure"),
    ("RDS.20", "db-instance", "configuration change"),
    ("RDS.21", "db-parameter-group", "configuration change"),
):
    CASES.append(
        Case(
            _control,
            "rds-event-subscriptions",
            (lambda s=_source: _events(False, s)),
            (lambda s=_source: _events(True, s)),
            f"sends the {_source} events",
        )
    )


@case("RDS.1", "rds-snapshots", "sharedAccounts includes 'all'")
def _rds1(good: bool) -> None:
    aws.rds.Snapshot(
        "snapshot",
        db_instance_identifier="db",
        db_snapshot_identifier="snap",
        shared_accounts=["210987654321"] if good else ["all"],
        opts=provider(),
    )


@case("RDS.4", "rds-snapshots", "kmsKeyId is not a customer-managed key")
def _rds4(good: bool) -> None:
    aws.rds.SnapshotCopy(
        "copy",
        source_db_snapshot_identifier="arn:aws:rds:x:snapshot:s",
        target_db_snapshot_identifier="copy",
        kms_key_id=KEY if good else None,
        opts=provider(),
    )


@case("RDS.46", "rds-private-subnets", "routed to an internet gateway")
def _rds46(good: bool) -> None:
    o = provider()
    vpc = _vpc(o)
    subnets = _subnets(o, vpc, ["us-east-1a", "us-east-1b"])
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, opts=o)
    table = aws.ec2.RouteTable("public", vpc_id=vpc.id, opts=o)
    aws.ec2.Route(
        "default",
        route_table_id=table.id,
        destination_cidr_block="0.0.0.0/0",
        gateway_id=igw.id,
        opts=o,
    )
    if not good:
        aws.ec2.RouteTableAssociation(
            "assoc", route_table_id=table.id, subnet_id=subnets[0].id, opts=o
        )
    group = aws.rds.SubnetGroup("dbnet", subnet_ids=[s.id for s in subnets], opts=o)
    aws.rds.Instance(
        "db",
        instance_class="db.t3.micro",
        engine="postgres",
        db_subnet_group_name=group.name,
        opts=o,
    )


# -- S3 and secrets ---------------------------------------------------------------------------


@case("S3.12", "s3-object-ownership", "still honours ACLs")
def _s3_12(good: bool) -> None:
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    aws.s3.BucketOwnershipControls(
        "ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced" if good else "ObjectWriter"},
        opts=o,
    )


def _access_logged(good: bool) -> None:
    o = provider()
    logs = aws.s3.Bucket("logs", opts=o)
    trail_bucket = aws.s3.Bucket("trail", opts=o)
    aws.cloudtrail.Trail("trail", s3_bucket_name=trail_bucket.id, opts=o)
    # The violating logging configuration is another bucket's.
    aws.s3.BucketLogging(
        "trail",
        bucket=trail_bucket.id if good else "other",
        target_bucket=logs.id,
        target_prefix="trail/",
        opts=o,
    )


for _control in ("CloudTrail.7", "S3.9"):
    CASES.append(
        Case(
            _control,
            "s3-access-logging",
            lambda: _access_logged(False),
            lambda: _access_logged(True),
            "has no server access logging",
        )
    )


@case("S3.13", "s3-lifecycle", "bucket bucket-")
def _s3_13(good: bool) -> None:
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    # The violating lifecycle configuration is another bucket's.
    aws.s3.BucketLifecycleConfiguration(
        "lifecycle",
        bucket=bucket.id if good else "other",
        rules=[
            {
                "id": "old",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": 30},
            }
        ],
        opts=o,
    )


@case("S3.25", "s3-lifecycle", "directory bucket")
def _s3_25(good: bool) -> None:
    o = provider()
    bucket = aws.s3.DirectoryBucket(
        "express", bucket="data--use1-az4--x-s3", location={"name": "use1-az4"}, opts=o
    )
    if good:
        aws.s3.BucketLifecycleConfiguration(
            "lifecycle",
            bucket=bucket.bucket,
            rules=[
                {
                    "id": "expire",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": 30},
                }
            ],
            opts=o,
        )


@case("S3.6", "s3-cross-account-grants", "lets account(s) 210987654321 s3:putbucketpolicy")
def _s3_6(good: bool) -> None:
    o = provider()
    aws.iam.Role(
        "role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        opts=o,
    )
    action = ["s3:GetObject"] if good else ["s3:GetObject", "s3:PutBucketPolicy"]
    aws.s3.BucketPolicy(
        "policy",
        bucket="b",
        policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": action,
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            }
        ),
        opts=o,
    )


@case("S3.19", "s3-access-points", "turns off blockPublicPolicy")
def _s3_19(good: bool) -> None:
    aws.s3.AccessPoint(
        "point",
        bucket="b",
        public_access_block_configuration={
            "block_public_acls": True,
            "block_public_policy": good,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
        opts=provider(),
    )


@case("S3.24", "s3-access-points", "turns off restrictPublicBuckets")
def _s3_24(good: bool) -> None:
    aws.s3control.MultiRegionAccessPoint(
        "mrap",
        details={
            "name": "mrap",
            "regions": [{"bucket": "b"}],
            "public_access_block": {
                "block_public_acls": True,
                "block_public_policy": True,
                "ignore_public_acls": True,
                "restrict_public_buckets": good,
            },
        },
        opts=provider(),
    )


def _secret(good: bool, days: int | None) -> None:
    o = provider()
    secret = aws.secretsmanager.Secret("secret", kms_key_id=KEY, opts=o)
    if days is not None:
        aws.secretsmanager.SecretRotation(
            "rotation",
            secret_id=secret.id,
            rotation_lambda_arn="arn:aws:lambda:x",
            rotation_rules={"automatically_after_days": days},
            opts=o,
        )


CASES += [
    Case(
        "SecretsManager.1",
        "secrets-rotation",
        lambda: _secret(False, None),
        lambda: _secret(True, 30),
        "never rotates",
    ),
    Case(
        "SecretsManager.4",
        "secrets-rotation",
        lambda: _secret(False, 180),
        lambda: _secret(True, 90),
        "rotates every 180 days",
    ),
]


# -- Load balancers ---------------------------------------------------------------------------


@case("ELB.4", "alb-request-hardening", "dropInvalidHeaderFields")
def _elb4(good: bool) -> None:
    aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        subnets=["s-1", "s-2"],
        drop_invalid_header_fields=good,
        opts=provider(),
    )


@case("ELB.12", "alb-request-hardening", "desyncMitigationMode is monitor")
def _elb12(good: bool) -> None:
    aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        subnets=["s-1", "s-2"],
        drop_invalid_header_fields=True,
        desync_mitigation_mode="strictest" if good else "monitor",
        opts=provider(),
    )


def _classic(good: bool, **bad: Any) -> None:
    values: dict[str, Any] = {
        "availability_zones": ["us-east-1a", "us-east-1b"],
        "listeners": [
            {
                "instance_port": 80,
                "instance_protocol": "http",
                "lb_port": 443,
                "lb_protocol": "https",
                "ssl_certificate_id": CERT,
            }
        ],
        "connection_draining": True,
        "cross_zone_load_balancing": True,
    }
    if not good:
        values.update(bad)
    aws.elb.LoadBalancer("clb", **values, opts=provider())


CASES += [
    Case(
        "ELB.2",
        "classic-load-balancers",
        lambda: _classic(
            False,
            listeners=[
                {
                    "instance_port": 80,
                    "instance_protocol": "http",
                    "lb_port": 443,
                    "lb_protocol": "https",
                    "ssl_certificate_id": "arn:aws:iam::1:server-certificate/c",
                }
            ],
        ),
        lambda: _classic(True),
        "not an ACM certificate",
    ),
    Case(
        "ELB.3",
        "classic-load-balancers",
        lambda: _classic(
            False,
            listeners=[
                {
                    "instance_port": 80,
                    "instance_protocol": "http",
                    "lb_port": 80,
                    "lb_protocol": "http",
                }
            ],
        ),
        lambda: _classic(True),
        "takes http traffic",
    ),
    Case(
        "ELB.7",
        "classic-load-balancers",
        lambda: _classic(False, connection_draining=False),
        lambda: _classic(True),
        "connectionDraining",
    ),
    Case(
        "ELB.9",
        "classic-load-balancers",
        lambda: _classic(False, cross_zone_load_balancing=False),
        lambda: _classic(True),
        "crossZoneLoadBalancing is false",
    ),
    Case(
        "ELB.14",
        "classic-load-balancers",
        lambda: _classic(False, desync_mitigation_mode="monitor"),
        lambda: _classic(True),
        "desyncMitigationMode is monitor",
    ),
]


# -- Account baseline -------------------------------------------------------------------------


def _baseline(good: bool, omit: str = "") -> None:
    o = provider()
    parts: dict[str, Callable[[], Any]] = {
        "hub": lambda: aws.securityhub.Account("hub", opts=o),
        "detector": lambda: aws.guardduty.Detector("detector", enable=True, opts=o),
        "config": lambda: (
            aws.cfg.Recorder(
                "recorder",
                role_arn="arn:aws:iam::123456789012:role/config",
                recording_group={"all_supported": True},
                opts=o,
            ),
            aws.cfg.DeliveryChannel("channel", s3_bucket_name="config", opts=o),
            aws.cfg.RecorderStatus("status", name="recorder", is_enabled=True, opts=o),
        ),
        "ebs": lambda: aws.ebs.EncryptionByDefault("ebs", enabled=True, opts=o),
        "ssm-logs": lambda: aws.ssm.ServiceSetting(
            "logs",
            setting_id="arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/"
            "automation/customer-script-log-destination",
            setting_value="CloudWatch",
            opts=o,
        ),
        "ssm-sharing": lambda: aws.ssm.ServiceSetting(
            "sharing",
            setting_id="arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/"
            "documents/console/public-sharing-permission",
            setting_value="Disable",
            opts=o,
        ),
        "analyzer": lambda: aws.accessanalyzer.Analyzer(
            "analyzer", analyzer_name="account", opts=o
        ),
        "trail": lambda: aws.cloudtrail.Trail(
            "trail", s3_bucket_name="b", is_multi_region_trail=True, opts=o
        ),
        "s3": lambda: aws.s3.AccountPublicAccessBlock(
            "s3",
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=o,
        ),
        "password": lambda: aws.iam.AccountPasswordPolicy("password", opts=o),
    }
    for name, build in parts.items():
        if good or name != omit:
            build()


for _control, _omit, _fragment in (
    ("CloudTrail.1", "trail", "no multi-Region trail"),
    ("GuardDuty.1", "detector", "GuardDuty is off"),
    ("EC2.7", "ebs", "not encrypted by default"),
    ("S3.1", "s3", "the account's S3 public-access block is missing: add"),
    ("SSM.6", "ssm-logs", "customer-script-log-destination is not CloudWatch"),
    ("SSM.7", "ssm-sharing", "public-sharing-permission is not Disable"),
    ("IAM.28", "analyzer", "no IAM Access Analyzer"),
    ("Config.1", "config", "AWS Config does not record"),
    ("IAM.7", "password", "no IAM password policy"),
):
    CASES.append(
        Case(
            _control,
            "account-baseline",
            (lambda omit=_omit: _baseline(False, omit)),
            (lambda: _baseline(True)),
            _fragment,
        )
    )


def _plans(good: bool, missing: str) -> tuple[Any, pulumi.ResourceOptions]:
    """A detector with every plan on but `missing` (all on when good); it and its options."""
    o = provider()
    detector = aws.guardduty.Detector("detector", enable=True, opts=o)
    for feature in (
        "S3_DATA_EVENTS",
        "EKS_AUDIT_LOGS",
        "EBS_MALWARE_PROTECTION",
        "RDS_LOGIN_EVENTS",
        "LAMBDA_NETWORK_LOGS",
    ):
        if good or feature != missing:
            aws.guardduty.DetectorFeature(
                feature.lower(), detector_id=detector.id, name=feature, status="ENABLED", opts=o
            )
    agents = [
        a
        for a in ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
        if good or a != missing
    ]
    if good or missing != "RUNTIME_MONITORING":
        aws.guardduty.DetectorFeature(
            "runtime",
            detector_id=detector.id,
            name="RUNTIME_MONITORING",
            status="ENABLED",
            additional_configurations=[{"name": a, "status": "ENABLED"} for a in agents],
            opts=o,
        )
    return detector, o


for _control, _missing in (
    ("GuardDuty.5", "EKS_AUDIT_LOGS"),
    ("GuardDuty.6", "LAMBDA_NETWORK_LOGS"),
    ("GuardDuty.7", "EKS_ADDON_MANAGEMENT"),
    ("GuardDuty.8", "EBS_MALWARE_PROTECTION"),
    ("GuardDuty.9", "RDS_LOGIN_EVENTS"),
    ("GuardDuty.10", "S3_DATA_EVENTS"),
    ("GuardDuty.11", "RUNTIME_MONITORING"),
    ("GuardDuty.12", "ECS_FARGATE_AGENT_MANAGEMENT"),
    ("GuardDuty.13", "EC2_AGENT_MANAGEMENT"),
):
    CASES.append(
        Case(
            _control,
            "guardduty-protection-plans",
            (lambda m=_missing: _plans(False, m)),
            (lambda m=_missing: _plans(True, m)),
            f"{_missing} ({_control})",
        )
    )


def _password(good: bool, **bad: Any) -> None:
    values: dict[str, Any] = {
        "minimum_password_length": 14,
        "require_lowercase_characters": True,
        "require_uppercase_characters": True,
        "require_numbers": True,
        "require_symbols": True,
        "password_reuse_prevention": 24,
    }
    if not good:
        values.update(bad)
    aws.iam.AccountPasswordPolicy("password", **values, opts=provider())


CASES += [
    Case(
        "IAM.7",
        "iam-password-policy",
        lambda: _password(False, require_symbols=False),
        lambda: _password(True),
        "requireSymbols is not true",
    ),
    Case(
        "IAM.15",
        "iam-password-policy",
        lambda: _password(False, minimum_password_length=8),
        lambda: _password(True),
        "minimumPasswordLength is below 14",
    ),
    Case(
        "IAM.16",
        "iam-password-policy",
        lambda: _password(False, password_reuse_prevention=5),
        lambda: _password(True),
        "passwordReusePrevention is below 24",
    ),
]


@case("IAM.2", "iam-user-policies", "given to a user directly")
def _iam2(good: bool) -> None:
    o = provider()
    if good:
        aws.iam.GroupPolicyAttachment(
            "attach", group="people", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", opts=o
        )
    else:
        aws.iam.UserPolicyAttachment(
            "attach", user="someone", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", opts=o
        )


# -- Edge and shared services -----------------------------------------------------------------


def _rule(name: str, metrics: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "priority": 1,
        "override_action": {"none": {}},
        "statement": {
            "managed_rule_group_statement": {
                "name": "AWSManagedRulesCommonRuleSet",
                "vendor_name": "AWS",
            }
        },
        "visibility_config": {
            "cloudwatch_metrics_enabled": metrics,
            "metric_name": name,
            "sampled_requests_enabled": True,
        },
    }


def _web_acl(
    good: bool, rules: list[dict[str, Any]], opts: pulumi.ResourceOptions | None = None
) -> aws.wafv2.WebAcl:
    return aws.wafv2.WebAcl(
        "acl",
        scope="REGIONAL",
        default_action={"allow": {}},
        rules=rules,
        visibility_config={
            "cloudwatch_metrics_enabled": True,
            "metric_name": "acl",
            "sampled_requests_enabled": True,
        },
        opts=opts or provider(),
    )


CASES += [
    Case(
        "WAF.10",
        "waf-web-acl-rules",
        lambda: _web_acl(False, []),
        lambda: _web_acl(True, [_rule("common")]),
        "has no rules",
    ),
    Case(
        "WAF.12",
        "waf-rules",
        lambda: _web_acl(False, [_rule("common", metrics=False)]),
        lambda: _web_acl(True, [_rule("common")]),
        "sends no CloudWatch metrics",
    ),
]


def _classic_waf(good: bool, kind: str) -> None:
    o = provider()
    if kind == "global-acl-logging":
        aws.waf.WebAcl(
            "acl",
            metric_name="acl",
            default_action={"type": "ALLOW"},
            rules=[{"priority": 1, "rule_id": "r", "action": {"type": "BLOCK"}}],
            logging_configuration={"log_destination": "arn:aws:firehose:x"} if good else None,
            opts=o,
        )
    elif kind == "global-acl":
        aws.waf.WebAcl(
            "acl",
            metric_name="acl",
            default_action={"type": "ALLOW"},
            rules=[{"priority": 1, "rule_id": "r", "action": {"type": "BLOCK"}}] if good else [],
            logging_configuration={"log_destination": "arn:x"},
            opts=o,
        )
    elif kind == "regional-acl":
        aws.wafregional.WebAcl(
            "acl",
            metric_name="acl",
            default_action={"type": "ALLOW"},
            rules=[{"priority": 1, "rule_id": "r", "action": {"type": "BLOCK"}}] if good else [],
            opts=o,
        )
    elif kind in ("global-rule", "regional-rule"):
        module = aws.waf if kind == "global-rule" else aws.wafregional
        module.Rule(
            "rule",
            metric_name="rule",
            predicates=[{"data_id": "ipset", "negated": False, "type": "IPMatch"}] if good else [],
            opts=o,
        )
    else:
        module = aws.waf if kind == "global-group" else aws.wafregional
        module.RuleGroup(
            "group",
            metric_name="group",
            activated_rules=[{"action": {"type": "COUNT"}, "priority": 1, "rule_id": "r"}]
            if good
            else [],
            opts=o,
        )


for _control, _kind, _fragment in (
    ("WAF.1", "global-acl-logging", "does not log"),
    ("WAF.2", "regional-rule", "has no condition"),
    ("WAF.3", "regional-group", "rule group has no rules"),
    ("WAF.4", "regional-acl", "web ACL has no rules"),
    ("WAF.6", "global-rule", "has no condition"),
    ("WAF.7", "global-group", "rule group has no rules"),
    ("WAF.8", "global-acl", "web ACL has no rules"),
):
    CASES.append(
        Case(
            _control,
            "waf-rules",
            (lambda k=_kind: _classic_waf(False, k)),
            (lambda k=_kind: _classic_waf(True, k)),
            _fragment,
        )
    )


@case("ACM.2", "acm-certificate-keys", "keyAlgorithm is RSA_1024")
def _acm2(good: bool) -> None:
    aws.acm.Certificate(
        "cert",
        domain_name="example.com",
        validation_method="DNS",
        key_algorithm="RSA_2048" if good else "RSA_1024",
        opts=provider(),
    )


@case("SSM.4", "ssm-document-sharing", "share the document with All accounts")
def _ssm4(good: bool) -> None:
    aws.ssm.Document(
        "document",
        document_type="Command",
        content=json.dumps({"schemaVersion": "2.2", "mainSteps": []}),
        permissions={"type": "Share", "account_ids": "210987654321" if good else "All"},
        opts=provider(),
    )


@case("EventBridge.3", "eventbridge-bus-policies", "has no resource policy")
def _eventbridge3(good: bool) -> None:
    o = provider()
    bus = aws.cloudwatch.EventBus("bus", opts=o)
    # The violating policy is another bus's.
    aws.cloudwatch.EventBusPolicy(
        "policy",
        event_bus_name=bus.name if good else "other-bus",
        policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "events:PutEvents",
                "Resource": "*",
            }
        ),
        opts=o,
    )


@case("Route53.2", "route53-query-logging", "does not log DNS queries")
def _route53_2(good: bool) -> None:
    o = provider()
    zone = aws.route53.Zone("zone", name="example.com", opts=o)
    # The violating query log is another zone's.
    aws.route53.QueryLog(
        "queries",
        zone_id=zone.zone_id if good else "Z0OTHERZONE",
        cloudwatch_log_group_arn="arn:aws:logs:us-east-1:1:log-group:q",
        opts=o,
    )


def _aurora_member_events(good: bool) -> None:
    """RDS.20 on Aurora: the cluster's members are DB instances, whose events need a
    subscription too."""
    o = provider()
    cluster = aws.rds.Cluster("cluster", engine="aurora-postgresql", opts=o)
    member = aws.rds.ClusterInstance(
        "member",
        identifier="orders-writer",
        cluster_identifier=cluster.id,
        instance_class="db.r6g.large",
        engine="aurora-postgresql",
        opts=o,
    )
    aws.rds.EventSubscription(
        "cluster-events",
        sns_topic="arn:aws:sns:us-east-1:123456789012:alerts",
        source_type="db-cluster",
        source_ids=[cluster.cluster_identifier],
        event_categories=["failure", "maintenance"],
        opts=o,
    )
    if good:
        aws.rds.EventSubscription(
            "member-events",
            sns_topic="arn:aws:sns:us-east-1:123456789012:alerts",
            source_type="db-instance",
            source_ids=[member.identifier],
            event_categories=["configuration change", "failure", "maintenance"],
            opts=o,
        )


CASES.append(
    Case(
        "RDS.20",
        "rds-event-subscriptions",
        lambda: _aurora_member_events(False),
        lambda: _aurora_member_events(True),
        "sends the db-instance events of member",
    )
)
