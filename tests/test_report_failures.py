"""Issue 19 (items 1, 2): one meaning of "fails" in every format, and a report even when the run
fails. Each failure kind (program, stack config, policy config, a policy that raises) gives, in
every format, a valid document that says so (JSON `errors` with file and line, SARIF
`executionSuccessful: false` with a located notification, a JUnit `<error>`) and exit 2, for one
stack and for several."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from sarif_schema import sarif_schema

from policy import check

STACK_FILE = """\
config:
  aws:region: us-east-1
  aws:defaultTags:
    tags: {Environment: test, Project: p, Owner: o, CostCenter: c}
"""
CRASH = """\
import pulumi_aws as aws

aws.kms.Key("data")
raise RuntimeError("the program's own bug")
"""
FLAGGED = """\
import pulumi_aws as aws

aws.kms.Key("data")
"""
# A program that refuses its config the way this repository's loader does: a RunError (no
# frames, as under the engine) whose message names the key.
REFUSES_CONFIG = """\
import pulumi


class ConfigError(pulumi.RunError):
    pass


size = pulumi.Config().require_int("size")
if size > 2:
    raise ConfigError(f"invalid stack config:\\n  refuses:size: {size} is more than 2")
"""
NEEDS_CONFIG = """\
import pulumi

pulumi.Config().require("region-name")
"""


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("failures")
    for name, main in (
        ("crash", CRASH),
        ("flagged", FLAGGED),
        ("refuses", REFUSES_CONFIG),
        ("needs", NEEDS_CONFIG),
    ):
        directory = root / name
        directory.mkdir()
        (directory / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (directory / "__main__.py").write_text(main)
        (directory / "Pulumi.test.yaml").write_text(STACK_FILE + f"  {name}:size: 3\n")
        (directory / "Pulumi.other.yaml").write_text(STACK_FILE)
        (directory / "Pulumi.bad.yaml").write_text("config:\n  aws:region: [unclosed\n")
    (root / "invalid.json").write_text('{"kms-key-rotation": \n  "off"\n')
    (root / "badlevel.json").write_text('{"kms-key-rotation": "off"}')
    (root / "unknown.json").write_text('{"kms-key-rotaton": "disabled"}')
    return root


def _run(capsys: pytest.CaptureFixture[str], fmt: str, *args: str) -> tuple[int, str]:
    status = check.main([*args, "--format", fmt])
    return status, capsys.readouterr().out


def _documents(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    """The four formats of one failing run; each must exit 2."""
    found: dict[str, object] = {}
    for fmt in ("text", "json", "sarif", "junit"):
        status, out = _run(capsys, fmt, *args)
        assert status == 2, fmt
        if fmt == "json":
            found[fmt] = json.loads(out)
        elif fmt == "sarif":
            found[fmt] = json.loads(out)
            jsonschema.Draft4Validator(sarif_schema()).validate(found[fmt])
        elif fmt == "junit":
            found[fmt] = ET.fromstring(out.split("\n", 1)[1])
        else:
            found[fmt] = out
    return found


def _assert_failed(documents: dict, kind: str, file: str | None, line: int | None) -> None:
    (error,) = documents["json"]["errors"]
    assert (error["kind"], error["policy"]) == (kind, None)
    assert (error["file"], error["line"]) == (file, line)
    for run in documents["sarif"]["runs"]:
        invocation = run["invocations"][0]
        assert invocation["executionSuccessful"] is False
        (notification,) = invocation["toolExecutionNotifications"]
        assert notification["descriptor"]["id"] == f"{kind}-failed"
        if file is not None and not Path(file).is_absolute():
            physical = notification["locations"][0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == file
            assert physical["region"]["startLine"] == line
        assert run["results"] == []
    errors = documents["junit"].findall(".//testcase/error")
    assert errors and all(e.get("type") == kind for e in errors)
    assert documents["text"].splitlines()[-1].startswith("FAIL")


def test_program_failure_names_the_programs_frame(
    programs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = _documents(capsys, "--stack", "test", "--program", str(programs / "crash"))
    _assert_failed(documents, "program", "__main__.py", 4)
    assert "the program's own bug" in documents["json"]["errors"][0]["error"]
    assert "program failed at __main__.py:4" in documents["text"]


def test_stack_config_failure_names_the_stack_file(
    programs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = _documents(capsys, "--stack", "bad", "--program", str(programs / "flagged"))
    _assert_failed(documents, "stack-config", "Pulumi.bad.yaml", 3)


def test_config_the_program_refuses_names_the_stack_file_and_key(
    programs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config error raised by the program (a RunError, as this repository's loader raises)
    is a stack-config failure located at the key's line in the stack file, with no frames."""
    documents = _documents(capsys, "--stack", "test", "--program", str(programs / "refuses"))
    _assert_failed(documents, "stack-config", "Pulumi.test.yaml", 5)
    assert "Traceback" not in documents["json"]["errors"][0]["error"]
    documents = _documents(capsys, "--stack", "test", "--program", str(programs / "needs"))
    # A key the file does not set: the file itself, at its first line.
    _assert_failed(documents, "stack-config", "Pulumi.test.yaml", 1)
    assert "region-name" in documents["json"]["errors"][0]["error"]


