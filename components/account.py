"""Facts about the account and region a component runs in, read through its own provider (S7)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AccountContext:
    """Account id, partition, DNS suffix and region as Outputs, resolved through the provider
    that the calling component inherits, so components never take a region from config."""

    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    dns_suffix: pulumi.Output[str]
    region: pulumi.Output[str]

    @classmethod
    def lookup(cls, parent: pulumi.Resource) -> AccountContext:
        """Resolve the context through `parent`'s provider."""
        opts = pulumi.InvokeOutputOptions(parent=parent)
        identity = aws.get_caller_identity_output(opts=opts)
        partition = aws.get_partition_output(opts=opts)
        region = aws.get_region_output(opts=opts)
        return cls(
            account_id=identity.account_id,
            partition=partition.partition,
            dns_suffix=partition.dns_suffix,
            region=region.region,
        )

    def arn(self, service: str, resource: str, *, regional: bool = True) -> pulumi.Output[str]:
        """An ARN in this account: `arn:<partition>:<service>:<region>:<account>:<resource>`."""
        region = self.region if regional else ""
        return pulumi.Output.concat(
            "arn:", self.partition, ":", service, ":", region, ":", self.account_id, ":", resource
        )

    def root_principal(self) -> pulumi.Output[str]:
        """The account's root principal ARN (delegates key access to IAM policies)."""
        return pulumi.Output.concat("arn:", self.partition, ":iam::", self.account_id, ":root")
