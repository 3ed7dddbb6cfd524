"""P2 required tags: resource tags, provider default tags (explicit and default provider)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .helpers import TAGS, check, default_provider_config, provider


def test_default_tags_of_an_explicit_provider_count() -> None:
    def program() -> None:
        aws.ec2.Vpc("tagged", cidr_block="10.0.0.0/16", opts=provider())
        partial = provider({"Environment": "dev", "Project": "p"}, name="partial")
        aws.ec2.Vpc("untagged", cidr_block="10.1.0.0/16", opts=partial)
        aws.ec2.Vpc(
            "completed",
            cidr_block="10.2.0.0/16",
            tags={"Owner": "o", "CostCenter": "cc"},
            opts=partial,
        )
        aws.ec2.Vpc(
            "blank", cidr_block="10.3.0.0/16", tags={"Owner": " "}, opts=provider(name="other")
        )
        # Not taggable: no tags parameter, so not checked.
        aws.ec2.RouteTableAssociation(
            "assoc", subnet_id="subnet-1", route_table_id="rtb-1", opts=partial
        )

    result = check(program, ["required-tags"])
    assert result.names("required-tags", "mandatory") == {"untagged", "blank"}
    assert "Owner, CostCenter" in result.messages("required-tags")


def test_default_provider_default_tags_and_configured_tags() -> None:
    def program() -> None:
        aws.sns.Topic("topic")
        aws.sns.Topic("with-team", tags={"Team": "x"})

    config = default_provider_config(TAGS)
    ok = check(program, ["required-tags"], config=config)
    assert ok.of("required-tags") == []
    custom = check(
        program,
        ["required-tags"],
        config=config,
        pack_config={"required-tags": {"requiredTags": ["Team"]}},
    )
    assert custom.names("required-tags") == {"topic"}


def test_exemption_needs_a_reason() -> None:
    def program() -> None:
        opts = provider({"Environment": "dev"})
        aws.ec2.Vpc("exempt", cidr_block="10.0.0.0/16", opts=opts)
        aws.ec2.Vpc("no-reason", cidr_block="10.1.0.0/16", opts=opts)
        pulumi.export("ok", True)

    result = check(
        program,
        ["required-tags"],
        pack_config={
            "required-tags": {
                "exemptions": [
                    {"resource": "exempt", "reason": "legacy VPC, retagged in Q3"},
                    {"resource": "no-reason"},
                ]
            }
        },
    )
    assert result.names("required-tags") == {"no-reason"}
    assert "has no `reason`" in result.messages("required-tags")


def test_types_in_keyword_named_modules_are_checked() -> None:
    """P2: `aws:lambda/...` lives in the Python module `pulumi_aws.lambda_`; its resources
    are taggable and checked like any other, and take the provider's default tags."""

    def program() -> None:
        role = "arn:aws:iam::123456789012:role/fn"
        code = pulumi.StringAsset("def handler(event, context): pass\n")
        archive = pulumi.AssetArchive({"index.py": code})
        partial = provider({"Environment": "dev"}, name="partial")
        for name, opts in (("bare", partial), ("complete", provider())):
            aws.lambda_.Function(
                name,
                role=role,
                runtime="python3.12",
                handler="index.handler",
                code=archive,
                opts=opts,
            )

    result = check(program, ["required-tags"])
    assert result.names("required-tags", "mandatory") == {"bare"}
