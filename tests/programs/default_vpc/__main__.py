"""The pattern of many examples: put a load balancer in the account's default VPC."""

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
group = aws.ec2.SecurityGroup("web", vpc_id=vpc.id)
balancer = aws.lb.LoadBalancer("web", subnets=subnets.ids, security_groups=[group.id])
pulumi.export("vpc", vpc.id)
pulumi.export("subnets", subnets.ids)
