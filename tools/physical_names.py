"""The physical names of every committed stack's stateful and addressed resources, kept in a
committed snapshot so that no version of this project renames or replaces them unnoticed
(issue 18, the version-upgrade day-two test).

    .venv/bin/python tools/physical_names.py --check     # compare; exit 1 on a difference
    .venv/bin/python tools/physical_names.py             # rewrite the snapshot
    .venv/bin/python tools/physical_names.py --note "<a `## ` heading of docs/upgrading.md>"
                                                         # (repeat --note for several sections)

For each stack (the root `Pulumi.*.yaml` files and bootstrap's) and each resource of a type in
`stateful_types.TRACKED`, the snapshot holds the URN, the type, the physical-name properties as
the engine sees them after the provider's Check (the harness's captured inputs), which of them
the provider autonamed, and `protect`/`retain_on_delete`.

A difference that changes what is deployed (a tracked resource removed, renamed, or no longer
protected or retained) needs an upgrade note: the rewrite refuses it until `--note` names a
section of `docs/upgrading.md` that speaks of the changed type, and records the note beside the
change in the snapshot. The test (`tests/test_upgrade_names.py`) fails on any difference and
on any recorded change whose section is gone or does not name its type. Added resources, and
moves that keep the name (an alias to the old URN), only need the rewrite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from policy.harness import CapturedResource, ProgramRun, run_program  # noqa: E402
from policy.harness.autonaming import AutonameError, autoname, rule_for  # noqa: E402
from policy.type_tokens import constructor_parameters  # noqa: E402
from tools.stateful_types import TRACKED  # noqa: E402

SNAPSHOT = REPO_ROOT / "tests" / "snapshots" / "physical_names.json"
UPGRADING = REPO_ROOT / "docs" / "upgrading.md"
REGENERATE = ".venv/bin/python tools/physical_names.py"
Entries = dict[str, dict[str, Any]]
"""One stack's tracked resources: URN to entry."""


def programs() -> list[tuple[str, Path, str]]:
    """Every committed stack as (snapshot key, program directory, stack name)."""
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in REPO_ROOT.glob("Pulumi.*.yaml"))
    return [(stack, REPO_ROOT, stack) for stack in stacks] + [
        ("bootstrap:state", REPO_ROOT / "bootstrap", "state")
    ]


def name_properties(type_token: str) -> tuple[str, ...]:
    """The wire properties that name a tracked type: the one the provider autonames (from the
    harness's autonaming table), its `*Prefix` form where the type takes one, then the type's
    own extras (`stateful_types.TRACKED`)."""
    params = constructor_parameters(type_token)
    rule = rule_for(type_token, {}, has_name="name" in params)
    found: list[str] = []
    if rule is not None:
        found.append(rule.property)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", rule.property).lower()
        if f"{snake}_prefix" in params:
            found.append(f"{rule.property}Prefix")
    found += [p for p in TRACKED[type_token].extra if p not in found]
    return tuple(found)


def _plain(value: Any) -> Any:
    """A JSON value for a captured input (unknown values, which a name may be in a preview,
    become a marker rather than failing the dump)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return f"<{type(value).__name__}>"


def _autonamed(resource: CapturedResource) -> list[str]:
    """The properties the provider's Check filled: their value is the autoname the harness
    derives from the URN. The engine keeps such a name across updates (and across an aliased
    move), whatever a later autoname would be."""
    params = constructor_parameters(resource.type)
    rule = rule_for(resource.type, resource.inputs, has_name="name" in params)
    if rule is None or rule.property not in resource.inputs:
        return []
    try:
        expected = autoname(rule, resource.type, resource.name, resource.urn, resource.inputs)
    except AutonameError:
        return []
    return [rule.property] if resource.inputs[rule.property] == expected else []


def entry(resource: CapturedResource) -> dict[str, Any]:
    """A tracked resource's snapshot entry."""
    return {
        "type": resource.type,
        "names": {p: _plain(resource.inputs.get(p)) for p in name_properties(resource.type)},
        "autonamed": _autonamed(resource),
        "protect": resource.options.protect,
        "retainOnDelete": resource.options.retain_on_delete,
    }


