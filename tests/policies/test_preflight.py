"""P11 deploy preflight: every rule has violating and compliant cases, one resource each.

Each case builds one resource named `subject` on an explicit provider and evaluates only the
policy it is about, so a failure names the rule and the value that broke it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pulumi
import pulumi_aws as aws
import pytest

from policy.awsfacts import lambda_runtimes, values
from policy.awsfacts.name_rules import NAME_RULES

from .helpers import PROD_TAGS, check, doc, provider

NAMES = "preflight-physical-names"
TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"})
LISTED_TYPES = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:s3/bucket:Bucket",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:lambda/function:Function",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:sns/topic:Topic",
    "aws:secretsmanager/secret:Secret",
    "aws:kms/alias:Alias",
    "aws:backup/vault:Vault",
    "aws:ecr/repository:Repository",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/service:Service",
    "aws:cloudtrail/trail:Trail",
)


def _lb(**kw: object) -> None:
    aws.lb.LoadBalancer("subject", subnets=["subnet-1"], **kw, opts=provider())


def _tg(**kw: object) -> None:
    aws.lb.TargetGroup("subject", port=80, protocol="HTTP", vpc_id="vpc-1", **kw, opts=provider())


def _db(**kw: object) -> None:
    aws.rds.Instance(
        "subject", instance_class="db.t4g.micro", engine="postgres", **kw, opts=provider()
    )


def _named(factory: Callable[..., object], **fixed: object) -> Callable[..., None]:
    def build(**kw: object) -> None:
        factory("subject", **{**fixed, **kw}, opts=provider())

    return build


_role = _named(aws.iam.Role, assume_role_policy=TRUST)
_function = _named(
    aws.lambda_.Function,
    role="arn:aws:iam::123456789012:role/r",
    handler="h.handler",
    code=pulumi.AssetArchive({}),
)
CURRENT = "python3.12"
_alarm = _named(
    aws.cloudwatch.MetricAlarm,
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=1,
    metric_name="CPUUtilization",
    namespace="AWS/EC2",
    period=60,
    statistic="Average",
    threshold=1,
)

# (builder, keyword arguments that break it, what the message says)
BAD_NAMES = [
    pytest.param(_lb, {"name": "a" * 33}, "33 characters; AWS allows 1-32", id="lb-length"),
    pytest.param(_lb, {"name": "internal-app"}, "starts with 'internal-'", id="lb-internal"),
    pytest.param(_lb, {"name": "app-"}, "does not match", id="lb-trailing-hyphen"),
    pytest.param(_lb, {"name": "app_lb"}, "contains '_'", id="lb-underscore"),
    pytest.param(_lb, {"name_prefix": "toolong-"}, "namePrefix='toolong-'", id="lb-prefix"),
    pytest.param(_tg, {"name": "t" * 33}, "33 characters", id="tg-length"),
    pytest.param(_tg, {"name": "-app"}, "does not match", id="tg-leading-hyphen"),
    pytest.param(
        _named(aws.ec2.SecurityGroup, vpc_id="vpc-1"),
        {"name": "sg-web"},
        "starts with 'sg-'",
        id="sg-prefix",
    ),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "My_Logs"}, "contains 'LM_'", id="s3-chars"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "ab"}, "AWS allows 3-63", id="s3-short"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "a..b"}, "contains '..'", id="s3-dots"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "10.0.0.1"}, "IP address", id="s3-ip"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "xn--logs"}, "'xn--'", id="s3-xn"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "logs-s3alias"}, "'-s3alias'", id="s3-suffix"),
    pytest.param(
        _named(aws.s3.Bucket), {"bucket_prefix": "p" * 38}, "AWS allows 1-37", id="s3-prefix"
    ),
    pytest.param(_db, {"identifier": "1db"}, "does not match", id="rds-digit-first"),
    pytest.param(_db, {"identifier": "db--one"}, "does not match", id="rds-double-hyphen"),
    pytest.param(_db, {"identifier": "Db"}, "contains 'D'", id="rds-upper"),
    pytest.param(_db, {"identifier": "d" * 64}, "64 characters", id="rds-length"),
    pytest.param(
        _db,
        {"identifier": "db", "final_snapshot_identifier": "db-final-"},
        "finalSnapshotIdentifier",
        id="rds-final-snapshot",
    ),
    pytest.param(
        _named(aws.rds.Cluster, engine="aurora-postgresql"),
        {"cluster_identifier": "c" * 64},
        "64 characters",
        id="rds-cluster",
    ),
    pytest.param(
        _named(aws.rds.ParameterGroup, family="postgres16"),
        {"name": "Params"},
        "contains 'P'",
        id="parameter-group",
    ),
    pytest.param(
        _named(aws.rds.SubnetGroup, subnet_ids=["subnet-1"]),
        {"name": "default"},
        "'default'",
        id="subnet-group",
    ),
    pytest.param(_role, {"name": "r" * 65}, "65 characters", id="iam-role"),
    pytest.param(_role, {"name_prefix": "r" * 39}, "AWS allows 1-38", id="iam-role-prefix"),
    pytest.param(_named(aws.iam.Policy, policy=TRUST), {"name": "p" * 129}, "129", id="iam-policy"),
    pytest.param(
        _named(aws.iam.InstanceProfile), {"name": "a b"}, "contains ' '", id="instance-profile"
    ),
    pytest.param(
        _function, {"name": "f" * 65, "runtime": CURRENT}, "65 characters", id="lambda-length"
    ),
    pytest.param(
        _function, {"name": "fn.name", "runtime": CURRENT}, "contains '.'", id="lambda-chars"
    ),
    pytest.param(
        _named(aws.cloudwatch.LogGroup), {"name": "aws/app"}, "'aws/'", id="log-group-aws"
    ),
    pytest.param(_alarm, {"name": "a" * 256}, "256 characters", id="alarm"),
    pytest.param(
        _named(aws.cloudwatch.EventRule, schedule_expression="rate(1 day)"),
        {"name": "every day"},
        "contains ' '",
        id="event-rule",
    ),
    pytest.param(_named(aws.sns.Topic), {"name": "alerts.v2"}, "does not match", id="sns"),
    pytest.param(
        _named(aws.secretsmanager.Secret), {"name": "db creds"}, "contains ' '", id="secret"
    ),
    pytest.param(
        _named(aws.kms.Alias, target_key_id="k"),
        {"name": "alias/aws/mine"},
        "'alias/aws/'",
        id="kms-alias-aws",
    ),
    pytest.param(
        _named(aws.kms.Alias, target_key_id="k"),
        {"name": "mykey"},
        "does not match",
        id="kms-alias-prefix",
    ),
    pytest.param(_named(aws.backup.Vault), {"name": "v" * 51}, "51 characters", id="backup-vault"),
    pytest.param(_named(aws.ecr.Repository), {"name": "MyApp"}, "contains 'AM'", id="ecr"),
    pytest.param(
        _named(aws.ecs.Cluster), {"name": "app cluster"}, "contains ' '", id="ecs-cluster"
    ),
    pytest.param(_named(aws.ecs.Service), {"name": "app:1"}, "contains ':'", id="ecs-service"),
    pytest.param(
        _named(aws.cloudtrail.Trail, s3_bucket_name="b"),
        {"name": "audit--trail"},
        "does not match",
        id="cloudtrail",
    ),
]

GOOD_NAMES = [
    pytest.param(_lb, {"name": "prod-core-use1-alb"}, id="lb"),
    pytest.param(_lb, {"name_prefix": "alb-"}, id="lb-prefix"),
    pytest.param(_tg, {"name": "a" * 32}, id="tg"),
    pytest.param(_named(aws.ec2.SecurityGroup, vpc_id="vpc-1"), {"name": "web-sg"}, id="sg"),
    pytest.param(_named(aws.s3.Bucket), {"bucket": "prod-logs.example-1"}, id="s3"),
    pytest.param(
        _db, {"identifier": "prod-db-1", "final_snapshot_identifier": "prod-db-1-f"}, id="rds"
    ),
    pytest.param(_role, {"name": "r" * 64}, id="iam-role"),
    pytest.param(_function, {"name": "f" * 64, "runtime": CURRENT}, id="lambda"),
    pytest.param(_named(aws.cloudwatch.LogGroup), {"name": "/aws/rds/x"}, id="log-group"),
    pytest.param(_named(aws.sns.Topic), {"name": "alerts.fifo", "fifo_topic": True}, id="sns"),
    pytest.param(
        _named(aws.kms.Alias, target_key_id="k"), {"name": "alias/prod/data"}, id="kms-alias"
    ),
    pytest.param(_named(aws.ecr.Repository), {"name": "team/app-api"}, id="ecr"),
    pytest.param(
        _named(aws.cloudtrail.Trail, s3_bucket_name="b"), {"name": "org.audit_trail"}, id="trail"
    ),
    # Autonamed by the harness as the provider would: within every limit.
    pytest.param(_role, {}, id="autonamed-role"),
]


@pytest.mark.parametrize("build,kwargs,expected", BAD_NAMES)
def test_physical_name_violations(build: Callable[..., None], kwargs: dict, expected: str) -> None:
    result = check(lambda: build(**kwargs), [NAMES])
    assert result.names(NAMES, "mandatory") == {"subject"}
    assert expected in result.messages(NAMES)


@pytest.mark.parametrize("build,kwargs", GOOD_NAMES)
def test_physical_names_aws_accepts(build: Callable[..., None], kwargs: dict) -> None:
    assert check(lambda: build(**kwargs), [NAMES]).of(NAMES) == []


def test_name_rules_cover_the_types_the_issue_lists() -> None:
    """Load balancers, target groups, security groups, buckets, RDS, IAM, Lambda, logs,
    alarms, EventBridge, SNS, secrets, KMS aliases, vaults, ECR, ECS and CloudTrail."""
    assert set(LISTED_TYPES) <= set(NAME_RULES)
    assert all(rule.source for rules in NAME_RULES.values() for rule in rules)


# Values -------------------------------------------------------------------------------------

CASES: list = []


def case(policy: str, case_id: str, bad: Callable[[], None], good: Callable[[], None]) -> None:
    """One rule's violating and compliant resource (both named `subject`)."""
    CASES.append(pytest.param(policy, bad, good, id=case_id))


