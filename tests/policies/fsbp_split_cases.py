"""Second spellings of covered FSBP controls (issue 21, item 2): the same violation written with
a split pulumi-aws resource where `fsbp_cases.py` sets it inline, or inline where it uses the
split resource, so that a policy reading only one spelling fails here."""

from __future__ import annotations

import warnings
from typing import Any

import pulumi_aws as aws

from .fsbp_cases import (
    ACCOUNT,
    KEY,
    Case,
    _plans,
    _public_statement,
    _web_acl,
    doc,
)
from .helpers import provider

TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:t"


def _key_policy(good: bool) -> None:
    # KMS.5 with the policy in aws.kms.KeyPolicy rather than the key's `policy` argument.
    o = provider()
    key = aws.kms.Key("key", enable_key_rotation=True, opts=o)
    aws.kms.KeyPolicy(
        "key-policy", key_id=key.id, policy=doc(_public_statement(good, "kms:Decrypt", "*")), opts=o
    )


def _topic_inline(good: bool) -> None:
    # SNS.4 with the policy on the topic itself rather than aws.sns.TopicPolicy.
    aws.sns.Topic(
        "topic",
        kms_master_key_id=KEY,
        policy=doc(_public_statement(good, "sns:Publish", TOPIC)),
        opts=provider(),
    )


def _bucket_inline(good: bool) -> None:
    # S3.2 with the (deprecated, still accepted) inline `policy` of the bucket.
    aws.s3.Bucket(
        "bucket",
        bucket="b",
        policy=doc(_public_statement(good, "s3:GetObject", "arn:aws:s3:::b/*")),
        opts=provider(),
    )


def _group_rule(good: bool, port: int, kind: str) -> None:
    # EC2.18/EC2.19 with the rule in a rule resource rather than the group's `ingress`.
    o = provider()
    group = aws.ec2.SecurityGroup("group", opts=o)
    port = 443 if good else port
    if kind == "ec2":
        aws.ec2.SecurityGroupRule(
            "rule",
            type="ingress",
            security_group_id=group.id,
            protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_blocks=["0.0.0.0/0"],
            opts=o,
        )
    else:
        aws.vpc.SecurityGroupIngressRule(
            "rule",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4="0.0.0.0/0",
            opts=o,
        )


def _bucket_acl(good: bool, v2: bool) -> None:
    # S3.12 with a separate BucketAcl (or its V2 alias) rather than the bucket's inline `acl`:
    # with ACLs disabled any ACL resource is the violation, so the compliant program has none.
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    aws.s3.BucketOwnershipControls(
        "ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=o
    )
    if not good:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # BucketAclV2 is deprecated
            acl = aws.s3.BucketAclV2 if v2 else aws.s3.BucketAcl
            acl("acl", bucket=bucket.id, acl="private", opts=o)


def _public_bucket_acl(good: bool, canned: str, v2: bool) -> None:
    # S3.2/S3.3 with the ACL in a BucketAcl (or its V2 alias) rather than a bucket policy.
    o = provider()
    bucket = aws.s3.Bucket("bucket", opts=o)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # BucketAclV2 is deprecated
        acl = aws.s3.BucketAclV2 if v2 else aws.s3.BucketAcl
        acl("acl", bucket=bucket.id, acl="private" if good else canned, opts=o)


def _role_managed(good: bool) -> None:
    # IAM.27 with the managed policy in the role's `managed_policy_arns`.
    name = "ReadOnlyAccess" if good else "AWSCloudShellFullAccess"
    aws.iam.Role(
        "role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        managed_policy_arns=[f"arn:aws:iam::aws:policy/{name}"],
        opts=provider(),
    )


def _user_attachment(good: bool) -> None:
    # IAM.27 with the managed policy attached to a group by a GroupPolicyAttachment.
    name = "ReadOnlyAccess" if good else "AWSCloudShellFullAccess"
    aws.iam.GroupPolicyAttachment(
        "attach", group="g", policy_arn=f"arn:aws:iam::aws:policy/{name}", opts=provider()
    )


def _two_rotations(good: bool) -> None:
    # SecretsManager.4 with two rotation resources naming the same secret by ARN and by name:
    # AWS keeps one schedule, so a too-long one is a finding whichever the stack lists first.
    o = provider()
    secret = aws.secretsmanager.Secret("secret", name="app", kms_key_id=KEY, opts=o)
    aws.secretsmanager.SecretRotation(
        "by-arn",
        secret_id=secret.arn,
        rotation_lambda_arn="arn:aws:lambda:x",
        rotation_rules={"automatically_after_days": 30},
        opts=o,
    )
    aws.secretsmanager.SecretRotation(
        "by-name",
        secret_id=secret.name,
        rotation_lambda_arn="arn:aws:lambda:x",
        rotation_rules={"automatically_after_days": 30 if good else 400},
        opts=o,
    )


