"""The account password policy and IAM users' permissions, as the account baseline's policies
(`account.py`) judge them.

CIS AWS Foundations 1.8/1.9 and FSBP IAM.7/IAM.15/IAM.16 ask for a minimum length of 14, every
character class and the last 24 passwords remembered.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs

from .common import as_list

MIN_PASSWORD_LENGTH = 14
PASSWORD_REUSE_PREVENTION = 24


def password_policy_problems(args: ResourceValidationArgs) -> Iterator[str]:
    """What the account password policy lacks of CIS and FSBP's minimum (IAM.7, IAM.15,
    IAM.16)."""
    props = args.props
    for flag in (
        "requireUppercaseCharacters",
        "requireLowercaseCharacters",
        "requireNumbers",
        "requireSymbols",
    ):
        if props.get(flag) is not True:
            yield f"{flag} is not true: require every character class"
    if int(props.get("minimumPasswordLength") or 6) < MIN_PASSWORD_LENGTH:
        yield f"minimumPasswordLength is below {MIN_PASSWORD_LENGTH}: set it to at least 14"
    if int(props.get("passwordReusePrevention") or 0) < PASSWORD_REUSE_PREVENTION:
        yield (
            f"passwordReusePrevention is below {PASSWORD_REUSE_PREVENTION}: remember the last "
            "24 passwords"
        )


USER_EXCLUSIVE_ATTACHMENTS = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"


def user_permission_problems(args: ResourceValidationArgs) -> Iterator[str]:
    """A policy given to an IAM user directly rather than through a group (IAM.2)."""
    props = args.props
    if args.resource_type == "aws:iam/policyAttachment:PolicyAttachment":
        if as_list(props.get("users")):
            yield "the policy is attached to users: attach it to a group the users belong to"
        return
    if args.resource_type == USER_EXCLUSIVE_ATTACHMENTS:
        # It attaches every ARN it lists (and detaches the rest): an empty list is compliant.
        if as_list(props.get("policyArns")):
            yield (
                "the policies in policyArns are given to a user directly: attach them to a "
                "group (or a role), add the user to it, and leave policyArns empty"
            )
        return
    yield (
        "the policy is given to a user directly: attach it to a group (or a role) and add the "
        "user to the group"
    )
