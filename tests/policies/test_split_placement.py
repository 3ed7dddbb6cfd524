"""Issue 21 (P19): a finding names the resource the user should change. When a split resource
made the wrong setting, the finding is on it, and its message says what to set; when nothing
sets the part, the finding is on the owner and says what to add. And owners found through the
view rather than by hand: an event bus's policy and a public zone's query log."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from .fsbp_cases import _plans, _web_acl
from .fsbp_split_cases import listener_with_rule
from .helpers import TAGS, check, provider


def test_ownership_set_wrong_is_reported_on_the_ownership_controls() -> None:
    """S3.12: `ObjectWriter` on a BucketOwnershipControls is reported there with the value to
    set; a bucket with no ownership controls is told to add them."""

    def program() -> None:
        o = provider()
        wrong = aws.s3.Bucket("wrong", opts=o)
        aws.s3.BucketOwnershipControls(
            "wrong-ownership",
            bucket=wrong.id,
            rule={"object_ownership": "ObjectWriter"},
            opts=o,
        )
        aws.s3.Bucket("missing", opts=o)
        right = aws.s3.Bucket("right", opts=o)
        aws.s3.BucketOwnershipControls(
            "right-ownership",
            bucket=right.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=o,
        )

    result = check(program, ["s3-object-ownership"])
    found = dict(result.of("s3-object-ownership"))
    assert set(found) == {"wrong-ownership", "missing"}
    assert (
        "sets object_ownership 'ObjectWriter'; set it to 'BucketOwnerEnforced'"
        in found["wrong-ownership"]
    )
    assert "add an aws.s3.BucketOwnershipControls" in found["missing"]


def test_waf_rule_resources_are_judged_where_they_are_written() -> None:
    """WAF.12 on a WebAclRule and a WebAclRuleGroupAssociation (each its own finding), and
    WAF.10 on a web ACL whose only rules are such resources: none."""

    def program() -> None:
        o = provider()
        visibility = {"metric_name": "m", "sampled_requests_enabled": True}
        acl = _web_acl(True, [], o)
        aws.wafv2.WebAclRule(
            "rate",
            web_acl_arn=acl.arn,
            name="rate",
            priority=1,
            action={"block": {}},
            statement={"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
            visibility_config={**visibility, "cloudwatch_metrics_enabled": False},
            opts=o,
        )
        aws.wafv2.WebAclRuleGroupAssociation(
            "common",
            web_acl_arn=acl.arn,
            rule_name="common",
            priority=2,
            managed_rule_group={"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"},
            visibility_config={**visibility, "cloudwatch_metrics_enabled": False},
            opts=o,
        )

    result = check(program, ["waf-rules", "waf-web-acl-rules"])
    assert result.of("waf-web-acl-rules") == []
    found = dict(result.of("waf-rules"))
    assert set(found) == {"rate", "common"}
    assert "rule 'common' sends no CloudWatch metrics" in found["common"]


def test_event_bus_policy_and_query_log_are_merged_by_the_view() -> None:
    """EventBridge.3 and Route53.2 read the view: a bus policy naming its bus by name or ARN,
    a query log naming its zone by zone ID. A policy for another bus, and a private zone, are
    not findings either way."""

    def program() -> None:
        o = provider()
        document = json.dumps({"Version": "2012-10-17", "Statement": []})
        by_name = aws.cloudwatch.EventBus("by-name", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "by-name-policy", event_bus_name=by_name.name, policy=document, opts=o
        )
        by_arn = aws.cloudwatch.EventBus("by-arn", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "by-arn-policy", event_bus_name=by_arn.arn, policy=document, opts=o
        )
        aws.cloudwatch.EventBus("bare", opts=o)
        aws.cloudwatch.EventBusPolicy(
            "elsewhere-policy", event_bus_name="someone-elses", policy=document, opts=o
        )
        logged = aws.route53.Zone("logged", name="logged.example.com", opts=o)
        aws.route53.QueryLog(
            "logged-queries",
            zone_id=logged.zone_id,
            cloudwatch_log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/x",
            opts=o,
        )
        aws.route53.Zone("unlogged", name="unlogged.example.com", opts=o)

    result = check(program, ["eventbridge-bus-policies", "route53-query-logging"])
    assert result.names("eventbridge-bus-policies") == {"bare"}
    assert result.names("route53-query-logging") == {"unlogged"}


def test_guardduty_plan_set_off_is_reported_on_its_feature() -> None:
    """GuardDuty.9: a DetectorFeature that sets RDS_LOGIN_EVENTS DISABLED is reported on that
    feature ("set"); plans no feature names are reported on the detector ("add")."""

    def program() -> None:
        o = provider()
        detector = aws.guardduty.Detector("detector", enable=True, opts=o)
        aws.guardduty.DetectorFeature(
            "rds", detector_id=detector.id, name="RDS_LOGIN_EVENTS", status="DISABLED", opts=o
        )

    found = dict(check(program, ["guardduty-protection-plans"]).of("guardduty-protection-plans"))
    assert set(found) == {"rds", "detector"}
    assert (
        "RDS_LOGIN_EVENTS (GuardDuty.9) to status 'DISABLED': set status='ENABLED'" in found["rds"]
    )
    assert "RDS_LOGIN_EVENTS" not in found["detector"]
    assert "S3_DATA_EVENTS (GuardDuty.10)" in found["detector"] and "add" in found["detector"]


def test_same_names_in_two_regions_link_within_their_region() -> None:
    """An event bus and an ECR repository named alike in two regions: each region's policy or
    lifecycle policy is its own region's owner's (names are unique per region only), so
    neither owner is a finding."""

    def program() -> None:
        o = provider()
        eu = pulumi.ResourceOptions(
            provider=aws.Provider("eu", region="eu-west-1", default_tags={"tags": dict(TAGS)})
        )
        document = json.dumps({"Version": "2012-10-17", "Statement": []})
        lifecycle = json.dumps({"rules": []})
        for suffix, opts in (("us", o), ("eu", eu)):
            bus = aws.cloudwatch.EventBus(f"bus-{suffix}", name="orders", opts=opts)
            aws.cloudwatch.EventBusPolicy(
                f"bus-{suffix}-policy", event_bus_name=bus.name, policy=document, opts=opts
            )
            repository = aws.ecr.Repository(
                f"repo-{suffix}",
                name="app",
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                opts=opts,
            )
            aws.ecr.LifecyclePolicy(
                f"repo-{suffix}-lifecycle",
                repository=repository.name,
                policy=lifecycle,
                opts=opts,
            )

    result = check(program, ["eventbridge-bus-policies", "ecr-repositories"])
    assert result.of("eventbridge-bus-policies") == []
    assert result.of("ecr-repositories") == []


def test_listener_rule_of_the_twin_module_is_merged() -> None:
    """aws.lb.ListenerRule on an aws.alb.Listener (one AWS resource, two SDK modules, as the
    SDK's notes say): the forwarding rule on the HTTP listener is an ELB.1 finding."""
    for good, found in ((False, {"api"}), (True, set())):
        result = check(
            lambda g=good: listener_with_rule(g, aws.alb, aws.lb), ["http-listener-rules"]
        )
        assert result.names("http-listener-rules") == found


def test_web_acl_rule_json_is_judged() -> None:
    """WAF.10 and WAF.12 on a web ACL written with `rule_json`: an empty list has no rules; a
    rule whose VisibilityConfig turns metrics off is a finding; a good one is not."""

    def acl(name: str, rules: list[dict[str, object]]) -> None:
        aws.wafv2.WebAcl(
            name,
            scope="REGIONAL",
            default_action={"allow": {}},
            rule_json=json.dumps(rules),
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": name,
                "sampled_requests_enabled": True,
            },
            opts=provider(),
        )

    def rule(metrics: bool) -> dict[str, object]:
        return {
            "Name": "common",
            "Priority": 1,
            "OverrideAction": {"None": {}},
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "Name": "AWSManagedRulesCommonRuleSet",
                    "VendorName": "AWS",
                }
            },
            "VisibilityConfig": {
                "CloudWatchMetricsEnabled": metrics,
                "MetricName": "common",
                "SampledRequestsEnabled": True,
            },
        }

    for rules, acl_rules, waf_rules in (
        ([], {"acl"}, set()),
        ([rule(False)], set(), {"acl"}),
        ([rule(True)], set(), set()),
    ):
        result = check(lambda r=rules: acl("acl", r), ["waf-web-acl-rules", "waf-rules"])
        assert result.names("waf-web-acl-rules") == acl_rules
        assert result.names("waf-rules") == waf_rules


