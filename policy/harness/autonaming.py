"""pulumi-aws's autonaming rules as data, and the engine-faithful autoname (P10, P11).

When a program leaves a physical name unset, the provider's Check fills it from the logical
name: `<logical><separator><random suffix>`. A name that cannot fit fails the preview with
`could not make instance of '<type>': name '<prefix>' plus 7 random chars is longer than
maximum length N`, before AWS is ever called. The offline harness applies the same rules so
that a run under mocks fails where `pulumi preview` would.

Sources (pulumi/pulumi-aws, the v7 line that ships pulumi-aws 7.51):
- `provider/autonaming.go`: every resource whose schema has an input `name` gets
  `AutoName("name", 255, "-")` unless it has its own entry (`GENERIC` below);
- `provider/resource_overrides.go`, `provider/aliases.go`, `provider/compatibility.go`: the
  per-resource overrides in `RULES` and the two resources whose `name` is never autonamed;
- pulumi/pulumi-terraform-bridge `pkg/tfbridge/info/autonaming.go` and `names.go`: `AutoName`
  and `AutoNameTransform` add 7 random hex characters; the transform (lowercasing) applies to
  the logical name first; the length check counts the separator; post-transforms (`alias/`,
  `.fifo`) run after the check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HEX = "0123456789abcdef"
LOWER = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class AutonameRule:
    """How the provider fills one property when the program leaves it unset."""

    property: str
    """Wire (camelCase) name of the property, `name` for most types."""
    maxlen: int | None = 255
    """Longest name the provider will generate (None: no check)."""
    separator: str = "-"
    randlen: int = 7
    lowercase: bool = False
    """The logical name is lowercased before the suffix is added (S3 buckets, ...)."""
    charset: str = HEX
    prepend: str = ""
    """Added in front after the length check unless already there (`alias/` for KMS aliases)."""
    fifo_flag: str | None = None
    """Input that, when true, makes the provider append `.fifo` after the length check."""


GENERIC = AutonameRule("name")
"""provider/autonaming.go: `AutoName("name", 255, "-")` for every other type with an input
string `name`."""

RULES: dict[str, AutonameRule | None] = {
    # provider/aliases.go: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/
    # API_CreateTargetGroup.html"; aws_alb_target_group keeps the generic 255 (its Check then
    # fails on the Terraform validator's 32).
    "aws:lb/targetGroup:TargetGroup": AutonameRule("name", 32),
    "aws:appsync/function:Function": AutonameRule("name", separator="_"),
    "aws:appsync/dataSource:DataSource": AutonameRule("name", separator="_"),
    "aws:athena/database:Database": AutonameRule("name", separator="_"),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": AutonameRule("name", separator="_"),
    "aws:cloudwatch/eventRule:EventRule": AutonameRule("name", 64),
    "aws:cloudwatch/eventTarget:EventTarget": AutonameRule("targetId"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": AutonameRule("name"),
    "aws:codedeploy/deploymentConfig:DeploymentConfig": AutonameRule(
        "deploymentConfigName", 100, separator="_"
    ),
    "aws:elasticbeanstalk/environment:Environment": AutonameRule("name", 40),
    "aws:elasticache/cluster:Cluster": AutonameRule("clusterId", 50, lowercase=True),
    "aws:elasticache/replicationGroup:ReplicationGroup": AutonameRule(
        "replicationGroupId", 40, lowercase=True
    ),
    "aws:ec2/keyPair:KeyPair": AutonameRule("keyName"),
    "aws:efs/fileSystem:FileSystem": AutonameRule("creationToken"),
    "aws:eks/nodeGroup:NodeGroup": AutonameRule("nodeGroupName"),
    "aws:eks/fargateProfile:FargateProfile": AutonameRule("fargateProfileName"),
    "aws:elasticsearch/domain:Domain": AutonameRule("domainName", 28, lowercase=True),
    "aws:opensearch/domain:Domain": AutonameRule("domainName"),
    "aws:glue/catalogDatabase:CatalogDatabase": AutonameRule(
        "name", None, separator="_", randlen=8, lowercase=True, charset=LOWER
    ),
    "aws:glue/catalogTable:CatalogTable": AutonameRule(
        "name", None, separator="_", randlen=8, lowercase=True, charset=LOWER
    ),
    "aws:iam/role:Role": AutonameRule("name", 64),
    # AutoNameWithCustomOptions{Separator: "_"} with no random part: the logical name as is.
    "aws:iot/topicRule:TopicRule": AutonameRule("name", None, separator="", randlen=0),
    "aws:kms/alias:Alias": AutonameRule("name", 238, prepend="alias/"),
    "aws:lambda/function:Function": AutonameRule("name", 64),
    "aws:lambda/permission:Permission": AutonameRule("statementId", 100),
    "aws:mq/broker:Broker": AutonameRule("brokerName", 55),
    "aws:msk/cluster:Cluster": AutonameRule("clusterName"),
    "aws:msk/serverlessCluster:ServerlessCluster": AutonameRule("clusterName"),
    # A ComputeDefault without a separator: `<logical><7 hex>` (SQL Server: see `rule_for`).
    "aws:rds/instance:Instance": AutonameRule("identifier", 255, separator=""),
    "aws:s3/bucket:Bucket": AutonameRule("bucket", 63, lowercase=True),
    "aws:s3/bucketV2:BucketV2": AutonameRule("bucket", 63, lowercase=True),
    "aws:s3/bucketObjectv2:BucketObjectv2": AutonameRule("key", None, separator="", randlen=0),
    "aws:s3/bucketObject:BucketObject": AutonameRule("key", None, separator="", randlen=0),
    "aws:sqs/queue:Queue": AutonameRule("name", 80, fifo_flag="fifoQueue"),
    "aws:sns/topic:Topic": AutonameRule("name", 80, fifo_flag="fifoTopic"),
    "aws:lex/slotType:SlotType": AutonameRule(
        "name", None, separator="_", randlen=8, charset=LOWER
    ),
    "aws:lex/bot:Bot": AutonameRule("name", None, separator="_", randlen=8, charset=LOWER),
    "aws:lex/intent:Intent": AutonameRule("name", None, separator="_", randlen=8, charset=LOWER),
    "aws:lex/botAlias:BotAlias": AutonameRule(
        "name", None, separator="_", randlen=8, charset=LOWER
    ),
    # "Do not autoname Route53 records, as the "name" of these is actually the true domain name
    # of the DNS record."; directories likewise carry their domain name.
    "aws:route53/record:Record": None,
    "aws:directoryservice/directory:Directory": None,
}
# resource_overrides.go: SQL Server identifiers "are capped at 15 characters".
_SQLSERVER_IDENTIFIER = AutonameRule("identifier", 15, separator="", randlen=3)
# A nested autoname: each inline policy of a role without a name gets one (max 128).
NESTED: dict[str, tuple[str, AutonameRule]] = {
    "aws:iam/role:Role": ("inlinePolicies", AutonameRule("name", 128)),
}


class AutonameError(ValueError):
    """A name the provider cannot generate: the preview fails with this message."""


def rule_for(type_token: str, inputs: Mapping[str, Any], has_name: bool) -> AutonameRule | None:
    """The rule the provider applies to `type_token` (None: nothing is autonamed).

    `has_name` says whether the type takes an input `name`, which brings the generic rule.
    """
    if type_token in RULES:
        rule = RULES[type_token]
        engine = inputs.get("engine")
        sqlserver = isinstance(engine, str) and "sqlserver" in engine.lower()
        if rule is not None and rule.property == "identifier" and sqlserver:
            return _SQLSERVER_IDENTIFIER
        return rule
    return GENERIC if has_name else None


def _suffix(seed: str, length: int, charset: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(charset[b % len(charset)] for b in digest[:length])


def autoname(rule: AutonameRule, type_token: str, logical: str, seed: str, inputs: Any) -> str:
    """The name the provider would generate for `logical` (stable for a given `seed`).

    Raises `AutonameError` with the provider's own message when the name cannot fit.
    """
    prefix = (logical.lower() if rule.lowercase else logical) + rule.separator
    if rule.maxlen is not None and len(prefix) + rule.randlen > rule.maxlen:
        raise AutonameError(
            f"could not make instance of '{type_token}': name '{prefix}' plus {rule.randlen} "
            f"random chars is longer than maximum length {rule.maxlen}"
        )
    name = prefix + _suffix(seed, rule.randlen, rule.charset)
    if not name.startswith(rule.prepend):
        name = rule.prepend + name
    if rule.fifo_flag and isinstance(inputs, Mapping) and inputs.get(rule.fifo_flag) is True:
        name += ".fifo"
    return name
