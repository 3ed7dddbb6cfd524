"""The offline harness and `python -m policy.check` on small programs of their own (P10, T1)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from conftest import REPO_ROOT

from policy.check import main as check_main
from policy.harness import (
    SECRET_PLACEHOLDER,
    ProgramError,
    load_stack_config,
    run_inline,
    run_program,
)

DEFAULT_TAGS = {"tags": {"Environment": "test", "Owner": "me"}}


def test_default_provider_from_stack_config() -> None:
    """Resources on the default provider get its region and `aws:defaultTags`; resource tags
    win over default tags, as in pulumi-aws's Check."""

    def program() -> None:
        aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", tags={"Owner": "team", "Name": "vpc"})
        azs = aws.get_availability_zones_output()
        pulumi.export("azs", azs.names)

    run = run_inline(program, config={"aws:region": "eu-west-1", "aws:defaultTags": DEFAULT_TAGS})
    (vpc,) = run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["tags"] == {"Environment": "test", "Owner": "team", "Name": "vpc"}
    provider = run.provider_of(vpc)
    assert provider.name.startswith("default_7_") and provider.inputs["region"] == "eu-west-1"
    assert run.outputs["azs"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert vpc.id.startswith("vpc-")


def test_explicit_providers_answer_invokes_for_their_region() -> None:
    """Invokes through an explicit provider answer for that provider's region; resources on it
    carry its default tags and its URN."""

    def program() -> None:
        p = aws.Provider(
            "west",
            region="us-west-2",
            default_tags=aws.ProviderDefaultTagsArgs(tags={"Project": "x"}),
        )
        opts = pulumi.InvokeOutputOptions(provider=p)
        pulumi.export("region", aws.get_region_output(opts=opts).region)
        pulumi.export("account", aws.get_caller_identity_output(opts=opts).account_id)
        pulumi.export(
            "ami",
            aws.ssm.get_parameter_output(
                name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                opts=opts,
            ).value,
        )
        aws.s3.Bucket("logs", opts=pulumi.ResourceOptions(provider=p, protect=True))

    run = run_inline(program)
    assert run.outputs["region"] == "us-west-2"
    assert run.outputs["account"] == "123456789012"
    assert run.outputs["ami"].startswith("ami-")
    (bucket,) = run.of_type("aws:s3/bucket:Bucket")
    assert bucket.inputs["tags"] == {"Project": "x"}
    assert bucket.inputs["bucket"].startswith("logs-") and len(bucket.inputs["bucket"]) == 12
    assert bucket.state["arn"] == f"arn:aws:s3:::{bucket.inputs['bucket']}"
    assert bucket.options.protect is True
    assert run.provider_of(bucket).name == "west"


def test_disabled_default_provider_fails_like_the_engine() -> None:
    """A resource that escapes its provider fails loudly when default providers are disabled."""

    def program() -> None:
        aws.sns.Topic("alerts")

    with pytest.raises(ProgramError, match="Default provider for 'aws' disabled"):
        run_inline(program, config={"pulumi:disable-default-providers": ["aws"]})


def test_duplicate_urns_and_aliases_fail_like_the_engine() -> None:
    """P11 (review finding: two Security Hub subscriptions shared a name, which the mocks
    accepted): a second resource with the same URN, or an alias another resource already
    holds, fails the run with the engine's message."""

    def same_name() -> None:
        aws.sns.Topic("alerts")
        aws.sns.Topic("alerts")

    with pytest.raises(ProgramError, match=r"Duplicate resource URN .*aws:sns/topic:Topic::alerts"):
        run_inline(same_name, config={"aws:region": "us-east-1"})

    def shared_alias() -> None:
        aws.sns.Topic("one", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")]))
        aws.sns.Topic("two", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")]))

    with pytest.raises(ProgramError, match=r"Duplicate resource alias .*::old"):
        run_inline(shared_alias, config={"aws:region": "us-east-1"})


def test_runs_are_isolated() -> None:
    """Each run has its own root stack, config and resources (pulumi/pulumi#24338)."""

    def program() -> None:
        name = pulumi.Config().require("name")
        aws.sns.Topic(name)
        pulumi.export("name", name)

    first = run_inline(program, config={"name": "one"}, stack="a")
    second = run_inline(program, config={"name": "two"}, stack="b")
    assert [r.name for r in first.of_type("aws:sns/topic:Topic")] == ["one"]
    assert [r.urn for r in second.of_type("aws:sns/topic:Topic")] == [
        "urn:pulumi:b::inline::aws:sns/topic:Topic::two"
    ]
    assert (first.outputs, second.outputs) == ({"name": "one"}, {"name": "two"})


def test_unknown_invoke_is_reported_not_fatal() -> None:
    """An invoke the mocks do not know answers empty and is listed in the run."""

    def program() -> None:
        aws.ec2.get_key_pair_output(key_name="deployer")

    run = run_inline(program, config={"aws:region": "us-east-1"})
    assert run.unmocked_invokes == ["aws:ec2/getKeyPair:getKeyPair"]


def _write_program(directory: Path, body: str, stack_config: str) -> Path:
    (directory / "Pulumi.yaml").write_text(
        "name: tiny\nruntime: python\nconfig:\n  tiny:greeting:\n    default: hello\n"
    )
    (directory / "Pulumi.test.yaml").write_text(textwrap.dedent(stack_config))
    (directory / "helpers.py").write_text("SUFFIX = '-tiny'\n")
    (directory / "__main__.py").write_text(textwrap.dedent(body))
    return directory


PROGRAM = """\
    import pulumi
    import pulumi_aws as aws
    from helpers import SUFFIX

    cfg = pulumi.Config()
    aws.cloudwatch.LogGroup("group" + SUFFIX, retention_in_days=cfg.require_int("days"))
    pulumi.export("greeting", cfg.require("greeting"))
    pulumi.export("password", cfg.require_secret("password"))
"""
STACK = """\
    config:
      aws:region: eu-west-1
      aws:defaultTags:
        tags:
          Environment: test
      tiny:days: 7
      tiny:password:
        secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBB
"""


def test_program_directory_config_and_secrets(tmp_path: Path) -> None:
    """A program directory runs with its project name, project config defaults, stack config,
    and secure values replaced by marked placeholders; its own modules import."""
    program = _write_program(tmp_path, PROGRAM, STACK)
    config, secret_keys = load_stack_config(program, "tiny", "test")
    assert config["tiny:days"] == "7" and config["tiny:greeting"] == "hello"
    assert secret_keys == ["tiny:password"]
    run = run_program(program, "test")
    (group,) = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert group.name == "group-tiny" and group.inputs["retentionInDays"] == 7
    assert group.inputs["tags"] == {"Environment": "test"}
    assert group.urn == "urn:pulumi:test::tiny::aws:cloudwatch/logGroup:LogGroup::group-tiny"
    assert run.outputs["greeting"] == "hello"
    assert run.outputs["password"] == SECRET_PLACEHOLDER.format(key="tiny:password")


def test_check_cli_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """P10: --json prints the contract's object; exit 0 without mandatory violations."""
    program = _write_program(tmp_path, PROGRAM, STACK)
    status = check_main(["--stack", "test", "--program", str(program), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
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
    assert all(
        set(v) >= {"policy", "enforcement", "severity", "urn", "type", "name", "message"}
        for v in data["violations"]
    )
    assert data["stack"] == "test" and data["resources"] == 2
    assert data["types"] == {"aws:cloudwatch/logGroup:LogGroup": 1, "pulumi:providers:aws": 1}
    assert status == (1 if any(v["enforcement"] == "mandatory" for v in data["violations"]) else 0)


def test_check_cli_exit_2_names_what_failed(tmp_path: Path) -> None:
    """P10: a failing program exits 2 and prints the error, naming what failed."""
    program = _write_program(
        tmp_path, PROGRAM.replace('require_int("days")', 'require_int("weeks")'), STACK
    )
    result = subprocess.run(
        [sys.executable, "-m", "policy.check", "--stack", "test", "--program", str(program)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "tiny:weeks" in result.stderr


def test_check_cli_runs_the_real_stacks() -> None:
    """P10: the offline check runs the project's prod stack in a fresh process: two regions,
    three AZs each, a NAT gateway per AZ."""
    result = subprocess.run(
        [sys.executable, "-m", "policy.check", "--stack", "prod", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["types"]["aws:ec2/vpc:Vpc"] == 2
    assert data["types"]["aws:ec2/natGateway:NatGateway"] == 6
    assert data["types"]["aws:ec2/subnet:Subnet"] == 18


def test_failures_of_this_repository_show_only_the_programs_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """P10: the harness lives inside this repository's program directory; its frames (the
    runner's `_execute` and `run_path`) are not the program's and stay out of the error. (A
    config error has no frames at all, as under the engine: a crash inside a tier stands in.)"""
    import components.config.load as load

    def broken_stack_config() -> object:
        raise RuntimeError("a bug in the program")

    monkeypatch.setattr(load, "load_config", broken_stack_config)
    monkeypatch.setattr("components.config.load_config", broken_stack_config)
    with pytest.raises(ProgramError) as failure:
        run_program(REPO_ROOT, "dev")
    message = str(failure.value)
    assert "__main__.py" in message and "RuntimeError: a bug in the program" in message
    assert "policy/harness" not in message
