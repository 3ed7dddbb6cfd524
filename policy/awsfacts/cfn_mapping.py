"""pulumi-aws types and properties -> CloudFormation types and properties, as data.

pulumi-aws is Terraform-shaped, the registry schemas are CloudFormation-shaped. A property is
mapped one of three ways:

- by name: a wire (camelCase) property whose PascalCase form is a property of the CloudFormation
  object at the same place (`retentionInDays` -> `RetentionInDays`), at any depth under a
  mapped parent;
- by `renames`: pulumi path -> CloudFormation path, `[]` marking list items in both
  (`rules[].schedule` -> `BackupPlan.BackupPlanRule[].ScheduleExpression`);
- not at all, by `skip`: pulumi path -> why the two disagree in meaning; the schema's
  constraint is not applied there (nor below it).

`extensions` name the cfn-lint extension schemas (cross-property rules) applied to the whole
resource, with the cfn-lint rule that applies them. Sources: the CloudFormation resource
reference and the pulumi-aws API docs of each type (property descriptions), read side by side;
the mapping was checked against cfn-lint `CHECKED_VERSION`. The table itself is data:
`cfn_mapping.json` beside this module, with `unmappable`: the types that have no counterpart.

A pulumi-aws resource that is one part of a CloudFormation resource (the S3 split resources,
a role policy attachment) maps to that resource with `skip: {"*": ...}` and `renames` into the
part (`versioningConfiguration.status` -> `VersioningConfiguration.Status`); a scalar renamed
to a list item (`policyArn` -> `ManagedPolicyArns[]`) is that list's one item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("cfn_mapping.json")).read_text())

CHECKED_VERSION: str = _DATA["checkedVersion"]
"""The cfn-lint release whose schemas this mapping was checked against (a test pins it)."""


@dataclass(frozen=True)
class Extension:
    """A cfn-lint extension schema applied to a resource's properties."""

    filename: str
    rule: str
    """The cfn-lint rule that applies it (its id and title), for the finding's source."""


@dataclass(frozen=True)
class TypeMap:
    """How one pulumi-aws type reads as a CloudFormation type."""

    cfn: str
    renames: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)
    extensions: tuple[Extension, ...] = ()
    accepted: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """pulumi path -> values the provider accepts that the schema does not (not flagged)."""


ALL = "*"
"""A `skip` key: no property of the type is mapped by name, only by `renames`."""


def _type_map(entry: dict) -> TypeMap:
    return TypeMap(
        entry["cfn"],
        renames=dict(entry.get("renames", {})),
        skip=dict(entry.get("skip", {})),
        extensions=tuple(Extension(e["filename"], e["rule"]) for e in entry.get("extensions", ())),
        accepted={k: tuple(v) for k, v in entry.get("accepted", {}).items()},
    )


TYPE_MAP: dict[str, TypeMap] = {t: _type_map(e) for t, e in _DATA["types"].items()}
"""Every mapped type. A type not here gets no schema constraints (the coverage tool lists it)."""

UNMAPPABLE: dict[str, str] = dict(_DATA.get("unmappable", {}))
"""pulumi-aws types with no CloudFormation counterpart, or none with anything to check: type ->
why. The coverage tool lists them apart from the types not mapped yet."""