def _bucket_v2(o: Any, name: str = "b") -> aws.s3.BucketV2:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return aws.s3.BucketV2("bucket", bucket=name, opts=o)


def _logging(good: bool, inline: bool, trail: bool = False) -> None:
    # S3.9 with the bucket's inline `logging`, or a BucketV2 with a BucketLoggingV2 naming it by
    # ID (the violating one logs another bucket); with `trail`, CloudTrail.7 on a trail's bucket.
    o = provider()
    name = "trail" if trail else "b"
    if inline:
        bucket = aws.s3.Bucket(
            "bucket",
            bucket=name,
            logging={"target_bucket": "logs", "target_prefix": f"{name}/"} if good else None,
            opts=o,
        )
    else:
        bucket = _bucket_v2(o, name)
        aws.s3.BucketLoggingV2(
            "logging",
            bucket=bucket.id if good else "other",
            target_bucket="logs",
            target_prefix=f"{name}/",
            opts=o,
        )
    if trail:
        aws.cloudtrail.Trail("trail", s3_bucket_name=bucket.id, opts=o)


def _lifecycle(good: bool, inline: bool) -> None:
    # S3.13 with the bucket's inline `lifecycle_rules`, or a BucketV2 with a
    # BucketLifecycleConfigurationV2 naming it by name.
    o = provider()
    rule = {"id": "expire", "status": "Enabled", "expiration": {"days": 90}}
    if inline:
        aws.s3.Bucket(
            "bucket",
            bucket="b",
            lifecycle_rules=[{"id": "expire", "enabled": True, "expiration": {"days": 90}}]
            if good
            else None,
            opts=o,
        )
        return
    bucket = _bucket_v2(o)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        aws.s3.BucketLifecycleConfigurationV2(
            "lifecycle", bucket=bucket.bucket if good else "other", rules=[rule], opts=o
        )


def _inline_acl(good: bool) -> None:
    # S3.12 with an ACL given by the bucket's inline `acl` rather than a BucketAcl.
    o = provider()
    bucket = aws.s3.Bucket("bucket", bucket="b", acl=None if good else "public-read", opts=o)
    aws.s3.BucketOwnershipControls(
        "ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=o
    )


def _tls_inline(good: bool) -> None:
    # S3.5 with the TLS-only statement in the bucket's inline `policy`.
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false" if good else "true"}},
    }
    aws.s3.Bucket("bucket", bucket="b", policy=doc(deny), opts=provider())


def _cross_account_inline(good: bool) -> None:
    # S3.6 with the grant in the bucket's inline `policy`.
    action = "s3:GetObject" if good else "s3:PutBucketPolicy"
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
        "Action": action,
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    }
    aws.s3.Bucket("bucket", bucket="b", policy=doc(grant), opts=provider())


def _block_v2(good: bool) -> None:
    # S3.8 with a BucketV2 and its BucketPublicAccessBlock naming it by name.
    o = provider()
    bucket = _bucket_v2(o)
    aws.s3.BucketPublicAccessBlock(
        "block",
        bucket=bucket.bucket if good else "other",
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=o,
    )


