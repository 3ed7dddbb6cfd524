"""The resource types whose physical identity a version upgrade must not change silently, as
data: for each, what a user loses when a new version replaces or renames it, the words an
upgrade note about it must use, and the properties that name it beyond the one the provider
autonames (`policy/harness/autonaming.py` gives that one; see `tools/physical_names.py`).

A type is tracked when replacing it loses data, changes an address someone outside the stack
holds (a DNS name, an endpoint, an ARN, a public IP), or fails the `up` half-way. Types whose
replacement only re-creates configuration that the same `up` rewires are in `NOT_TRACKED` with
the reason, so that leaving them out is a decision and not an omission.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tracked:
    """Why a type is tracked and how to find its physical name."""

    label: str
    """Words (case-insensitive) the upgrade note of a change to this type must contain, so
    that a note about something else cannot stand in for it."""
    reason: str
    """What breaks for users when a new version replaces or renames it."""
    extra: tuple[str, ...] = ()
    """Wire properties that name it and that the provider does not autoname (identifiers of
    types without a generic `name`, a record's zone and type, a random suffix's inputs)."""


TRACKED: dict[str, Tracked] = {
    "aws:lb/loadBalancer:LoadBalancer": Tracked(
        "load balancer",
        "Its DNS name changes: CNAMEs, allow-lists and clients outside the stack lose it, and "
        "deletion protection makes the replacing `up` fail half-way (review edge N1).",
    ),
    "aws:lb/targetGroup:TargetGroup": Tracked(
        "target group",
        "Listener rules and the ECS service follow a new group only after it is created; "
        "until then the listener answers with its 404 default (edge N5), and an ECS service "
        "is replaced with it.",
    ),
    "aws:rds/instance:Instance": Tracked(
        "database",
        "A new identifier is a new, empty database at a new endpoint; the data survives only "
        "in a final snapshot.",
    ),
    "aws:rds/cluster:Cluster": Tracked(
        "database",
        "A new cluster identifier is a new, empty cluster with new writer and reader "
        "endpoints. The provider does not autoname it, so the identifier is listed here.",
        extra=("clusterIdentifier", "clusterIdentifierPrefix"),
    ),
    "aws:rds/clusterInstance:ClusterInstance": Tracked(
        "database",
        "Its instance endpoint changes, and replacing the writer fails the cluster over. "
        "Moving it to another cluster also replaces it.",
        extra=("identifier", "identifierPrefix", "clusterIdentifier"),
    ),
    "aws:rds/parameterGroup:ParameterGroup": Tracked(
        "parameter group",
        "The database moves to the new group with a pending reboot, and RDS refuses to "
        "delete the old group while a database still uses it, which stops the `up`.",
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": Tracked(
        "parameter group",
        "As for instance parameter groups: the cluster moves with a pending reboot, and the "
        "old group cannot be deleted while in use.",
    ),
    "aws:rds/subnetGroup:SubnetGroup": Tracked(
        "subnet group",
        "The database is placed by it. RDS refuses to delete a subnet group a database is "
        "still in, so the replacing `up` stops.",
    ),
    "aws:s3/bucket:Bucket": Tracked(
        "bucket",
        "Its objects (logs, state, replicas) stay in the old bucket or are lost with it, and "
        "the name is global: load balancers, trails, replication and readers address it.",
    ),
    "aws:kms/key:Key": Tracked(
        "key",
        "It has no name: its identity is the key ID in state, kept only while the URN is. A "
        "new URN creates another key and schedules the old one for deletion, after which "
        "whatever it encrypted (snapshots, secrets, logs, backups, state) cannot be read.",
    ),
    "aws:kms/alias:Alias": Tracked(
        "alias",
        "Operators, scripts and other accounts address the key through it; a renamed or "
        "retargeted alias sends them to another key or to none.",
        extra=("targetKeyId",),
    ),
    "aws:secretsmanager/secret:Secret": Tracked(
        "secret",
        "Applications and the rotation read it by name and ARN. A replacement starts from the "
        "program's initial value, and the deleted secret keeps its name reserved for the "
        "recovery window.",
    ),
    "aws:ssm/parameter:Parameter": Tracked(
        "parameter",
        "The application reads its settings by parameter name, and the rotated password's "
        "current value lives only in AWS: a replacement writes the initial value back.",
    ),
    "aws:cloudwatch/logGroup:LogGroup": Tracked(
        "log group",
        "Deleting a log group deletes its events: the flow-log, trail and function history "
        "kept for audits goes with a replacement.",
    ),
    "aws:ecr/repository:Repository": Tracked(
        "repository",
        "Task definitions and the pipeline push and pull by repository URL, and the images "
        "stay in (or are deleted with) the old repository.",
    ),
    "aws:ecs/cluster:Cluster": Tracked(
        "cluster",
        "The deployment pipeline addresses the cluster and its service by name.",
    ),
    "aws:backup/vault:Vault": Tracked(
        "vault",
        "Recovery points live in it. AWS Backup refuses to delete a vault that holds any, so "
        "a rename stops the `up` and leaves the backups behind.",
    ),
    "aws:route53/record:Record": Tracked(
        "record",
        "It is the name users resolve. The provider never autonames records: the name, type, "
        "zone and set identifier are its identity, and a change is a delete and a create.",
        extra=("name", "type", "zoneId", "setIdentifier"),
    ),
    "aws:sns/topic:Topic": Tracked(
        "topic",
        "Alarms and people reach each other through it: a new topic's email subscriptions "
        "wait for a confirmation, and until then alerts reach no one.",
    ),
    "aws:ec2/eip:Eip": Tracked(
        "Elastic IP",
        "The NAT gateways' public address, which partners allow-list: a new URN is a new "
        "address. It has no name; the URN is its identity.",
    ),
    "random:index/randomId:RandomId": Tracked(
        "suffix",
        "The stack-unique suffix of fixed physical names (database identifiers): a new URN or "
        "a change to its inputs draws a new value and renames everything built from it.",
        extra=("byteLength", "prefix", "keepers"),
    ),
    "aws:cfg/recorder:Recorder": Tracked(
        "recorder",
        "AWS Config allows one recorder per account and region: a renamed recorder is a "
        "second one, which AWS refuses.",
    ),
    "aws:cfg/deliveryChannel:DeliveryChannel": Tracked(
        "delivery channel",
        "One per account and region, like the recorder: a renamed channel is refused.",
    ),
    "aws:guardduty/detector:Detector": Tracked(
        "GuardDuty",
        "One detector per account and region, holding the findings: a new URN creates a "
        "second detector, which AWS refuses.",
    ),
    "aws:securityhub/account:Account": Tracked(
        "Security Hub",
        "Enabling Security Hub again under a new URN fails for an account already subscribed.",
    ),
    "aws:accessanalyzer/analyzer:Analyzer": Tracked(
        "Access Analyzer",
        "Its findings' archive state belongs to the analyzer: a renamed one starts over.",
        extra=("analyzerName",),
    ),
}

NOT_TRACKED: dict[str, str] = {
    "aws:route53/healthCheck:HealthCheck": (
        "No name and no data: the stack's own failover records and alarms follow a new health "
        "check ID in the same `up`."
    ),
    "aws:cloudtrail/trail:Trail": (
        "Holds no data: the trail's bucket and log group are tracked; a replaced trail resumes "
        "delivery to them."
    ),
    "aws:iam/role:Role": (
        "Assumed only by this stack's services, whose references follow a new role ARN in the "
        "same `up`."
    ),
    "aws:lambda/function:Function": (
        "The rotation functions are invoked through the secrets' rotation settings, which the "
        "same `up` points at a replacement."
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "Referenced by ID only inside the stack; its rules are re-created with it."
    ),
    "aws:wafv2/webAcl:WebAcl": "Associated with the load balancer by the stack itself.",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "Configuration only; alarm history is not data.",
    "random:index/randomPassword:RandomPassword": (
        "The initial database password, which the rotation owns after the first deployment."
    ),
}
