"""VPC endpoints (N7): the S3 gateway endpoint limited to this account's and AWS's own buckets,
and interface endpoints limited to this account's principals where the service takes a policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..iam import document
from ..naming import child_name, name_tag

# AWS-owned buckets that instances and tasks in the private subnets read through the S3
# gateway endpoint: ECR image layers (ECR User Guide, "Minimum Amazon S3 bucket permissions for
# Amazon ECR"), Amazon Linux 2023 packages (AL2023 User Guide, "Amazon S3 VPC endpoint"), and
# the buckets the SSM Agent and the CloudWatch agent fetch from (Systems Manager User Guide,
# "SSM Agent communications with AWS managed S3 buckets": its example policy, "required only
# if you are using a VPC endpoint", less the Windows-only aws-windows-downloads-<region>).
AWS_OWNED_BUCKETS = (
    "prod-{region}-starport-layer-bucket",
    "al2023-repos-{region}-de612dc2",
    "aws-ssm-{region}",
    "amazon-ssm-{region}",
    "amazon-ssm-packages-{region}",
    "{region}-birdwatcher-prod",
    # Distributor package files, from the same list (which packages use it is not documented).
    "aws-ssm-distributor-file-{region}",
    "aws-ssm-document-attachments-{region}",
    "patch-baseline-snapshot-{region}",
    "amazoncloudwatch-agent-{region}",
)


@dataclass(frozen=True)
class Endpoints:
    """The S3 gateway endpoint and the interface endpoints by service suffix."""

    s3: aws.ec2.VpcEndpoint
    interface: dict[str, aws.ec2.VpcEndpoint]


def create_endpoints(
    base_name: str,
    *,
    ctx: AccountContext,
    vpc_id: pulumi.Input[str],
    gateway_route_table_ids: Sequence[pulumi.Input[str]],
    subnet_ids: Sequence[pulumi.Input[str]],
    security_group_id: pulumi.Input[str],
    interface_endpoints: Sequence[str],
    parent: pulumi.Resource,
) -> Endpoints:
    """The S3 gateway endpoint on `gateway_route_table_ids`, and an interface endpoint in
    `subnet_ids` behind `security_group_id` for each service of `interface_endpoints`."""
    opts = pulumi.ResourceOptions(parent=parent)

    def service(name: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("com.amazonaws.", ctx.region, ".", name)

    s3 = aws.ec2.VpcEndpoint(
        child_name(base_name, "s3"),
        vpc_id=vpc_id,
        service_name=service("s3"),
        vpc_endpoint_type="Gateway",
        route_table_ids=list(gateway_route_table_ids),
        policy=s3_endpoint_policy(ctx),
        tags=name_tag(child_name(base_name, "s3")),
        opts=opts,
    )
    this_account = document(
        [
            {
                "Sid": "ThisAccountsPrincipalsOnly",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": ctx.account_id}},
            }
        ]
    )
    interface = {}
    for endpoint in interface_endpoints:
        name = child_name(base_name, endpoint.replace(".", "-"))
        # Not every service takes an endpoint policy; AWS says which does.
        details = aws.ec2.get_vpc_endpoint_service_output(
            service_name=service(endpoint),
            service_type="Interface",
            opts=pulumi.InvokeOutputOptions(parent=parent),
        )
        policy = pulumi.Output.all(details.vpc_endpoint_policy_supported, this_account).apply(
            lambda values: values[1] if values[0] else None
        )
        interface[endpoint] = aws.ec2.VpcEndpoint(
            name,
            vpc_id=vpc_id,
            service_name=service(endpoint),
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=list(subnet_ids),
            security_group_ids=[security_group_id],
            policy=policy,
            tags=name_tag(name),
            opts=opts,
        )
    return Endpoints(s3=s3, interface=interface)


def s3_endpoint_policy(ctx: AccountContext) -> pulumi.Output[str]:
    """The S3 gateway endpoint reaches this account's buckets and the AWS-owned buckets the
    private subnets need (N7): without a policy it would reach every bucket on Earth."""
    resources = pulumi.Output.all(ctx.partition, ctx.region).apply(
        lambda values: [
            f"arn:{values[0]}:s3:::{bucket.format(region=values[1])}/*"
            for bucket in AWS_OWNED_BUCKETS
        ]
    )
    return document(
        [
            {
                "Sid": "ThisAccountsBuckets",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": ctx.account_id}},
            },
            {
                "Sid": "AwsOwnedBucketsTheSubnetsNeed",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": resources,
            },
        ]
    )
