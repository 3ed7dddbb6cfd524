"""How much of the programs' inputs the schema preflight checks (issue 20, item 4).

    .venv/bin/python tools/preflight_coverage.py            # print the Markdown section

For every pulumi-aws type the project's stacks (the root program's `Pulumi.*.yaml` and
bootstrap's) and the test programs (`tests/programs/*`) register, counts the type's input
properties (its `*Args` class) and how many of them get a published constraint: the property
maps to a CloudFormation property (`policy.awsfacts.cfn_mapping`) whose schema, or anything
under it, carries a range, length, pattern, enum, checked format or cross-property rule. The types
with no CloudFormation counterpart (`unmappable` in the mapping's data, each with its reason) and
the types not mapped yet are listed apart. Not a test: the output goes at the end of
docs/policies.md.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from policy.awsfacts import cfn_schemas  # noqa: E402
from policy.awsfacts.cfn_mapping import ALL, TYPE_MAP, UNMAPPABLE  # noqa: E402
from policy.awsfacts.schema_check import FORMATS  # noqa: E402
from policy.harness import ProgramError, run_program  # noqa: E402
from policy.rules.preflight_schema import _schema_node, input_properties  # noqa: E402

VALUE_KEYWORDS = (
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern", "enum", "enumCaseInsensitive", "const", "minItems", "maxItems",
)  # fmt: skip
CROSS_KEYWORDS = ("dependentExcluded", "requiredXor")


def _constrained(root: dict[str, Any], node: Any, depth: int = 0) -> bool:
    """Whether a schema node, or anything under it, carries a constraint the check applies."""
    node = cfn_schemas.resolve(root, node)
    if not isinstance(node, dict) or depth > 6:
        return False
    if any(k in node for k in VALUE_KEYWORDS) or node.get("format") in FORMATS:
        return True
    children = [*(node.get("properties") or {}).values(), node.get("items")]
    for keyword in ("anyOf", "oneOf", "allOf"):
        children.extend(node.get(keyword) or [])
    return any(_constrained(root, child, depth + 1) for child in children)


def _cross_names(pulumi_type: str) -> set[str]:
    """Top-level CloudFormation properties named by a cross-property rule or extension."""
    mapping = TYPE_MAP[pulumi_type]
    root = cfn_schemas.resource_schema(mapping.cfn) or {}
    names: set[str] = set()
    for keyword in CROSS_KEYWORDS:
        rule = root.get(keyword) or {}
        for key, others in rule.items() if isinstance(rule, dict) else []:
            names.update([key, *others])
        if isinstance(rule, list):
            names.update(rule)
    for extension in mapping.extensions:
        schema = cfn_schemas.extension_schema(mapping.cfn, extension.filename)
        names.update(k for k in root.get("properties", {}) if f'"{k}"' in repr(schema))
    return names


def type_coverage(pulumi_type: str) -> tuple[int, int]:
    """(input properties, those with a published constraint applied) of one mapped type."""
    mapping = TYPE_MAP[pulumi_type]
    root = cfn_schemas.resource_schema(mapping.cfn) or {}
    cross = _cross_names(pulumi_type)
    wires = input_properties(pulumi_type)
    covered = 0
    for wire in wires:
        if wire in mapping.skip:
            continue
        targets = [t for s, t in mapping.renames.items() if s.split(".")[0].rstrip("[]") == wire]
        if not targets and ALL not in mapping.skip:
            targets = [wire[:1].upper() + wire[1:]]
        if any(
            _constrained(root, _schema_node(root, t)) or t.split(".")[0] in cross for t in targets
        ):
            covered += 1
    return len(wires), covered


def programs() -> Iterable[tuple[Path, str]]:
    """Every (program folder, stack) the project commits."""
    for stack_file in sorted(REPO_ROOT.glob("Pulumi.*.yaml")):
        yield REPO_ROOT, stack_file.name.split(".")[1]
    yield REPO_ROOT / "bootstrap", "state"
    for stack_file in sorted((REPO_ROOT / "tests" / "programs").glob("*/Pulumi.test.yaml")):
        yield stack_file.parent, "test"


def used_types() -> tuple[set[str], list[str]]:
    """pulumi-aws types registered by the programs, and the programs that could not run."""
    types: set[str] = set()
    skipped = []
    for folder, stack in programs():
        try:
            run = run_program(folder, stack)
        except ProgramError:  # it needs what its test passes (the section's last note)
            skipped.append(f"`{folder.relative_to(REPO_ROOT)}`")
            continue
        types.update(r.type for r in run.resources if r.type.startswith("aws:"))
    return types, skipped


def markdown() -> str:
    """The coverage section, as Markdown."""
    types, skipped = used_types()
    mapped = sorted(t for t in types if t in TYPE_MAP)
    unmappable = sorted(t for t in types if t in UNMAPPABLE)
    unmapped = sorted(t for t in types if t not in TYPE_MAP and t not in UNMAPPABLE)
    rows, total, covered = [], 0, 0
    for pulumi_type in mapped:
        inputs, constrained = type_coverage(pulumi_type)
        total += inputs
        covered += constrained
        cfn_type = TYPE_MAP[pulumi_type].cfn
        rows.append(f"| `{pulumi_type}` | `{cfn_type}` | {constrained} / {inputs} |")
    share = 100 * covered / total if total else 0
    lines = [
        f"Measured by `tools/preflight_coverage.py` against cfn-lint {cfn_schemas.version()}: "
        f"of the {len(types)} pulumi-aws types the committed stacks and test programs use, "
        f"{len(mapped)} are mapped to a CloudFormation type and {len(unmappable)} have none; "
        f"{covered} of the mapped types' {total} input "
        f"properties ({share:.0f}%) get a published constraint (range, length, pattern, enum, "
        "checked format or cross-property rule).",
        "",
        "| pulumi-aws type | CloudFormation type | inputs with a published constraint |",
        "| --- | --- | --- |",
        *rows,
        "",
        "Types with no CloudFormation counterpart to check them against:",
        "",
        *(f"- `{t}`: {UNMAPPABLE[t]}." for t in unmappable),
        "",
        "Types not mapped: " + (", ".join(f"`{t}`" for t in unmapped) or "none") + ".",
    ]
    if skipped:
        lines += [
            "",
            "Programs not run here (their tests give them what they need: invoke answers, a "
            "stack reference, their own virtualenv; `failing` fails on purpose): "
            + ", ".join(skipped)
            + ".",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
