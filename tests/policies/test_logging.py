"""P5 logging: CloudTrail, load balancer access logs, database log exports, log retention,
VPC flow logs."""

from __future__ import annotations

import pulumi_aws as aws

from .helpers import check, provider

POLICY = "audit-logging"


def test_trails_load_balancers_databases_and_log_groups() -> None:
    def program() -> None:
        opts = provider()
        aws.cloudtrail.Trail(
            "trail-good",
            s3_bucket_name="b",
            is_multi_region_trail=True,
            enable_log_file_validation=True,
            cloud_watch_logs_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
            cloud_watch_logs_role_arn="arn:aws:iam::123456789012:role/trail-logs",
            opts=opts,
        )
        aws.cloudtrail.Trail(
            "trail-no-cloudwatch",
            s3_bucket_name="b",
            is_multi_region_trail=True,
            enable_log_file_validation=True,
            opts=opts,
        )
        aws.elb.LoadBalancer(
            "clb-silent",
            listeners=[
                {
                    "instance_port": 80,
                    "instance_protocol": "http",
                    "lb_port": 443,
                    "lb_protocol": "https",
                    "ssl_certificate_id": "arn:aws:acm:x",
                }
            ],
            subnets=["subnet-1"],
            opts=opts,
        )
        aws.cloudtrail.Trail(
            "trail-single-region", s3_bucket_name="b", enable_log_file_validation=True, opts=opts
        )
        aws.lb.LoadBalancer(
            "alb-logged",
            load_balancer_type="application",
            subnets=["subnet-1"],
            access_logs={"bucket": "logs", "enabled": True},
            opts=opts,
        )
        aws.lb.LoadBalancer(
            "alb-silent", load_balancer_type="application", subnets=["subnet-1"], opts=opts
        )
        aws.lb.LoadBalancer("nlb", load_balancer_type="network", subnets=["subnet-1"], opts=opts)
        aws.cloudwatch.LogGroup("lg-kept", retention_in_days=365, opts=opts)
        aws.cloudwatch.LogGroup("lg-forever", opts=opts)

    result = check(program, [POLICY])
    assert result.names(POLICY) == {
        "trail-single-region",
        "trail-no-cloudwatch",
        "alb-silent",
        "clb-silent",
        "lg-forever",
    }
    messages = result.messages(POLICY)
    for prop in ("isMultiRegionTrail", "accessLogs", "cloudWatchLogsGroupArn", "retentionInDays"):
        assert prop in messages


def test_database_log_exports_fit_the_engine() -> None:
    """P5, RDS.9/RDS.36/RDS.37/RDS.40/RDS.42: each engine is asked for its own log types; a
    MySQL instance is never told to export PostgreSQL logs (issue 11, messages fit the
    resource)."""

    def program() -> None:
        opts = provider()
        aws.rds.Instance(
            "pg-logs",
            instance_class="db.t3.micro",
            engine="postgres",
            enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
            opts=opts,
        )
        aws.rds.Instance("pg-silent", instance_class="db.t3.micro", engine="postgres", opts=opts)
        aws.rds.Instance(
            "mysql-partial",
            instance_class="db.t3.micro",
            engine="mysql",
            enabled_cloudwatch_logs_exports=["error"],
            opts=opts,
        )
        aws.rds.Instance(
            "sqlsrv",
            instance_class="db.t3.xlarge",
            engine="sqlserver-se",
            enabled_cloudwatch_logs_exports=["agent", "error"],
            opts=opts,
        )
        aws.rds.Cluster("aurora-pg-silent", engine="aurora-postgresql", opts=opts)
        aws.rds.Cluster(
            "aurora-pg-logs",
            engine="aurora-postgresql",
            enabled_cloudwatch_logs_exports=["postgresql"],
            opts=opts,
        )
        aws.rds.Cluster("aurora-mysql-silent", engine="aurora-mysql", opts=opts)

    result = check(program, ["rds-log-exports"])
    found = dict(result.of("rds-log-exports"))
    assert set(found) == {"pg-silent", "mysql-partial", "aurora-pg-silent", "aurora-mysql-silent"}
    assert "lacks postgresql, upgrade: a postgres database" in found["pg-silent"]
    assert "lacks audit, general, slowquery: a mysql database" in found["mysql-partial"]
    assert "postgresql" not in found["mysql-partial"]
    assert "lacks postgresql:" in found["aurora-pg-silent"]
    assert "audit" in found["aurora-mysql-silent"]


def test_every_vpc_has_a_flow_log() -> None:
    def program() -> None:
        opts = provider()
        logged = aws.ec2.Vpc("logged", cidr_block="10.0.0.0/16", opts=opts)
        aws.ec2.Vpc("unlogged", cidr_block="10.1.0.0/16", opts=opts)
        aws.ec2.FlowLog(
            "logged-flow",
            vpc_id=logged.id,
            traffic_type="ALL",
            log_destination="arn:aws:logs:us-east-1:123456789012:log-group:g",
            opts=opts,
        )

    result = check(program, ["vpc-flow-logs"])
    assert result.names("vpc-flow-logs", "mandatory") == {"unlogged"}
