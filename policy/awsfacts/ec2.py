"""EC2 facts the policies need.

PARAVIRTUAL_INSTANCE_TYPES: the instance types whose SupportedVirtualizationTypes include
`paravirtual`, from EC2's DescribeInstanceTypes answer as moto ships it
(`moto/ec2/resources/instance_types.json.gz`); a test checks the list against moto's data.
These are previous-generation types (EC2.24).
"""

from __future__ import annotations

PARAVIRTUAL_INSTANCE_TYPES = frozenset(
    {
        "c1.medium",
        "c1.xlarge",
        "c3.2xlarge",
        "c3.4xlarge",
        "c3.8xlarge",
        "c3.large",
        "c3.xlarge",
        "m1.large",
        "m1.medium",
        "m1.small",
        "m1.xlarge",
        "m2.2xlarge",
        "m2.4xlarge",
        "m2.xlarge",
        "m3.2xlarge",
        "m3.large",
        "m3.medium",
        "m3.xlarge",
        "t1.micro",
    }
)
