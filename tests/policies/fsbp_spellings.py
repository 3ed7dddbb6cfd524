"""Which split spellings of the covered FSBP controls cannot express the control, and which are
still to be written (issue 21, item 2). `test_fsbp_spellings.py` derives, for every covered
control, the split types of `policy/awsfacts/split_types.json` whose owner is the type of a
resource the control's violating case is reported on (every resource of the case when the
control is account-level and reported on the stack), and requires each to have a case (in
`fsbp_cases.py` or `fsbp_split_cases.py`), an entry in `SPELLING_EXEMPT`, or an entry in
`SPELLING_TODO`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _token(service: str, name: str) -> str:
    return f"aws:{service}/{name[:1].lower()}{name[1:]}:{name}"


def _part(type_token: str) -> str:
    """A split type's part in words: `BucketCorsConfigurationV2` -> `cors configuration`."""
    name = re.sub(r"V2$", "", type_token.rsplit(":", 1)[1])
    name = re.sub(r"^(Bucket|Function|Vpc|LoadBalancer)", "", name) or name
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*", name))


SPELLING_EXEMPT: dict[tuple[str, str], str] = {}


def _exempt(controls: Iterable[str], types: Iterable[str], reason: str) -> None:
    for control in controls:
        for t in types:
            SPELLING_EXEMPT[control, t] = reason


def _irrelevant(control: str, judges: str, services_types: Iterable[str]) -> None:
    """Split types that set a part of the owner other than the one the control judges."""
    for t in services_types:
        SPELLING_EXEMPT[control, t] = f"sets the {_part(t)}; {control} judges {judges}"


# -- S3 buckets: every bucket split type sets one part; a control judges one or two of them.
_BUCKET_PARTS = [
    _token("s3", n)
    for n in [
        "AnalyticsConfiguration",
        "BucketAbac",
        "BucketAccelerateConfiguration",
        "BucketAccelerateConfigurationV2",
        "BucketAcl",
        "BucketAclV2",
        "BucketCorsConfiguration",
        "BucketCorsConfigurationV2",
        "BucketIntelligentTieringConfiguration",
        "BucketLifecycleConfiguration",
        "BucketLifecycleConfigurationV2",
        "BucketLogging",
        "BucketLoggingV2",
        "BucketMetadataConfiguration",
        "BucketMetric",
        "BucketNotification",
        "BucketObjectLockConfiguration",
        "BucketObjectLockConfigurationV2",
        "BucketOwnershipControls",
        "BucketPolicy",
        "BucketPublicAccessBlock",
        "BucketReplicationConfig",
        "BucketRequestPaymentConfiguration",
        "BucketRequestPaymentConfigurationV2",
        "BucketServerSideEncryptionConfiguration",
        "BucketServerSideEncryptionConfigurationV2",
        "BucketVersioning",
        "BucketVersioningV2",
        "BucketWebsiteConfiguration",
        "BucketWebsiteConfigurationV2",
    ]
]
_S3_JUDGES = {
    "S3.2": (
        "public read through the policy, ACL and public access block",
        {"BucketPolicy", "BucketPublicAccessBlock", "BucketAcl", "BucketAclV2"},
    ),
    "S3.3": (
        "public write through the policy, ACL and public access block",
        {"BucketPolicy", "BucketPublicAccessBlock", "BucketAcl", "BucketAclV2"},
    ),
    "S3.5": ("the bucket policy's aws:SecureTransport denial", {"BucketPolicy"}),
    "S3.6": ("the bucket policy's grants to other accounts", {"BucketPolicy"}),
    "S3.8": ("the bucket's public access block", {"BucketPublicAccessBlock"}),
    "S3.12": (
        "whether an ACL is used (ownership controls, ACL)",
        {"BucketOwnershipControls", "BucketAcl", "BucketAclV2"},
    ),
    "S3.13": (
        "the lifecycle configuration",
        {"BucketLifecycleConfiguration", "BucketLifecycleConfigurationV2"},
    ),
    "CloudTrail.7": (
        "the trail bucket's server access logging",
        {"BucketLogging", "BucketLoggingV2"},
    ),
}
for _control, (_judges, _reads) in _S3_JUDGES.items():
    _irrelevant(_control, _judges, [t for t in _BUCKET_PARTS if t.rsplit(":", 1)[1] not in _reads])

