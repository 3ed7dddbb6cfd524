"""The audit tier's component: it builds the parts every concern shares (the alert topic, the
audit-bucket and alarm factories), hands each concern module what it reads, and keeps what they
return as its attributes and outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..buckets import SecureBucket
from ..db_events import subscribe_to_database_events
from ..naming import stack_suffix, token
from .alarms import create_operational_alarms
from .args import AuditArgs
from .cis import create_cis_alarms
from .config_service import create_config
from .dashboard import create_dashboard
from .hygiene import create_hygiene
from .shared import alarm_factory, bucket_factory, create_alert_topic
from .trail import create_trail

__all__ = ["Audit", "AuditArgs"]


class Audit(pulumi.ComponentResource):
    """One region's audit tier. Every region gets an alert topic, operational alarms, a
    dashboard and (when enabled) AWS Config; the account-wide region also gets the
    multi-region trail with its bucket, log group and CIS alarms, and the hygiene parts."""

    alert_topic: aws.sns.Topic
    """Encrypted topic every alarm notifies."""
    trail: aws.cloudtrail.Trail | None
    trail_bucket_name: pulumi.Output[str] | None
    trail_log_group: aws.cloudwatch.LogGroup | None
    trail_bucket: SecureBucket | None
    """The trail's bucket, which the secondary region replicates (M3)."""
    config_bucket_name: pulumi.Output[str] | None
    dashboard_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AuditArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("audit", "Audit"), name, None, opts)
        ctx = AccountContext.lookup(self)
        # Trail and dashboard names must be known before they exist (the trail's ARN scopes
        # its own bucket policy), so instead of provider autonaming they carry the stack's
        # suffix (S2).
        suffix = stack_suffix()

        alerts = create_alert_topic(
            name,
            kms_key_arn=args.logs_key_arn,
            subscriptions=args.subscriptions,
            account_id=ctx.account_id,
            parent=self,
        )
        self.alert_topic = alerts.topic
        alarm = alarm_factory(name, alerts.topic.arn, self)
        bucket = bucket_factory(name, args, self)

        self.trail = self.trail_log_group = self.trail_bucket = None
        self.trail_bucket_name = self.config_bucket_name = None
        if args.account_wide:
            trail = create_trail(
                name,
                suffix=suffix,
                ctx=ctx,
                logs_key_arn=args.logs_key_arn,
                retention_days=args.trail_log_retention_days,
                bucket_factory=bucket,
                parent=self,
            )
            self.trail, self.trail_log_group = trail.trail, trail.log_group
            self.trail_bucket, self.trail_bucket_name = trail.bucket, trail.bucket.name
            create_cis_alarms(name, log_group_name=trail.log_group.name, alarm=alarm, parent=self)
        if args.config_enabled:
            self.config_bucket_name = create_config(
                name,
                ctx=ctx,
                logs_key_arn=args.logs_key_arn,
                account_wide=args.account_wide,
                rules=args.config_rules,
                bucket_factory=bucket,
                parent=self,
            ).bucket.name
        create_operational_alarms(args, alarm)
        subscribe_to_database_events(
            name,
            alerts.topic.arn,
            _database_sources(args),
            self,
            depends_on=[alerts.policy],
            replica_instances=args.db_instance_is_replica,
        )
        self.dashboard_name = create_dashboard(
            name, suffix=suffix, region=ctx.region, args=args, parent=self
        ).dashboard_name
        if args.account_wide:
            create_hygiene(
                name,
                ctx=ctx,
                mfa_group_name=args.mfa_group_name,
                create_mfa_group=args.create_mfa_group,
                password_policy=args.password_policy,
                parent=self,
            )

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


def _database_sources(args: AuditArgs) -> dict[str, list[pulumi.Input[str]]]:
    """The RDS event sources of this region's database tier, by source type (Aurora's
    members are DB instances too)."""
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
