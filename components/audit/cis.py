"""CIS AWS Foundations Benchmark monitoring (A4): a metric filter on the trail's log group and an
alarm for each control, from one table."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..naming import child_name
from .shared import AlarmFactory


def _any_event(*names: str, source: str | None = None) -> str:
    """A CloudWatch Logs filter pattern matching CloudTrail events with any of `names`
    (optionally only from one event source)."""
    names_part = " || ".join(f"($.eventName = {n})" for n in names)
    if source is None:
        return f"{{ {names_part} }}"
    return f"{{ ($.eventSource = {source}) && ({names_part}) }}"


# CIS AWS Foundations Benchmark monitoring controls (section 4 of v1.4/v3.0): a metric filter on
# the trail's log group and an alarm on each metric (A4). Key: suffix of the resource names and
# the metric name; value: (description, filter pattern).
CIS_FILTERS: dict[str, tuple[str, str]] = {
    "unauthorized-api-calls": (
        "Unauthorized API calls",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    ),
    "root-account-use": (
        "Use of the root account",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
    ),
    "console-signin-without-mfa": (
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    "console-signin-failures": (
        "Console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    "iam-policy-changes": (
        "IAM policy changes",
        _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    "cloudtrail-config-changes": (
        "CloudTrail configuration changes",
        _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    "kms-cmk-disable-or-deletion": (
        "Customer managed keys disabled or scheduled for deletion",
        _any_event("DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com"),
    ),
    "s3-bucket-policy-changes": (
        "S3 bucket policy changes",
        _any_event(
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
            source="s3.amazonaws.com",
        ),
    ),
    "config-changes": (
        "AWS Config configuration changes",
        _any_event(
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
            source="config.amazonaws.com",
        ),
    ),
    "security-group-changes": (
        "Security group changes",
        _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    "nacl-changes": (
        "Network ACL changes",
        _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
    ),
    "network-gateway-changes": (
        "Network gateway changes",
        _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ),
    ),
    "route-table-changes": (
        "Route table changes",
        _any_event(
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
            source="ec2.amazonaws.com",
        ),
    ),
    "vpc-changes": (
        "VPC changes",
        _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        ),
    ),
}


def create_cis_alarms(
    base_name: str,
    *,
    log_group_name: pulumi.Input[str],
    alarm: AlarmFactory,
    parent: pulumi.Resource,
) -> list[aws.cloudwatch.MetricAlarm]:
    """A metric filter on the trail's log group `log_group_name` and an alarm from `alarm`
    for each control in `CIS_FILTERS`, in the `<base_name>/CISBenchmark` namespace."""
    namespace = f"{base_name}/CISBenchmark"
    alarms = []
    for suffix, (description, pattern) in CIS_FILTERS.items():
        metric = suffix.replace("-", "_")
        aws.cloudwatch.LogMetricFilter(
            child_name(base_name, "cis", suffix),
            log_group_name=log_group_name,
            pattern=pattern,
            metric_transformation={
                "name": metric,
                "namespace": namespace,
                "value": "1",
            },
            opts=pulumi.ResourceOptions(parent=parent),
        )
        alarms.append(
            alarm(
                child_name("cis", suffix),
                description,
                namespace=namespace,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
            )
        )
    return alarms