def stack_entries(run: ProgramRun) -> Entries:
    """The tracked resources of one run."""
    return {
        r.urn: entry(r) for r in sorted(run.resources, key=lambda r: r.urn) if r.type in TRACKED
    }


def stack_aliases(run: ProgramRun) -> dict[str, tuple[str, ...]]:
    """The old URNs each tracked resource of a run is aliased to."""
    return {
        r.urn: r.options.aliases for r in run.resources if r.type in TRACKED and r.options.aliases
    }


def collect(
    run_for: Callable[[Path, str], ProgramRun],
) -> tuple[dict[str, Entries], dict[str, dict[str, tuple[str, ...]]]]:
    """Every committed stack's entries and aliases, running each stack with `run_for`."""
    entries, aliases = {}, {}
    for key, program, stack in programs():
        run = run_for(program, stack)
        entries[key], aliases[key] = stack_entries(run), stack_aliases(run)
    return entries, aliases


@dataclass(frozen=True)
class Change:
    """One difference between the committed snapshot and the program."""

    stack: str
    urn: str
    type: str
    kind: str
    """added, removed, renamed, moved (an alias kept the names) or options."""
    detail: str
    needs_note: bool


def _name_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The name properties that differ. One autonamed on both sides is equal whatever its
    value: the provider keeps the name it generated for the resource in state."""
    both_auto = set(old["autonamed"]) & set(new["autonamed"])
    found = []
    for prop in sorted(set(old["names"]) | set(new["names"])):
        before, after = old["names"].get(prop), new["names"].get(prop)
        if prop not in both_auto and before != after:
            found.append(f"{prop}: {before!r} -> {after!r}")
    return found


def _option_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[str], bool]:
    """protect/retainOnDelete changes, and whether one was dropped (which a user must know:
    `destroy` or a replacement then deletes what it kept before)."""
    found, dropped = [], False
    for option in ("protect", "retainOnDelete"):
        if old[option] != new[option]:
            found.append(f"{option}: {old[option]} -> {new[option]}")
            dropped = dropped or bool(old[option])
    return found, dropped


def _compare_stack(
    key: str, old: Entries, new: Entries, aliases: Mapping[str, Iterable[str]]
) -> list[Change]:
    changes: list[Change] = []
    moved_from: dict[str, str] = {}
    for urn in sorted(set(new) - set(old)):
        previous = [a for a in aliases.get(urn, ()) if a in old and a not in new]
        if previous:
            moved_from[urn] = previous[0]
    consumed = set(moved_from.values())
    for urn in sorted(set(old) | set(new)):
        if urn in consumed:
            continue
        if urn not in new:
            changes.append(Change(key, urn, old[urn]["type"], "removed", "", True))
            continue
        if urn not in old and urn not in moved_from:
            changes.append(Change(key, urn, new[urn]["type"], "added", "", False))
            continue
        before = old[moved_from.get(urn, urn)]
        names = _name_diff(before, new[urn])
        options, dropped = _option_diff(before, new[urn])
        moved = f"from {moved_from[urn]}" if urn in moved_from else ""
        detail = "; ".join(part for part in (moved, *names, *options) if part)
        if names:
            changes.append(Change(key, urn, new[urn]["type"], "renamed", detail, True))
        elif options:
            changes.append(Change(key, urn, new[urn]["type"], "options", detail, dropped))
        elif moved:
            changes.append(Change(key, urn, new[urn]["type"], "moved", detail, False))
    return changes


def compare(
    committed: Mapping[str, Entries],
    current: Mapping[str, Entries],
    aliases: Mapping[str, Mapping[str, Iterable[str]]],
) -> list[Change]:
    """Every difference between the committed stacks and the program's, stack by stack."""
    changes: list[Change] = []
    for key in sorted(set(committed) | set(current)):
        changes += _compare_stack(
            key, committed.get(key, {}), current.get(key, {}), aliases.get(key, {})
        )
    return changes


