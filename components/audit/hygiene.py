"""Account hygiene the baseline owner may own (A9): MFA enforcement for a human group and the
account password policy."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..account import AccountContext
from ..iam import allow, document
from ..naming import child_name, name_tag

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


@dataclass(frozen=True)
class Hygiene:
    """The MFA-enforcement policy and the password policy, each where it was asked for."""

    mfa_policy: aws.iam.Policy | None
    password_policy: aws.iam.AccountPasswordPolicy | None


def create_hygiene(
    base_name: str,
    *,
    ctx: AccountContext,
    mfa_group_name: str | None,
    create_mfa_group: bool,
    password_policy: bool,
    parent: pulumi.Resource,
) -> Hygiene:
    """The MFA-enforcement policy attached to `mfa_group_name` (a group created here when
    `create_mfa_group`) and, when `password_policy`, the account password policy."""
    opts = pulumi.ResourceOptions(parent=parent)
    mfa_policy = account_policy = None
    if mfa_group_name is not None:
        name = child_name(base_name, "require-mfa")
        self_user = pulumi.Output.concat(
            "arn:", ctx.partition, ":iam::", ctx.account_id, ":user/${aws:username}"
        )
        mfa_policy = aws.iam.Policy(
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
            opts=opts,
        )
        group: pulumi.Input[str] = mfa_group_name
        if create_mfa_group:
            group = aws.iam.Group(
                child_name(base_name, "humans"),
                name=mfa_group_name,
                opts=opts,
            ).name
        aws.iam.GroupPolicyAttachment(name, group=group, policy_arn=mfa_policy.arn, opts=opts)
    if password_policy:
        account_policy = aws.iam.AccountPasswordPolicy(
            child_name(base_name, "password-policy"),
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
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(retain_on_delete=True)),
        )
    return Hygiene(mfa_policy=mfa_policy, password_policy=account_policy)
