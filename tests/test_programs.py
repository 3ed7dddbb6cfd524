"""P10, P14 (issue 12): the offline check on third-party-style programs (`tests/programs/`),
each using what public Pulumi programs use: a multi-language component, a stack reference,
the default VPC, an ECR login, a dynamic provider, assets; a program that fails; and a
deployed stack's export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy import check
from policy.harness import ProgramError, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    status = check.main([*args, "--format", "json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if captured.out else {}, captured.err


def test_remote_components_are_reported_not_expanded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A component another language implements (awsx) is listed as not expanded, so a VPC
    inside it is not silently missing from the flow-log check; --strict makes it an error."""
    program = str(PROGRAMS / "awsx_like")
    status, report, _ = _check(capsys, "--stack", "test", "--program", program)
    assert report["unexpandedComponents"] == [
        {
            "urn": "urn:pulumi:test::awsx-like::awsx:ec2:Vpc::main",
            "type": "awsx:ec2:Vpc",
            "name": "main",
        }
    ]
    assert status == 1  # the plain VPC has no flow log
    status, _, err = _check(capsys, "--stack", "test", "--program", program, "--strict")
    assert status == 2
    assert "components not expanded (--strict): main (awsx:ec2:Vpc)" in err


def test_stack_references_come_from_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = str(PROGRAMS / "stack_reference")
    outputs = tmp_path / "network.json"
    outputs.write_text(json.dumps({"vpcId": "vpc-0abc", "vpcCidr": "10.9.0.0/16"}))
    run = run_program(
        program, "test", stack_references={"acme/network/prod": json.loads(outputs.read_text())}
    )
    (group,) = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-0abc"
    assert group.inputs["ingress"][0]["cidrBlocks"] == ["10.9.0.0/16"]
    status, _, _ = _check(
        capsys,
        "--stack",
        "test",
        "--program",
        program,
        "--stack-reference",
        f"acme/network/prod={outputs}",
    )
    assert status in (0, 1)
    status, _, err = _check(capsys, "--stack", "test", "--program", program)
    assert status == 2
    assert "pass --stack-reference acme/network/prod=FILE.json" in err


def test_default_vpc_lookups_answer_the_default_vpc() -> None:
    run = run_program(str(PROGRAMS / "default_vpc"), "test")
    (balancer,) = run.of_type("aws:lb/loadBalancer:LoadBalancer")
    subnets = balancer.inputs["subnets"]
    assert len(subnets) == 6 and all(s.startswith("subnet-") for s in subnets)  # us-east-1a-f
    assert run.outputs["vpc"].startswith("vpc-")
    assert run.unmocked_invokes == []


def test_ecr_login_decodes_and_unknown_inputs_are_not_invoked() -> None:
    """The authorization token decodes as Docker expects (AWS:<password>); an invoke whose
    input is unknown in a preview is never made (the SDK answers it unknown)."""
    run = run_program(str(PROGRAMS / "ecr_login"), "test")
    assert run.outputs["login"] == {"user": "AWS", "password_length": 26}
    assert run.outputs["registry"] == "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
    tokens = [token for token, _ in run.invokes]
    assert "aws:ecr/getAuthorizationToken:getAuthorizationToken" in tokens
    assert "aws:ec2/getNetworkInterface:getNetworkInterface" not in tokens
    assert run.unmocked_invokes == []


def test_dynamic_providers_and_assets_run() -> None:
    dynamic = run_program(str(PROGRAMS / "dynamic_provider"), "test")
    (count,) = [r for r in dynamic.resources if r.type == "pulumi-python:dynamic:Resource"]
    assert count.inputs["start"] == 3
    assets = run_program(str(PROGRAMS / "assets"), "test")
    (function,) = assets.of_type("aws:lambda/function:Function")
    assert function.inputs["runtime"] == "python3.12"
    (upload,) = assets.of_type("aws:s3/bucketObject:BucketObject")
    assert upload.inputs["key"] == "index.html"


def test_a_failing_program_shows_its_own_frames(capsys: pytest.CaptureFixture[str]) -> None:
    """Only the program's frames (file and line), then the error; nothing from the SDK or
    the event loop."""
    with pytest.raises(ProgramError) as caught:
        run_program(str(PROGRAMS / "failing"), "test")
    message = str(caught.value)
    assert message.splitlines()[0] == "Traceback (the program's frames, most recent call last):"
    assert 'failing/__main__.py", line 14, in <module>' in message
    assert 'failing/__main__.py", line 7, in tags_for' in message
    assert message.endswith("AttributeError: 'NoneType' object has no attribute 'upper'")
    assert "site-packages" not in message and "asyncio" not in message
    status, _, err = _check(capsys, "--stack", "test", "--program", str(PROGRAMS / "failing"))
    assert status == 2
    assert "Task was destroyed" not in err and len(err) < 2000


def test_a_deployed_stacks_export_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """P14: `--state` evaluates the pack on `pulumi stack export` output: inputs, outputs,
    providers, options and secrets as the engine stores them."""
    stack = "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod"
    provider = "urn:pulumi:prod::shop::pulumi:providers:aws::default_7_51_1"
    key = "urn:pulumi:prod::shop::aws:kms/key:Key::data"
    export = {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-01T00:00:00Z", "version": "v3.200.0"},
            "resources": [
                {"urn": stack, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}},
                {
                    "urn": provider,
                    "custom": True,
                    "id": "0b4c",
                    "type": "pulumi:providers:aws",
                    "inputs": {"region": "eu-west-1"},
                    "outputs": {"region": "eu-west-1"},
                },
                {
                    "urn": key,
                    "custom": True,
                    "id": "1234abcd",
                    "type": "aws:kms/key:Key",
                    "parent": stack,
                    "provider": f"{provider}::0b4c",
                    "protect": True,
                    "sourcePosition": "project:///__main__.py#12,1",
                    "inputs": {
                        "enableKeyRotation": False,
                        "description": {
                            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                            "ciphertext": "v1:abc",
                        },
                        "tags": {
                            "Environment": "prod",
                            "Project": "shop",
                            "Owner": "o",
                            "CostCenter": "c",
                        },
                    },
                    "outputs": {"arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd"},
                },
            ],
        },
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    status, report, _ = _check(capsys, "--state", str(path))
    assert status == 1
    rotation = [v for v in report["violations"] if v["policy"] == "kms-key-rotation"]
    assert [(v["name"], v["location"]) for v in rotation] == [("data", "__main__.py:12")]
    assert report["stack"] == "prod"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resources": []}))
    status, _, err = _check(capsys, "--state", str(bad))
    assert status == 2 and "not a `pulumi stack export` file" in err
