"""P2 tagging: the required tags, non-empty, on every taggable resource.

Policies see inputs after the provider's Check, where the provider's default tags are already
merged into `tags`; so a tag set only through default tags counts, as it does in a preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from ..type_tokens import takes_parameter
from .common import as_list, get, resource_policy, tag_map
from .metadata import Meta

DEFAULT_REQUIRED_TAGS = ["Environment", "Project", "Owner", "CostCenter"]


# Auto Scaling groups take tags as a list and never receive the provider's default tags.
LIST_TAGGED = frozenset({"aws:autoscaling/group:Group"})
UNKNOWN_SENTINELS = frozenset({UNKNOWN_STRING_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_ARRAY_VALUE})


def _missing(args: ResourceValidationArgs) -> list[str]:
    if not takes_parameter(args.resource_type, "tags"):
        return []
    required = [str(t) for t in as_list(args.get_config().get("requiredTags"))]
    tags = tag_map(get(args.props, "tags", default={}))
    return [t for t in required if not str(tags.get(t) or "").strip()]


def _check(args: ResourceValidationArgs) -> Iterator[str]:
    missing = _missing(args)
    if not missing:
        return
    if args.resource_type in LIST_TAGGED:
        yield (
            f"tags is missing or has empty {', '.join(missing)}: Auto Scaling groups do not "
            "receive the provider's default tags; set tags=[{key, value, "
            "propagate_at_launch: True}] on the group"
        )
    else:
        yield (
            f"tags is missing or has empty {', '.join(missing)}: set them on the resource or "
            "in the provider's defaultTags"
        )


def _remediate(args: ResourceValidationArgs) -> dict[str, Any] | None:
    """Add the missing required tags that `tagValues` gives a value for."""
    current = args.props.get("tags")
    # The engine hands remediations unknown values as bare sentinels (no unknown-checking
    # proxy): tags that are unknown during preview cannot be merged into, only reported.
    if isinstance(current, str) and current in UNKNOWN_SENTINELS:
        raise UnknownValueError(current, ["tags"])
    values = dict(args.get_config().get("tagValues") or {})
    additions = {t: str(values[t]) for t in _missing(args) if str(values.get(t) or "").strip()}
    if not additions:
        return None
    props = dict(args.props)
    if args.resource_type in LIST_TAGGED:
        kept = [t for t in as_list(current) if t.get("key") not in additions]
        props["tags"] = [
            *kept,
            *({"key": k, "value": v, "propagateAtLaunch": True} for k, v in additions.items()),
        ]
    else:
        props["tags"] = {**dict(current or {}), **additions}
    return props


REQUIRED_TAGS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Tag keys every taggable resource must carry with a non-empty value.",
    "default": DEFAULT_REQUIRED_TAGS,
}

POLICIES = [
    resource_policy(
        "required-tags",
        "P2: every taggable resource carries the required tags (default Environment, Project, "
        "Owner, CostCenter) with non-empty values, counting the provider's default tags.",
        EnforcementLevel.MANDATORY,
        _check,
        config={
            "requiredTags": REQUIRED_TAGS_SCHEMA,
            "tagValues": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Values the remediation gives required tags a resource lacks.",
                "default": {},
            },
        },
        remediate=_remediate,
        meta=Meta(
            category="tagging",
            requirements=("P2",),
            severity=Severity.LOW,
            url="https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html",
            remediation=(
                "Set the required tags in the provider's default_tags (one place for the whole "
                "stack), or on the resource. Auto Scaling groups do not receive default tags: set "
                "tags=[{key, value, propagate_at_launch: True}] on the group. At the remediate "
                "enforcement level the pack adds the tags configured in `tagValues`."
            ),
        ),
    ),
]