SPLIT_CASES: list[Case] = [
    Case(
        "KMS.5",
        "resource-policy-principals",
        lambda: _key_policy(False),
        lambda: _key_policy(True),
        "Principal '*'",
    ),
    Case(
        "SNS.4",
        "resource-policy-principals",
        lambda: _topic_inline(False),
        lambda: _topic_inline(True),
        "Principal '*'",
    ),
    Case(
        "S3.2",
        "resource-policy-principals",
        lambda: _bucket_inline(False),
        lambda: _bucket_inline(True),
        "Principal '*'",
    ),
    # Both rule resources for each security-group control (the group's inline `ingress` is
    # the case in fsbp_cases.py).
    *(
        Case(
            control,
            "security-group-ingress",
            lambda port=port, kind=kind: _group_rule(False, port, kind),
            lambda port=port, kind=kind: _group_rule(True, port, kind),
            fragment,
        )
        for control, port, fragment in (
            ("EC2.18", 8443, "the internet may reach only ports 80/443"),
            ("EC2.19", 3306, "port 3306"),
            ("EC2.53", 22, "opens SSH"),
            ("EC2.54", 3389, "opens RDP"),
        )
        for kind in ("ec2", "vpc")
    ),
    *(
        Case(
            control,
            "resource-policy-principals",
            lambda canned=canned, v2=v2: _public_bucket_acl(False, canned, v2),
            lambda canned=canned, v2=v2: _public_bucket_acl(True, canned, v2),
            "access to everyone",
        )
        for control, canned in (("S3.2", "public-read"), ("S3.3", "public-read-write"))
        for v2 in (False, True)
    ),
    *(
        Case(
            "S3.12",
            "s3-object-ownership",
            lambda v2=v2: _bucket_acl(False, v2),
            lambda v2=v2: _bucket_acl(True, v2),
            "is given an ACL by",
        )
        for v2 in (False, True)
    ),
    Case(
        "IAM.27",
        "iam-managed-policy-attachments",
        lambda: _role_managed(False),
        lambda: _role_managed(True),
        "AWSCloudShellFullAccess",
    ),
    Case(
        "IAM.27",
        "iam-managed-policy-attachments",
        lambda: _user_attachment(False),
        lambda: _user_attachment(True),
        "AWSCloudShellFullAccess",
    ),
    Case(
        "SecretsManager.4",
        "secrets-rotation",
        lambda: _two_rotations(False),
        lambda: _two_rotations(True),
        "rotates every 400 days",
    ),
    *[
        Case(
            "S3.9",
            "s3-access-logging",
            (lambda i=inline: _logging(False, i)),
            (lambda i=inline: _logging(True, i)),
            "has no server access logging",
        )
        for inline in (True, False)
    ],
    *[
        Case(
            "S3.13",
            "s3-lifecycle",
            (lambda i=inline: _lifecycle(False, i)),
            (lambda i=inline: _lifecycle(True, i)),
            "has no lifecycle configuration",
        )
        for inline in (True, False)
    ],
    Case(
        "S3.12",
        "s3-object-ownership",
        lambda: _inline_acl(False),
        lambda: _inline_acl(True),
        "is given an ACL",
    ),
    Case(
        "S3.5",
        "s3-bucket-tls-only",
        lambda: _tls_inline(False),
        lambda: _tls_inline(True),
        "denying aws:SecureTransport=false",
    ),
    Case(
        "S3.6",
        "s3-cross-account-grants",
        lambda: _cross_account_inline(False),
        lambda: _cross_account_inline(True),
        "s3:putbucketpolicy",
    ),
    *[
        Case(
            control,
            "s3-bucket-public-access-block",
            lambda: _block_v2(False),
            lambda: _block_v2(True),
            "has no BucketPublicAccessBlock",
        )
        for control in ("S3.8", "S3.2", "S3.3")
    ],
]


