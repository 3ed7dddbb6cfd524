"""Secure multi-region AWS foundation.

Config in, one explicit provider and one RegionalStack per region, exports out. Everything that
differs between stacks is in Pulumi.<stack>.yaml (S1); nothing here branches on the stack name.
"""

import pulumi
import pulumi_aws as aws

from components.config import load_config
from components.naming import base_name
from components.regional import RegionalStack, RegionalStackArgs

config = load_config()

regions = {}
for region in config.regions:
    name = base_name(config.environment, config.service, region.name)
    provider = aws.Provider(
        f"aws-{region.name}",
        region=region.name,
        allowed_account_ids=[config.account_id] if config.account_id else None,
        default_tags=aws.ProviderDefaultTagsArgs(tags=config.tags()),
    )
    regions[region.name] = RegionalStack(
        name,
        RegionalStackArgs(config=config, region=region),
        opts=pulumi.ResourceOptions(providers={"aws": provider}),
    )

pulumi.export("environment", config.environment)
pulumi.export("primaryRegion", config.primary.name)
pulumi.export("regions", {name: stack.outputs for name, stack in regions.items()})
