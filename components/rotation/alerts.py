"""What tells the alert topic that a rotation failed (issue 18, data N3): the functions' own
errors, and Secrets Manager's verdict on the secret's rotations."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..naming import child_name, name_tag


def failed_rotations_pattern(secret_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The EventBridge pattern of one secret's failed and abandoned rotations. Secrets Manager
    records them as CloudTrail service events, not API calls (Secrets Manager User Guide,
    "AWS CloudTrail entries for Secrets Manager", log entries for rotation), which EventBridge
    receives as "AWS Service Event via CloudTrail"; the secret's ARN is in
    additionalEventData.SecretId, so stacks sharing an account and region page only their own."""
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationAbandoned", "RotationFailed"],
            "additionalEventData": {"SecretId": [secret_arn]},
        },
    }


def alarm_on_errors(
    name: str,
    function_name: pulumi.Input[str],
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """Any invocation error of a rotation function notifies the topic: a rotation that fails
    leaves the old password in place, and nothing else reports it."""
    alarm = child_name(name, "errors")
    return aws.cloudwatch.MetricAlarm(
        alarm,
        alarm_description=f"{alarm}: the rotation function failed",
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": function_name},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        # No invocations (most of the time between rotations) is not an error.
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags=name_tag(alarm),
        opts=opts,
    )


def alert_on_failed_rotations(
    name: str,
    secret_arn: pulumi.Input[str],
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.EventTarget:
    """Secrets Manager's own verdict on one secret's rotations (RotationFailed,
    RotationAbandoned) to the topic, through EventBridge."""
    rule_name = child_name(name, "failed")
    rule = aws.cloudwatch.EventRule(
        rule_name,
        description=f"{name}: rotations of the database secret that failed or were abandoned",
        event_pattern=pulumi.Output.json_dumps(failed_rotations_pattern(secret_arn)),
        tags=name_tag(rule_name),
        opts=opts,
    )
    return aws.cloudwatch.EventTarget(rule_name, rule=rule.name, arn=topic_arn, opts=opts)
