"""Compute tier under mocks (C1-C7): the real program for dev, prod and variants, asserting the
properties the requirements name and the wiring to the network and keys."""

from __future__ import annotations

import base64
import json

import pytest
from support import REPO_ROOT, one, prefix, regions, stack_run

from policy.harness import ACCOUNT_ID, CapturedResource, ProgramRun

STACKS = ("dev", "prod")
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
CERTS = {
    "dev": {"us-east-1": "6f2c1a0e"},
    "prod": {"us-east-1": "0b8e6d4c", "eu-west-1": "9a7c5e3b"},
}
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GROUP = "aws:autoscaling/group:Group"
SG = "aws:ec2/securityGroup:SecurityGroup"


def listener(run_: ProgramRun, stack: str, region: str, kind: str) -> CapturedResource:
    return one(run_, LISTENER, f"{prefix(stack, region)}-{kind}")


@pytest.mark.parametrize("stack", STACKS)
def test_alb_in_public_subnets_of_every_az(stack: str) -> None:
    """C1: one internet-facing ALB per region in the public subnet of every AZ, with the ALB
    security group, invalid headers dropped and deletion protection from config."""
    r = stack_run(stack)
    for region, outputs in r.outputs["regions"].items():
        lb = one(r, LB, f"{prefix(stack, region)}-alb")
        props = lb.inputs
        assert props["subnets"] == outputs["publicSubnetIds"]
        assert len(props["subnets"]) == (2 if stack == "dev" else 3)
        assert props["internal"] is False
        assert props["dropInvalidHeaderFields"] is True
        assert props["securityGroups"] == [one(r, SG, f"{prefix(stack, region)}-alb-sg").id]
        assert props["enableDeletionProtection"] is (stack == "prod")
        assert outputs["loadBalancerArn"].startswith("arn:aws:elasticloadbalancing:")
        assert outputs["loadBalancerDnsName"].endswith(".elb.amazonaws.com")


