"""Account hygiene the baseline owner may own (A9): MFA enforcement for a human group and the
account password policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..iam import allow, document
from ..naming import child_name, name_tag

if TYPE_CHECKING:
    from .component import Audit

# Actions a user without MFA may still take: enough to sign in, set a password and enrol an MFA
# device (the pattern in IAM's "allow users to manage their own MFA device" example).
MFA_SELF_SERVICE_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


def create_hygiene(audit: Audit) -> None:
    args, ctx = audit.args, audit.ctx
    if args.mfa_group_name is not None:
        name = child_name(audit.base_name, "require-mfa")
        self_user = pulumi.Output.concat(
            "arn:", ctx.partition, ":iam::", ctx.account_id, ":user/${aws:username}"
        )
        policy = aws.iam.Policy(
            name,
            description=f"{name}: deny everything but MFA self-service without MFA",
            policy=document(
                [
                    allow(
                        ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                        "*",
                        sid="ViewAccountMfaSettings",
                    ),
                    allow(
                        ["iam:ChangePassword", "iam:GetUser"],
                        self_user,
                        sid="ManageOwnPassword",
                    ),
                    allow(
                        ["iam:CreateVirtualMFADevice"],
                        pulumi.Output.concat(
                            "arn:", ctx.partition, ":iam::", ctx.account_id, ":mfa/*"
                        ),
                        sid="CreateOwnVirtualMfaDevice",
                    ),
                    allow(
                        [
                            "iam:DeactivateMFADevice",
                            "iam:EnableMFADevice",
                            "iam:ListMFADevices",
                            "iam:ResyncMFADevice",
                        ],
                        self_user,
                        sid="ManageOwnMfaDevice",
                    ),
                    {
                        "Sid": "DenyAllExceptMfaSelfServiceWithoutMfa",
                        "Effect": "Deny",
                        "NotAction": list(MFA_SELF_SERVICE_ACTIONS),
                        "Resource": "*",
                        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                    },
                ]
            ),
            tags=name_tag(name),
            opts=audit.child_opts,
        )
        group: pulumi.Input[str] = args.mfa_group_name
        if args.create_mfa_group:
            group = aws.iam.Group(
                child_name(audit.base_name, "humans"),
                name=args.mfa_group_name,
                opts=audit.child_opts,
            ).name
        aws.iam.GroupPolicyAttachment(
            name, group=group, policy_arn=policy.arn, opts=audit.child_opts
        )
    if args.password_policy:
        aws.iam.AccountPasswordPolicy(
            child_name(audit.base_name, "password-policy"),
            minimum_password_length=14,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=24,
            max_password_age=90,
            # One per account: a destroy, or moving the baseline to another stack (whose `up`
            # may already have set its own), must not delete the account's policy.
            opts=pulumi.ResourceOptions.merge(
                audit.child_opts, pulumi.ResourceOptions(retain_on_delete=True)
            ),
        )
