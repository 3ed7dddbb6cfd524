"""Day two, a version upgrade (issue 18, part 2): the physical names of every committed stack's
stateful and addressed resources (`tools/stateful_types.py`) equal the committed snapshot
`tests/snapshots/physical_names.json`, and every change the snapshot accepted names a section of
`docs/upgrading.md` that speaks of the changed type.

The program side reuses the session's cached stack runs (`support.stack_run`); the variants
below show that the comparison reports a renamed, removed, moved or unprotected resource."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from support import REPO_ROOT, one, stack_run

from policy.harness import CapturedResource, ProgramRun, run_program
from policy.harness.autonaming import autoname, rule_for
from tools.physical_names import (
    SNAPSHOT,
    UPGRADING,
    Change,
    collect,
    compare,
    load,
    name_properties,
    note_problems,
    programs,
    render,
    report,
    stack_aliases,
    stack_entries,
)
from tools.stateful_types import NOT_TRACKED, TRACKED

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
BUCKET = "aws:s3/bucket:Bucket"


@cache
def _bootstrap() -> ProgramRun:
    return run_program(REPO_ROOT / "bootstrap", "state")


def _run(program: Path, stack: str) -> ProgramRun:
    """A committed stack's run, from the session cache the other tests share."""
    return stack_run(stack) if program == REPO_ROOT else _bootstrap()


def _dev_changes(run: ProgramRun) -> list[Change]:
    """The differences between the committed dev snapshot and a (changed) dev run."""
    committed = {"dev": load()["stacks"]["dev"]}
    return compare(committed, {"dev": stack_entries(run)}, {"dev": stack_aliases(run)})


def _with(run: ProgramRun, old: CapturedResource, new: CapturedResource) -> ProgramRun:
    """`run` with one captured resource replaced."""
    return dataclasses.replace(run, resources=[new if r is old else r for r in run.resources])


def test_every_committed_stack_keeps_its_physical_names() -> None:
    current, aliases = collect(_run)
    changes = compare(load()["stacks"], current, aliases)
    assert changes == [], report(changes)


def test_every_accepted_change_has_its_upgrade_note() -> None:
    """A recorded change stays tied to its section: removing or renaming the section, or a
    section that never names the changed type, fails here."""
    assert note_problems(load()["changes"], UPGRADING.read_text()) == []


def test_the_snapshot_file_is_written_sorted_and_stable() -> None:
    """The file is exactly what the tool renders, so a rewrite without changes is a no-op."""
    data = load()
    assert SNAPSHOT.read_text() == render(data["stacks"], data["changes"])
    assert set(data["stacks"]) == {key for key, _, _ in programs()}


def test_name_properties_come_from_the_autonaming_table() -> None:
    """The autonamed property and its prefix come from the harness's table; only types the
    provider does not autoname carry their own."""
    assert name_properties(LOAD_BALANCER) == ("name", "namePrefix")
    assert name_properties("aws:lb/targetGroup:TargetGroup") == ("name", "namePrefix")
    assert name_properties("aws:rds/instance:Instance") == ("identifier", "identifierPrefix")
    assert name_properties(BUCKET) == ("bucket", "bucketPrefix")
    assert name_properties("aws:kms/alias:Alias") == ("name", "namePrefix", "targetKeyId")
    assert name_properties("aws:rds/cluster:Cluster") == (
        "clusterIdentifier",
        "clusterIdentifierPrefix",
    )
    assert name_properties("aws:route53/record:Record") == (
        "name",
        "type",
        "zoneId",
        "setIdentifier",
    )
    assert name_properties("aws:kms/key:Key") == ()
    assert set(TRACKED).isdisjoint(NOT_TRACKED)


def test_a_changed_name_prefix_is_a_rename_that_needs_a_note() -> None:
    run = stack_run("dev")
    alb = one(run, LOAD_BALANCER, "dev-core-us-east-1-alb")
    renamed = dataclasses.replace(alb, inputs={**alb.inputs, "namePrefix": "web-"})
    changes = _dev_changes(_with(run, alb, renamed))
    assert [(c.kind, c.urn, c.needs_note) for c in changes] == [("renamed", alb.urn, True)]
    assert changes[0].detail == "namePrefix: 'alb-' -> 'web-'"
    text = report(changes)
    assert "docs/upgrading.md" in text and "--note" in text and "load balancer" in text


