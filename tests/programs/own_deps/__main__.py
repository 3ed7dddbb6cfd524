"""A bucket and a security group tagged by the organisation's own tagging package, which only
this program's virtualenv has."""

import acme_tags
import pulumi
import pulumi_aws as aws

tags = acme_tags.standard_tags(pulumi.Config().require("team"))
bucket = aws.s3.Bucket("reports", tags=tags)
group = aws.ec2.SecurityGroup(
    "admin",
    description="SSH for the on-call team",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
    tags=tags,
)
pulumi.export("bucket", bucket.bucket)
