"""P19: the effective-configuration view merges each resource with the split resources that set
part of it, from the inventory derived from the provider (`policy/awsfacts/split_types.json`)."""

from __future__ import annotations

import copy
import inspect
import json
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policy.awsfacts.split_types import load
from policy.effective import OWNER_ALIASES, EffectiveView, view_of
from policy.evaluate import evaluate
from policy.harness import run_inline
from policy.rules.services import _web_acls_without_rules

from .fsbp_cases import _web_acl
from .helpers import provider

REPO = Path(__file__).resolve().parents[2]
# Per service, the split types the pack's covered controls need merged (the miss shapes
# and the split resources the S3, security group, IAM and account policies read).
EXPECTED = {
    "kms": {"aws:kms/keyPolicy:KeyPolicy", "aws:kms/grant:Grant"},
    "lambda": {"aws:lambda/permission:Permission", "aws:lambda/functionUrl:FunctionUrl"},
    "s3": {
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLoggingV2:BucketLoggingV2",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketAcl:BucketAcl",
    },
    "ec2": {"aws:ec2/securityGroupRule:SecurityGroupRule"},
    "vpc": {
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    },
    "iam": {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    },
    "secretsmanager": {
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretRotation:SecretRotation",
    },
    "sns": {"aws:sns/topicPolicy:TopicPolicy"},
    "sqs": {"aws:sqs/queuePolicy:QueuePolicy"},
    "guardduty": {"aws:guardduty/detectorFeature:DetectorFeature"},
    "cloudwatch": {"aws:cloudwatch/eventBusPolicy:EventBusPolicy"},
    "route53": {"aws:route53/queryLog:QueryLog"},
    "wafv2": {
        "aws:wafv2/webAclRule:WebAclRule",
        "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
    },
}


def test_inventory_lists_the_split_types_per_service() -> None:
    """The inventory holds, per service, at least the split types the covered controls need,
    each with its owner's type and the property naming it."""
    split = load()["split"]
    missing = {s: sorted(t - set(split.get(s, {}))) for s, t in EXPECTED.items()}
    assert {s: t for s, t in missing.items() if t} == {}
    assert split["kms"]["aws:kms/keyPolicy:KeyPolicy"] == {
        "owner": "aws:kms/key:Key",
        "link": "keyId",
    }
    # Objects are a bucket's content, not its configuration.
    assert "aws:s3/bucketObject:BucketObject" not in split["s3"]


def test_inventory_is_derived_from_the_installed_provider() -> None:
    """The committed inventory is what the tool derives now, and the tool prints the count."""
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "split_types.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    total = sum(len(t) for t in load()["split"].values())
    assert f"{total} split types among" in done.stdout


def test_optional_links_admit_only_types_named_after_their_owner() -> None:
    """An optional link argument makes a part only of a same-service owner whose class name
    starts the type's: an EventBusPolicy of its bus (`event_bus_name`), never an EC2 KeyPair
    of a KMS key (`key_name`) nor S3's AccountPublicAccessBlock of a Security Hub account."""
    split = load()["split"]
    assert split["cloudwatch"]["aws:cloudwatch/eventBusPolicy:EventBusPolicy"] == {
        "owner": "aws:cloudwatch/eventBus:EventBus",
        "link": "eventBusName",
    }
    assert "aws:ec2/keyPair:KeyPair" not in split["ec2"]
    assert "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock" not in split["s3"]


def _view(program: Any) -> tuple[EffectiveView, dict[str, Any]]:
    """The view a stack policy builds from what the evaluator hands it, and its resources by
    logical name."""
    seen: dict[str, Any] = {}

    def capture(args: Any, report: Any) -> None:
        seen["resources"] = list(args.resources)

    policy = StackValidationPolicy("capture", "capture", capture, EnforcementLevel.ADVISORY)
    evaluate(run_inline(program), [policy])
    resources = seen["resources"]
    return EffectiveView(resources), {r.name: r for r in resources}


def test_view_merges_parts_named_by_id_arn_or_name() -> None:
    """A key policy naming its key by ARN, permissions naming a function by name and by
    qualified ARN, a bucket's encryption and a security group's rule resource all land on the
    resource they configure, and each part knows its owner."""

    def program() -> None:
        o = provider()
        key = aws.kms.Key("key", opts=o)
        aws.kms.KeyPolicy("key-policy", key_id=key.arn, policy=json.dumps({}), opts=o)
        function = aws.lambda_.Function(
            "fn",
            role="arn:aws:iam::123456789012:role/r",
            runtime="python3.12",
            handler="h.h",
            code=pulumi.AssetArchive({}),
            opts=o,
        )
        aws.lambda_.Permission(
            "by-name",
            function=function.name,
            action="lambda:InvokeFunction",
            principal="s3.amazonaws.com",
            opts=o,
        )
        aws.lambda_.Permission(
            "by-arn",
            function=function.arn.apply(lambda a: f"{a}:live"),
            action="lambda:InvokeFunction",
            principal="sns.amazonaws.com",
            opts=o,
        )
        bucket = aws.s3.Bucket("bucket", opts=o)
        aws.s3.BucketServerSideEncryptionConfiguration("sse", bucket=bucket.id, rules=[], opts=o)
        group = aws.ec2.SecurityGroup("sg", opts=o)
        aws.vpc.SecurityGroupIngressRule(
            "in",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="10.0.0.0/8",
            opts=o,
        )

    view, named = _view(program)
    assert [p.name for p in view.of(named["key"]).of("aws:kms/keyPolicy:KeyPolicy")] == [
        "key-policy"
    ]
    permissions = view.of(named["fn"]).of("aws:lambda/permission:Permission")
    assert sorted(p.name for p in permissions) == ["by-arn", "by-name"]
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert [p.name for p in view.of(named["bucket"]).of(sse)] == ["sse"]
    assert view.owner_of(named["in"]).name == "sg"
    assert view.of(named["sg"]).contributors == [named["in"].urn]
    assert view.owner_of(named["key"]) is None


