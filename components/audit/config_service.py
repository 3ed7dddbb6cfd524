"""AWS Config (A7): recorder, delivery channel, recorder status and the managed rules this
stack promises, with its bucket and role."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..buckets import SecureBucket
from ..config.audit import ACCOUNT_WIDE_RULES
from ..iam import allow, document, managed_service_role
from ..naming import child_name, name_tag
from .shared import BucketFactory

# Parameters for managed rules whose defaults do not match what this stack promises.
RULE_PARAMETERS: dict[str, dict[str, str]] = {
    "IAM_PASSWORD_POLICY": {
        "RequireUppercaseCharacters": "true",
        "RequireLowercaseCharacters": "true",
        "RequireSymbols": "true",
        "RequireNumbers": "true",
        "MinimumPasswordLength": "14",
        "PasswordReusePrevention": "24",
        "MaxPasswordAge": "90",
    },
}


@dataclass(frozen=True)
class ConfigService:
    """The recorder and the bucket its delivery channel writes to."""

    recorder: aws.cfg.Recorder
    bucket: SecureBucket


def create_config(
    base_name: str,
    *,
    ctx: AccountContext,
    logs_key_arn: pulumi.Input[str],
    account_wide: bool,
    rules: Sequence[str],
    bucket_factory: BucketFactory,
    parent: pulumi.Resource,
) -> ConfigService:
    """AWS Config in this region: a recorder (of global resources too where `account_wide`)
    delivering under `logs_key_arn` to an audit bucket from `bucket_factory`, and the managed
    `rules` (the account-wide ones only where `account_wide`)."""
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "config")
    bucket = bucket_factory("config-logs", lambda _arn: [])
    role = managed_service_role(
        name,
        description=f"{name}: AWS Config recorder",
        service="config.amazonaws.com",
        managed_policy="AWS_ConfigRole",
        account_id=ctx.account_id,
        partition=ctx.partition,
        tags=name_tag(name),
        opts=opts,
    )
    delivery_policy = aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=document(
            [
                allow(["s3:GetBucketAcl"], bucket.arn, sid="CheckConfigBucketAcl"),
                allow(
                    ["s3:PutObject"],
                    pulumi.Output.concat(bucket.arn, "/AWSLogs/", ctx.account_id, "/*"),
                    sid="DeliverConfigSnapshots",
                    condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                ),
                # The bucket encrypts with the logs CMK, whose policy delegates to IAM.
                allow(
                    ["kms:Decrypt", "kms:GenerateDataKey"],
                    logs_key_arn,
                    sid="EncryptConfigSnapshots",
                ),
            ]
        ),
        opts=opts,
    )
    recorder = aws.cfg.Recorder(
        name,
        name=name,
        role_arn=role.arn,
        recording_group={
            "all_supported": True,
            # Global resources (IAM) are recorded once, in the account-wide region.
            "include_global_resource_types": account_wide,
        },
        opts=opts,
    )
    channel = aws.cfg.DeliveryChannel(
        name,
        name=name,
        s3_bucket_name=bucket.name,
        s3_kms_key_arn=logs_key_arn,
        snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=[recorder, bucket.policy, delivery_policy]
        ),
    )
    aws.cfg.RecorderStatus(
        name,
        name=recorder.name,
        is_enabled=True,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[channel]),
    )
    for rule in rules:
        if rule in ACCOUNT_WIDE_RULES and not account_wide:
            continue
        rule_name = child_name(base_name, "rule", rule.lower().replace("_", "-"))
        parameters = RULE_PARAMETERS.get(rule)
        aws.cfg.Rule(
            rule_name,
            description=f"{rule_name}: AWS managed rule {rule}",
            source={"owner": "AWS", "source_identifier": rule},
            input_parameters=json.dumps(parameters) if parameters else None,
            tags=name_tag(rule_name),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[recorder]),
        )
    return ConfigService(recorder=recorder, bucket=bucket)