# -- Account-level controls reported on the stack: their cases' other resources (a GuardDuty
# detector, an Access Analyzer) bring split types that set those, not the account setting.
_ACCOUNT_NOISE = [
    _token("accessanalyzer", "ArchiveRule"),
    _token("guardduty", "DetectorFeature"),
    _token("guardduty", "MemberDetectorFeature"),
    _token("guardduty", "OrganizationConfiguration"),
    _token("guardduty", "OrganizationConfigurationFeature"),
]
_exempt(
    ["CloudTrail.1", "EC2.7", "S3.1", "SSM.6", "SSM.7", "IAM.7"],
    _ACCOUNT_NOISE,
    "sets a GuardDuty detector or an Access Analyzer analyzer the case also declares; the "
    "account-level control judges another account setting",
)
# GuardDuty.5-13 fail in the delegated administrator account while a member has the plan off:
# OrganizationConfigurationFeature, MemberDetectorFeature and the legacy `datasources` of
# OrganizationConfiguration (S3 logs, EKS audit logs, EBS malware scans) have cases; the
# datasources cannot express the other plans.
_exempt(
    [f"GuardDuty.{n}" for n in (6, 7, 9, 11, 12, 13)],
    [_token("guardduty", "OrganizationConfiguration")],
    "its legacy datasources cover only S3 logs, EKS audit logs and EBS malware scans; the "
    "members' other plans are set by OrganizationConfigurationFeature (which has a case)",
)
_exempt(
    ["GuardDuty.1"],
    [_token("accessanalyzer", "ArchiveRule")],
    "archives Access Analyzer findings; GuardDuty.1 judges whether a detector is enabled",
)

# -- Security groups: the ingress controls; egress rules and group associations open nothing in.
_SG_NONE = {
    _token("vpc", "SecurityGroupEgressRule"): "an egress rule; the control judges ingress",
    _token("ec2", "SecurityGroupAssociation"): "associates the group with a VPC endpoint; "
    "it adds no rule",
    _token("vpc", "SecurityGroupVpcAssociation"): "associates the group with another VPC; "
    "it adds no rule",
}
for _t, _r in _SG_NONE.items():
    _exempt(["EC2.18", "EC2.19", "EC2.53", "EC2.54"], [_t], _r)

# -- VPCs: the endpoint controls (EC2.10/55/56/57), flow logs (EC2.6), unused ACLs (EC2.16).
_VPC_PARTS = [
    _token("ec2", n)
    for n in [
        "NetworkAcl",
        "VpcBlockPublicAccessExclusion",
        "VpcDhcpOptionsAssociation",
        "VpcEncryptionControl",
        "VpcEndpoint",
        "VpcIpv4CidrBlockAssociation",
        "VpcIpv6CidrBlockAssociation",
        "VpcPeeringConnection",
    ]
] + [_token("ec2transitgateway", "VpcAttachment"), _token("route53", "VpcAssociationAuthorization")]
for _control, _judges, _reads in (
    *[
        (c, "whether the VPC has an interface endpoint for the service", {"VpcEndpoint"})
        for c in ("EC2.10", "EC2.55", "EC2.56", "EC2.57")
    ],
    ("EC2.6", "the VPC's flow log (an aws.ec2.FlowLog naming it, read by the policy)", set()),
    ("EC2.16", "whether a network ACL is associated with a subnet", {"NetworkAcl"}),
):
    _irrelevant(_control, _judges, [t for t in _VPC_PARTS if t.rsplit(":", 1)[1] not in _reads])
_exempt(
    ["EC2.16"],
    [_token("ec2", "NetworkAclRule")],
    "adds a rule to the ACL; EC2.16 judges whether the ACL is associated",
)

