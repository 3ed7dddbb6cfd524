"""RDS event subscriptions (RDS.19, RDS.20, RDS.21): a stack's database clusters, instances
(Aurora members included) and parameter groups send their failure, maintenance and
configuration-change events somewhere (P5, P12)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, StackValidationArgs

from ..effective import known, present, view_of
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
    links = view_of(resources).links
    # (source type, a source's URN or its id, or ALL_SOURCES) -> categories a subscription
    # covers. Sources are found through Links too, so ids unknown in a first preview count.
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
        keys = {ALL_SOURCES}
        if present(props, "sourceIds"):
            ids = known(props, "sourceIds")
            keys = {t.urn for t in links.targets(resource, "sourceIds", list(EVENT_SOURCES))}
            keys |= {str(known(ids, i)) for i in range(len(ids or [])) if known(ids, i)}
        for key in keys:
            covered.setdefault((source, key), set()).update(categories)
    for resource in resources:
        source = EVENT_SOURCES.get(resource.resource_type)
        if source is None:
            continue
        source_id = str(known(resource.props, SOURCE_ID_PROPS[resource.resource_type]) or "")
        have = set()
        for key in (ALL_SOURCES, resource.urn, source_id):
            have |= covered.get((source, key), set())
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