def _listener(**kw: object) -> Callable[[], None]:
    return lambda: aws.lb.Listener(
        "subject",
        load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/b",
        port=443,
        protocol="HTTPS",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/x",
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "status_code": "404"},
            }
        ],
        **kw,
        opts=provider(),
    )


case(
    "preflight-elb-ssl-policy",
    "unknown-ssl-policy",
    _listener(ssl_policy="ELBSecurityPolicy-TLS-1-2-2099-01"),
    _listener(ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"),
)
case(
    "preflight-performance-insights-retention",
    "pi-30-days",
    lambda: _db(performance_insights_enabled=True, performance_insights_retention_period=30),
    lambda: _db(performance_insights_enabled=True, performance_insights_retention_period=93),
)
# Log retention periods and target group health check ranges come from the published schemas
# now (test_preflight_schema.py covers the policy's kinds); these cases keep the old rules'
# values checked.
case(
    "preflight-published-constraints",
    "log-10-days",
    lambda: aws.cloudwatch.LogGroup("subject", retention_in_days=10, opts=provider()),
    lambda: aws.cloudwatch.LogGroup("subject", retention_in_days=2557, opts=provider()),
)
for case_id, bad in (
    ("rate-1-days", "rate(1 days)"),
    ("rate-2-day", "rate(2 day)"),
    ("cron-5-fields", "cron(0 3 * * *)"),
    ("cron-both-days", "cron(0 3 * * MON *)"),
    ("rate-weeks", "rate(1 week)"),
):
    case(
        "preflight-schedule-expressions",
        f"event-{case_id}",
        lambda bad=bad: aws.cloudwatch.EventRule(
            "subject", schedule_expression=bad, opts=provider()
        ),
        lambda: aws.cloudwatch.EventRule(
            "subject", schedule_expression="rate(1 day)", opts=provider()
        ),
    )


def _rotation(**rules: object) -> Callable[[], None]:
    return lambda: aws.secretsmanager.SecretRotation(
        "subject", secret_id="s", rotation_lambda_arn="f", rotation_rules=rules, opts=provider()
    )


case(
    "preflight-schedule-expressions",
    "secret-rate-2-hours",
    _rotation(schedule_expression="rate(2 hours)"),
    _rotation(schedule_expression="rate(4 hours)"),
)
case(
    "preflight-schedule-expressions",
    "secret-1001-days",
    _rotation(automatically_after_days=1001),
    _rotation(automatically_after_days=30),
)


def _plan(
    schedule: str = "cron(0 3 * * ? *)", cold: int = 30, delete: int = 120, copy_delete: int = 120
) -> Callable[[], None]:
    return lambda: aws.backup.Plan(
        "subject",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": "v",
                "schedule": schedule,
                "lifecycle": {"cold_storage_after": cold, "delete_after": delete},
                "copy_actions": [
                    {
                        "destination_vault_arn": "arn:aws:backup:us-west-2:1:backup-vault:v",
                        "lifecycle": {"cold_storage_after": cold, "delete_after": copy_delete},
                    }
                ],
            }
        ],
        opts=provider(),
    )


