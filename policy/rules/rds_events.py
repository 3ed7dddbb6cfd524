"""RDS event subscriptions (RDS.19, RDS.20, RDS.21): a stack's database clusters, instances
(Aurora members included) and parameter groups send their failure, maintenance and
configuration-change events somewhere (P5, P12)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, StackValidationArgs

from .common import as_list, stack_policy
from .database import CLUSTER, CLUSTER_INSTANCE, INSTANCE, PARAMETER_GROUP
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
# RDS event categories each source type's subscription must cover (RDS.19, RDS.20, RDS.21).
EVENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "db-cluster": ("failure", "maintenance"),
    "db-instance": ("configuration change", "failure", "maintenance"),
    "db-parameter-group": ("configuration change",),
}
EVENT_SOURCES = {
    INSTANCE: "db-instance",
    CLUSTER_INSTANCE: "db-instance",
    CLUSTER: "db-cluster",
    PARAMETER_GROUP: "db-parameter-group",
}


SOURCE_ID_PROPS = {
    INSTANCE: "identifier",
    CLUSTER_INSTANCE: "identifier",
    CLUSTER: "clusterIdentifier",
    PARAMETER_GROUP: "name",
}
ALL_SOURCES = "*"


def _event_subscriptions(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    resources = args.resources
    # (source type, source id or ALL_SOURCES) -> categories a subscription covers.
    covered: dict[tuple[str, str], set[str]] = {}
    for resource in resources:
        if resource.resource_type != "aws:rds/eventSubscription:EventSubscription":
            continue
        props = resource.props
        if props.get("enabled") is False:
            continue
        source = str(props.get("sourceType") or "")
        # No categories means every category of the source type.
        categories = {str(c) for c in as_list(props.get("eventCategories"))} or set(
            EVENT_CATEGORIES.get(source, ())
        )
        for source_id in [str(i) for i in as_list(props.get("sourceIds"))] or [ALL_SOURCES]:
            covered.setdefault((source, source_id), set()).update(categories)
    for resource in resources:
        source = EVENT_SOURCES.get(resource.resource_type)
        if source is None:
            continue
        source_id = str(resource.props.get(SOURCE_ID_PROPS[resource.resource_type]) or "")
        have = covered.get((source, ALL_SOURCES), set()) | covered.get((source, source_id), set())
        missing = [c for c in EVENT_CATEGORIES[source] if c not in have]
        if missing:
            yield (
                resource.urn,
                f"no RDS event subscription sends the {source} events of {resource.name} "
                f"({', '.join(missing)}): add an aws.rds.EventSubscription with source_type "
                f"'{source}', its id in source_ids and those categories, to the alert topic",
            )


POLICIES = [
    stack_policy(
        "rds-event-subscriptions",
        "P5: a stack with RDS clusters, instances or parameter groups subscribes to their "
        "failure, maintenance and configuration-change events.",
        MANDATORY,
        _event_subscriptions,
        Meta(
            category="logging",
            requirements=("P5", "A5"),
            controls=("RDS.19", "RDS.20", "RDS.21"),
            remediation=(
                "Add aws.rds.EventSubscription resources (source_type db-cluster, db-instance, "
                "db-parameter-group) with the message's event categories, sending to the alert "
                "topic; the topic's key must let events.rds.amazonaws.com use it."
            ),
        ),
    ),
]
