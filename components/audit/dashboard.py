"""The region's CloudWatch dashboard (A8): a pure function builds the body from what is wired."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from ..naming import child_name
from .args import AuditArgs


def create_dashboard(
    base_name: str,
    *,
    suffix: str,
    region: pulumi.Input[str],
    args: AuditArgs,
    parent: pulumi.Resource,
) -> aws.cloudwatch.Dashboard:
    """The dashboard `<base_name>-<suffix>` in `region`, with widgets for the load balancer,
    compute and database dimensions that `args` passes."""
    dims = {
        "lb": args.load_balancer_arn_suffix,
        "asg": args.autoscaling_group_name,
        "db": args.db_instance_identifier,
        "cluster": args.db_cluster_identifier,
    }
    present = {k: v for k, v in dims.items() if v is not None}
    name = f"{base_name}-{suffix}"
    body = pulumi.Output.all(region=region, **present).apply(
        lambda values: json.dumps(dashboard_body(base_name, values))
    )
    return aws.cloudwatch.Dashboard(
        child_name(base_name, "dashboard"),
        dashboard_name=name,
        dashboard_body=body,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def database_metrics(args: AuditArgs) -> tuple[dict[str, Any] | None, str]:
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


def metric_widget(
    title: str, region: str, metrics: list[list[Any]], x: int, y: int, stat: str = "Average"
) -> dict[str, Any]:
    """A half-width time-series widget of `metrics` at (`x`, `y`), over five-minute periods."""
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


def dashboard_body(name: str, values: dict[str, Any]) -> dict[str, Any]:
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
            metric_widget(
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
            metric_widget(
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
            metric_widget(
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
            metric_widget(
                "Database CPU and connections",
                region,
                [
                    [*rds, "CPUUtilization", *db],
                    [*rds, "DatabaseConnections", *db, {"yAxis": "right"}],
                ],
                0,
                y,
            ),
            metric_widget(
                "Database free storage",
                region,
                [[*rds, storage, *db]],
                12,
                y,
                stat="Minimum",
            ),
        ]
    return {"widgets": widgets}
