"""Operational alarms (A6) on the load balancer, compute and database that are wired in: one
table of alarm specs, one loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws

from ..config.audit import AlarmThresholds
from .args import AuditArgs
from .dashboard import database_metrics
from .shared import AlarmFactory

GIB = 1024**3


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: what it watches and when it fires."""

    suffix: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, Any]
    statistic: str
    threshold: float
    comparison: str
    missing_data: str = "missing"


def alarm_specs(args: AuditArgs) -> list[AlarmSpec]:
    """The alarms for the dimensions this region's tiers passed in `args`."""
    limits = args.thresholds
    specs: list[AlarmSpec] = []
    if args.autoscaling_group_name is not None:
        specs.append(
            AlarmSpec(
                "compute-cpu",
                f"Auto Scaling group average CPU above {limits.compute_cpu_percent}%",
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": args.autoscaling_group_name},
                "Average",
                limits.compute_cpu_percent,
                "GreaterThanThreshold",
            )
        )
    if args.load_balancer_arn_suffix is not None:
        balancer = {"LoadBalancer": args.load_balancer_arn_suffix}
        specs.append(
            AlarmSpec(
                "alb-5xx",
                f"load balancer 5xx responses above {limits.alb_5xx_count} per period",
                "AWS/ApplicationELB",
                "HTTPCode_ELB_5XX_Count",
                balancer,
                "Sum",
                limits.alb_5xx_count,
                "GreaterThanThreshold",
                missing_data="notBreaching",
            )
        )
        specs += [
            AlarmSpec(
                "alb-unhealthy-hosts" if role == "app" else f"alb-unhealthy-hosts-{role}",
                f"{limits.unhealthy_hosts} or more unhealthy targets in the {role} group",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                {**balancer, "TargetGroup": target_group},
                "Maximum",
                limits.unhealthy_hosts,
                "GreaterThanOrEqualToThreshold",
            )
            for role, target_group in args.target_group_arn_suffixes.items()
        ]
    database, storage = database_metrics(args)
    if database is not None:
        specs += _database_specs(limits, database, storage)
    if args.db_instance_is_replica and args.db_instance_identifier is not None:
        # Only a replica reports ReplicaLag (seconds behind its source, AWS/RDS). Replication
        # that stops altogether is an RDS `read replica` event (db_events.py); this catches a
        # replica that falls behind, which a failover would turn into lost writes.
        specs.append(
            AlarmSpec(
                "db-replica-lag",
                f"read replica more than {limits.database_replica_lag_seconds} s behind its source",
                "AWS/RDS",
                "ReplicaLag",
                {"DBInstanceIdentifier": args.db_instance_identifier},
                "Maximum",
                limits.database_replica_lag_seconds,
                "GreaterThanThreshold",
            )
        )
    return specs


def _database_specs(
    limits: AlarmThresholds, database: dict[str, Any], storage: str
) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            "db-cpu",
            f"database average CPU above {limits.database_cpu_percent}%",
            "AWS/RDS",
            "CPUUtilization",
            database,
            "Average",
            limits.database_cpu_percent,
            "GreaterThanThreshold",
        ),
        AlarmSpec(
            "db-free-storage",
            f"database free storage below {limits.database_free_storage_gib} GiB",
            "AWS/RDS",
            storage,
            database,
            "Minimum",
            limits.database_free_storage_gib * GIB,
            "LessThanThreshold",
        ),
        AlarmSpec(
            "db-connections",
            f"database connections above {limits.database_connections}",
            "AWS/RDS",
            "DatabaseConnections",
            database,
            "Maximum",
            limits.database_connections,
            "GreaterThanThreshold",
        ),
    ]


def create_operational_alarms(
    args: AuditArgs, alarm: AlarmFactory
) -> list[aws.cloudwatch.MetricAlarm]:
    """One alarm from `alarm` per spec of `args`, over the periods of `args.thresholds`."""
    limits = args.thresholds
    return [
        alarm(
            spec.suffix,
            spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=spec.dimensions,
            statistic=spec.statistic,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            period=limits.period_seconds,
            evaluation_periods=limits.evaluation_periods,
            treat_missing_data=spec.missing_data,
        )
        for spec in alarm_specs(args)
    ]
