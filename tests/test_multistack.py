"""Issue 17 (part 5): several stacks in one run of the offline check. A repeated --stack and
--all-stacks check every stack in one process; every format names the stack of each finding;
the exit status is the worst stack's; a stack whose program fails is reported without stopping
the others; and paths on the command line are the caller's, not the program directory's.

A small program of its own, with three stacks: `clean` registers nothing, `flagged` a KMS key
without rotation (a mandatory, medium violation), and `broken` lacks the config key the program
requires, so its program fails.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO_ROOT
from install_support import run
from sarif_schema import sarif_schema

from policy import check
from policy.stack_reports import StackReports

PROGRAMS = Path(__file__).resolve().parent / "programs"
MAIN = """\
import pulumi
import pulumi_aws as aws

if pulumi.Config().require_bool("withKey"):
    aws.kms.Key("data")
"""
STACK_FILE = """\
config:
  aws:region: us-east-1
  aws:defaultTags:
    tags: {Environment: test, Project: p, Owner: o, CostCenter: c}
"""
STACKS = ("broken", "clean", "flagged")  # --all-stacks order: by name


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("several")
    (directory / "Pulumi.yaml").write_text("name: several\nruntime: python\n")
    (directory / "__main__.py").write_text(MAIN)
    (directory / "Pulumi.broken.yaml").write_text(STACK_FILE)
    (directory / "Pulumi.clean.yaml").write_text(STACK_FILE + "  several:withKey: false\n")
    (directory / "Pulumi.flagged.yaml").write_text(STACK_FILE + "  several:withKey: true\n")
    return directory


@pytest.fixture(scope="module")
def reports(program: Path) -> StackReports:
    """The three stacks checked once, as --all-stacks checks them, for every format."""
    options = {"fail_on": "low", "strict": False}
    return StackReports([check._check_stack(program, stack, None, {}, options) for stack in STACKS])


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = check.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_all_stacks_checks_every_stack_file_and_exits_with_the_worst(
    program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failing stack does not stop the others: all three are reported, exit 2."""
    status, out, err = _main(capsys, "--all-stacks", "--program", str(program), "--json")
    assert status == 2
    data = json.loads(out)
    assert [(s["stack"], s["status"]) for s in data["stacks"]] == [
        ("broken", 2),
        ("clean", 0),
        ("flagged", 1),
    ]
    assert "several:withKey" in err
    assert "flagged: 2 resources checked" in err  # the stack after the failure ran


