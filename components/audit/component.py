"""The audit tier's component: its arguments, the shared parts every concern uses (the alert
topic, audit buckets, alarms), and the composition of the concerns in this package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..buckets import SecureBucket, SecureBucketArgs
from ..config.audit import AlarmThresholds
from ..db_events import subscribe_to_database_events
from ..iam import document
from ..naming import child_name, name_tag, stack_suffix, token
from .alarms import create_operational_alarms
from .cis import create_cis_alarms
from .config_service import create_config
from .dashboard import create_dashboard
from .hygiene import create_hygiene
from .trail import create_trail


@dataclass
class AuditArgs:
    """Arguments of `Audit`. The optional dimensions let the tier exist before the compute and
    database tiers: alarms and dashboard widgets appear for the dimensions that are passed."""

    account_wide: bool
    """True in the primary region only: CloudTrail, CIS alarms, global Config recording and
    rules, account hygiene."""
    logs_key_arn: pulumi.Input[str]
    """CMK for the trail, its bucket and log group, the Config bucket and the alert topic."""
    trail_log_retention_days: int
    """Retention of the CloudTrail log group."""
    thresholds: AlarmThresholds = field(default_factory=AlarmThresholds)
    subscriptions: Sequence[tuple[str, str]] = ()
    """(protocol, endpoint) pairs subscribed to the alert topic."""
    config_enabled: bool = True
    """Create the AWS Config recorder, delivery channel and rules in this region."""
    config_rules: Sequence[str] = ()
    """AWS Config managed rule identifiers; account-wide ones only where `account_wide`."""
    mfa_group_name: str | None = None
    """Human IAM group that gets the MFA-enforcement policy (account-wide only)."""
    create_mfa_group: bool = False
    password_policy: bool = False
    """Own the account password policy (account-wide only)."""
    protect_buckets: bool = False
    """Pulumi `protect` on the audit buckets, so a stack update cannot delete the evidence."""
    bucket_noncurrent_days: int = 90
    """Days before noncurrent versions in the audit buckets expire."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """`app/<name>/<id>` of the load balancer (its `arn_suffix`)."""
    target_group_arn_suffixes: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Role -> `targetgroup/<name>/<id>` of each target group behind the load balancer (`app`,
    and `green` for ECS blue/green); each gets an unhealthy-hosts alarm."""
    access_log_bucket: SecureBucket | None = None
    """The region's S3 server access-log bucket; the trail and Config buckets log to it (A11)."""
    autoscaling_group_name: pulumi.Input[str] | None = None
    db_instance_identifier: pulumi.Input[str] | None = None
    """An RDS instance: database alarms and widgets on `DBInstanceIdentifier`."""
    db_instance_is_replica: bool = False
    """That instance is a cross-region read replica: its replication events and its
    `ReplicaLag` are watched too."""
    db_cluster_identifier: pulumi.Input[str] | None = None
    """An Aurora cluster: database alarms and widgets on its writer (`DBClusterIdentifier`,
    `Role=WRITER`); Aurora reports per-instance local storage, not `FreeStorageSpace`."""
    db_parameter_group_name: pulumi.Input[str] | None = None
    """The RDS instance's parameter group: its configuration changes are notified."""
    db_cluster_member_identifiers: Sequence[pulumi.Input[str]] = ()
    """The Aurora cluster's instances: their failures and maintenance are notified."""