def test_elastic_ip_on_an_instance_primary_interface_is_ec2_9() -> None:
    """An EipAssociation by network_interface_id naming an instance's primary interface gives
    the instance its public address (EC2.9); one on a NAT gateway's address is no finding."""

    def program() -> None:
        o = provider()
        instance = aws.ec2.Instance("instance", ami="ami-1", instance_type="t3.micro", opts=o)
        eip = aws.ec2.Eip("eip", domain="vpc", opts=o)
        aws.ec2.EipAssociation(
            "by-interface",
            allocation_id=eip.allocation_id,
            network_interface_id=instance.primary_network_interface_id,
            opts=o,
        )
        nat_eip = aws.ec2.Eip("nat-eip", domain="vpc", opts=o)
        aws.ec2.NatGateway("nat", allocation_id=nat_eip.id, subnet_id="subnet-1", opts=o)

    assert check(program, ["instance-attachments"]).names("instance-attachments") == {
        "by-interface"
    }


def test_guardduty_organization_runtime_feature_must_list_every_agent() -> None:
    """GuardDuty.12/13 for members: an organization RUNTIME_MONITORING feature that lists only
    the EKS agent auto-enables the ECS and EC2 agents for nobody; and the older
    EKS_RUNTIME_MONITORING is told to be replaced, not joined, by RUNTIME_MONITORING."""

    def program() -> None:
        detector, o = _plans(True, "")
        aws.guardduty.OrganizationConfigurationFeature(
            "members-runtime",
            detector_id=detector.id,
            name="RUNTIME_MONITORING",
            auto_enable="ALL",
            additional_configurations=[{"name": "EKS_ADDON_MANAGEMENT", "auto_enable": "ALL"}],
            opts=o,
        )
        other = aws.guardduty.Detector("legacy", enable=True, opts=o)
        aws.guardduty.DetectorFeature(
            "legacy-eks",
            detector_id=other.id,
            name="EKS_RUNTIME_MONITORING",
            status="ENABLED",
            opts=o,
        )

    found = dict(check(program, ["guardduty-protection-plans"]).of("guardduty-protection-plans"))
    assert (
        "ECS_FARGATE_AGENT_MANAGEMENT (GuardDuty.12), EC2_AGENT_MANAGEMENT (GuardDuty.13)"
        in (found["members-runtime"])
    )
    assert "replace it with RUNTIME_MONITORING" in found["legacy-eks"]
    assert "RUNTIME_MONITORING (GuardDuty.11)" not in found["legacy"]