case("preflight-backup-plan", "backup-rate", _plan(schedule="rate(1 day)"), _plan())
case("preflight-backup-plan", "backup-cold-lifecycle", _plan(delete=60), _plan())
case("preflight-backup-plan", "backup-copy-lifecycle", _plan(copy_delete=100), _plan())


def _parameters(kind: type, family: str, name: str, method: str | None) -> Callable[[], None]:
    parameter = {"name": name, "value": "1", **({"apply_method": method} if method else {})}
    return lambda: kind("subject", family=family, parameters=[parameter], opts=provider())


case(
    "preflight-static-db-parameters",
    "max-connections-immediate",
    _parameters(aws.rds.ParameterGroup, "postgres15", "max_connections", None),
    _parameters(aws.rds.ParameterGroup, "postgres15", "max_connections", "pending-reboot"),
)
case(
    "preflight-static-db-parameters",
    "rds-logical-replication",
    _parameters(
        aws.rds.ClusterParameterGroup, "aurora-postgresql16", "rds.logical_replication", "immediate"
    ),
    _parameters(aws.rds.ClusterParameterGroup, "aurora-postgresql16", "work_mem", "immediate"),
)
case(
    "preflight-static-db-parameters",
    "pg17-only-static",
    _parameters(aws.rds.ParameterGroup, "postgres17", "transaction_buffers", None),
    _parameters(aws.rds.ParameterGroup, "postgres17", "rds.force_ssl", None),
)
REPLICA = {"replicate_source_db": "arn:aws:rds:us-east-1:123456789012:db:primary"}
case(
    "preflight-replica-final-snapshot",
    "replica-final-snapshot",
    lambda: _db(**REPLICA, skip_final_snapshot=False, final_snapshot_identifier="replica-final"),
    lambda: _db(**REPLICA, skip_final_snapshot=True),
)
case(
    "preflight-engine-version-pin",
    "instance-minor-pin",
    lambda: _db(engine_version="16.6"),
    lambda: _db(engine_version="16"),
)
case(
    "preflight-engine-version-pin",
    "cluster-minor-pin",
    lambda: aws.rds.Cluster(
        "subject", engine="aurora-postgresql", engine_version="16.6", opts=provider()
    ),
    lambda: aws.rds.Cluster(
        "subject",
        engine="aurora-postgresql",
        engine_version="16.6",
        auto_minor_version_upgrade=False,
        opts=provider(),
    ),
)
case(
    "preflight-lambda-runtime",
    "python3.8",
    lambda: _function(runtime="python3.8"),
    lambda: _function(runtime=CURRENT),
)


