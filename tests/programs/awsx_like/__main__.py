"""An awsx-style program: the VPC comes from a multi-language component (a provider plugin
builds its children), next to one plain VPC."""

import pulumi
import pulumi_aws as aws


class Vpc(pulumi.ComponentResource):
    """Stands in for awsx.ec2.Vpc: a remote component, whose children the provider makes."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awsx:ec2:Vpc", name, {"cidrBlock": "10.1.0.0/16"}, opts, remote=True)


vpc = Vpc("main")
plain = aws.ec2.Vpc("plain", cidr_block="10.2.0.0/16")
pulumi.export("plainVpc", plain.id)