# -- Single split types that set another part than the control judges.
_ONE = {
    ("EC2.3", _token("ec2", "VolumeAttachment")): "attaches the volume; its encryption is the "
    "volume's own",
    ("EC2.15", _token("ec2", "SubnetCidrReservation")): "reserves addresses; public IP "
    "assignment is the subnet's own",
    ("EC2.171", _token("ec2", "VpnConnectionRoute")): "adds a route; tunnel logging is the "
    "connection's own",
    ("EC2.180", _token("ec2", "NetworkInterfaceAttachment")): "attaches the interface; "
    "source/destination check is its own",
    ("EC2.180", _token("ec2", "NetworkInterfacePermission")): "grants another account use of "
    "the interface; source/destination check is its own",
    ("EC2.180", _token("ec2", "NetworkInterfaceSecurityGroupAttachment")): "attaches a "
    "security group; source/destination check is the interface's own",
    ("ECS.12", _token("ecs", "ClusterCapacityProviders")): "sets capacity providers; Container "
    "Insights is the cluster's own setting",
    ("SNS.4", _token("sns", "TopicSubscription")): "subscribes an endpoint; it adds no "
    "statement to the topic's access policy",
    ("KMS.5", _token("kms", "Grant")): "a grant names one grantee principal (no wildcard), so "
    "it cannot make the key public",
    ("KMS.4", _token("kms", "Grant")): "grants use of the key; rotation is the key's own",
    ("KMS.4", _token("kms", "KeyPolicy")): "sets the key policy; rotation is the key's own",
    ("KMS.1", _token("iam", "PolicyAttachment")): "attaches the policy; KMS.1 judges the "
    "policy document, which stays the policy's",
    ("IAM.1", _token("iam", "PolicyAttachment")): "attaches the policy; IAM.1 judges the "
    "policy document, which stays the policy's",
    ("IAM.21", _token("iam", "PolicyAttachment")): "attaches the policy; IAM.21 judges the "
    "policy document, which stays the policy's",
    ("KMS.2", _token("iam", "RolePolicyAttachment")): "attaches a managed policy; KMS.2 judges "
    "inline policies",
    ("KMS.2", _token("iam", "RolePoliciesExclusive")): "lists the role's inline policy names; "
    "the documents are the RolePolicy resources'",
    ("KMS.2", _token("iam", "RolePolicyAttachmentsExclusive")): "lists managed policy ARNs; "
    "KMS.2 judges inline policies",
    ("KMS.2", _token("rds", "RoleAssociation")): "associates the role with a DB instance; it "
    "sets no policy",
    ("IAM.27", _token("iam", "RolePolicy")): "an inline policy; IAM.27 judges the attached AWS "
    "managed policy AWSCloudShellFullAccess",
    ("IAM.27", _token("iam", "RolePoliciesExclusive")): "lists inline policy names; IAM.27 "
    "judges managed policies",
    ("IAM.27", _token("rds", "RoleAssociation")): "associates the role with a DB instance; it "
    "attaches no policy",
    ("IAM.2", _token("iam", "UserLoginProfile")): "the console password; no policy",
    ("IAM.2", _token("iam", "UserPoliciesExclusive")): "lists inline policy names; the policies "
    "are the UserPolicy resources'",
    ("SecretsManager.1", _token("secretsmanager", "SecretPolicy")): "the secret's resource "
    "policy; rotation is SecretRotation's",
    ("SecretsManager.4", _token("secretsmanager", "SecretPolicy")): "the secret's resource "
    "policy; the rotation schedule is SecretRotation's",
    ("WAF.4", _token("wafregional", "WebAclAssociation")): "associates the ACL with a "
    "resource; it adds no rule",
}
SPELLING_EXEMPT.update(_ONE)
for _control in ("WAF.10", "WAF.12"):
    SPELLING_EXEMPT[_control, _token("wafv2", "WebAclAssociation")] = (
        "associates the web ACL with a resource; it adds no rule"
    )
for _control in ("ECR.1", "ECR.2", "ECR.3"):
    SPELLING_EXEMPT[_control, _token("ecr", "RepositoryPolicy")] = (
        f"the repository's access policy; {_control} judges scanning, tag immutability or lifecycle"
    )
for _control in ("Lambda.1", "Lambda.2", "Lambda.5"):
    for _name in ("FunctionEventInvokeConfig", "FunctionRecursionConfig", "FunctionScalingConfig"):
        SPELLING_EXEMPT[_control, _token("lambda", _name)] = (
            f"sets the function's {_part(_token('lambda', _name))}; {_control} judges "
            + {
                "Lambda.1": "its resource-based policy",
                "Lambda.2": "its runtime",
                "Lambda.5": "its VPC",
            }[_control]
        )
for _control in ("Lambda.2", "Lambda.5"):
    for _name in ("FunctionUrl", "Permission"):
        SPELLING_EXEMPT[_control, _token("lambda", _name)] = (
            f"sets the function's {_part(_token('lambda', _name))}; {_control} judges its "
            + ("runtime" if _control == "Lambda.2" else "VPC")
        )
# Classic load balancers: the policy types set cookies, back-end and SSL negotiation (ELB.8,
# not covered); ELB.2/3/7/9/10/14 judge the balancer's listeners and attributes.
for _control in ("ELB.2", "ELB.3", "ELB.7", "ELB.9", "ELB.10", "ELB.14"):
    _irrelevant(
        _control,
        "the balancer's own listeners or attributes",
        [
            _token("elb", n)
            for n in [
                "AppCookieStickinessPolicy",
                "ListenerPolicy",
                "LoadBalancerBackendServerPolicy",
                "LoadBalancerCookieStickinessPolicy",
                "LoadBalancerPolicy",
                "SslNegotiationPolicy",
            ]
        ],
    )
for _control, _judges, _names in (
    ("ELB.1", "the HTTP listener's default action and rules", ("ListenerCertificate",)),
    ("ELB.17", "the listener's SSL policy", ("ListenerCertificate", "ListenerRule")),
):
    for _name in _names:
        SPELLING_EXEMPT[_control, _token("lb", _name)] = (
            f"adds a {_part(_token('lb', _name))}; {_control} judges {_judges}"
        )
