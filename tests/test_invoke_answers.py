"""Invokes the offline mocks answer empty: a failure names them with their arguments, and a
user's answers (`invoke_answers=`, the `--invoke-answers FILE.json` of the check) reach the
program, override the built-in mocks and are validated (issue 19, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from policy.harness import ProgramError, run_inline, run_program

PROGRAMS = Path(__file__).parent / "programs"
INSTANCE_TYPE = "aws:ec2/getInstanceType:getInstanceType"
REGION = {"aws:region": "us-east-1"}


def _double_the_vcpus() -> None:
    """A program that reads a data source the mocks have no answer for."""
    info = aws.ec2.get_instance_type(instance_type="m5.large")
    aws.sns.Topic("sized", display_name=f"vcpus-{info.default_vcpus * 2}")


def test_failure_names_the_empty_invoke_its_arguments_and_the_way_to_answer_it() -> None:
    with pytest.raises(ProgramError) as failure:
        run_inline(_double_the_vcpus, config=REGION)
    message = str(failure.value)
    # The program's own error stays first; the note follows it.
    assert message.index("TypeError: unsupported operand") < message.index(INSTANCE_TYPE)
    assert f'{INSTANCE_TYPE} {{"instanceType": "m5.large"}}' in message
    assert "--invoke-answers FILE.json" in message


def test_failure_inside_an_apply_names_the_empty_invoke() -> None:
    def program() -> None:
        info = aws.ec2.get_instance_type_output(instance_type="c6g.xlarge")
        aws.sns.Topic("sized", display_name=info.default_vcpus.apply(lambda n: str(n * 2)))

    with pytest.raises(ProgramError, match=r'c6g\.xlarge"\}[\s\S]*--invoke-answers'):
        run_inline(program, config=REGION)


def test_a_failure_with_every_invoke_answered_says_nothing_of_invokes() -> None:
    def program() -> None:
        aws.get_availability_zones()
        raise ValueError("the program's own bug")

    with pytest.raises(ProgramError) as failure:
        run_inline(program, config=REGION)
    # (The file name holds "invoke": look for the note itself.)
    assert "--invoke-answers" not in str(failure.value)
    assert str(failure.value).endswith("ValueError: the program's own bug")


def test_an_engine_failure_after_an_empty_answer_names_the_invoke_too() -> None:
    """Two resources named from an empty answer collide: the engine's error, then the note."""

    def program() -> None:
        for team in ("a", "b"):
            key = aws.ec2.get_key_pair(key_name=f"deployer-{team}")
            aws.sns.Topic(f"{key.key_name}-alerts")

    with pytest.raises(
        ProgramError,
        match=r"^Duplicate resource URN .*None-alerts[\s\S]*\n  aws:ec2/getKeyPair:getKeyPair "
        r'\{"keyName": "deployer-a"\}\n  aws:ec2/getKeyPair:getKeyPair \{"keyName": "deployer-b"\}',
    ):
        run_inline(program, config=REGION)


def test_one_answer_reaches_the_program_and_the_invoke_is_no_longer_unmocked() -> None:
    run = run_inline(
        _double_the_vcpus,
        config=REGION,
        invoke_answers={INSTANCE_TYPE: {"defaultVcpus": 2, "memorySize": 8192}},
    )
    assert run.named("sized").inputs["displayName"] == "vcpus-4"
    assert run.unmocked_invokes == []
    assert run.invokes == [(INSTANCE_TYPE, {"instanceType": "m5.large"})]


def test_list_answers_match_the_call_arguments_in_order() -> None:
    def program() -> None:
        for size in ("m5.large", "m5.xlarge", "t3.micro"):
            info = aws.ec2.get_instance_type_output(instance_type=size)
            aws.sns.Topic(size, display_name=info.default_vcpus.apply(str))

    answers = {
        INSTANCE_TYPE: [
            {"args": {"instanceType": "m5.large"}, "result": {"defaultVcpus": 2}},
            # Never reached for m5.large: the first match wins.
            {"args": {"instanceType": "m5.large"}, "result": {"defaultVcpus": 99}},
            {"args": {"instanceType": "m5.xlarge"}, "result": {"defaultVcpus": 4}},
        ]
    }
    run = run_inline(program, config=REGION, invoke_answers=answers)
    shown = {r.name: r.inputs.get("displayName") for r in run.of_type("aws:sns/topic:Topic")}
    assert shown["m5.large"] == "2" and shown["m5.xlarge"] == "4"
    # No entry matches t3.micro: answered empty as before, and listed.
    assert shown["t3.micro"] == "None"
    assert run.unmocked_invokes == [INSTANCE_TYPE]


def test_an_entry_without_args_matches_every_call() -> None:
    def program() -> None:
        for size in ("m5.large", "t3.micro"):
            info = aws.ec2.get_instance_type(instance_type=size)
            aws.sns.Topic(size, display_name=str(info.default_vcpus))

    answers = {
        INSTANCE_TYPE: [
            {"args": {"instanceType": "m5.large"}, "result": {"defaultVcpus": 2}},
            {"result": {"defaultVcpus": 1}},
        ]
    }
    run = run_inline(program, config=REGION, invoke_answers=answers)
    shown = {r.name: r.inputs["displayName"] for r in run.of_type("aws:sns/topic:Topic")}
    assert shown == {"m5.large": "2", "t3.micro": "1"}
    assert run.unmocked_invokes == []


