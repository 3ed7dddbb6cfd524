"""The audit tier's arguments, in a module of their own so that the concern modules can read
them without importing the component that composes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..buckets import SecureBucket
from ..config.audit import AlarmThresholds


@dataclass
class AuditArgs:
    """Arguments of `Audit`. The optional dimensions let the tier exist before the compute and
    database tiers: alarms and dashboard widgets appear for the dimensions that are passed."""

    account_wide: bool
    """True in the primary region only: CloudTrail, CIS alarms, global Config recording and
    rules, account hygiene."""
    logs_key_arn: pulumi.Input[str]
    """CMK for the trail, its bucket and log group, the Config bucket and the alert topic."""
    trail_log_retention_days: int
    """Retention of the CloudTrail log group."""
    thresholds: AlarmThresholds = field(default_factory=AlarmThresholds)
    subscriptions: Sequence[tuple[str, str]] = ()
    """(protocol, endpoint) pairs subscribed to the alert topic."""
    config_enabled: bool = True
    """Create the AWS Config recorder, delivery channel and rules in this region."""
    config_rules: Sequence[str] = ()
    """AWS Config managed rule identifiers; account-wide ones only where `account_wide`."""
    mfa_group_name: str | None = None
    """Human IAM group that gets the MFA-enforcement policy (account-wide only)."""
    create_mfa_group: bool = False
    password_policy: bool = False
    """Own the account password policy (account-wide only)."""
    protect_buckets: bool = False
    """Pulumi `protect` on the audit buckets, so a stack update cannot delete the evidence."""
    bucket_noncurrent_days: int = 90
    """Days before noncurrent versions in the audit buckets expire."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """`app/<name>/<id>` of the load balancer (its `arn_suffix`)."""
    target_group_arn_suffixes: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Role -> `targetgroup/<name>/<id>` of each target group behind the load balancer (`app`,
    and `green` for ECS blue/green); each gets an unhealthy-hosts alarm."""
    access_log_bucket: SecureBucket | None = None
    """The region's S3 server access-log bucket; the trail and Config buckets log to it (A11)."""
    autoscaling_group_name: pulumi.Input[str] | None = None
    db_instance_identifier: pulumi.Input[str] | None = None
    """An RDS instance: database alarms and widgets on `DBInstanceIdentifier`."""
    db_instance_is_replica: bool = False
    """That instance is a cross-region read replica: its replication events and its
    `ReplicaLag` are watched too."""
    db_cluster_identifier: pulumi.Input[str] | None = None
    """An Aurora cluster: database alarms and widgets on its writer (`DBClusterIdentifier`,
    `Role=WRITER`); Aurora reports per-instance local storage, not `FreeStorageSpace`."""
    db_parameter_group_name: pulumi.Input[str] | None = None
    """The RDS instance's parameter group: its configuration changes are notified."""
    db_cluster_member_identifiers: Sequence[pulumi.Input[str]] = ()
    """The Aurora cluster's instances: their failures and maintenance are notified."""