def report(changes: Iterable[Change], snapshot: Path = SNAPSHOT) -> str:
    """The differences for a person, with what to do about them."""
    changes = list(changes)
    shown = snapshot.relative_to(REPO_ROOT) if snapshot.is_relative_to(REPO_ROOT) else snapshot
    lines = [f"{len(changes)} physical-name change(s) against {shown}:"]
    for change in changes:
        flag = " [needs an upgrade note]" if change.needs_note else ""
        detail = f" ({change.detail})" if change.detail else ""
        lines.append(f"  {change.stack}: {change.kind} {change.urn}{detail}{flag}")
    lines.append(
        "If the change is intended: add a `## ` section to docs/upgrading.md saying what the "
        "upgrade replaces and the one-off step it needs, naming the changed resource types "
        f'({", ".join(sorted(labels_of(changes)))}), then run `{REGENERATE} --note "<that '
        'heading>"`. Changes without a note flag only need the rewrite.'
    )
    return "\n".join(lines)


def labels_of(changes: Iterable[Change]) -> set[str]:
    """The words an upgrade note about these changes must use."""
    return {TRACKED[c.type].label for c in changes if c.type in TRACKED and c.needs_note}


def sections(markdown: str) -> dict[str, str]:
    """`## ` headings of a Markdown text and the text under each (heading line included)."""
    found: dict[str, str] = {}
    parts = re.split(r"^## +", markdown, flags=re.MULTILINE)
    for part in parts[1:]:
        heading = part.splitlines()[0].strip()
        found[heading] = part
    return found


def note_problems(records: Iterable[Mapping[str, Any]], markdown: str) -> list[str]:
    """What is wrong with the upgrade notes recorded for changes: a heading docs/upgrading.md
    does not have, or a section that never names the changed type (so a note about one thing
    cannot be reused for another)."""
    found = sections(markdown)
    problems = []
    for record in records:
        note, label = record.get("note"), TRACKED[record["type"]].label
        if note not in found:
            problems.append(f"{record['urn']}: no section '## {note}' in docs/upgrading.md")
        elif label.lower() not in found[note].lower():
            problems.append(f"{record['urn']}: section '## {note}' does not mention {label!r}")
    return problems


def render(stacks: Mapping[str, Entries], records: list[dict[str, Any]]) -> str:
    """The snapshot file's text: sorted keys, one layout, so that a rewrite without a change
    is byte-identical."""
    data = {
        "about": (
            "Physical names of the committed stacks' stateful and addressed resources "
            f"(tools/physical_names.py). Regenerate with `{REGENERATE}`; a removal, rename or "
            "dropped protection needs --note naming its docs/upgrading.md section."
        ),
        "changes": records,
        "stacks": stacks,
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def load(path: Path = SNAPSHOT) -> dict[str, Any]:
    """The committed snapshot (empty if there is none yet)."""
    if not path.exists():
        return {"changes": [], "stacks": {}}
    return json.loads(path.read_text())


def records_for(changes: Iterable[Change], notes: list[str], markdown: str) -> list[dict[str, Any]]:
    """The snapshot's records of changes that need a note, each tied to the first of `notes`
    whose section names its type (the first note when none does, which `note_problems` then
    reports)."""
    found = sections(markdown)

    def fits(note: str, change: Change) -> bool:
        return TRACKED[change.type].label.lower() in found.get(note, "").lower()

    return [
        {
            "stack": c.stack,
            "urn": c.urn,
            "type": c.type,
            "change": c.kind,
            "detail": c.detail,
            "note": next((n for n in notes if fits(n, c)), notes[0]),
        }
        for c in changes
        if c.needs_note
    ]


def main(argv: list[str] | None = None) -> int:
    """Compare the program with the snapshot, or rewrite it (recording the upgrade notes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on changes")
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="a docs/upgrading.md heading of these changes (repeat for several sections)",
    )
    parser.add_argument("--output", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    committed = load(args.output)
    current, aliases = collect(run_program)
    changes = compare(committed["stacks"], current, aliases)
    if args.check:
        print(report(changes, args.output) if changes else "physical names unchanged")
        return 1 if changes else 0
    records = list(committed["changes"])
    if any(c.needs_note for c in changes):
        if not args.note:
            print(report(changes, args.output), file=sys.stderr)
            print("refusing to rewrite without --note", file=sys.stderr)
            return 2
        markdown = UPGRADING.read_text()
        new = records_for(changes, args.note, markdown)
        problems = note_problems(new, markdown)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        records += new
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(current, records))
    total = sum(len(v) for v in current.values())
    print(f"{total} resources in {len(current)} stacks; {len(changes)} change(s) from before")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
