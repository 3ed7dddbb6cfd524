"""P13: the offline check's reports for CI (SARIF 2.1.0 valid against the official schema,
JUnit XML), deterministic output, --fail-on, and exit 2 for a policy that crashes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pulumi_aws as aws
import pytest
from conftest import REPO_ROOT
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
from sarif_schema import sarif_schema

from policy import check as check_module
from policy.evaluate import evaluate
from policy.harness import ProgramRun, run_inline
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES
from policy.report import Report, failing
from policy.rules.common import resource_policy
from policy.rules.metadata import Meta

EXEMPT = {
    "kms-key-rotation": {
        "exemptions": [{"resource": "legacy", "reason": "imported key", "ticket": "SEC-9"}]
    }
}


def _report(run: ProgramRun, config: dict | None = None) -> Report:
    evaluation = evaluate(
        run, POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG, config=config
    )
    return Report(run, evaluation, POLICIES, REPO_ROOT, PACK_NAME)


def _findings_program() -> None:
    """A key without rotation (medium), a world-open security group (critical), a key the
    config exempts."""
    aws.kms.Key("open-key")
    aws.kms.Key("legacy")
    aws.ec2.SecurityGroup(
        "open",
        ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
    )


@pytest.fixture(scope="module")
def findings() -> Report:
    config = {
        "aws:region": "us-east-1",
        "aws:defaultTags": {
            "tags": {"Environment": "dev", "Project": "p", "Owner": "o", "CostCenter": "c"}
        },
    }
    return _report(run_inline(_findings_program, config=config), EXEMPT)


def test_prod_sarif_is_valid_sarif_2_1_0(prod: ProgramRun) -> None:
    """Issue 11 done-when: `--format sarif` on prod validates against the SARIF 2.1.0
    schema, with one rule per policy carrying help, URL and severity."""
    sarif = _report(prod).sarif()
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [p.name for p in POLICIES]
    for rule, policy in zip(rules, POLICIES, strict=True):
        assert rule["help"]["text"] == policy.remediation_steps
        assert rule["helpUri"] == policy.url
        assert rule["properties"]["severity"] == policy.severity.value


def test_sarif_results_locate_the_resource(findings: Report) -> None:
    sarif = findings.sarif()
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    results = sarif["runs"][0]["results"]
    by_rule = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r for r in results}
    ingress = by_rule[("security-group-ingress", "open")]
    assert ingress["level"] == "error"  # mandatory: fails the run at the default --fail-on
    rotation = by_rule[("kms-key-rotation", "open-key")]
    assert rotation["level"] == "error" and rotation["properties"]["severity"] == "medium"
    location = rotation["locations"][0]
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("::open-key")
    # The file and line of this test that registered the key.
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "tests/test_reports.py"
    source = Path(__file__).read_text().splitlines()
    assert 'aws.kms.Key("open-key")' in source[physical["region"]["startLine"] - 1]
    suppressed = by_rule[("kms-key-rotation", "legacy")]
    assert suppressed["level"] == "warning"  # a suppressed finding never fails the run
    assert suppressed["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "imported key (SEC-9)"}
    ]


def test_junit_has_a_case_per_policy_and_resource(findings: Report) -> None:
    root = ET.fromstring(findings.junit_text().split("\n", 1)[1])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {p.name for p in POLICIES}
    rotation = suites["kms-key-rotation"]
    cases = {c.get("name"): c for c in rotation.findall("testcase")}
    assert set(cases) == {"open-key (aws:kms/key:Key)", "legacy (aws:kms/key:Key)"}
    assert cases["open-key (aws:kms/key:Key)"].find("failure") is not None
    assert cases["legacy (aws:kms/key:Key)"].find("skipped").get("message") == (
        "exempt: imported key"
    )
    assert (rotation.get("tests"), rotation.get("failures"), rotation.get("skipped")) == (
        "2",
        "1",
        "1",
    )
    total_failures = sum(int(s.get("failures")) for s in suites.values())
    assert root.get("failures") == str(total_failures) and total_failures >= 2


def test_text_lists_suppressed_findings(findings: Report) -> None:
    text = findings.text()
    assert "Suppressed by exemptions: 1" in text
    assert "(exempt: imported key, SEC-9)" in text


def test_fail_on_chooses_the_severity_that_fails(findings: Report) -> None:
    severities = {v.severity for v in findings.evaluation.mandatory}
    assert {"critical", "medium"} <= severities
    assert failing(findings.evaluation, "critical")
    assert {v.severity for v in failing(findings.evaluation, "high")} <= {"high", "critical"}
    assert len(failing(findings.evaluation, "low")) == len(findings.evaluation.mandatory)


def test_two_runs_print_the_same_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    """Output is deterministic: violations sorted by (policy, URN), no timings on stdout."""
    outputs = []
    for fmt in ("text", "json", "sarif", "junit", "text", "json", "sarif", "junit"):
        check_module.main(["--stack", "dev", "--format", fmt])
        outputs.append(capsys.readouterr().out)
    assert outputs[:4] == outputs[4:]
    violations = json.loads(outputs[1])["violations"]
    keys = [(v["policy"], v["urn"], v["message"]) for v in violations]
    assert keys == sorted(keys)


def broken_policy() -> ResourceValidationPolicy:
    """A policy that raises on every resource (also used by test_report_failures.py)."""

    def explode(args: object) -> list[str]:
        raise ZeroDivisionError("bug in the policy")

    return resource_policy(
        "broken-policy",
        "P9: raises on every resource.",
        EnforcementLevel.MANDATORY,
        explode,
        Meta(
            category="hygiene",
            requirements=("P9",),
            severity=check_module.POLICIES[0].severity,
            url="https://example.com/broken",
            remediation="Nothing to remediate: this policy exists to crash in a test.",
        ),
    )


def test_a_crashing_policy_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(check_module, "POLICIES", [*POLICIES, broken_policy()])
    status = check_module.main(["--stack", "dev", "--format", "json"])
    captured = capsys.readouterr()
    assert status == 2
    assert "error: policy broken-policy failed on urn:pulumi:dev::" in captured.err
    assert "ZeroDivisionError: bug in the policy" in captured.err
    errors = json.loads(captured.out)["errors"]
    assert errors and all(e["policy"] == "broken-policy" for e in errors)


def test_sarif_run_and_results_name_the_stack(findings: Report) -> None:
    """Every format names the stack of each finding: in SARIF, the run's id (the category
    GitHub code scanning keeps analyses apart by) and a property on the run and each result."""
    (run,) = findings.sarif()["runs"]
    assert run["automationDetails"]["id"] == f"{PACK_NAME}/inline/test/"
    assert run["properties"] == {"project": "inline", "stack": "test"}
    assert run["results"] and {r["properties"]["stack"] for r in run["results"]} == {"test"}