def test_tls_denial_must_cover_every_request() -> None:
    """S3.5: a Deny of s3:PutObject alone under aws:SecureTransport=false leaves plain-HTTP
    reads allowed; the BucketPolicy carrying it is the finding."""

    def program() -> None:
        o = provider()
        bucket = aws.s3.Bucket("bucket", bucket="b", opts=o)
        narrow = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::b/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        aws.s3.BucketPolicy(
            "policy",
            bucket=bucket.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [narrow]}),
            opts=o,
        )

    assert check(program, ["s3-bucket-tls-only"]).names("s3-bucket-tls-only") == {"policy"}


def test_an_adopted_default_vpc_is_judged_like_any_vpc() -> None:
    """EC2.6 and EC2.2 judge every VPC: a program that adopts the default VPC owns its flow
    logs and default security group too."""

    def program(logged: bool) -> None:
        o = provider()
        vpc = aws.ec2.DefaultVpc("default", opts=o)
        if logged:
            aws.ec2.FlowLog(
                "flow",
                vpc_id=vpc.id,
                traffic_type="REJECT",
                log_destination="arn:aws:s3:::flow-logs",
                log_destination_type="s3",
                opts=o,
            )
            aws.ec2.DefaultSecurityGroup("closed", vpc_id=vpc.id, opts=o)

    policies = ["vpc-flow-logs", "default-security-group-closed"]
    bare = check(lambda: program(False), policies)
    assert bare.names("vpc-flow-logs") == bare.names("default-security-group-closed") == {"default"}
    done = check(lambda: program(True), policies)
    assert done.of("vpc-flow-logs") == done.of("default-security-group-closed") == []
