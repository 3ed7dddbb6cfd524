"""P3 least privilege: identity, trust and resource policies; managed-policy attachments."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from .helpers import ROOT, check, default_provider_config, doc, provider

TRUST = doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)
BUCKET_ARN = "arn:aws:s3:::my-bucket"


def test_identity_policies() -> None:
    def program() -> None:
        opts = provider()
        aws.iam.Policy(
            "scoped",
            policy=doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}
            ),
            opts=opts,
        )
        aws.iam.Policy(
            "star-action",
            policy=doc({"Effect": "Allow", "Action": "*", "Resource": BUCKET_ARN}),
            opts=opts,
        )
        # Single statement (not a list), Action as a list.
        aws.iam.Policy(
            "service-star",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
                }
            ),
            opts=opts,
        )
        aws.iam.Policy(
            "typo",
            policy=doc({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": BUCKET_ARN}),
            opts=opts,
        )
        aws.iam.Policy(
            "mismatch",
            policy=doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": BUCKET_ARN}),
            opts=opts,
        )
        aws.iam.Policy(
            "deny-all",
            policy=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}),
            opts=opts,
        )
        role = aws.iam.Role(
            "role",
            assume_role_policy=TRUST,
            inline_policies=[
                {
                    "name": "inline",
                    "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
                }
            ],
            opts=opts,
        )
        # An Output-built document, as programs write them.
        bucket = aws.s3.Bucket("bucket", opts=opts)
        aws.iam.RolePolicy(
            "role-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:PutObject",
                            "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                        },
                        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
                    ],
                }
            ),
            opts=opts,
        )
        group = aws.iam.Group("group", opts=opts)
        aws.iam.GroupPolicy(
            "group-policy",
            group=group.name,
            policy=doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}),
            opts=opts,
        )
        user = aws.iam.User("user", opts=opts)
        aws.iam.UserPolicy(
            "user-policy",
            user=user.name,
            policy=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            opts=opts,
        )

    result = check(program, ["iam-least-privilege"])
    assert result.names("iam-least-privilege") == {
        "star-action",
        "service-star",
        "typo",
        "mismatch",
        "role",
        "role-policy",
        "user-policy",
    }
    messages = result.messages("iam-least-privilege")
    # IAM.21: service:* is refused in identity policies whatever the resource.
    assert "Action '*'" in messages and "allows s3:*: list the s3 actions" in messages
    assert (
        "UNKNOWN_ACTION" in messages
        and "RESOURCE_MISMATCH" in messages
        and "NotAction" in messages
        and "ec2:*" in messages
    )


def test_trust_policy_principals() -> None:
    def program() -> None:
        opts = provider()
        aws.iam.Role("service-role", assume_role_policy=TRUST, opts=opts)
        aws.iam.Role(
            "anyone",
            assume_role_policy=doc(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ),
            opts=opts,
        )
        aws.iam.Role(
            "bare-star",
            assume_role_policy=doc(
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
            ),
            opts=opts,
        )

    result = check(program, ["iam-least-privilege"])
    assert result.names("iam-least-privilege") == {"anyone", "bare-star"}
    assert "assumeRolePolicy" in result.messages("iam-least-privilege")


def test_managed_policy_attachments() -> None:
    def program() -> None:
        role = aws.iam.Role(
            "role",
            assume_role_policy=TRUST,
            managed_policy_arns=["arn:aws:iam::aws:policy/PowerUserAccess"],
        )
        for name, arn in {
            "config": "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
            "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "wrong-config": "arn:aws:iam::aws:policy/service-role/ConfigRole",
            "admin": "arn:aws:iam::aws:policy/AdministratorAccess",
            "own": "arn:aws:iam::123456789012:policy/mine",
        }.items():
            aws.iam.RolePolicyAttachment(name, role=role.name, policy_arn=arn)
        group = aws.iam.Group("group")
        aws.iam.GroupPolicyAttachment(
            "group-iam", group=group.name, policy_arn="arn:aws:iam::aws:policy/IAMFullAccess"
        )
        user = aws.iam.User("user")
        aws.iam.UserPolicyAttachment(
            "user-ro", user=user.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess"
        )
        aws.iam.PolicyAttachment(
            "shared",
            roles=[role.name],
            policy_arn="arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
        )

    result = check(program, ["iam-managed-policy-attachments"], config=default_provider_config())
    assert result.names("iam-managed-policy-attachments") == {
        "role",
        "wrong-config",
        "admin",
        "group-iam",
        "shared",
    }
    assert "service-role/AWS_ConfigRole" in result.messages("iam-managed-policy-attachments")


def test_resource_policies() -> None:
    def program() -> None:
        opts = provider()
        aws.kms.Key(
            "key-good",
            enable_key_rotation=True,
            policy=doc(
                {
                    "Sid": "Root",
                    "Effect": "Allow",
                    "Principal": {"AWS": ROOT},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ),
            opts=opts,
        )
        aws.kms.Key(
            "key-open",
            enable_key_rotation=True,
            policy=doc(
                {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
            ),
            opts=opts,
        )
        aws.kms.Key(
            "key-role-admin",
            enable_key_rotation=True,
            policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ),
            opts=opts,
        )
        bucket = aws.s3.Bucket("bucket", opts=opts)
        aws.s3.BucketPolicy(
            "bucket-good",
            bucket=bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                        },
                    ],
                }
            ),
            opts=opts,
        )
        aws.s3.BucketPolicy(
            "bucket-public",
            bucket=bucket.id,
            policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"{BUCKET_ARN}/*",
                }
            ),
            opts=opts,
        )
        topic = aws.sns.Topic("topic", opts=opts)
        aws.sns.TopicPolicy(
            "topic-pinned",
            arn=topic.arn,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "sns:Publish",
                        "Resource": topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                    },
                }
            ),
            opts=opts,
        )
        aws.sns.TopicPolicy(
            "topic-open",
            arn=topic.arn,
            policy=doc(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:*", "Resource": "*"}
            ),
            opts=opts,
        )

    result = check(program, ["resource-policy-principals"])
    assert result.names("resource-policy-principals") == {
        "key-open",
        "key-role-admin",
        "bucket-public",
        "topic-open",
    }
    assert "Principal '*'" in result.messages("resource-policy-principals")


def test_bucket_acl_grants_to_everyone_are_public() -> None:
    """S3.2/S3.3 (issue 21): an explicit ACL grant to the AllUsers or AuthenticatedUsers group
    in a BucketAcl's access control policy is public access; a grant to the owner is not."""

    def program(uri: str | None) -> None:
        o = provider()
        grantee = (
            {"type": "Group", "uri": uri} if uri else {"type": "CanonicalUser", "id": "owner-id"}
        )
        aws.s3.BucketAcl(
            "acl",
            bucket="b",
            access_control_policy={
                "owner": {"id": "owner-id"},
                "grants": [{"grantee": grantee, "permission": "WRITE"}],
            },
            opts=o,
        )

    for group in ("AllUsers", "AuthenticatedUsers"):
        uri = f"http://acs.amazonaws.com/groups/global/{group}"
        found = check(lambda uri=uri: program(uri), ["resource-policy-principals"])
        assert found.messages("resource-policy-principals") == (
            f"the ACL grants WRITE to the {group} group: remove the grant and name the "
            "principals in a bucket policy"
        )
    owner = check(lambda: program(None), ["resource-policy-principals"])
    assert owner.of("resource-policy-principals") == []