def _acl_rule(good: bool, kind: str, control: str) -> None:
    # WAF.10 and WAF.12 with the web ACL's rule added by an aws.wafv2.WebAclRule or a
    # WebAclRuleGroupAssociation rather than its inline `rules`. For WAF.10 the violating rule
    # names another web ACL; for WAF.12 it sends no CloudWatch metrics.
    o = provider()
    acl = _web_acl(True, [], o)
    target = acl.arn if good or control == "WAF.12" else f"arn:aws:wafv2:us-east-1:{ACCOUNT}:x"
    visibility = {
        "cloudwatch_metrics_enabled": good or control == "WAF.10",
        "metric_name": "common",
        "sampled_requests_enabled": True,
    }
    group = {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
    if kind == "rule":
        aws.wafv2.WebAclRule(
            "common",
            web_acl_arn=target,
            name="common",
            priority=1,
            override_action={"none": {}},
            statement={"managed_rule_group_statement": group},
            visibility_config=visibility,
            opts=o,
        )
    else:
        aws.wafv2.WebAclRuleGroupAssociation(
            "common",
            web_acl_arn=target,
            rule_name="common",
            priority=1,
            managed_rule_group=group,
            visibility_config=visibility,
            opts=o,
        )


def _user_inline_policy(good: bool) -> None:
    # IAM.2 with the user's permissions in an inline aws.iam.UserPolicy rather than an
    # attachment; the compliant program puts the same policy on a group the user is in.
    o = provider()
    user = aws.iam.User("user", opts=o)
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    group = aws.iam.Group("readers", opts=o)
    aws.iam.UserGroupMembership("member", user=user.name, groups=[group.name], opts=o)
    if good:
        aws.iam.GroupPolicy("read", group=group.name, policy=policy, opts=o)
    else:
        aws.iam.UserPolicy("read", user=user.name, policy=policy, opts=o)


SPLIT_CASES += [
    *(
        Case(
            control,
            policy,
            lambda c=control, k=kind: _acl_rule(False, k, c),
            lambda c=control, k=kind: _acl_rule(True, k, c),
            fragment,
        )
        for control, policy, fragment in (
            ("WAF.10", "waf-web-acl-rules", "has no rules"),
            ("WAF.12", "waf-rules", "sends no CloudWatch metrics"),
        )
        for kind in ("rule", "group")
    ),
    *(
        Case(
            "CloudTrail.7",
            "s3-access-logging",
            lambda i=inline: _logging(False, i, trail=True),
            lambda i=inline: _logging(True, i, trail=True),
            "has no server access logging",
        )
        for inline in (True, False)
    ),
    Case(
        "IAM.2",
        "iam-user-policies",
        lambda: _user_inline_policy(False),
        lambda: _user_inline_policy(True),
        "given to a user directly",
    ),
]


def _exclusive_attachments(good: bool, kind: str) -> None:
    # IAM.27 and IAM.2 with the managed policies listed in a role's or a user's
    # `*PolicyAttachmentsExclusive`: it attaches every ARN it lists, besides detaching others.
    o = provider()
    if kind == "role":
        name = "ReadOnlyAccess" if good else "AWSCloudShellFullAccess"
        aws.iam.RolePolicyAttachmentsExclusive(
            "attachments",
            role_name="app",
            policy_arns=[f"arn:aws:iam::aws:policy/{name}"],
            opts=o,
        )
    else:
        aws.iam.UserPolicyAttachmentsExclusive(
            "attachments",
            user_name="someone",
            policy_arns=[] if good else ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            opts=o,
        )


def _function_url(good: bool) -> None:
    # Lambda.1 with the function opened to everyone by a function URL without IAM auth.
    aws.lambda_.FunctionUrl(
        "url",
        function_name="f",
        authorization_type="AWS_IAM" if good else "NONE",
        opts=provider(),
    )


SPLIT_CASES += [
    Case(
        "IAM.27",
        "iam-managed-policy-attachments",
        lambda: _exclusive_attachments(False, "role"),
        lambda: _exclusive_attachments(True, "role"),
        "AWSCloudShellFullAccess",
    ),
    Case(
        "IAM.2",
        "iam-user-policies",
        lambda: _exclusive_attachments(False, "user"),
        lambda: _exclusive_attachments(True, "user"),
        "given to a user directly",
    ),
    Case(
        "Lambda.1",
        "lambda-public-access",
        lambda: _function_url(False),
        lambda: _function_url(True),
        "makes the function URL public",
    ),
]


def listener_with_rule(good: bool, listener_module: Any, rule_module: Any) -> None:
    """ELB.1 with the twins of fsbp_cases.py's aws.lb Listener and ListenerRule (aws.alb, or
    one of each): the rule on the redirecting HTTP listener forwards (violating) or redirects
    too."""
    o = provider()
    redirect = {
        "type": "redirect",
        "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
    }
    forward = {"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:x"}
    listener = listener_module.Listener(
        "http",
        load_balancer_arn="arn:lb",
        port=80,
        protocol="HTTP",
        default_actions=[redirect],
        opts=o,
    )
    rule_module.ListenerRule(
        "api",
        listener_arn=listener.arn,
        priority=10,
        conditions=[{"path_pattern": {"values": ["/api/*"]}}],
        actions=[redirect if good else forward],
        opts=o,
    )


SPLIT_CASES += [
    Case(
        "ELB.1",
        "http-listener-rules",
        lambda: listener_with_rule(False, aws.alb, aws.alb),
        lambda: listener_with_rule(True, aws.alb, aws.alb),
        "HTTP listeners must only redirect to HTTPS",
    )
]


_AGENTS = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")
_GUARDDUTY_PLANS = {
    "GuardDuty.5": "EKS_AUDIT_LOGS",
    "GuardDuty.6": "LAMBDA_NETWORK_LOGS",
    "GuardDuty.7": "EKS_ADDON_MANAGEMENT",
    "GuardDuty.8": "EBS_MALWARE_PROTECTION",
    "GuardDuty.9": "RDS_LOGIN_EVENTS",
    "GuardDuty.10": "S3_DATA_EVENTS",
    "GuardDuty.11": "RUNTIME_MONITORING",
    "GuardDuty.12": "ECS_FARGATE_AGENT_MANAGEMENT",
    "GuardDuty.13": "EC2_AGENT_MANAGEMENT",
}
# The legacy OrganizationConfiguration `datasources` flag of the plans it can express.
_DATASOURCES = {
    "GuardDuty.5": lambda on: {"kubernetes": {"audit_logs": {"enable": on}}},
    "GuardDuty.8": lambda on: {
        "malware_protection": {
            "scan_ec2_instance_with_findings": {"ebs_volumes": {"auto_enable": on}}
        }
    },
    "GuardDuty.10": lambda on: {"s3_logs": {"auto_enable": on}},
}


def _organization_plan(good: bool, control: str, kind: str) -> None:
    # GuardDuty.5-13 in the delegated administrator account, with every plan on for the
    # account itself and the plan turned off for member accounts by an
    # OrganizationConfigurationFeature (auto_enable), a MemberDetectorFeature (status) or the
    # legacy `datasources` of OrganizationConfiguration.
    detector, o = _plans(True, "")
    plan = _GUARDDUTY_PLANS[control]
    agent = plan in _AGENTS
    feature = "RUNTIME_MONITORING" if agent else plan
    if kind == "organization":
        on, off = "ALL", "NONE"
        aws.guardduty.OrganizationConfigurationFeature(
            "members",
            detector_id=detector.id,
            name=feature,
            auto_enable="ALL" if good or agent else "NEW",
            additional_configurations=[
                {"name": a, "auto_enable": on if good or a != plan else off} for a in _AGENTS
            ]
            if feature == "RUNTIME_MONITORING"
            else None,
            opts=o,
        )
    elif kind == "member":
        aws.guardduty.MemberDetectorFeature(
            "member",
            detector_id=detector.id,
            account_id="210987654321",
            name=feature,
            status="ENABLED" if good or agent else "DISABLED",
            additional_configurations=[
                {"name": a, "status": "ENABLED" if good or a != plan else "DISABLED"}
                for a in _AGENTS
            ]
            if agent
            else None,
            opts=o,
        )
    else:
        aws.guardduty.OrganizationConfiguration(
            "organization",
            detector_id=detector.id,
            auto_enable_organization_members="ALL",
            datasources=_DATASOURCES[control](good),
            opts=o,
        )


SPLIT_CASES += [
    Case(
        control,
        "guardduty-protection-plans",
        lambda c=control, k=kind: _organization_plan(False, c, k),
        lambda c=control, k=kind: _organization_plan(True, c, k),
        f"{plan} ({control})",
    )
    for control, plan in _GUARDDUTY_PLANS.items()
    for kind in ("organization", "member", *(("datasources",) if control in _DATASOURCES else ()))
]


def _inline_attachment(good: bool, kind: str) -> None:
    # EC2.9 with the Elastic IP's own `instance`, EC2.17 with the network interface's own
    # `attachments`, rather than an association or attachment resource.
    o = provider()
    instance = aws.ec2.Instance("instance", ami="ami-1", instance_type="t3.micro", opts=o)
    if kind == "eip":
        aws.ec2.Eip("eip", domain="vpc", instance=None if good else instance.id, opts=o)
    else:
        aws.ec2.NetworkInterface(
            "second",
            subnet_id="subnet-1",
            attachments=[] if good else [{"instance": instance.id, "device_index": 1}],
            opts=o,
        )


SPLIT_CASES += [
    Case(
        control,
        "instance-attachments",
        lambda k=kind: _inline_attachment(False, k),
        lambda k=kind: _inline_attachment(True, k),
        fragment,
    )
    for control, kind, fragment in (
        ("EC2.9", "eip", "a public IPv4 address (EC2.9)"),
        ("EC2.17", "eni", "adds a second network interface to instance"),
    )
]


def _policy_without_tls(good: bool) -> None:
    # S3.5 with a BucketPolicy that exists but lacks the aws:SecureTransport denial.
    o = provider()
    bucket = aws.s3.Bucket("bucket", bucket="b", opts=o)
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statements = [grant, deny] if good else [grant]
    aws.s3.BucketPolicy("policy", bucket=bucket.id, policy=doc(*statements), opts=o)


def _rotation_elsewhere(good: bool) -> None:
    # SecretsManager.1 with a SecretRotation that names another secret.
    o = provider()
    secret = aws.secretsmanager.Secret("secret", kms_key_id=KEY, opts=o)
    aws.secretsmanager.SecretRotation(
        "rotation",
        secret_id=secret.id if good else "other",
        rotation_lambda_arn="arn:aws:lambda:x",
        rotation_rules={"automatically_after_days": 30},
        opts=o,
    )


SPLIT_CASES += [
    Case(
        "S3.5",
        "s3-bucket-tls-only",
        lambda: _policy_without_tls(False),
        lambda: _policy_without_tls(True),
        "has no statement denying aws:SecureTransport=false",
    ),
    Case(
        "SecretsManager.1",
        "secrets-rotation",
        lambda: _rotation_elsewhere(False),
        lambda: _rotation_elsewhere(True),
        "never rotates",
    ),
]
