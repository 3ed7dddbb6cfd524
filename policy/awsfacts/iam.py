"""AWS-managed IAM policies newer than pulumi-aws's `iam.ManagedPolicy` catalog.

The pack checks that an attached AWS-managed policy ARN exists against the provider's catalog;
AWS publishes policies faster than the catalog follows. Each entry names its page in the AWS
Managed Policy Reference Guide (docs.aws.amazon.com/aws-managed-policy/latest/reference/).
"""

from __future__ import annotations

NEWER_MANAGED_POLICIES: dict[str, str] = {
    # ARN arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers, created
    # 2025-07-17: what ECS needs to shift traffic in blue/green deployments.
    "AmazonECSInfrastructureRolePolicyForLoadBalancers": (
        "AmazonECSInfrastructureRolePolicyForLoadBalancers.html"
    ),
}
