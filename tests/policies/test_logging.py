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
        aws.rds.Instance(
            "db-logs",
            instance_class="db.t3.micro",
            engine="postgres",
            enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
            opts=opts,
        )
        aws.rds.Instance("db-silent", instance_class="db.t3.micro", engine="postgres", opts=opts)
        aws.rds.Cluster("cluster-silent", engine="aurora-postgresql", opts=opts)
        aws.rds.Cluster(
            "cluster-logs",
            engine="aurora-postgresql",
            enabled_cloudwatch_logs_exports=["postgresql"],
            opts=opts,
        )
        aws.cloudwatch.LogGroup("lg-kept", retention_in_days=365, opts=opts)
        aws.cloudwatch.LogGroup("lg-forever", opts=opts)

    result = check(program, [POLICY])
    assert result.names(POLICY) == {
        "trail-single-region",
        "alb-silent",
        "db-silent",
        "cluster-silent",
        "lg-forever",
    }
    messages = result.messages(POLICY)
    for prop in (
        "isMultiRegionTrail",
        "accessLogs",
        "enabledCloudwatchLogsExports",
        "retentionInDays",
    ):
        assert prop in messages


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
