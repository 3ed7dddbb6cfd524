"""P3 least privilege: IAM documents, trust and resource policies, managed-policy attachments.

Action names and resource types are checked against parliament's shipped copy of AWS's
service authorization reference; AWS-managed policy ARNs against pulumi-aws's `ManagedPolicy`
catalog, which the provider maintains from AWS's list, and the newer ones AWS has published
since (`policy.awsfacts.iam`).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..awsfacts.iam import NEWER_MANAGED_POLICIES
from .common import as_list, by_type, parse_document, principals, resource_policy, statements
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY

# Condition keys that pin an anonymous ("*") principal to a known caller.
PINNING_CONDITION_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOrgID",
        "kms:CallerAccount",
    )
)
# parliament findings that make a document wrong rather than merely broad.
LINT_ISSUES = frozenset(
    {"UNKNOWN_ACTION", "UNKNOWN_PREFIX", "RESOURCE_MISMATCH", "MALFORMED", "INVALID_ARN"}
)
# Managed policies no principal of this program should hold: admin-class ones, and
# AWSCloudShellFullAccess, which uploads and downloads files to anything (CIS 1.22, IAM.27).
ADMIN_POLICY_NAMES = frozenset(
    {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSCloudShellFullAccess"}
)
# KMS.1/KMS.2: decrypting with every key in the account (FSBP's blockedActionsPatterns).
KMS_DECRYPT_ACTIONS = ("kms:decrypt", "kms:reencryptfrom")
MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?P<path>.+)$")
ROOT_PRINCIPAL = re.compile(r"^(arn:aws[a-z-]*:iam::)?\d{12}(:root)?$")


@cache
def managed_policy_paths() -> frozenset[str]:
    """Path/name of every AWS-managed policy (`service-role/AWS_ConfigRole`, ...): the
    provider's catalog and the newer policies of `policy.awsfacts.iam`."""
    from pulumi_aws.iam import ManagedPolicy

    paths = set(NEWER_MANAGED_POLICIES)
    for member in ManagedPolicy:
        match = MANAGED_ARN.match(member.value)
        if match:
            paths.add(match.group("path"))
    return frozenset(paths)