def test_a_renamed_service_removes_every_tracked_resource() -> None:
    """A stack override that renames the service (the base of every logical name): the load
    balancer, database, buckets, keys and secrets of the deployed stack would all be
    replaced, and the comparison lists each of them as removed and needing a note."""
    changes = _dev_changes(stack_run("dev", service="web"))
    removed = {c.type for c in changes if c.kind == "removed" and c.needs_note}
    assert {
        LOAD_BALANCER,
        "aws:lb/targetGroup:TargetGroup",
        "aws:rds/instance:Instance",
        BUCKET,
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
    } <= removed
    added = [c for c in changes if c.kind == "added"]
    assert added and all("dev-web-" in c.urn and not c.needs_note for c in added)


def test_a_move_with_an_alias_keeps_autonamed_names() -> None:
    """A bucket moved under another parent with an alias to its old URN: the engine keeps it
    and the name the provider generated, so the move needs no note; without the alias it is
    a removal."""
    run = stack_run("dev")
    bucket = one(run, BUCKET, "dev-core-us-east-1-alb-logs")
    urn = bucket.urn.replace(":SecureBucket$", ":LogBucket$")
    assert urn != bucket.urn
    rule = rule_for(BUCKET, bucket.inputs, has_name=False)
    assert rule is not None
    name = autoname(rule, BUCKET, bucket.name, urn, bucket.inputs)  # the harness's new autoname
    assert name != bucket.inputs["bucket"]
    inputs = {**bucket.inputs, "bucket": name}
    aliased = dataclasses.replace(
        bucket,
        urn=urn,
        inputs=inputs,
        options=dataclasses.replace(bucket.options, aliases=(bucket.urn,)),
    )
    changes = _dev_changes(_with(run, bucket, aliased))
    assert [(c.kind, c.urn, c.needs_note) for c in changes] == [("moved", urn, False)]
    bare = dataclasses.replace(bucket, urn=urn, inputs=inputs)
    changes = _dev_changes(_with(run, bucket, bare))
    assert {(c.kind, c.needs_note) for c in changes} == {("removed", True), ("added", False)}


def test_dropping_protection_needs_a_note_adding_it_does_not() -> None:
    run = stack_run("dev")
    alb = one(run, LOAD_BALANCER, "dev-core-us-east-1-alb")
    protected = dataclasses.replace(alb, options=dataclasses.replace(alb.options, protect=True))
    changes = _dev_changes(_with(run, alb, protected))
    assert [(c.kind, c.detail, c.needs_note) for c in changes] == [
        ("options", "protect: False -> True", False)
    ]
    committed = {"dev": stack_entries(_with(run, alb, protected))}
    changes = compare(committed, {"dev": stack_entries(run)}, {})
    assert [(c.kind, c.needs_note) for c in changes] == [("options", True)]


def test_an_upgrade_note_must_exist_and_name_the_changed_type() -> None:
    docs = (
        "# Upgrading\n\n## Load balancer renamed (v2)\n\nThe load balancer is replaced.\n\n"
        "## Other\n\nNothing here.\n"
    )
    record = {"urn": "urn:x", "type": LOAD_BALANCER, "note": "Load balancer renamed (v2)"}
    assert note_problems([record], docs) == []
    assert note_problems([{**record, "note": "Missing"}], docs) == [
        "urn:x: no section '## Missing' in docs/upgrading.md"
    ]
    assert note_problems([{**record, "type": BUCKET}], docs) == [
        "urn:x: section '## Load balancer renamed (v2)' does not mention 'bucket'"
    ]
    assert note_problems([{**record, "note": "Other"}], docs) == [
        "urn:x: section '## Other' does not mention 'load balancer'"
    ]