class Audit(pulumi.ComponentResource):
    """One region's audit tier. Every region gets an alert topic, operational alarms, a
    dashboard and (when enabled) AWS Config; the account-wide region also gets the
    multi-region trail with its bucket, log group and CIS alarms, and the hygiene parts."""

    alert_topic: aws.sns.Topic
    """Encrypted topic every alarm notifies."""
    trail: aws.cloudtrail.Trail | None
    trail_bucket_name: pulumi.Output[str] | None
    trail_log_group: aws.cloudwatch.LogGroup | None
    config_bucket_name: pulumi.Output[str] | None
    dashboard_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AuditArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("audit", "Audit"), name, None, opts)
        self.base_name = name
        self.args = args
        self.ctx = AccountContext.lookup(self)
        self.child_opts = pulumi.ResourceOptions(parent=self)
        # Trail and dashboard names must be known before they exist (the trail's ARN scopes
        # its own bucket policy), so instead of provider autonaming they carry the stack's
        # suffix (S2).
        self.suffix = stack_suffix()

        self.alert_topic = self._create_alert_topic()
        self.trail = self.trail_log_group = None
        self.trail_bucket_name = self.config_bucket_name = None
        self.trail_bucket: SecureBucket | None = None
        if args.account_wide:
            create_trail(self)
            create_cis_alarms(self)
        if args.config_enabled:
            create_config(self)
        create_operational_alarms(self)
        subscribe_to_database_events(
            name,
            self.alert_topic.arn,
            self._database_sources(),
            self,
            depends_on=[self._alert_topic_policy],
            replica_instances=args.db_instance_is_replica,
        )
        create_dashboard(self)
        if args.account_wide:
            create_hygiene(self)

        outputs: dict[str, Any] = {
            "alert_topic_arn": self.alert_topic.arn,
            "dashboard_name": self.dashboard_name,
        }
        if self.trail is not None:
            outputs["trail_arn"] = self.trail.arn
            outputs["trail_bucket_name"] = self.trail_bucket_name
        if self.config_bucket_name is not None:
            outputs["config_bucket_name"] = self.config_bucket_name
        self.register_outputs(outputs)

    # Buckets ---------------------------------------------------------------------------------

    def bucket(
        self, suffix: str, statements: Callable[[pulumi.Output[str]], list[dict[str, Any]]]
    ) -> SecureBucket:
        """An audit bucket (A2) under the logs CMK, archived after 90 days, with the service
        statements that `statements` builds from the bucket ARN, and its reads and writes in
        the region's access-log bucket (A11)."""
        return SecureBucket(
            child_name(self.base_name, suffix),
            SecureBucketArgs(
                kms_key_arn=self.args.logs_key_arn,
                policy_statements=statements,
                noncurrent_version_days=self.args.bucket_noncurrent_days,
                transitions=[(90, "GLACIER")],
                protect=self.args.protect_buckets,
                access_log_bucket=self.args.access_log_bucket,
            ),
            opts=self.child_opts,
        )

    # Alert topic (A5) ------------------------------------------------------------------------

    def _create_alert_topic(self) -> aws.sns.Topic:
        name = child_name(self.base_name, "alerts")
        topic = aws.sns.Topic(
            name,
            kms_master_key_id=self.args.logs_key_arn,
            tags=name_tag(name),
            opts=self.child_opts,
        )
        self._alert_topic_policy = aws.sns.TopicPolicy(
            name,
            arn=topic.arn,
            policy=document(
                [
                    {
                        "Sid": "AlarmsAndEventsPublish",
                        "Effect": "Allow",
                        "Principal": {
                            "Service": [
                                "cloudwatch.amazonaws.com",
                                "events.amazonaws.com",
                                "events.rds.amazonaws.com",
                            ]
                        },
                        "Action": "sns:Publish",
                        "Resource": topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": self.ctx.account_id}},
                    }
                ]
            ),
            opts=self.child_opts,
        )
        for i, (protocol, endpoint) in enumerate(self.args.subscriptions):
            aws.sns.TopicSubscription(
                child_name(name, protocol, str(i)),
                topic=topic.arn,
                protocol=protocol,
                endpoint=endpoint,
                opts=self.child_opts,
            )
        return topic

    def _database_sources(self) -> dict[str, list[pulumi.Input[str]]]:
        """The RDS event sources of this region's database tier, by source type (Aurora's
        members are DB instances too)."""
        args = self.args
        instances = [
            *([args.db_instance_identifier] if args.db_instance_identifier is not None else []),
            *args.db_cluster_member_identifiers,
        ]
        return {
            "db-instance": instances,
            "db-cluster": [args.db_cluster_identifier]
            if args.db_cluster_identifier is not None
            else [],
            "db-parameter-group": [args.db_parameter_group_name]
            if args.db_parameter_group_name is not None
            else [],
        }

    def alarm(self, suffix: str, description: str, **kwargs: Any) -> aws.cloudwatch.MetricAlarm:
        """An alarm that notifies the alert topic when it fires and when it clears (A4, A6)."""
        name = child_name(self.base_name, suffix)
        return aws.cloudwatch.MetricAlarm(
            name,
            alarm_description=f"{name}: {description}",
            alarm_actions=[self.alert_topic.arn],
            ok_actions=[self.alert_topic.arn],
            tags=name_tag(name),
            opts=self.child_opts,
            **kwargs,
        )