def _lint(document: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> list[str]:
    import parliament

    found = parliament.analyze_policy_string(json.dumps(document)).findings
    return sorted({f"{f.issue}: {f.detail}" for f in found if f.issue in LINT_ISSUES - skip})


def _actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def _pinned(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator_block in condition.values():
        if isinstance(operator_block, Mapping) and any(
            str(k).lower() in PINNING_CONDITION_KEYS for k in operator_block
        ):
            return True
    return False


def _allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def _broad_actions(
    label: str, statement: Mapping[str, Any], index: int, *, identity: bool = False
) -> Iterator[str]:
    """`*` actions, NotAction, `service:*` (anywhere in an identity policy, IAM.21; on every
    resource in a resource policy) and, in identity policies, decryption with every KMS key
    (KMS.1, KMS.2)."""
    resources = [str(r) for r in as_list(statement.get("Resource"))]
    if statement.get("NotAction") is not None:
        yield (
            f"{label} Statement[{index}] allows NotAction (everything else): list the needed "
            "actions in Action instead"
        )
    actions = _actions(statement)
    for action in actions:
        if action == "*":
            yield f"{label} Statement[{index}] allows Action '*': list the actions it needs"
        elif action.endswith(":*") and identity:
            yield (
                f"{label} Statement[{index}] allows {action}: list the {action[:-2]} actions "
                "the principal needs"
            )
        elif action.endswith(":*") and "*" in resources:
            yield (
                f"{label} Statement[{index}] allows {action} on Resource '*': narrow the "
                "actions or scope Resource to specific ARNs"
            )
    if identity and "*" in resources:
        decrypting = sorted({w for action in actions for w in _decrypt_actions(action)})
        if decrypting:
            yield (
                f"{label} Statement[{index}] allows {', '.join(decrypting)} on Resource '*' "
                "(every KMS key in the account): name the key ARNs"
            )


def _decrypt_actions(action: str) -> list[str]:
    """The KMS decrypt actions an action pattern grants ('*' and 'kms:*' are reported as
    broad actions already)."""
    if action == "*" or action.endswith(":*"):
        return []
    return [w for w in KMS_DECRYPT_ACTIONS if fnmatch.fnmatchcase(w, action.lower())]


def _identity_document(label: str, value: Any) -> Iterator[str]:
    document = parse_document(value)
    if document is None:
        if value:
            yield f"{label} is not a valid JSON policy document: fix the document"
        return
    for index, statement in enumerate(statements(document)):
        if _allows(statement):
            yield from _broad_actions(label, statement, index, identity=True)
    for finding in _lint(document):
        yield f"{label} lint {finding}: use valid actions and matching resource ARNs"


def _resource_document(label: str, value: Any, *, key_policy: bool = False) -> Iterator[str]:
    document = parse_document(value)
    if document is None:
        if value:
            yield f"{label} is not a valid JSON policy document: fix the document"
        return
    for index, statement in enumerate(statements(document)):
        if not _allows(statement):
            continue
        found = principals(statement)
        if "*" in found and not _pinned(statement):
            yield (
                f"{label} Statement[{index}] allows Principal '*' without a condition on "
                "aws:PrincipalArn/aws:PrincipalAccount/aws:SourceArn/aws:SourceAccount: name "
                "the principal or add such a condition"
            )
        root_only = bool(found) and all(ROOT_PRINCIPAL.match(p) for p in found)
        if key_policy and root_only and "*" not in _actions(statement):
            # The account root with kms:* is the standard delegation of the key to IAM.
            continue
        # In a key policy Resource "*" means the key itself, but kms:* to anyone other than the
        # account root still hands out key administration (policy changes, deletion).
        yield from _broad_actions(label, statement, index)
    skip = frozenset({"RESOURCE_MISMATCH"}) if key_policy else frozenset()
    for finding in _lint(document, skip):
        yield f"{label} lint {finding}: use valid actions and matching resource ARNs"


def _trust_document(label: str, value: Any) -> Iterator[str]:
    document = parse_document(value)
    if document is None:
        yield f"{label} is not a valid JSON trust policy: fix the document"
        return
    for index, statement in enumerate(statements(document)):
        if _allows(statement) and "*" in principals(statement):
            yield (
                f"{label} Statement[{index}] trusts Principal '*': name the service or "
                "account principal that may assume the role"
            )


def managed_arn_problem(label: str, arn: Any) -> str | None:
    """Why an attached managed-policy ARN is not acceptable (None if it is)."""
    match = MANAGED_ARN.match(str(arn))
    if match is None:
        return None
    path = match.group("path")
    name = path.rsplit("/", 1)[-1]
    if name in ADMIN_POLICY_NAMES or name.startswith("AdministratorAccess"):
        return (
            f"{label} attaches the admin-class managed policy {name}: attach a policy with "
            "only the actions the principal needs"
        )
    if path not in managed_policy_paths():
        return (
            f"{label} {arn} is not an AWS-managed policy: check the name and path (e.g. "
            "service-role/AWS_ConfigRole, not service-role/ConfigRole)"
        )
    return None


def _policy_prop(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _identity_document("policy", args.props.get("policy"))


def _role(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    yield from _trust_document("assumeRolePolicy", props.get("assumeRolePolicy"))
    for index, inline in enumerate(as_list(props.get("inlinePolicies"))):
        if isinstance(inline, Mapping) and inline.get("policy"):
            yield from _identity_document(f"inlinePolicies[{index}].policy", inline["policy"])


def _managed_arns(prop: str) -> Callable[[ResourceValidationArgs], Iterator[str]]:
    """The check of a list of managed policy ARNs a resource attaches: a role's
    `managedPolicyArns`, or an `*PolicyAttachmentsExclusive`'s `policyArns` (which attaches
    every ARN it lists, besides detaching the others)."""

    def check(args: ResourceValidationArgs) -> Iterator[str]:
        for arn in as_list(args.props.get(prop)):
            problem = managed_arn_problem(prop, arn)
            if problem:
                yield problem

    return check


def _attachment(args: ResourceValidationArgs) -> Iterator[str]:
    problem = managed_arn_problem("policyArn", args.props.get("policyArn"))
    if problem:
        yield problem


def _resource_policy(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _resource_document("policy", args.props.get("policy"))


def _key_policy(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _resource_document("policy", args.props.get("policy"), key_policy=True)


# Canned ACLs and grantee groups that open a bucket to everyone (S3 User Guide, "Access control
# list (ACL) overview": canned ACLs, and the AllUsers and AuthenticatedUsers groups).
PUBLIC_CANNED_ACLS = {
    "public-read": "read",
    "public-read-write": "read and write",
    "authenticated-read": "read",
}
PUBLIC_GRANTEES = ("/global/AllUsers", "/global/AuthenticatedUsers")


def _public_acl(args: ResourceValidationArgs) -> Iterator[str]:
    """A bucket's ACL (inline `acl`/`grants`, or a BucketAcl resource) granting everyone access:
    the ACL spelling of public read (S3.2) and write (S3.3)."""
    canned = args.props.get("acl")
    if isinstance(canned, str) and canned in PUBLIC_CANNED_ACLS:
        yield (
            f"the canned ACL {canned} grants {PUBLIC_CANNED_ACLS[canned]} access to everyone: "
            "use private and grant access in a bucket policy to named principals"
        )
    policy = args.props.get("accessControlPolicy") or {}
    grants = [*as_list(args.props.get("grants")), *as_list(policy.get("grants"))]
    for grant in grants:
        grantee = grant.get("grantee") or grant
        uri = str(grantee.get("uri") or "")
        if uri.endswith(PUBLIC_GRANTEES):
            permission = grant.get("permission") or ", ".join(as_list(grant.get("permissions")))
            yield (
                f"the ACL grants {permission} to the {uri.rsplit('/', 1)[-1]} group: remove the "
                "grant and name the principals in a bucket policy"
            )


def _bucket(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _resource_policy(args)
    yield from _public_acl(args)


POLICIES = [
    resource_policy(
        "iam-least-privilege",
        "P3: role trust policies trust no '*' principal; identity policies (managed, "
        "role/group/user inline, Role.inlinePolicies) allow no '*' action, no service:* on "
        "Resource '*', no NotAction, and lint clean (actions that exist, resources that match "
        "the actions).",
        MANDATORY,
        by_type(
            {
                "aws:iam/policy:Policy": _policy_prop,
                "aws:iam/rolePolicy:RolePolicy": _policy_prop,
                "aws:iam/groupPolicy:GroupPolicy": _policy_prop,
                "aws:iam/userPolicy:UserPolicy": _policy_prop,
                "aws:iam/role:Role": _role,
            }
        ),
        meta=Meta(
            category="iam",
            requirements=("P3",),
            controls=("IAM.1", "IAM.21", "KMS.1", "KMS.2"),
            remediation=(
                "List the actions the principal needs, on the ARNs it needs them on. Never grant "
                "'*' or service:* actions, and never kms:Decrypt or kms:ReEncryptFrom on every key"
                " (Resource '*'): name the key ARNs. Trust only named service or account "
                "principals."
            ),
        ),
    ),
    resource_policy(
        "iam-managed-policy-attachments",
        "P3: no admin-class AWS-managed policies (AdministratorAccess*, PowerUserAccess, "
        "IAMFullAccess) attached, and every AWS-managed policy ARN exists.",
        MANDATORY,
        by_type(
            {
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment,
                "aws:iam/policyAttachment:PolicyAttachment": _attachment,
                "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": _attachment,
                "aws:iam/userPolicyAttachment:UserPolicyAttachment": _attachment,
                "aws:iam/role:Role": _managed_arns("managedPolicyArns"),
                **dict.fromkeys(
                    (
                        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                        "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
                        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                    ),
                    _managed_arns("policyArns"),
                ),
            }
        ),
        meta=Meta(
            category="iam",
            requirements=("P3",),
            controls=("IAM.27",),
            severity=Severity.HIGH,
            remediation=(
                "Attach a policy with only the actions the principal needs instead of "
                "AdministratorAccess, PowerUserAccess, IAMFullAccess or AWSCloudShellFullAccess, "
                "and check the name and path of every AWS-managed policy ARN."
            ),
        ),
    ),
    resource_policy(
        "resource-policy-principals",
        "P3: bucket, key, topic, queue and secret policies allow Principal '*' only under a "
        "condition pinning the caller; no '*' or service:* grants (the account root with kms:* "
        "in a key policy is allowed); documents lint clean; no bucket ACL grants everyone.",
        MANDATORY,
        by_type(
            {
                "aws:s3/bucketPolicy:BucketPolicy": _resource_policy,
                "aws:kms/key:Key": _key_policy,
                # The same documents written as split resources or inline (issue 21): each
                # spelling is judged on the resource that holds it, the one to change.
                "aws:kms/keyPolicy:KeyPolicy": _key_policy,
                "aws:s3/bucket:Bucket": _bucket,
                "aws:s3/bucketAcl:BucketAcl": _public_acl,
                "aws:s3/bucketAclV2:BucketAclV2": _public_acl,
                "aws:sns/topicPolicy:TopicPolicy": _resource_policy,
                "aws:sns/topic:Topic": _resource_policy,
                "aws:sqs/queuePolicy:QueuePolicy": _resource_policy,
                "aws:secretsmanager/secretPolicy:SecretPolicy": _resource_policy,
            }
        ),
        meta=Meta(
            category="iam",
            requirements=("P3",),
            controls=("KMS.5", "SNS.4", "S3.2", "S3.3"),
            remediation=(
                "Name the principal (a service or an account) in every Allow statement of a "
                "bucket, key, topic, queue or secret policy, or pin Principal '*' with a condition"
                " on aws:SourceArn, aws:SourceAccount, aws:PrincipalAccount or aws:PrincipalOrgID."
            ),
        ),
    ),
]