def _health(interval: int, timeout: int) -> Callable[[], None]:
    return lambda: _tg(health_check={"interval": interval, "timeout": timeout})


case(
    "preflight-target-group-health-check",
    "timeout-not-below-interval",
    _health(10, 10),
    _health(10, 9),
)
case("preflight-published-constraints", "interval-out-of-range", _health(400, 5), _health(300, 5))
case("preflight-alarm-period", "period-45", lambda: _alarm(period=45), lambda: _alarm(period=20))
case(
    "preflight-alarm-period",
    "window-over-a-day",
    lambda: _alarm(period=60, evaluation_periods=1441),
    lambda: _alarm(period=3600, evaluation_periods=168),
)


def _route53(**kw: object) -> Callable[[], None]:
    base = {"type": "HTTPS", "fqdn": "example.com", "port": 443, "resource_path": "/"}
    return lambda: aws.route53.HealthCheck("subject", **{**base, **kw}, opts=provider())


case(
    "route53-health-check-params",
    "insufficient-data-on-https",
    _route53(insufficient_data_health_status="Healthy"),
    _route53(),
)
case(
    "route53-health-check-params",
    "interval-20",
    _route53(request_interval=20),
    _route53(request_interval=10),
)


def test_additional_ssl_policies_extend_the_catalog() -> None:
    """A security policy AWS publishes after this pack's catalog can be allowed in config."""
    newer = "ELBSecurityPolicy-TLS13-1-2-2099-01"
    result = check(
        _listener(ssl_policy=newer),
        ["preflight-elb-ssl-policy"],
        pack_config={"preflight-elb-ssl-policy": {"additionalSslPolicies": [newer]}},
    )
    assert result.of("preflight-elb-ssl-policy") == []