@pytest.mark.parametrize("stack", STACKS)
def test_access_logs_to_locked_down_sse_s3_bucket(stack: str) -> None:
    """C1, A2, A11: access logs go to a dedicated bucket with SSE-S3 (what ALB log delivery
    requires), versioning, all public-access blocks, TLS-only policy, grants to the log-delivery
    service principal and, in regions older than August 2022, the regional ELB account, on the
    log prefix only; the bucket's own S3 access logs go to the region's access-log bucket."""
    r = stack_run(stack)
    for region in regions(stack):
        name = f"{prefix(stack, region)}-alb-logs"
        bucket = one(r, "aws:s3/bucket:Bucket", name)
        logs = one(r, LB, f"{prefix(stack, region)}-alb").inputs["accessLogs"]
        assert logs == {"enabled": True, "bucket": bucket.inputs["bucket"], "prefix": "alb"}
        assert bucket.inputs["forceDestroy"] is False
        assert bucket.options.protect is (stack == "prod")
        sse = one(
            r,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            name,
        ).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert sse == {"sseAlgorithm": "AES256"}
        block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).inputs
        assert all(
            block[k] is True
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        )
        versioning = one(r, "aws:s3/bucketVersioning:BucketVersioning", name).inputs
        assert versioning["versioningConfiguration"]["status"] == "Enabled"
        lifecycle = one(
            r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name
        ).inputs["rules"][0]
        assert lifecycle["expiration"]["days"] == (365 if stack == "prod" else 90)
        policy = json.loads(one(r, "aws:s3/bucketPolicy:BucketPolicy", name).inputs["policy"])
        by_sid = {s["Sid"]: s for s in policy["Statement"]}
        deny = by_sid["DenyInsecureTransport"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        elb = by_sid["ElbAccountWritesAccessLogs"]
        account = {"us-east-1": "127311923021", "eu-west-1": "156460612806"}[region]
        assert elb["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        assert elb["Action"] == "s3:PutObject"
        bucket_name = bucket.inputs["bucket"]
        assert elb["Resource"] == f"arn:aws:s3:::{bucket_name}/alb/AWSLogs/123456789012/*"
        service = by_sid["ElbServiceWritesAccessLogs"]
        assert service["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
        assert service["Resource"] == elb["Resource"]
        logging = one(r, "aws:s3/bucketLogging:BucketLogging", name).inputs
        target = one(r, "aws:s3/bucket:Bucket", f"{prefix(stack, region)}-s3-access-logs")
        assert logging["targetBucket"] == target.inputs["bucket"]
    assert ("aws:elb/getServiceAccount:getServiceAccount") not in {t for t, _ in r.invokes}


NEW_REGION = "ap-southeast-4"
LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"


def _new_region_dev() -> ProgramRun:
    """dev in a region opened after August 2022, which has no ELB log-delivery account."""
    cert = f"arn:aws:acm:{NEW_REGION}:123456789012:certificate/00000000-0000-4000-8000-00000000000a"
    return stack_run(
        "dev",
        regions=[
            {
                "name": NEW_REGION,
                "role": "primary",
                "vpcCidr": "10.10.0.0/16",
                "azs": [f"{NEW_REGION}a", f"{NEW_REGION}b"],
            }
        ],
        compute={"certificateArn": cert},
    )


def test_access_logs_in_a_region_opened_after_august_2022() -> None:
    """C1 (issue: `get_service_account` fails in newer regions): in a region with no ELB
    log-delivery account only the service principal may write, and nothing asks the provider
    for an account it does not know."""
    name = f"dev-core-{NEW_REGION}-alb-logs"
    r = _new_region_dev()
    policy = json.loads(one(r, "aws:s3/bucketPolicy:BucketPolicy", name).inputs["policy"])
    sids = {s["Sid"] for s in policy["Statement"]}
    assert sids == {"DenyInsecureTransport", "ElbServiceWritesAccessLogs"}


@pytest.mark.parametrize("region", ["us-east-1", NEW_REGION])
def test_log_delivery_service_statement_has_no_condition(region: str) -> None:
    """Review edge N7: the log-delivery service principal gets exactly what AWS's "Enable
    access logs for your Application Load Balancer" example grants in the regions opened since
    August 2022 (`s3:PutObject` on `<bucket>/<prefix>/AWSLogs/<account>/*`, no condition).
    There it is the only grant, so a condition the delivery does not meet would make AWS refuse
    logging when the load balancer is created."""
    run = stack_run("dev") if region == "us-east-1" else _new_region_dev()
    name = f"dev-core-{region}-alb-logs"
    bucket = one(run, "aws:s3/bucket:Bucket", name).inputs["bucket"]
    policy = json.loads(one(run, "aws:s3/bucketPolicy:BucketPolicy", name).inputs["policy"])
    service = [s for s in policy["Statement"] if s.get("Principal") == {"Service": LOG_DELIVERY}]
    assert service == [
        {
            "Sid": "ElbServiceWritesAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": LOG_DELIVERY},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/alb/AWSLogs/{ACCOUNT_ID}/*",
        }
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_https_listener_tls12_with_regional_certificate(stack: str) -> None:
    """C2: HTTPS on 443 with the region's own ACM certificate from config and an explicit
    TLS 1.2+ policy, forwarding to the target group."""
    r = stack_run(stack)
    for region in regions(stack):
        https = listener(r, stack, region, "https").inputs
        assert https["port"] == 443
        assert https["protocol"] == "HTTPS"
        assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        arn = https["certificateArn"]
        assert arn.startswith(f"arn:aws:acm:{region}:")
        assert CERTS[stack][region] in arn
        tg = one(r, TARGET_GROUP, f"{prefix(stack, region)}-app")
        assert https["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.state["arn"]}]


def test_issued_certificates_share_one_validation_record() -> None:
    """C2 (issue: one record per region for the same CNAME): with hostedZoneId and domainName
    each region issues a DNS-validated certificate on its own provider, and exactly one record
    in the zone validates them all, so removing a region never deletes the record the other
    region renews with. Each certificate keeps, by alias, the URN an earlier version gave it
    inside the region's compute tier."""
    r = stack_run(
        "prod", compute={"hostedZoneId": "Z0123456789ABC", "domainName": "app.example.com"}
    )
    (record,) = [x for x in r.of_type("aws:route53/record:Record") if x.inputs["type"] == "CNAME"]
    assert record.inputs["zoneId"] == "Z0123456789ABC"
    assert record.inputs["name"].endswith(".app.example.com.")
    # The CNAME is the same for every certificate of this domain in the account: a second
    # stack issuing one adopts the record instead of failing on CreateRecord (review finding).
    assert record.inputs["allowOverwrite"] is True
    for region in regions("prod"):
        cert = one(r, "aws:acm/certificate:Certificate", f"prod-core-global-{region}-cert")
        assert cert.inputs["domainName"] == "app.example.com"
        assert cert.inputs["validationMethod"] == "DNS"
        assert r.provider_of(cert).inputs["region"] == region
        previous = (
            "urn:pulumi:prod::secure-infra::secure-infra:stack:RegionalStack$"
            "secure-infra:compute:Compute$aws:acm/certificate:Certificate::"
            f"{prefix('prod', region)}-cert"
        )
        assert cert.options.aliases == (previous,)
        validation = one(
            r,
            "aws:acm/certificateValidation:CertificateValidation",
            f"prod-core-global-{region}-cert",
        )
        assert validation.inputs["certificateArn"] == cert.state["arn"]
        assert validation.inputs["validationRecordFqdns"] == [record.state["fqdn"]]
        https = listener(r, "prod", region, "https").inputs
        assert https["certificateArn"] == cert.state["arn"]


def test_shared_validation_record_outlives_the_stack() -> None:
    """Issue 18, edge #4 residual: the validation CNAME is the same for every certificate of
    the domain in the account, so another stack (or a region's old record, left by a skipped
    migration step) may need it. Deleting this stack, or dropping `hostedZoneId`, leaves the
    record in the zone instead of breaking the other certificates' managed renewal."""
    r = stack_run(
        "prod", compute={"hostedZoneId": "Z0123456789ABC", "domainName": "app.example.com"}
    )
    (record,) = [x for x in r.of_type("aws:route53/record:Record") if x.inputs["type"] == "CNAME"]
    assert record.options.retain_on_delete is True
    assert record.inputs["allowOverwrite"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_http_listener_only_redirects(stack: str) -> None:
    """C3: port 80 answers with a permanent redirect to HTTPS and forwards nothing."""
    r = stack_run(stack)
    for region in regions(stack):
        http = listener(r, stack, region, "http").inputs
        assert http["port"] == 80
        assert http["protocol"] == "HTTP"
        assert http["defaultActions"] == [
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
            }
        ]


def test_target_group_health_check_from_config() -> None:
    """C4: path, interval, thresholds, timeout and matcher come from config."""
    health = {
        "path": "/ready",
        "intervalSeconds": 20,
        "timeoutSeconds": 4,
        "healthyThreshold": 2,
        "unhealthyThreshold": 5,
        "matcher": "200-299",
    }
    compute = {
        "certificateArn": {"us-east-1": "arn:aws:acm:us-east-1:123456789012:certificate/ab-12"},
        "healthCheck": health,
        "appPort": 9000,
    }
    r = stack_run("dev", compute=compute)
    tg = one(r, TARGET_GROUP, "dev-core-us-east-1-app").inputs
    assert tg["port"] == 9000
    assert tg["protocol"] == "HTTP"
    check = tg["healthCheck"]
    assert check["path"] == "/ready"
    assert check["interval"] == 20
    assert check["timeout"] == 4
    assert check["healthyThreshold"] == 2
    assert check["unhealthyThreshold"] == 5
    assert check["matcher"] == "200-299"
    # The default health check (dev stack) is the documented one.
    default = one(stack_run("dev"), TARGET_GROUP, "dev-core-us-east-1-app").inputs["healthCheck"]
    assert (default["path"], default["interval"], default["timeout"]) == ("/health", 30, 5)


@pytest.mark.parametrize("stack", STACKS)
def test_launch_template_hardened(stack: str) -> None:
    """C5: AMI from the public SSM parameter at launch, IMDSv2 required with hop limit 1, gp3 root
    volume encrypted with the data CMK, no public IP, app security group, user data."""
    r = stack_run(stack)
    ssm_calls = [c for c in r.unmocked_invokes if "ssm" in c]
    assert not ssm_calls
    for region, outputs in r.outputs["regions"].items():
        lt = one(r, TEMPLATE, f"{prefix(stack, region)}-app").inputs
        assert lt["imageId"] == f"resolve:ssm:{AMI_PARAMETER}"
        meta = lt["metadataOptions"]
        assert meta["httpTokens"] == "required"
        assert meta["httpPutResponseHopLimit"] == 1
        (device,) = lt["blockDeviceMappings"]
        ebs = device["ebs"]
        assert ebs["volumeType"] == "gp3"
        assert ebs["encrypted"] == "true"
        assert ebs["kmsKeyId"] == outputs["dataKeyArn"]
        (nic,) = lt["networkInterfaces"]
        assert nic["associatePublicIpAddress"] == "false"
        assert nic["securityGroups"] == [one(r, SG, f"{prefix(stack, region)}-app-sg").id]
        assert "amazon-ssm-agent" in base64.b64decode(lt["userData"]).decode()
        assert lt["iamInstanceProfile"]["arn"].endswith(
            one(
                r, "aws:iam/instanceProfile:InstanceProfile", f"{prefix(stack, region)}-app"
            ).inputs["name"]
        )


def test_ami_comes_from_the_public_parameter() -> None:
    """C5: the program resolves the AMI by parameter, never a hard-coded id: Amazon Linux 2023
    for the instance type's architecture unless a parameter is configured."""
    for module in (REPO_ROOT / "components" / "compute").glob("*.py"):
        assert "ami-0" not in module.read_text(), module
    (template,) = stack_run("dev").of_type(TEMPLATE)
    assert template.inputs["imageId"] == f"resolve:ssm:{AMI_PARAMETER}"


def test_launch_template_is_stable_across_ami_releases() -> None:
    """Issue 18, edge N3: the template names the public parameter (`resolve:ssm:`, which EC2
    resolves when it launches an instance: EC2 User Guide, "Use a Systems Manager parameter
    instead of an AMI ID") instead of the AMI id it pointed to at deploy time. An AMI release
    then changes no input, so the next `up` makes no template version and rolls no instance;
    new instances (scale-out, a refresh for another change) start from the current image."""
    for stack in STACKS:
        r = stack_run(stack)
        assert [a for t, a in r.invokes if t == "aws:ssm/getParameter:getParameter"] == []
        for template in r.of_type(TEMPLATE):
            assert template.inputs["imageId"] == f"resolve:ssm:{AMI_PARAMETER}"


def dev_compute(**changes: object) -> dict:
    """Pulumi.dev.yaml's compute section with some keys replaced."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return {**data["secure-infra:compute"], **changes}


def test_graviton_types_get_the_arm64_image() -> None:
    """C5 (issue: an x86_64 image for every type): a Graviton instance type resolves the arm64
    Amazon Linux 2023 parameter; the template asks for EBS optimization only where the type
    needs asking (most have it always; t2 cannot have it)."""
    r = stack_run("dev", compute=dev_compute(instanceType="t4g.small"))
    (template,) = r.of_type(TEMPLATE)
    assert template.inputs["imageId"] == f"resolve:ssm:{AMI_PARAMETER.replace('x86_64', 'arm64')}"
    assert "arm64" in template.inputs["description"]
    assert "ebsOptimized" not in template.inputs
    (opt_in,) = stack_run("dev", compute=dev_compute(instanceType="c3.xlarge")).of_type(TEMPLATE)
    assert opt_in.inputs["ebsOptimized"] == "true"
    (t2,) = stack_run("dev", compute=dev_compute(instanceType="t2.micro")).of_type(TEMPLATE)
    assert "ebsOptimized" not in t2.inputs


def test_instance_refresh_does_not_promise_a_rollback_it_cannot_do() -> None:
    """C5 (issue: auto_rollback returns to the new template version under the provider,
    hashicorp/terraform-provider-aws#34189): the refresh keeps capacity healthy and has no
    auto_rollback."""
    (group,) = stack_run("dev").of_type(GROUP)
    preferences = group.inputs["instanceRefresh"]["preferences"]
    assert preferences == {"minHealthyPercentage": 90, "skipMatching": True}


@pytest.mark.parametrize("stack", STACKS)
def test_autoscaling_group_in_private_subnets(stack: str) -> None:
    """C5, C6: the group spans the private subnets, sizes from config, ELB health checks,
    rolling instance refresh, the stack's service-linked role (named by the data key policy),
    and a CPU target-tracking policy with the configured target."""
    r = stack_run(stack)
    sizes = {"dev": (1, 2, 1, 60.0), "prod": (3, 9, 3, 50.0)}[stack]
    for region, outputs in r.outputs["regions"].items():
        name = f"{prefix(stack, region)}-app"
        group = one(r, GROUP, name)
        props = group.inputs
        assert props["vpcZoneIdentifiers"] == outputs["privateSubnetIds"]
        assert not set(props["vpcZoneIdentifiers"]) & set(outputs["publicSubnetIds"])
        assert (props["minSize"], props["maxSize"], props["desiredCapacity"]) == sizes[:3]
        assert props["healthCheckType"] == "ELB"
        assert props["instanceRefresh"]["strategy"] == "Rolling"
        # Instances already on the desired template and type are kept (review finding: a
        # switch to a mixed instances policy alone would replace them all).
        assert props["instanceRefresh"]["preferences"]["skipMatching"] is True
        tg = one(r, TARGET_GROUP, name)
        assert props["targetGroupArns"] == [tg.state["arn"]]
        template = one(r, TEMPLATE, name).id
        if stack == "prod":
            # AutoScaling.6: the configured types in order, all on demand.
            mixed = props["mixedInstancesPolicy"]
            spec = mixed["launchTemplate"]["launchTemplateSpecification"]
            assert spec["launchTemplateId"] == template
            assert [o["instanceType"] for o in mixed["launchTemplate"]["overrides"]] == [
                "m6i.large",
                "m7i.large",
                "m5.large",
            ]
            assert mixed["instancesDistribution"]["onDemandPercentageAboveBaseCapacity"] == 100
            assert "launchTemplate" not in props
        else:
            assert props["launchTemplate"]["id"] == template
        tags = {t["key"]: t for t in props["tags"]}
        assert tags["Environment"]["value"] == stack
        assert all(t["propagateAtLaunch"] for t in tags.values())
        role = one(
            r, "aws:iam/serviceLinkedRole:ServiceLinkedRole", f"{prefix(stack, region)}-autoscaling"
        )
        assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
        assert props["serviceLinkedRoleArn"] == role.state["arn"]
        key_policy = one(r, "aws:kms/key:Key", f"{prefix(stack, region)}-data").inputs["policy"]
        assert role.state["arn"] in key_policy
        policy = one(r, "aws:autoscaling/policy:Policy", f"{name}-cpu").inputs
        assert policy["policyType"] == "TargetTrackingScaling"
        tracking = policy["targetTrackingConfiguration"]
        assert tracking["targetValue"] == sizes[3]
        assert (
            tracking["predefinedMetricSpecification"]["predefinedMetricType"]
            == "ASGAverageCPUUtilization"
        )


def test_service_linked_role_suffix_unique_per_stack_and_region() -> None:
    """S2: the Auto Scaling role's suffix differs between regions and stacks."""
    suffixes = [
        r.inputs["customSuffix"]
        for stack in STACKS
        for r in stack_run(stack).of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    ]
    assert len(suffixes) == 3
    assert len(set(suffixes)) == 3
    assert all(len(s) <= 35 for s in suffixes)


@pytest.mark.parametrize("stack", STACKS)
def test_instance_role_ssm_and_cloudwatch_agent_only(stack: str) -> None:
    """C7: the instance role is assumable by EC2 only and has exactly the Session Manager and
    CloudWatch agent managed policies, nothing inline."""
    r = stack_run(stack)
    for region in regions(stack):
        name = f"{prefix(stack, region)}-app"
        role = one(r, "aws:iam/role:Role", name)
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]
        attached = sorted(
            a.inputs["policyArn"]
            for a in r.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            if a.parent_urn == role.parent_urn and a.name.startswith(f"{name}-")
        )
        assert attached == [
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]
        inline = [
            p
            for p in r.of_type("aws:iam/rolePolicy:RolePolicy")
            if p.inputs.get("role") == role.inputs["name"]
        ]
        assert not inline
        assert not role.inputs.get("inlinePolicies")