def test_view_merges_the_parts_of_an_owner_alias() -> None:
    """A deprecated BucketV2 is the same AWS bucket as a Bucket: the V2 split resources naming
    it by ID or by name land on it, and the alias table is what the SDK's Bucket declares."""

    def program() -> None:
        o = provider()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            bucket = aws.s3.BucketV2("bucket", bucket="b", opts=o)
            aws.s3.BucketVersioningV2(
                "versioning",
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=o,
            )
            aws.s3.BucketLoggingV2(
                "logging", bucket=bucket.bucket, target_bucket="logs", target_prefix="b/", opts=o
            )

    view, named = _view(program)
    assert sorted(p.name for p in view.of(named["bucket"]).parts_of_all()) == [
        "logging",
        "versioning",
    ]
    source = Path(inspect.getfile(aws.s3.Bucket)).read_text()
    for alias, owner in OWNER_ALIASES.items():
        assert f'Alias(type_="{alias}")' in source and f"'{owner}'" in source


def _as_in_a_first_preview(resources: list[Any]) -> None:
    """Give captured stack resources the shape the engine sends in a first `pulumi preview`:
    computed ids and ARNs unknown, so every link built from them is unknown too (a link is
    unknown exactly when it has a property dependency), behind pulumi-policy's proxy."""
    for resource in resources:
        props = copy.deepcopy(resource.props["__target"])
        for key in ("id", "arn"):
            if key in props:
                props[key] = UNKNOWN_STRING_VALUE
        for key, dependencies in resource.property_dependencies.items():
            if dependencies and key in props:
                props[key] = UNKNOWN_STRING_VALUE
        resource.props = unknown_checking_proxy(props)


def test_view_links_parts_through_property_dependencies_in_a_first_preview() -> None:
    """P19, issue 21: in a first preview a split resource's link (`bucket=bucket.id`,
    `web_acl_arn=acl.arn`) is unknown, and reading it raised UnknownValueError, so every merged
    stack policy said "can't run during preview". The view follows the part's property
    dependencies to its owner instead, and WAF.10 judges the web ACL with its split rule."""

    def program() -> None:
        o = provider()
        bucket = aws.s3.Bucket("bucket", opts=o)
        aws.s3.BucketLogging(
            "logging", bucket=bucket.id, target_bucket="logs", target_prefix="b/", opts=o
        )
        acl = _web_acl(True, [], o)
        aws.wafv2.WebAclRule(
            "rule",
            web_acl_arn=acl.arn,
            priority=1,
            name="rate",
            action={"block": {}},
            statement={"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": "rate",
                "sampled_requests_enabled": True,
            },
            opts=o,
        )
        aws.wafv2.WebAcl(
            "bare",
            scope="REGIONAL",
            default_action={"allow": {}},
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": "bare",
                "sampled_requests_enabled": True,
            },
            opts=o,
        )

    _, named = _view(program)
    resources = list(named.values())
    _as_in_a_first_preview(resources)
    with pytest.raises(UnknownValueError):
        named["bucket"].props["id"]
    view = EffectiveView(resources)
    assert view.owner_of(named["logging"]).name == "bucket"
    assert view.owner_of(named["rule"]).name == "acl"
    found = list(_web_acls_without_rules(SimpleNamespace(resources=resources)))
    assert [urn for urn, _ in found] == [named["bare"].urn]


def test_a_dependency_on_two_possible_owners_links_to_neither() -> None:
    """A link built from two owners' outputs names one of them, and the dependencies alone do
    not say which: the part is left unlinked rather than guessed."""

    def program() -> None:
        o = provider()
        first = aws.s3.Bucket("first", opts=o)
        second = aws.s3.Bucket("second", opts=o)
        aws.s3.BucketLogging(
            "logging",
            bucket=pulumi.Output.all(first.id, second.id).apply(lambda ids: ids[0]),
            target_bucket="logs",
            target_prefix="first/",
            opts=o,
        )

    _, named = _view(program)
    resources = list(named.values())
    _as_in_a_first_preview(resources)
    assert EffectiveView(resources).owner_of(named["logging"]) is None


def test_stack_policies_share_one_view_per_resource_list() -> None:
    """The offline check hands every stack policy the same list: one view serves them all; a
    new list (the engine's, per policy) gets a view of its own, never a stale one."""
    _, named = _view(lambda: aws.s3.Bucket("bucket", opts=provider()))
    resources = list(named.values())
    assert view_of(resources) is view_of(resources)
    copy_of = list(resources)
    assert view_of(copy_of) is not view_of(resources)


def test_rules_name_both_twins_of_a_type() -> None:
    """A rule module that judges `aws:lb/loadBalancer:LoadBalancer` judges its twin
    `aws:alb/loadBalancer:LoadBalancer` too (the same AWS resource, two SDK modules, as the
    inventory's `twins` records from the SDK's notes): a program may use either."""
    twins = load()["twins"]
    assert twins["aws:alb/listener:Listener"] == "aws:lb/listener:Listener"
    one_sided = [
        f"{path.name}: {a if a in text else b} without its twin"
        for path in sorted((REPO / "policy" / "rules").glob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for a, b in twins.items()
        if (f'"{a}"' in text) != (f'"{b}"' in text)
    ]
    assert one_sided == []
