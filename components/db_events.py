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
# RDS.19 (db-cluster), RDS.20 (db-instance) and RDS.21 (db-parameter-group) ask for these.
CATEGORIES = {
    "db-cluster": ("failure", "maintenance"),
    "db-instance": ("configuration change", "failure", "maintenance"),
    "db-parameter-group": ("configuration change",),
}


def subscribe_to_database_events(
    name: str,
    topic_arn: pulumi.Input[str],
    sources: Mapping[str, Sequence[pulumi.Input[str]]],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> list[aws.rds.EventSubscription]:
    """One subscription per source type in `sources` (type -> the ids of this stack's
    sources of that type), after `depends_on` (the topic policy that lets RDS publish)."""
    subscriptions = []
    for source_type, source_ids in sources.items():
        if source_type not in CATEGORIES:
            raise ValueError(f"{name}: no event categories known for {source_type!r}")
        if not source_ids:
            continue
        subscription_name = child_name(name, source_type.removeprefix("db-"), "events")
        subscriptions.append(
            aws.rds.EventSubscription(
                subscription_name,
                sns_topic=topic_arn,
                source_type=source_type,
                source_ids=list(source_ids),
                event_categories=list(CATEGORIES[source_type]),
                tags=name_tag(subscription_name),
                opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
            )
        )
    return subscriptions
