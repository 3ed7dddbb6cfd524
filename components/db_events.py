"""RDS event subscriptions to the alert topic (A5): the database's failures, maintenance and
configuration changes reach the people on call, not only its metrics.

RDS publishes with the service principal `events.rds.amazonaws.com`, which the alert topic's
policy and the logs key's policy admit. Each subscription names this stack's own sources, so
stacks that share an account and region do not page each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .naming import child_name, name_tag

# Categories per source type, as RDS's DescribeEventCategories names them; Security Hub's
# RDS.19 (db-cluster), RDS.20 (db-instance) and RDS.21 (db-parameter-group) ask for the
# failure, maintenance and configuration-change ones. An Aurora cluster's failovers (started,
# completed, failed: RDS-EVENT-0069 to -0073) are filed under `failover`, not `failure`
# (Aurora User Guide, "Amazon RDS event categories and event messages", DB cluster events).
CATEGORIES = {
    "db-cluster": ("failover", "failure", "maintenance"),
    "db-instance": ("configuration change", "failure", "maintenance"),
    "db-parameter-group": ("configuration change",),
}
# A read replica's replication errors, resumption and termination (RDS-EVENT-0045, -0046,
# -0057) are filed under `read replica` (RDS User Guide, DB instance events): without it a
# cross-region replica can stop replicating, and be cut off after 30 days, unnoticed.
REPLICA_CATEGORIES = ("read replica",)


def subscribe_to_database_events(
    name: str,
    topic_arn: pulumi.Input[str],
    sources: Mapping[str, Sequence[pulumi.Input[str]]],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
    replica_instances: bool = False,
) -> list[aws.rds.EventSubscription]:
    """One subscription per source type in `sources` (type -> the ids of this stack's
    sources of that type), after `depends_on` (the topic policy that lets RDS publish).
    `replica_instances`: the db-instance sources are read replicas, whose replication events
    are subscribed too."""
    subscriptions = []
    for source_type, source_ids in sources.items():
        if source_type not in CATEGORIES:
            raise ValueError(f"{name}: no event categories known for {source_type!r}")
        if not source_ids:
            continue
        subscription_name = child_name(name, source_type.removeprefix("db-"), "events")
        categories = CATEGORIES[source_type]
        if replica_instances and source_type == "db-instance":
            categories = (*categories, *REPLICA_CATEGORIES)
        subscriptions.append(
            aws.rds.EventSubscription(
                subscription_name,
                sns_topic=topic_arn,
                source_type=source_type,
                source_ids=list(source_ids),
                event_categories=list(categories),
                tags=name_tag(subscription_name),
                opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
            )
        )
    return subscriptions