def test_repeated_stack_exits_with_the_worst_of_the_stacks_named(
    program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--program", str(program), "--format", "json"]
    status, out, _ = _main(capsys, "--stack", "clean", "--stack", "flagged", *where)
    assert status == 1
    # The check runs with the garbage collector off and freezes what survives each stack; a
    # caller in the same process gets the collector back as it was.
    assert gc.isenabled() and gc.get_freeze_count() == 0
    data = json.loads(out)
    assert [s["stack"] for s in data["stacks"]] == ["clean", "flagged"]  # the order given
    assert data["stack"] == "clean, flagged"
    # kms-key-rotation is medium: failing only from medium down.
    status, _, _ = _main(
        capsys, "--stack", "clean", "--stack", "flagged", "--fail-on", "high", *where
    )
    assert status == 0
    # A stack named twice is checked once, and one stack is reported as one.
    status, out, _ = _main(capsys, "--stack", "flagged", "--stack", "flagged", *where)
    data = json.loads(out)
    assert status == 1 and data["stack"] == "flagged" and "stacks" not in data


def test_json_keeps_the_one_stack_keys_and_names_each_findings_stack(
    reports: StackReports,
) -> None:
    data = json.loads(reports.render("json"))
    one_stack_keys = {
        "stack",
        "resources",
        "types",
        "violations",
        "suppressed",
        "remediations",
        "errors",
        "unmockedInvokes",
        "unexpandedComponents",
    }
    assert set(data) == one_stack_keys | {"stacks"}
    assert data["resources"] == 2 and data["types"] == {
        "aws:kms/key:Key": 1,
        "pulumi:providers:aws": 1,
    }
    rotation = [v for v in data["violations"] if v["policy"] == "kms-key-rotation"]
    assert [(v["stack"], v["enforcement"], v["name"]) for v in rotation] == [
        ("flagged", "mandatory", "data")
    ]
    assert all(v["stack"] == "flagged" for v in data["violations"])
    (error,) = data["errors"]
    assert (error["stack"], error["policy"], error["kind"]) == ("broken", None, "stack-config")
    # A config RunError is reported as the engine does, without frames (policy/harness/runner.py).
    assert "line" in error
    assert "several:withKey" in error["error"]
    by_stack = {s["stack"]: s for s in data["stacks"]}
    assert by_stack["flagged"]["counts"]["mandatory"] == 1
    assert by_stack["clean"]["counts"] == {
        "failing": 0,
        "mandatory": 0,
        "advisory": 0,
        "suppressed": 0,
        "remediations": 0,
        "errors": 0,
    }
    assert by_stack["broken"]["counts"]["errors"] == 1 and by_stack["broken"]["status"] == 2


def test_text_has_a_section_per_stack_and_a_summary(reports: StackReports) -> None:
    text = reports.render("text")
    sections = text.split("\n\n")
    assert [s.splitlines()[0] for s in sections[:3]] == [
        "Stack broken: failed, no policy was evaluated",
        "Stack clean: 0 resources",
        "Stack flagged: 2 resources",
    ]
    assert "[kms-key-rotation]" in sections[2] and "[kms-key-rotation]" not in sections[1]
    # Each stack's section ends with its PASS/FAIL line; the document with the overall one.
    assert [s.splitlines()[-1].split(":")[0] for s in sections[:3]] == ["FAIL", "PASS", "FAIL"]
    counts = "mandatory below --fail-on, {} advisory, 0 suppressed, {} errors (exit {})"
    assert sections[3].splitlines() == [
        "Summary: 3 stacks, exit status 2",
        "  broken: FAIL: stack-config failed, no policy was evaluated (exit 2)",
        "  clean: PASS: 0 failing (mandatory, low or above), 0 " + counts.format(0, 0, 0),
        "  flagged: FAIL: 1 failing (mandatory, low or above), 0 " + counts.format(1, 0, 1),
        "FAIL: 3 stacks (1 passed, 2 failed), 1 failing (mandatory, low or above), 0 "
        + counts.format(1, 1, 2),
    ]
    assert text.endswith(sections[3].splitlines()[-1] + "\n")


def test_sarif_has_one_valid_run_per_stack_told_apart_by_its_id(reports: StackReports) -> None:
    """GitHub code scanning no longer merges runs of one tool and category: each stack's run
    has its own automationDetails.id."""
    sarif = json.loads(reports.render("sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    runs = sarif["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == [
        f"secure-infra-guardrails/several/{stack}/" for stack in STACKS
    ]
    assert [r["properties"]["stack"] for r in runs] == list(STACKS)
    broken, clean, flagged = runs
    assert broken["invocations"][0]["executionSuccessful"] is False
    (notification,) = broken["invocations"][0]["toolExecutionNotifications"]
    assert "several:withKey" in notification["message"]["text"]
    assert clean["invocations"][0]["executionSuccessful"] is True and clean["results"] == []
    rotation = [r for r in flagged["results"] if r["ruleId"] == "kms-key-rotation"]
    assert [r["properties"]["stack"] for r in rotation] == ["flagged"]
    assert all(r["results"] == [] for r in (broken, clean))


def test_junit_has_one_suite_per_stack(reports: StackReports) -> None:
    root = ET.fromstring(reports.render("junit").split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(STACKS)
    broken, clean, flagged = suites
    (case,) = broken.findall("testcase")
    assert case.get("classname") == "broken.stack-config"
    assert "several:withKey" in case.find("error").text
    assert all(c.get("classname").startswith("clean.") for c in clean.findall("testcase"))
    failed = [c for c in flagged.findall("testcase") if c.find("failure") is not None]
    # The mandatory rotation finding fails; the advisory one (no `protect`) does not: its case
    # passes, with the finding in its output.
    assert [(c.get("classname"), c.get("name")) for c in failed] == [
        ("flagged.kms-key-rotation", "data (aws:kms/key:Key)"),
    ]
    (advisory,) = [
        c for c in flagged.findall("testcase") if c.get("classname") == "flagged.nonprod-resilience"
    ]
    assert advisory.find("failure") is None
    assert "advisory/" in advisory.find("system-out").text
    assert (flagged.get("failures"), broken.get("errors"), clean.get("failures")) == ("1", "1", "0")
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites))
    assert (root.get("failures"), root.get("errors")) == ("1", "1")


def test_a_single_failing_stack_still_writes_its_report(
    program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One --stack keeps the one-stack JSON; a failed program is in it as an error."""
    status, out, _ = _main(capsys, "--stack", "broken", "--program", str(program), "--json")
    assert status == 2
    data = json.loads(out)
    assert "stacks" not in data and data["stack"] == "broken" and data["resources"] == 0
    assert [e["policy"] for e in data["errors"]] == [None]


def test_all_stacks_without_stack_files_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _main(capsys, "--all-stacks", "--program", str(tmp_path))
    assert status == 2 and out == ""
    assert "no Pulumi.<stack>.yaml" in err


def test_program_defaults_to_the_current_directory(
    program: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(program)
    status, out, _ = _main(capsys, "--stack", "flagged", "--json")
    assert status == 1 and json.loads(out)["types"]["aws:kms/key:Key"] == 1


def test_relative_paths_are_the_callers(tmp_path: Path) -> None:
    """--program, --config and --stack-reference relative to the caller's working directory,
    in a fresh process the way a user starts it from their own folder."""
    shutil.copytree(PROGRAMS / "stack_reference", tmp_path / "programs" / "network-user")
    work = tmp_path / "work"
    (work / "refs").mkdir(parents=True)
    (work / "refs" / "network.json").write_text(
        json.dumps({"vpcId": "vpc-0abc", "vpcCidr": "10.9.0.0/16"})
    )
    # Disabling every policy shows the file was read: no violation can be left.
    (work / "pack.json").write_text(json.dumps({"all": "disabled"}))
    done = run(
        [
            sys.executable,
            "-m",
            "policy.check",
            "--stack",
            "test",
            "--program",
            "../programs/network-user",
            "--config",
            "pack.json",
            "--stack-reference",
            "acme/network/prod=refs/network.json",
            "--json",
        ],
        work,
        PYTHONPATH=str(REPO_ROOT),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["stack"] == "test" and data["violations"] == []
    assert data["types"]["aws:ec2/securityGroup:SecurityGroup"] == 1