def test_a_failure_names_the_call_no_entry_matched() -> None:
    answers = {INSTANCE_TYPE: [{"args": {"instanceType": "m5.xlarge"}, "result": {}}]}
    with pytest.raises(ProgramError, match=r'getInstanceType \{"instanceType": "m5\.large"\}'):
        run_inline(_double_the_vcpus, config=REGION, invoke_answers=answers)


def test_user_answers_override_the_built_in_mocks() -> None:
    def program() -> None:
        zones = aws.get_availability_zones(state="available")
        for zone in zones.names:
            aws.ec2.Subnet(zone, vpc_id="vpc-1", cidr_block="10.0.0.0/24", availability_zone=zone)

    run = run_inline(
        program,
        config=REGION,
        invoke_answers={
            "aws:index/getAvailabilityZones:getAvailabilityZones": {
                "names": ["us-east-1d", "us-east-1f"]
            }
        },
    )
    # Sorted: the two subnets register concurrently, in either order.
    zones = sorted(r.inputs["availabilityZone"] for r in run.of_type("aws:ec2/subnet:Subnet"))
    assert zones == ["us-east-1d", "us-east-1f"]


def test_a_call_no_entry_matches_falls_back_to_the_built_in_mock() -> None:
    def program() -> None:
        pulumi.export("zones", aws.get_availability_zones(state="available").names)

    answers = {
        "aws:index/getAvailabilityZones:getAvailabilityZones": [
            {"args": {"state": "unavailable"}, "result": {"names": []}}
        ]
    }
    run = run_inline(program, config=REGION, invoke_answers=answers)
    assert run.outputs["zones"][:2] == ["us-east-1a", "us-east-1b"]
    assert run.unmocked_invokes == []


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([INSTANCE_TYPE], r"must be a JSON object keyed by invoke token, not a list"),
        (
            {"aws.ec2.get_instance_type": {}},
            r"'aws\.ec2\.get_instance_type' is not an invoke token .*"
            r"aws:ec2/getInstanceType:getInstanceType",
        ),
        ({INSTANCE_TYPE: "m5.large"}, rf"{INSTANCE_TYPE}: .*object or a list.* not a str"),
        ({INSTANCE_TYPE: []}, rf"{INSTANCE_TYPE}: an empty list answers no call"),
        ({INSTANCE_TYPE: [{"args": {}}]}, rf"{INSTANCE_TYPE}\[0\]: .*'result'"),
        (
            {INSTANCE_TYPE: [{"result": {}, "args": ["m5.large"]}]},
            rf"{INSTANCE_TYPE}\[0\]\.args: .*object.* not a list",
        ),
        (
            {INSTANCE_TYPE: [{"result": {}}, {"result": {}, "when": {}}]},
            rf"{INSTANCE_TYPE}\[1\]: unknown key 'when'",
        ),
        (
            {INSTANCE_TYPE: {"default_vcpus": 2}},
            rf"{INSTANCE_TYPE}: 'default_vcpus' .* wire \(camelCase\) name 'defaultVcpus'",
        ),
        (
            {INSTANCE_TYPE: [{"args": {"instance_type": "m5.large"}, "result": {}}]},
            rf"{INSTANCE_TYPE}\[0\]\.args: 'instance_type' .* 'instanceType'",
        ),
    ],
)
def test_malformed_answers_are_refused_naming_the_token_and_the_problem(
    answers: object, expected: str
) -> None:
    with pytest.raises(ProgramError, match=rf"^invoke answers: {expected}"):
        run_inline(_double_the_vcpus, config=REGION, invoke_answers=answers)  # type: ignore[arg-type]


def test_a_program_directory_fails_naming_the_invoke_then_runs_with_an_answer_file(
    tmp_path: Path,
) -> None:
    program = PROGRAMS / "instance_type"
    with pytest.raises(ProgramError, match=r'getInstanceType \{"instanceType": "m5\.large"\}'):
        run_program(program, "test")

    answer_file = tmp_path / "answers.json"
    answer_file.write_text(
        json.dumps(
            {
                INSTANCE_TYPE: [
                    {
                        "args": {"instanceType": "m5.large"},
                        "result": {"defaultVcpus": 2, "memorySize": 8192},
                    }
                ]
            },
            indent=2,
        )
    )
    from policy.harness.invoke_answers import read_invoke_answers

    run = run_program(program, "test", invoke_answers=read_invoke_answers(answer_file))
    (task,) = run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("1024", "6144")
    assert run.unmocked_invokes == []


def test_an_answer_file_that_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    answer_file = tmp_path / "answers.json"
    from policy.harness.invoke_answers import read_invoke_answers

    answer_file.write_text("{'aws:ec2/getInstanceType:getInstanceType': {}}")
    with pytest.raises(ProgramError, match=rf"^invoke answers {answer_file}: not valid JSON"):
        read_invoke_answers(answer_file)
    with pytest.raises(ProgramError, match=rf"^invoke answers {tmp_path / 'missing.json'}: "):
        read_invoke_answers(tmp_path / "missing.json")
    answer_file.write_text(json.dumps({INSTANCE_TYPE: [{"result": []}]}))
    with pytest.raises(
        ProgramError,
        match=rf"^invoke answers {answer_file}: {INSTANCE_TYPE}\[0\]\.result: 'result' must be",
    ):
        read_invoke_answers(answer_file)
