"""Issue 19 (item 4): policies people can read. `--list-policies` and `--explain NAME` in text and
JSON; an unknown name exits 2 with "did you mean"; compliant examples generated from the control
cases stay in step with them."""

from __future__ import annotations

import json

import pytest
from conftest import REPO_ROOT

from policy import check, explain
from policy.pack import POLICIES


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = check.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list_policies_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _main(capsys, "--list-policies", "--format", "json")
    rows = json.loads(out)
    assert status == 0 and [r["name"] for r in rows] == [p.name for p in POLICIES]
    rotation = next(r for r in rows if r["name"] == "kms-key-rotation")
    assert rotation == {
        "name": "kms-key-rotation",
        "enforcement": "mandatory",
        "severity": "medium",
        "controls": ["KMS.4"],
    }
    status, out, _ = _main(capsys, "--list-policies")
    assert status == 0 and out.splitlines()[0].split() == [
        "POLICY",
        "ENFORCEMENT",
        "SEVERITY",
        "CONTROLS",
    ]
    assert out.splitlines()[-1] == f"{len(POLICIES)} policies"


def test_list_policies_shows_the_configs_levels(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pack.json"  # type: ignore[operator]
    config.write_text(json.dumps({"kms-key-rotation": "advisory"}))
    _, out, _ = _main(capsys, "--list-policies", "--json", "--config", str(config))
    assert next(r for r in json.loads(out) if r["name"] == "kms-key-rotation")["enforcement"] == (
        "advisory"
    )


def test_explain_shows_controls_remediation_config_and_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _main(capsys, "--explain", "s3-bucket-encryption", "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["remediation"] and data["url"].startswith("https://")
    options = {o["name"]: o for o in data["config"]}
    assert options["sseS3Buckets"]["type"] == "array of string"
    assert options["sseS3Buckets"]["default"] == []
    status, out, _ = _main(capsys, "--explain", "rds-encryption")
    assert status == 0
    assert "rds-encryption: mandatory/" in out.splitlines()[0]
    assert "RDS.3" in out and "https://docs.aws.amazon.com/securityhub/" in out
    assert "storage_encrypted=True" in out  # the compliant example
    assert "exemptions (array of object, default [])" in out


def test_unknown_policy_exits_2_with_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _main(capsys, "--explain", "s3-bucket-encrytion")
    assert status == 2 and out == ""
    assert "did you mean s3-bucket-encryption" in err


def test_compliant_examples_match_the_control_cases() -> None:
    """`python -m policy.explain --write-examples` was run after the cases last changed."""
    generated = explain.generate_examples(explain.CASES.read_text())
    assert explain.compliant_examples() == generated
    assert explain.CASES.is_relative_to(REPO_ROOT)
    assert all("good" not in code for code in generated.values())
    assert set(generated) <= {p.name for p in POLICIES}