for _control in ("EC2.8", "EC2.9", "EC2.17", "EC2.24"):
    SPELLING_EXEMPT[_control, _token("ec2transitgateway", "InstanceState")] = (
        f"starts or stops the instance; {_control} judges the instance's own settings "
        "(metadata options, public IP, network interfaces, virtualization type)"
    )
for _name in ("DefaultRouteTableAssociation", "MeteringPolicy", "PeeringAttachment"):
    SPELLING_EXEMPT["EC2.23", _token("ec2transitgateway", _name)] = (
        f"sets the transit gateway's {_part(_token('ec2transitgateway', _name))}; EC2.23 judges "
        "its auto-accept of attachments"
    )
for _control in (
    "RDS.7",
    "RDS.12",
    "RDS.14",
    "RDS.16",
    "RDS.19",
    "RDS.20",
    "RDS.24",
    "RDS.27",
    "RDS.34",
    "RDS.35",
    "RDS.45",
    "RDS.47",
    "RDS.48",
):
    SPELLING_EXEMPT[_control, _token("rds", "ClusterEndpoint")] = (
        f"a custom endpoint selects instances; {_control} judges a cluster setting"
    )
for _control in (
    "RDS.7",
    "RDS.12",
    "RDS.14",
    "RDS.16",
    "RDS.19",
    "RDS.24",
    "RDS.27",
    "RDS.34",
    "RDS.45",
    "RDS.47",
    "RDS.48",
):
    SPELLING_EXEMPT[_control, _token("rds", "ClusterInstance")] = (
        f"an instance of the cluster; {_control} judges a setting only the cluster has"
    )
# Corrections from an independent review of these reasons: the event controls judge event
# subscriptions, and a cluster instance's copy_tags_to_snapshot does not apply to Aurora
# instances: the DB cluster manages it (RDS API reference, ModifyDBInstance CopyTagsToSnapshot).
for _control in ("RDS.19", "RDS.20"):
    for _name in ("ClusterEndpoint", "ClusterInstance"):
        if (_control, _token("rds", _name)) in SPELLING_EXEMPT:
            SPELLING_EXEMPT[_control, _token("rds", _name)] = (
                f"an endpoint or instance of the cluster; {_control} judges the event "
                "subscriptions for critical events, which neither creates"
            )
for _control in ("RDS.16", "RDS.47", "RDS.48"):
    SPELLING_EXEMPT[_control, _token("rds", "ClusterInstance")] = (
        f"its copy_tags_to_snapshot does not govern the snapshots of an Aurora cluster (the "
        f"cluster's setting does, which {_control} judges)"
    )

_exempt(
    ["IAM.28"],
    _ACCOUNT_NOISE[1:],
    "sets a GuardDuty detector the case also declares; IAM.28 judges the Access Analyzer",
)
SPELLING_EXEMPT["Route53.2", _token("route53", "ZoneAssociation")] = (
    "associates a private zone with a VPC; Route53.2 judges query logging of public zones"
)
for _name in ("ClusterEndpoint", "ClusterInstance"):
    SPELLING_EXEMPT["RDS.37", _token("rds", _name)] = (
        "an endpoint or instance of the cluster; RDS.37 judges the cluster's log exports"
    )

# RDS.35's Config rule (rds-cluster-auto-minor-version-upgrade-enable) judges Multi-AZ DB
# clusters, which have no cluster instances; an Aurora cluster instance's own setting is RDS.13's.
SPELLING_EXEMPT["RDS.35", _token("rds", "ClusterInstance")] = (
    "a ClusterInstance is an Aurora instance; RDS.35 judges Multi-AZ DB clusters (Config rule "
    "rds-cluster-auto-minor-version-upgrade-enable), and the instance's autoMinorVersionUpgrade "
    "is RDS.13's, checked on the ClusterInstance"
)

# Spellings that can express their control and have no case yet: the test asserts this list
# is exactly what remains, so writing a case must shrink it.
SPELLING_EXEMPT["S3.19", _token("s3control", "AccessPointPolicy")] = (
    "sets the access point's policy; S3.19 judges its public access block configuration, "
    "which only the AccessPoint itself sets"
)

# EC2.17's attachment case is reported on the interface's attachment, whose owner (the
# interface) has two other parts that cannot add an interface to an instance.
SPELLING_EXEMPT["EC2.17", _token("ec2", "NetworkInterfacePermission")] = (
    "lets another account attach the interface; the attaching is NetworkInterfaceAttachment's "
    "or the interface's `attachments`, which have cases"
)
SPELLING_EXEMPT["EC2.17", _token("ec2", "NetworkInterfaceSecurityGroupAttachment")] = (
    "attaches a security group to the interface; EC2.17 counts the instance's interfaces"
)

SPELLING_TODO: list[tuple[str, str]] = []
