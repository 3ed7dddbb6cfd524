"""Audit tier: CloudTrail, CIS metric filters and alarms, the alert topic, operational alarms,
AWS Config, the dashboard and the account hygiene the stack may own (A1-A9)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .buckets import SecureBucket, SecureBucketArgs
from .config.audit import ACCOUNT_WIDE_RULES, AlarmThresholds
from .db_events import subscribe_to_database_events
from .iam import allow, document, service_trust_policy
from .logs import encrypted_log_group
from .naming import child_name, name_tag, token

GIB = 1024**3


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

# Parameters for managed rules whose defaults do not match what this stack promises.
RULE_PARAMETERS: dict[str, dict[str, str]] = {
    "IAM_PASSWORD_POLICY": {
        "RequireUppercaseCharacters": "true",
        "RequireLowercaseCharacters": "true",
        "RequireSymbols": "true",
        "RequireNumbers": "true",
        "MinimumPasswordLength": "14",
        "PasswordReusePrevention": "24",
        "MaxPasswordAge": "90",
    },
}

# Actions a user without MFA may still take: enough to sign in, set a password and enrol an MFA
# device (the pattern in IAM's "allow users to manage their own MFA device" example).
MFA_SELF_SERVICE_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


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
        self._name = name
        self._args = args
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)
        # Trail and dashboard names must be known before they exist (the trail's ARN scopes
        # its own bucket policy), so instead of provider autonaming they carry a suffix that
        # is unique per project and stack (S2). It is derived, not random, so that the program
        # needs no provider beyond the regional AWS ones.
        stack_id = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
        self._suffix = hashlib.sha256(stack_id.encode()).hexdigest()[:8]

        self.alert_topic = self._create_alert_topic()
        self.trail = self.trail_log_group = None
        self.trail_bucket_name = self.config_bucket_name = None
        self.trail_bucket: SecureBucket | None = None
        if args.account_wide:
            self._create_trail()
            self._create_cis_alarms()
        if args.config_enabled:
            self._create_config()
        self._create_operational_alarms()
        subscribe_to_database_events(
            name,
            self.alert_topic.arn,
            self._database_sources(),
            self,
            depends_on=[self._alert_topic_policy],
        )
        self._create_dashboard()
        if args.account_wide:
            self._create_hygiene()

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

    def _bucket(
        self, suffix: str, statements: Callable[[pulumi.Output[str]], list[dict[str, Any]]]
    ) -> SecureBucket:
        """An audit bucket (A2) under the logs CMK, archived after 90 days, with the service
        statements that `statements` builds from the bucket ARN, and its reads and writes in
        the region's access-log bucket (A11)."""
        return SecureBucket(
            child_name(self._name, suffix),
            SecureBucketArgs(
                kms_key_arn=self._args.logs_key_arn,
                policy_statements=statements,
                noncurrent_version_days=self._args.bucket_noncurrent_days,
                transitions=[(90, "GLACIER")],
                protect=self._args.protect_buckets,
                access_log_bucket=self._args.access_log_bucket,
            ),
            opts=self._child,
        )

    # Alert topic (A5) ------------------------------------------------------------------------

    def _create_alert_topic(self) -> aws.sns.Topic:
        name = child_name(self._name, "alerts")
        topic = aws.sns.Topic(
            name, kms_master_key_id=self._args.logs_key_arn, tags=name_tag(name), opts=self._child
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
                        "Condition": {"StringEquals": {"aws:SourceAccount": self._ctx.account_id}},
                    }
                ]
            ),
            opts=self._child,
        )
        for i, (protocol, endpoint) in enumerate(self._args.subscriptions):
            aws.sns.TopicSubscription(
                child_name(name, protocol, str(i)),
                topic=topic.arn,
                protocol=protocol,
                endpoint=endpoint,
                opts=self._child,
            )
        return topic

    def _database_sources(self) -> dict[str, list[pulumi.Input[str]]]:
        """The RDS event sources of this region's database tier, by source type (Aurora's
        members are DB instances too)."""
        args = self._args
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

    def _alarm(self, suffix: str, description: str, **kwargs: Any) -> aws.cloudwatch.MetricAlarm:
        """An alarm that notifies the alert topic when it fires and when it clears (A4, A6)."""
        name = child_name(self._name, suffix)
        return aws.cloudwatch.MetricAlarm(
            name,
            alarm_description=f"{name}: {description}",
            alarm_actions=[self.alert_topic.arn],
            ok_actions=[self.alert_topic.arn],
            tags=name_tag(name),
            opts=self._child,
            **kwargs,
        )

    # CloudTrail (A1) and CIS alarms (A4) -----------------------------------------------------

    def _create_trail(self) -> None:
        ctx = self._ctx
        name = child_name(self._name, "trail")
        trail_name = f"{name}-{self._suffix}"
        # Built rather than read from the trail: the trail can only be created once the bucket
        # policy that names it exists.
        trail_arn = ctx.arn("cloudtrail", pulumi.Output.concat("trail/", trail_name))
        cloudtrail = {"Service": "cloudtrail.amazonaws.com"}
        source = {"aws:SourceArn": trail_arn}

        def bucket_statements(bucket_arn: pulumi.Output[str]) -> list[dict[str, Any]]:
            return [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": cloudtrail,
                    "Action": "s3:GetBucketAcl",
                    "Resource": bucket_arn,
                    "Condition": {"StringEquals": source},
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": cloudtrail,
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(bucket_arn, "/AWSLogs/", ctx.account_id, "/*"),
                    "Condition": {
                        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}
                    },
                },
            ]

        bucket = self._bucket("trail-logs", bucket_statements)

        group = encrypted_log_group(
            name,
            kms_key_arn=self._args.logs_key_arn,
            retention_days=self._args.trail_log_retention_days,
            parent=self,
        )
        role = aws.iam.Role(
            name,
            description=f"{name}: CloudTrail delivery to CloudWatch Logs",
            assume_role_policy=service_trust_policy(
                "cloudtrail.amazonaws.com", source_account=ctx.account_id, source_arn=trail_arn
            ),
            tags=name_tag(name),
            opts=self._child,
        )
        role_policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=document(
                [
                    allow(
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        pulumi.Output.concat(group.arn, ":log-stream:*"),
                        sid="WriteTrailLogGroup",
                    )
                ]
            ),
            opts=self._child,
        )
        self.trail = aws.cloudtrail.Trail(
            name,
            name=trail_name,
            s3_bucket_name=bucket.name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=self._args.logs_key_arn,
            # CloudTrail wants the group ARN with the stream wildcard.
            cloud_watch_logs_group_arn=pulumi.Output.concat(group.arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket.policy, role_policy]),
        )
        self.trail_bucket_name = bucket.name
        self.trail_bucket = bucket
        self.trail_log_group = group

    def _create_cis_alarms(self) -> None:
        assert self.trail_log_group is not None
        namespace = f"{self._name}/CISBenchmark"
        for suffix, (description, pattern) in CIS_FILTERS.items():
            metric = suffix.replace("-", "_")
            aws.cloudwatch.LogMetricFilter(
                child_name(self._name, "cis", suffix),
                log_group_name=self.trail_log_group.name,
                pattern=pattern,
                metric_transformation={
                    "name": metric,
                    "namespace": namespace,
                    "value": "1",
                },
                opts=self._child,
            )
            self._alarm(
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

    # AWS Config (A7) -------------------------------------------------------------------------

    def _create_config(self) -> None:
        ctx, args = self._ctx, self._args
        name = child_name(self._name, "config")
        bucket = self._bucket("config-logs", lambda _arn: [])
        role = aws.iam.Role(
            name,
            description=f"{name}: AWS Config recorder",
            assume_role_policy=service_trust_policy(
                "config.amazonaws.com", source_account=ctx.account_id
            ),
            tags=name_tag(name),
            opts=self._child,
        )
        aws.iam.RolePolicyAttachment(
            name,
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", ctx.partition, ":iam::aws:policy/service-role/AWS_ConfigRole"
            ),
            opts=self._child,
        )
        delivery_policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=document(
                [
                    allow(["s3:GetBucketAcl"], bucket.arn, sid="CheckConfigBucketAcl"),
                    allow(
                        ["s3:PutObject"],
                        pulumi.Output.concat(bucket.arn, "/AWSLogs/", ctx.account_id, "/*"),
                        sid="DeliverConfigSnapshots",
                        condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                    ),
                    # The bucket encrypts with the logs CMK, whose policy delegates to IAM.
                    allow(
                        ["kms:Decrypt", "kms:GenerateDataKey"],
                        args.logs_key_arn,
                        sid="EncryptConfigSnapshots",
                    ),
                ]
            ),
            opts=self._child,
        )
        recorder = aws.cfg.Recorder(
            name,
            name=name,
            role_arn=role.arn,
            recording_group={
                "all_supported": True,
                # Global resources (IAM) are recorded once, in the account-wide region.
                "include_global_resource_types": args.account_wide,
            },
            opts=self._child,
        )
        channel = aws.cfg.DeliveryChannel(
            name,
            name=name,
            s3_bucket_name=bucket.name,
            s3_kms_key_arn=args.logs_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[recorder, bucket.policy, delivery_policy]
            ),
        )
        aws.cfg.RecorderStatus(
            name,
            name=recorder.name,
            is_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )
        for rule in args.config_rules:
            if rule in ACCOUNT_WIDE_RULES and not args.account_wide:
                continue
            rule_name = child_name(self._name, "rule", rule.lower().replace("_", "-"))
            parameters = RULE_PARAMETERS.get(rule)
            aws.cfg.Rule(
                rule_name,
                description=f"{rule_name}: AWS managed rule {rule}",
                source={"owner": "AWS", "source_identifier": rule},
                input_parameters=json.dumps(parameters) if parameters else None,
                tags=name_tag(rule_name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]),
            )
        self.config_bucket_name = bucket.name

    # Operational alarms (A6) and dashboard (A8) -----------------------------------------------

    def _create_operational_alarms(self) -> None:
        args, limits = self._args, self._args.thresholds
        common = {
            "period": limits.period_seconds,
            "evaluation_periods": limits.evaluation_periods,
            "treat_missing_data": "missing",
        }
        if args.autoscaling_group_name is not None:
            self._alarm(
                "compute-cpu",
                f"Auto Scaling group average CPU above {limits.compute_cpu_percent}%",
                namespace="AWS/EC2",
                metric_name="CPUUtilization",
                dimensions={"AutoScalingGroupName": args.autoscaling_group_name},
                statistic="Average",
                threshold=limits.compute_cpu_percent,
                comparison_operator="GreaterThanThreshold",
                **common,
            )
        if args.load_balancer_arn_suffix is not None:
            self._alarm(
                "alb-5xx",
                f"load balancer 5xx responses above {limits.alb_5xx_count} per period",
                namespace="AWS/ApplicationELB",
                metric_name="HTTPCode_ELB_5XX_Count",
                dimensions={"LoadBalancer": args.load_balancer_arn_suffix},
                statistic="Sum",
                threshold=limits.alb_5xx_count,
                comparison_operator="GreaterThanThreshold",
                **{**common, "treat_missing_data": "notBreaching"},
            )
            for role, target_group in args.target_group_arn_suffixes.items():
                self._alarm(
                    "alb-unhealthy-hosts" if role == "app" else f"alb-unhealthy-hosts-{role}",
                    f"{limits.unhealthy_hosts} or more unhealthy targets in the {role} group",
                    namespace="AWS/ApplicationELB",
                    metric_name="UnHealthyHostCount",
                    dimensions={
                        "LoadBalancer": args.load_balancer_arn_suffix,
                        "TargetGroup": target_group,
                    },
                    statistic="Maximum",
                    threshold=limits.unhealthy_hosts,
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    **common,
                )
        database, storage = _database_metrics(args)
        if database is not None:
            self._alarm(
                "db-cpu",
                f"database average CPU above {limits.database_cpu_percent}%",
                namespace="AWS/RDS",
                metric_name="CPUUtilization",
                dimensions=database,
                statistic="Average",
                threshold=limits.database_cpu_percent,
                comparison_operator="GreaterThanThreshold",
                **common,
            )
            self._alarm(
                "db-free-storage",
                f"database free storage below {limits.database_free_storage_gib} GiB",
                namespace="AWS/RDS",
                metric_name=storage,
                dimensions=database,
                statistic="Minimum",
                threshold=limits.database_free_storage_gib * GIB,
                comparison_operator="LessThanThreshold",
                **common,
            )
            self._alarm(
                "db-connections",
                f"database connections above {limits.database_connections}",
                namespace="AWS/RDS",
                metric_name="DatabaseConnections",
                dimensions=database,
                statistic="Maximum",
                threshold=limits.database_connections,
                comparison_operator="GreaterThanThreshold",
                **common,
            )

    def _create_dashboard(self) -> None:
        args = self._args
        dims = {
            "lb": args.load_balancer_arn_suffix,
            "asg": args.autoscaling_group_name,
            "db": args.db_instance_identifier,
            "cluster": args.db_cluster_identifier,
        }
        present = {k: v for k, v in dims.items() if v is not None}
        name = f"{self._name}-{self._suffix}"
        body = pulumi.Output.all(region=self._ctx.region, **present).apply(
            lambda values: json.dumps(_dashboard_body(self._name, values))
        )
        dashboard = aws.cloudwatch.Dashboard(
            child_name(self._name, "dashboard"),
            dashboard_name=name,
            dashboard_body=body,
            opts=self._child,
        )
        self.dashboard_name = dashboard.dashboard_name

    # Account hygiene (A9) --------------------------------------------------------------------

    def _create_hygiene(self) -> None:
        args, ctx = self._args, self._ctx
        if args.mfa_group_name is not None:
            name = child_name(self._name, "require-mfa")
            self_user = pulumi.Output.concat(
                "arn:", ctx.partition, ":iam::", ctx.account_id, ":user/${aws:username}"
            )
            policy = aws.iam.Policy(
                name,
                description=f"{name}: deny everything but MFA self-service without MFA",
                policy=document(
                    [
                        allow(
                            ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                            "*",
                            sid="ViewAccountMfaSettings",
                        ),
                        allow(
                            ["iam:ChangePassword", "iam:GetUser"],
                            self_user,
                            sid="ManageOwnPassword",
                        ),
                        allow(
                            ["iam:CreateVirtualMFADevice"],
                            pulumi.Output.concat(
                                "arn:", ctx.partition, ":iam::", ctx.account_id, ":mfa/*"
                            ),
                            sid="CreateOwnVirtualMfaDevice",
                        ),
                        allow(
                            [
                                "iam:DeactivateMFADevice",
                                "iam:EnableMFADevice",
                                "iam:ListMFADevices",
                                "iam:ResyncMFADevice",
                            ],
                            self_user,
                            sid="ManageOwnMfaDevice",
                        ),
                        {
                            "Sid": "DenyAllExceptMfaSelfServiceWithoutMfa",
                            "Effect": "Deny",
                            "NotAction": list(MFA_SELF_SERVICE_ACTIONS),
                            "Resource": "*",
                            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                        },
                    ]
                ),
                tags=name_tag(name),
                opts=self._child,
            )
            group: pulumi.Input[str] = args.mfa_group_name
            if args.create_mfa_group:
                group = aws.iam.Group(
                    child_name(self._name, "humans"), name=args.mfa_group_name, opts=self._child
                ).name
            aws.iam.GroupPolicyAttachment(
                name, group=group, policy_arn=policy.arn, opts=self._child
            )
        if args.password_policy:
            aws.iam.AccountPasswordPolicy(
                child_name(self._name, "password-policy"),
                minimum_password_length=14,
                require_lowercase_characters=True,
                require_uppercase_characters=True,
                require_numbers=True,
                require_symbols=True,
                allow_users_to_change_password=True,
                password_reuse_prevention=24,
                max_password_age=90,
                opts=self._child,
            )


