"""The parts every audit concern uses: the alert topic (A5), and the two factories the concerns
receive as values, one for alarms that notify that topic and one for audit buckets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from ..buckets import SecureBucket, SecureBucketArgs
from ..iam import document
from ..naming import child_name, name_tag
from .args import AuditArgs

Statements = Callable[[pulumi.Output[str]], list[dict[str, Any]]]
"""Builds a bucket's service statements from the bucket ARN."""
BucketFactory = Callable[[str, Statements], SecureBucket]
"""Makes an audit bucket from a name suffix and its service statements."""


class AlarmFactory(Protocol):
    """Makes an alarm from a name suffix, a description and `MetricAlarm` keyword arguments."""

    def __call__(
        self, suffix: str, description: str, **kwargs: Any
    ) -> aws.cloudwatch.MetricAlarm: ...


@dataclass(frozen=True)
class AlertTopic:
    """The encrypted topic every alarm and event notifies, and the policy that lets the
    services publish to it (RDS event subscriptions wait for that policy)."""

    topic: aws.sns.Topic
    policy: aws.sns.TopicPolicy


def create_alert_topic(
    base_name: str,
    *,
    kms_key_arn: pulumi.Input[str],
    subscriptions: Sequence[tuple[str, str]],
    account_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> AlertTopic:
    """The alert topic under `kms_key_arn`, publishable by CloudWatch, EventBridge and RDS
    from this account only, with one subscription per (protocol, endpoint)."""
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "alerts")
    topic = aws.sns.Topic(name, kms_master_key_id=kms_key_arn, tags=name_tag(name), opts=opts)
    policy = aws.sns.TopicPolicy(
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
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ]
        ),
        opts=opts,
    )
    for i, (protocol, endpoint) in enumerate(subscriptions):
        aws.sns.TopicSubscription(
            child_name(name, protocol, str(i)),
            topic=topic.arn,
            protocol=protocol,
            endpoint=endpoint,
            opts=opts,
        )
    return AlertTopic(topic=topic, policy=policy)


def alarm_factory(
    base_name: str, topic_arn: pulumi.Input[str], parent: pulumi.Resource
) -> AlarmFactory:
    """Alarms named under `base_name` that notify `topic_arn` when they fire and when they
    clear (A4, A6)."""

    def alarm(suffix: str, description: str, **kwargs: Any) -> aws.cloudwatch.MetricAlarm:
        name = child_name(base_name, suffix)
        return aws.cloudwatch.MetricAlarm(
            name,
            alarm_description=f"{name}: {description}",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=parent),
            **kwargs,
        )

    return alarm


def bucket_factory(base_name: str, args: AuditArgs, parent: pulumi.Resource) -> BucketFactory:
    """Audit buckets (A2) named under `base_name`: under the logs CMK, archived after 90 days,
    protected as `args` says, with their reads and writes logged to the region's access-log
    bucket (A11)."""

    def bucket(suffix: str, statements: Statements) -> SecureBucket:
        return SecureBucket(
            child_name(base_name, suffix),
            SecureBucketArgs(
                kms_key_arn=args.logs_key_arn,
                policy_statements=statements,
                noncurrent_version_days=args.bucket_noncurrent_days,
                transitions=[(90, "GLACIER")],
                protect=args.protect_buckets,
                access_log_bucket=args.access_log_bucket,
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )

    return bucket