def test_replica_without_final_snapshot_passes_prod_resilience() -> None:
    """prod-resilience and the preflight agree: a production read replica deletes without a
    final snapshot (RDS refuses one), and neither policy asks for one."""

    def program() -> None:
        aws.rds.Instance(
            "subject",
            instance_class="db.r6g.large",
            multi_az=True,
            deletion_protection=True,
            skip_final_snapshot=True,
            **REPLICA,
            opts=pulumi.ResourceOptions.merge(
                provider(PROD_TAGS), pulumi.ResourceOptions(protect=True)
            ),
        )

    policies = ["prod-resilience", "preflight-replica-final-snapshot"]
    result = check(program, policies)
    assert [v for p in policies for v in result.of(p)] == []


def test_schedule_helpers() -> None:
    """`rate_expression` writes what EventBridge accepts; the checker knows each service."""
    assert values.rate_expression(1, "day") == "rate(1 day)"
    assert values.rate_expression(30, "day") == "rate(30 days)"
    assert values.schedule_problem("rate(30 days)", "events") is None
    assert values.schedule_problem("rate(5 minutes)", "backup") is not None
    assert values.schedule_problem("cron(0 12 ? * MON-FRI *)", "backup") is None
    assert values.schedule_problem("rate(1 day)", "secretsmanager") is None


def test_runtime_deprecation_is_dated() -> None:
    """A runtime counts as deprecated only once its date has passed."""
    assert lambda_runtimes.deprecated_on("python3.12", date(2028, 10, 30)) is None
    assert lambda_runtimes.deprecated_on("python3.12", date(2028, 10, 31)) == date(2028, 10, 31)
    assert lambda_runtimes.deprecated_on("python3.99") is None


def _waf_logging(destination: str) -> Callable[[], None]:
    return lambda: aws.wafv2.WebAclLoggingConfiguration(
        "subject",
        resource_arn="arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/b",
        log_destination_configs=[destination],
        opts=provider(),
    )


LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:"
case(
    "preflight-waf-log-destination",
    "waf-log-group-name",
    _waf_logging(f"{LOGS}app-waf"),
    _waf_logging(f"{LOGS}aws-waf-logs-app"),
)
case(
    "preflight-waf-log-destination",
    "waf-log-group-star",
    _waf_logging(f"{LOGS}aws-waf-logs-app:*"),
    _waf_logging(f"{LOGS}aws-waf-logs-app"),
)


@pytest.mark.parametrize("policy,bad,good", CASES)
def test_value_rules(policy: str, bad: Callable[[], None], good: Callable[[], None]) -> None:
    assert check(bad, [policy]).names(policy, "mandatory") == {"subject"}
    assert check(good, [policy]).of(policy) == []
