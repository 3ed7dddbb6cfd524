"""P11 deploy preflight: values AWS (or the provider) rejects when the resource is created.

A mock accepts any string and any number; AWS does not. Each policy here catches one class of
value that would make `pulumi up` fail (or leave a resource that can never be deleted), in any
program, explicit or autonamed. The data and its sources live in `policy.awsfacts`; each
validator's docstring names the rule it applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..awsfacts import elb, lambda_runtimes, name_rules, values
from .common import as_list, by_type, resource_policy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
LISTENER_TYPES = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
RDS_TYPES = (
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
)
PARAMETER_GROUP_TYPES = (
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
)
TARGET_GROUP_TYPES = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
_MINOR_PIN = re.compile(r"\d+\.\d+")


def _physical_names(args: ResourceValidationArgs) -> Iterator[str]:
    """Length, characters, reserved prefixes and suffixes of physical names, explicit or
    autonamed, and of their `*Prefix` forms (`policy.awsfacts.names`: terraform-provider-aws
    validators and the botocore API models, cited per type)."""
    for rule in name_rules.NAME_RULES.get(args.resource_type, ()):
        value = args.props.get(rule.prop)
        if isinstance(value, str):
            for problem in rule.problems(value):
                yield (
                    f"{rule.prop}={value!r} {problem}: AWS refuses this {rule.what} at create "
                    f"time ({rule.source})"
                )
        prefix = args.props.get(rule.prefix_prop) if rule.prefix_prop else None
        if isinstance(prefix, str):
            for problem in rule.prefix_problems(prefix):
                yield (
                    f"{rule.prefix_prop}={prefix!r} {problem}: the provider appends 26 "
                    f"characters to it ({rule.source})"
                )


def _ssl_policy(args: ResourceValidationArgs) -> Iterator[str]:
    """HTTPS/TLS listeners name a security policy that exists (AWS ELB User Guide 'Security
    policies for your Application Load Balancer'; `policy.awsfacts.elb.SSL_POLICIES`). Policies
    AWS adds later go into the `additionalSslPolicies` config."""
    props = args.props
    policy = props.get("sslPolicy")
    if str(props.get("protocol") or "").upper() not in ("HTTPS", "TLS") or policy is None:
        return
    known = set(elb.SSL_POLICIES) | {
        str(p) for p in as_list(args.get_config().get("additionalSslPolicies"))
    }
    if policy not in known:
        yield (
            f"sslPolicy={policy!r} is not an Elastic Load Balancing security policy: AWS "
            "refuses the listener; use one such as ELBSecurityPolicy-TLS13-1-2-2021-06 (or add "
            "a newer AWS policy to additionalSslPolicies)"
        )


def _event_rule_schedule(args: ResourceValidationArgs) -> Iterator[str]:
    """EventBridge schedules: `rate(1 day)` but `rate(2 days)`, six-field cron (EventBridge
    User Guide, 'Rate expressions' and 'Cron expressions')."""
    expression = args.props.get("scheduleExpression")
    problem = values.schedule_problem(str(expression), "events") if expression else None
    if problem:
        yield f"scheduleExpression: {problem}"


def _lambda_runtime(args: ResourceValidationArgs) -> Iterator[str]:
    """Lambda runtimes past their deprecation date (AWS Lambda Developer Guide, 'Lambda
    runtimes'; `policy.awsfacts.lambda_runtimes`): Lambda blocks creating, then updating,
    functions that use them."""
    runtime = args.props.get("runtime")
    when = lambda_runtimes.deprecated_on(str(runtime)) if runtime else None
    if when is not None:
        yield (
            f"runtime={runtime!r} was deprecated on {when.isoformat()}: Lambda blocks creating "
            "and then updating functions with it; move to a supported runtime"
        )


def _target_group_health_check(args: ResourceValidationArgs) -> Iterator[str]:
    """Target group health checks time out before the next one starts: 'Health check interval
    must be greater than the timeout' (CreateTargetGroup). No published schema carries this
    pair rule; the ranges of each value come from the CloudFormation schema
    (`preflight-published-constraints`)."""
    check = args.props.get("healthCheck") or {}
    interval, timeout = check.get("interval"), check.get("timeout")
    if interval is not None and timeout is not None and int(timeout) >= int(interval):
        yield (
            f"healthCheck.timeout={timeout} is not below interval={interval}: AWS refuses it "
            "('Health check interval must be greater than the timeout')"
        )


def _alarm_period(args: ResourceValidationArgs) -> Iterator[str]:
    """Alarm periods CloudWatch accepts (botocore cloudwatch PutMetricAlarmInput.Period and
    EvaluationPeriods; see `policy.awsfacts.values.alarm_period_problem`)."""
    period = args.props.get("period")
    if period is None:
        return
    evaluation = args.props.get("evaluationPeriods")
    problem = values.alarm_period_problem(int(period), int(evaluation) if evaluation else None)
    if problem:
        yield f"{problem}: PutMetricAlarm fails"


def _health_check(args: ResourceValidationArgs) -> Iterator[str]:
    """Route 53 health checks: insufficientDataHealthStatus only with CLOUDWATCH_METRIC (the
    provider silently drops it otherwise), requestInterval 10 or 30, failureThreshold 1-10
    (terraform-provider-aws route53/health_check.go; botocore route53 HealthCheckConfig)."""
    props = args.props
    kind = props.get("type")
    if props.get("insufficientDataHealthStatus") is not None and kind != "CLOUDWATCH_METRIC":
        yield (
            f"insufficientDataHealthStatus is only valid with type CLOUDWATCH_METRIC, not "
            f"{kind!r}: remove it"
        )
    interval = props.get("requestInterval")
    if interval is not None and int(interval) not in (10, 30):
        yield f"requestInterval={interval} is not 10 or 30 seconds"
    threshold = props.get("failureThreshold")
    if threshold is not None and not 1 <= int(threshold) <= 10:
        yield f"failureThreshold={threshold} is not 1-10"


def _waf_log_destination(args: ResourceValidationArgs) -> Iterator[str]:
    """WAF logs only to destinations named `aws-waf-logs-*` (pulumi-aws
    wafv2.WebAclLoggingConfiguration: "data firehose, log group, or bucket name must be
    prefixed with aws-waf-logs-"), and to a CloudWatch log group ARN without `:*`."""
    for index, arn in enumerate(as_list(args.props.get("logDestinationConfigs"))):
        text = str(arn)
        name = re.split(r":log-group:|:deliverystream/|:::", text)[-1]
        if not name.startswith("aws-waf-logs-"):
            yield (
                f"logDestinationConfigs[{index}] {text!r}: WAF refuses a destination whose name "
                "does not start with aws-waf-logs-"
            )
        elif ":log-group:" in text and text.endswith(":*"):
            yield f"logDestinationConfigs[{index}] {text!r}: drop the ':*' suffix"


def _secret_rotation(args: ResourceValidationArgs) -> Iterator[str]:
    """Secrets Manager rotation rules: `automaticallyAfterDays` 1-1000 or a schedule
    expression in hours (at least 4) or days (botocore secretsmanager RotationRulesType;
    Secrets Manager User Guide 'Rotation schedules')."""
    rules = args.props.get("rotationRules") or {}
    days = rules.get("automaticallyAfterDays")
    expression = rules.get("scheduleExpression")
    if days is not None and expression is not None:
        yield "rotationRules: set automaticallyAfterDays or scheduleExpression, not both"
    if days is not None and not 1 <= int(days) <= 1000:
        yield f"rotationRules.automaticallyAfterDays={days} is not 1-1000"
    problem = values.schedule_problem(str(expression), "secretsmanager") if expression else None
    if problem:
        yield f"rotationRules.scheduleExpression: {problem}"


def preflight_policy(
    name: str,
    description: str,
    check: Any,
    url: str,
    remediation: str,
    config: Any = None,
    controls: tuple[str, ...] = (),
) -> Any:
    # A value AWS refuses fails the deployment part-way, whatever the value was for.
    meta = Meta(
        category="preflight",
        requirements=("P11",),
        controls=controls,
        severity=Severity.HIGH,
        url=url,
        remediation=remediation,
    )
    return resource_policy(name, f"P11: {description}", MANDATORY, check, meta, config=config)


def on_types(types: tuple[str, ...] | str, check: Any) -> Any:
    return by_type(dict.fromkeys((types,) if isinstance(types, str) else types, check))


POLICIES = [
    preflight_policy(
        "preflight-physical-names",
        "physical names (explicit, autonamed or prefixes) fit AWS's length, character and "
        "reserved-prefix rules.",
        on_types(tuple(name_rules.NAME_RULES), _physical_names),
        url="https://www.pulumi.com/docs/iac/concepts/resources/names/",
        remediation=(
            "Shorten the stack's base name (project, environment, region) or the logical name, or "
            "set the name or name_prefix explicitly within the limit the message gives; autonamed "
            "resources add 8 characters."
        ),
    ),
    preflight_policy(
        "preflight-elb-ssl-policy",
        "HTTPS/TLS listeners name a security policy that exists.",
        on_types(LISTENER_TYPES, _ssl_policy),
        config={
            "additionalSslPolicies": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Security policies AWS added after this pack's catalog.",
                "default": [],
            }
        },
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        remediation=(
            "Name a security policy Elastic Load Balancing publishes; list a newer one in "
            "additionalSslPolicies if this pack's catalog predates it."
        ),
    ),
    preflight_policy(
        "preflight-schedule-expressions",
        "EventBridge, AWS Backup and Secrets Manager schedules are expressions the service "
        "accepts (rate(1 day) but rate(2 days), six-field cron).",
        by_type(
            {
                "aws:cloudwatch/eventRule:EventRule": _event_rule_schedule,
                "aws:secretsmanager/secretRotation:SecretRotation": _secret_rotation,
            }
        ),
        url="https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html",
        remediation=(
            "Write rate() with a singular unit for 1 (rate(1 day)) and a plural one otherwise, and"
            " cron() with six fields and ? in day-of-month or day-of-week."
        ),
    ),
    preflight_policy(
        "preflight-lambda-runtime",
        "Lambda functions use runtimes AWS has not deprecated.",
        on_types("aws:lambda/function:Function", _lambda_runtime),
        url="https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        remediation=(
            "Move the function to a runtime AWS still supports (python3.12 or later for Python)."
        ),
        controls=("Lambda.2",),
    ),
    preflight_policy(
        "preflight-target-group-health-check",
        "target group health checks have a timeout below the interval.",
        on_types(TARGET_GROUP_TYPES, _target_group_health_check),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
        remediation="Keep the health check timeout below the interval.",
    ),
    preflight_policy(
        "preflight-alarm-period",
        "alarm periods and evaluation windows are ones CloudWatch accepts.",
        on_types("aws:cloudwatch/metricAlarm:MetricAlarm", _alarm_period),
        url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
        remediation=(
            "Use a period of 10, 20 or 30 seconds (high-resolution metrics) or a multiple of 60, "
            "and keep period times evaluation periods at most one day."
        ),
    ),
    preflight_policy(
        "preflight-waf-log-destination",
        "WAF logs go to a destination named aws-waf-logs-*.",
        on_types(
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", _waf_log_destination
        ),
        url="https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html",
        remediation=(
            "Name the log group (or bucket, or Firehose stream) with the aws-waf-logs- prefix."
        ),
    ),
    preflight_policy(
        "route53-health-check-params",
        "Route 53 health checks set only parameters valid for their type, with valid "
        "interval and threshold (insufficientDataHealthStatus only with CLOUDWATCH_METRIC).",
        on_types("aws:route53/healthCheck:HealthCheck", _health_check),
        url="https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html",
        remediation=(
            "Set only the parameters the health check's type takes "
            "(insufficient_data_health_status only with CLOUDWATCH_METRIC), a request interval of "
            "10 or 30 and a failure threshold of 1 to 10."
        ),
    ),
]
