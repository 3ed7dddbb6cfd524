"""AWS Config (A7): recorder, delivery channel, recorder status and the managed rules this
stack promises, with its bucket and role."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..config.audit import ACCOUNT_WIDE_RULES
from ..iam import allow, document, service_trust_policy
from ..naming import child_name, name_tag

if TYPE_CHECKING:
    from .component import Audit

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


def create_config(audit: Audit) -> None:
    ctx, args = audit.ctx, audit.args
    name = child_name(audit.base_name, "config")
    bucket = audit.bucket("config-logs", lambda _arn: [])
    role = aws.iam.Role(
        name,
        description=f"{name}: AWS Config recorder",
        assume_role_policy=service_trust_policy(
            "config.amazonaws.com", source_account=ctx.account_id
        ),
        tags=name_tag(name),
        opts=audit.child_opts,
    )
    aws.iam.RolePolicyAttachment(
        name,
        role=role.name,
        policy_arn=pulumi.Output.concat(
            "arn:", ctx.partition, ":iam::aws:policy/service-role/AWS_ConfigRole"
        ),
        opts=audit.child_opts,
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
                    args.logs_key_arn,
                    sid="EncryptConfigSnapshots",
                ),
            ]
        ),
        opts=audit.child_opts,
    )
    recorder = aws.cfg.Recorder(
        name,
        name=name,
        role_arn=role.arn,
        recording_group={
            "all_supported": True,
            # Global resources (IAM) are recorded once, in the account-wide region.
            "include_global_resource_types": args.account_wide,
        },
        opts=audit.child_opts,
    )
    channel = aws.cfg.DeliveryChannel(
        name,
        name=name,
        s3_bucket_name=bucket.name,
        s3_kms_key_arn=args.logs_key_arn,
        snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
        opts=pulumi.ResourceOptions(
            parent=audit, depends_on=[recorder, bucket.policy, delivery_policy]
        ),
    )
    aws.cfg.RecorderStatus(
        name,
        name=recorder.name,
        is_enabled=True,
        opts=pulumi.ResourceOptions(parent=audit, depends_on=[channel]),
    )
    for rule in args.config_rules:
        if rule in ACCOUNT_WIDE_RULES and not args.account_wide:
            continue
        rule_name = child_name(audit.base_name, "rule", rule.lower().replace("_", "-"))
        parameters = RULE_PARAMETERS.get(rule)
        aws.cfg.Rule(
            rule_name,
            description=f"{rule_name}: AWS managed rule {rule}",
            source={"owner": "AWS", "source_identifier": rule},
            input_parameters=json.dumps(parameters) if parameters else None,
            tags=name_tag(rule_name),
            opts=pulumi.ResourceOptions(parent=audit, depends_on=[recorder]),
        )
    audit.config_bucket_name = bucket.name
