"""A program that builds on another stack's outputs."""

import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network/prod")
group = aws.ec2.SecurityGroup(
    "app",
    vpc_id=network.get_output("vpcId"),
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": [network.get_output("vpcCidr")],
        }
    ],
)
pulumi.export("group", group.id)
