"""A dynamic provider (Python code as a provider) next to an AWS resource."""

import pulumi
import pulumi.dynamic
import pulumi_aws as aws


class Counter(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult("counter-1", {"value": props["start"]})


class Count(pulumi.dynamic.Resource):
    value: pulumi.Output[int]

    def __init__(self, name: str, start: int) -> None:
        super().__init__(Counter(), name, {"start": start, "value": None})


count = Count("builds", 3)
topic = aws.sns.Topic("builds", kms_master_key_id="alias/aws/sns")
pulumi.export("count", count.value)