def _database_metrics(args: AuditArgs) -> tuple[dict[str, Any] | None, str]:
    """The database alarms' dimensions and storage metric: an RDS instance by identifier, an
    Aurora cluster by its writer (Aurora User Guide, "dimensions": DBClusterIdentifier, Role),
    whose free storage is `FreeLocalStorage` (Aurora has no `FreeStorageSpace`)."""
    if args.db_instance_identifier is not None:
        return {"DBInstanceIdentifier": args.db_instance_identifier}, "FreeStorageSpace"
    if args.db_cluster_identifier is not None:
        return (
            {"DBClusterIdentifier": args.db_cluster_identifier, "Role": "WRITER"},
            "FreeLocalStorage",
        )
    return None, "FreeStorageSpace"


def _metric_widget(
    title: str, region: str, metrics: list[list[Any]], x: int, y: int, stat: str = "Average"
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": region,
            "metrics": metrics,
            "stat": stat,
            "period": 300,
            "view": "timeSeries",
        },
    }


def _dashboard_body(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Widgets for the load balancer, compute and database that exist (A8); a header always,
    so the dashboard is valid before the other tiers are wired in."""
    region = values["region"]
    widgets: list[dict[str, Any]] = [
        {
            "type": "text",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 2,
            "properties": {"markdown": f"# {name}\nLoad balancer, compute and database health."},
        }
    ]
    y = 2
    if "lb" in values:
        lb = ["AWS/ApplicationELB"]
        widgets += [
            _metric_widget(
                "Load balancer requests and 5xx",
                region,
                [
                    [*lb, "RequestCount", "LoadBalancer", values["lb"]],
                    [*lb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", values["lb"]],
                    [*lb, "HTTPCode_Target_5XX_Count", "LoadBalancer", values["lb"]],
                ],
                0,
                y,
                stat="Sum",
            ),
            _metric_widget(
                "Load balancer latency (p90)",
                region,
                [[*lb, "TargetResponseTime", "LoadBalancer", values["lb"]]],
                12,
                y,
                stat="p90",
            ),
        ]
        y += 6
    if "asg" in values:
        widgets.append(
            _metric_widget(
                "Compute CPU",
                region,
                [["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", values["asg"]]],
                0,
                y,
            )
        )
        y += 6
    if "db" in values or "cluster" in values:
        rds = ["AWS/RDS"]
        if "db" in values:
            db, storage = ["DBInstanceIdentifier", values["db"]], "FreeStorageSpace"
        else:
            db = ["DBClusterIdentifier", values["cluster"], "Role", "WRITER"]
            storage = "FreeLocalStorage"
        widgets += [
            _metric_widget(
                "Database CPU and connections",
                region,
                [
                    [*rds, "CPUUtilization", *db],
                    [*rds, "DatabaseConnections", *db, {"yAxis": "right"}],
                ],
                0,
                y,
            ),
            _metric_widget(
                "Database free storage",
                region,
                [[*rds, storage, *db]],
                12,
                y,
                stat="Minimum",
            ),
        ]
    return {"widgets": widgets}
