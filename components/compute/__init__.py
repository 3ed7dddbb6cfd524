"""Compute tier (C1-C9): the load balancer with its listeners, access logs, WAF and target groups
(`component.py`), and either EC2 instances in an Auto Scaling group (`instances.py`) or the ECS
Fargate service (`components/containers`). Every resource keeps the `Compute` component as its
parent."""

from .component import Compute, ComputeArgs, autoscaling_service_role

__all__ = ["Compute", "ComputeArgs", "autoscaling_service_role"]