@pytest.mark.parametrize(
    "config", ["invalid.json", "missing.json", "badlevel.json", "unknown.json"]
)
def test_policy_config_failure_fails_every_stack(
    programs: Path, config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad --config (unreadable, invalid JSON, an unknown level): every stack's report says
    so, for one stack and for several."""
    path = programs / config
    one = ["--stack", "test", "--program", str(programs / "flagged"), "--config", str(path)]
    documents = _documents(capsys, *one)
    line = 3 if config == "invalid.json" else 1
    (error,) = documents["json"]["errors"]
    assert error["kind"] == "policy-config" and error["file"] == str(path.resolve())
    assert error["line"] == line and config in error["error"]
    if config == "unknown.json":
        assert "unknown policy" in error["error"]
        assert 'did you mean "kms-key-rotation"?' in error["error"]
    _assert_failed(documents, "policy-config", str(path.resolve()), line)
    several = _documents(capsys, *one, "--stack", "other")
    assert [s["status"] for s in several["json"]["stacks"]] == [2, 2]
    assert len(several["sarif"]["runs"]) == 2


def test_policy_error_is_located_in_every_format(
    programs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_reports import broken_policy

    monkeypatch.setattr(check, "POLICIES", [*check.POLICIES, broken_policy()])
    documents = _documents(capsys, "--stack", "test", "--program", str(programs / "flagged"))
    errors = documents["json"]["errors"]
    assert errors and {e["kind"] for e in errors} == {"policy"}
    assert all(e["file"].endswith("test_reports.py") and e["line"] for e in errors)
    (run,) = documents["sarif"]["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["descriptor"]["id"] for n in notes} == {"broken-policy"}
    assert all(n["locations"][0]["physicalLocation"]["region"]["startLine"] for n in notes)
    assert documents["junit"].findall(".//testcase/error[@type='policy']")


@pytest.mark.parametrize(("fail_on", "status"), [("low", 1), ("high", 0)])
def test_every_format_agrees_with_the_exit_status(
    programs: Path, fail_on: str, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A KMS key without rotation (mandatory, medium) and without protect (advisory): only a
    finding that fails the run is a SARIF error or a JUnit failure."""
    args = ["--stack", "test", "--program", str(programs / "flagged"), "--fail-on", fail_on]
    outputs = {}
    for fmt in ("text", "json", "sarif", "junit"):
        code, outputs[fmt] = _run(capsys, fmt, *args)
        assert code == status
    violations = json.loads(outputs["json"])["violations"]
    failing = [v for v in violations if v["failing"]]
    assert len(failing) == status
    levels = Counter(r["level"] for r in json.loads(outputs["sarif"])["runs"][0]["results"])
    assert levels["error"] == status and sum(levels.values()) == len(violations)
    root = ET.fromstring(outputs["junit"].split("\n", 1)[1])
    assert root.get("failures") == str(status)
    assert outputs["text"].splitlines()[-1].startswith("FAIL" if status else "PASS")
    rotation = next(v for v in violations if v["policy"] == "kms-key-rotation")
    assert rotation["controls"] == ["KMS.4"] and rotation["url"].startswith("https://")


def test_dev_and_prod_reports_agree_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19 done-when: dev and prod exit 0; their SARIF has no error and JUnit no failure,
    though dev has advisory findings of critical severity."""
    for stack in ("dev", "prod"):
        code, sarif = _run(capsys, "sarif", "--stack", stack)
        assert code == 0
        results = json.loads(sarif)["runs"][0]["results"]
        assert all(r["level"] != "error" for r in results)
        if stack == "dev":
            assert results and {r["properties"]["severity"] for r in results} >= {"critical"}
        code, junit = _run(capsys, "junit", "--stack", stack)
        root = ET.fromstring(junit.split("\n", 1)[1])
        assert code == 0 and root.get("failures") == "0"
        code, text = _run(capsys, "text", "--stack", stack)
        assert text.splitlines()[-1].startswith("PASS: 0 failing")
