"""Per-purpose customer managed KMS keys with rotation on (P1, D2, A1, A3, R1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .iam import document
from .naming import child_name, name_tag, token

PURPOSES = ("data", "logs", "secrets")
# What a principal needs to encrypt and decrypt with a key, directly or through a service
# (the "Allow use of the key" statement of AWS's default key policy).
KEY_USE_ACTIONS = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
]


@dataclass
class KeysArgs:
    """Arguments of `Keys`."""

    deletion_window_days: int = 30
    """Waiting period before a scheduled key deletion takes effect (7-30 days)."""
    protect: bool = False
    """Protect the keys from `pulumi destroy` (prod): data encrypted under a deleted key is lost."""
    data_key_service_roles: Sequence[pulumi.Input[str]] = field(default_factory=list)
    """Service-linked roles that attach encrypted volumes on the stack's behalf (Auto Scaling):
    they get the data key's use and grant permissions, which IAM alone cannot give them."""
    data_key_copy_accounts: Sequence[str] = field(default_factory=list)
    """Accounts that receive AWS Backup copies of this region's database: RDS recovery points
    keep the source key, so the copy can only be made if that account may use it (AWS Backup
    Developer Guide, "Creating backup copies across AWS accounts": "you must share this
    customer managed key with the destination account")."""
    data_key_copy_regions: Sequence[str] = field(default_factory=list)
    """Regions of those accounts' destination vaults besides this key's own: the accounts
    use the key only through AWS Backup and RDS in this region and these."""


class Keys(pulumi.ComponentResource):
    """One CMK per purpose in a region: `data` (databases, volumes, buckets, backups), `logs`
    (log groups, CloudTrail, the alert topic) and `secrets` (Secrets Manager, SSM, Lambda
    environments). Each key policy delegates to IAM and admits only the AWS services that
    encrypt with that key, scoped to this account."""

    data: aws.kms.Key
    """Key for databases, EBS volumes, data buckets and backup vaults."""
    logs: aws.kms.Key
    """Key for CloudWatch log groups, CloudTrail and the SNS alert topic."""
    secrets: aws.kms.Key
    """Key for Secrets Manager, SSM SecureString parameters and Lambda environments."""

    def __init__(
        self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("security", "Keys"), name, None, opts)
        self._name = name
        self._args = args
        ctx = AccountContext.lookup(self)
        service_statements = {
            "data": self._data_statements(ctx),
            "logs": self._logs_statements(ctx),
            "secrets": [],
        }
        keys = {
            purpose: self._key(purpose, ctx, service_statements[purpose]) for purpose in PURPOSES
        }
        self.data, self.logs, self.secrets = keys["data"], keys["logs"], keys["secrets"]
        self.register_outputs({f"{p}_key_arn": k.arn for p, k in keys.items()})

    def _key(
        self, purpose: str, ctx: AccountContext, statements: list[dict[str, Any]]
    ) -> aws.kms.Key:
        name = child_name(self._name, purpose)
        root = {
            "Sid": "EnableIamPolicies",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.root_principal()},
            "Action": "kms:*",
            "Resource": "*",
        }
        key = aws.kms.Key(
            name,
            description=f"{name}: {purpose} encryption",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=self._args.deletion_window_days,
            policy=document([root, *statements]),
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self, protect=self._args.protect),
        )
        # A prefix keeps the alias readable while the provider's suffix keeps two stacks with
        # the same environment and service from colliding (aliases are account-wide names).
        aws.kms.Alias(
            name,
            name_prefix=f"alias/{name}-",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _data_statements(self, ctx: AccountContext) -> list[dict[str, Any]]:
        found = self._service_role_statements(ctx)
        accounts = [
            pulumi.Output.concat("arn:", ctx.partition, ":iam::", account, ":root")
            for account in self._args.data_key_copy_accounts
        ]
        if accounts:
            # The shape the RDS User Guide gives for sharing encrypted snapshots with another
            # account ("Allowing access to an AWS KMS key"): use of the key, and grants only for
            # AWS resources (the copy the other account's backup service makes). The key also
            # encrypts volumes, buckets and Performance Insights, so the use is limited to the
            # two services that copy a recovery point (issue 18, data N6).
            copy_regions = list(self._args.data_key_copy_regions)
            via = pulumi.Output.all(ctx.region, ctx.dns_suffix).apply(
                lambda values: [
                    f"{service}.{region}.{values[1]}"
                    for service in ("backup", "rds")
                    for region in sorted({values[0], *copy_regions})
                ]
            )
            found += [
                {
                    "Sid": "BackupCopyAccountsUseKey",
                    "Effect": "Allow",
                    "Principal": {"AWS": accounts},
                    "Action": KEY_USE_ACTIONS,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:ViaService": via}},
                },
                {
                    "Sid": "BackupCopyAccountsGrantForAwsResources",
                    "Effect": "Allow",
                    "Principal": {"AWS": accounts},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ]
        return found

    def _service_role_statements(self, ctx: AccountContext) -> list[dict[str, Any]]:
        roles = list(self._args.data_key_service_roles)
        if not roles:
            return []
        return [
            {
                "Sid": "ServiceRolesUseKey",
                "Effect": "Allow",
                "Principal": {"AWS": roles},
                "Action": KEY_USE_ACTIONS,
                "Resource": "*",
            },
            {
                "Sid": "ServiceRolesGrantForAwsResources",
                "Effect": "Allow",
                "Principal": {"AWS": roles},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]

    def _logs_statements(self, ctx: AccountContext) -> list[dict[str, Any]]:
        logs_principal = pulumi.Output.concat("logs.", ctx.region, ".", ctx.dns_suffix)
        return [
            {
                # CloudWatch Logs encrypts with the key only for log groups of this account
                # and region (the encryption context names the log group).
                "Sid": "CloudWatchLogsUseKey",
                "Effect": "Allow",
                "Principal": {"Service": logs_principal},
                "Action": KEY_USE_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")
                    }
                },
            },
            {
                "Sid": "CloudTrailEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.concat(
                            "arn:", ctx.partition, ":cloudtrail:*:", ctx.account_id, ":trail/*"
                        )
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            },
            {
                # Alarms publish to the encrypted alert topic; SNS needs the publisher to be
                # able to generate and decrypt data keys.
                "Sid": "AlarmsUseKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            },
            {
                # EventBridge rules (backup failures) publish to it too. The statement AWS
                # documents for an encrypted SNS target carries no condition: source conditions
                # are not documented for this path, and a condition that never matches would
                # drop every notification silently.
                "Sid": "EventBridgeUsesKey",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
            {
                # RDS event subscriptions publish to it as well ("Amazon RDS" in the SNS guide's
                # list of event sources for encrypted topics); as for EventBridge, no source
                # condition is documented for the key.
                "Sid": "RdsEventsUseKey",
                "Effect": "Allow",
                "Principal": {"Service": "events.rds.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ]
