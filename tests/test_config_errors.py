"""Stack config errors a person fixes in one read (issue 19, item 5): one block per error with
the full key, the value given, what is allowed and "did you mean" for near misses at any depth;
no traceback from the offline check, which exits 2, as the Pulumi engine prints a RunError."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi
import pytest
import yaml
from conftest import NAMESPACE as NS
from conftest import REPO_ROOT, valid_config

from components.config import ConfigError, config_from_mapping
from policy.harness import ProgramError, run_inline, run_program


def _error(values: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(NS, values)
    return str(caught.value)


def _blocks(message: str) -> list[str]:
    """The message's error blocks: each starts at a line naming a key."""
    blocks: list[list[str]] = []
    for line in message.splitlines():
        if line.startswith(f"{NS}:"):
            blocks.append([line])
        elif blocks and line.strip():
            blocks[-1].append(line)
    return ["\n".join(block) for block in blocks]


def _only_block(values: dict) -> str:
    blocks = _blocks(_error(values))
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_nested_typo_at_depth_two_suggests_the_key() -> None:
    """A misspelt key inside a section names the section's keys and the near one."""
    values = valid_config()
    values["network"] = {"natStategy": "single"}
    block = _only_block(values)
    assert block.startswith(f"{NS}:network.natStategy: not a known key of network"), block
    assert "did you mean natStrategy?" in block
    assert "adminCidrs, flowLogTraffic, interfaceEndpoints, natStrategy" in block


@pytest.mark.parametrize(
    ("section", "key", "typo", "meant"),
    [
        ("dns", "healthCheck", "requestIntervall", "requestInterval"),
        ("compute", "healthCheck", "intervalSecond", "intervalSeconds"),
        ("audit", "alarms", "evaluationPeriod", "evaluationPeriods"),
    ],
)
def test_nested_typo_at_depth_three_suggests_the_key(
    section: str, key: str, typo: str, meant: str
) -> None:
    """The model of each level is found from the key's path, however deep."""
    values = valid_config()
    values.setdefault(section, {})[key] = {typo: 1}
    block = _only_block(values)
    assert block.startswith(f"{NS}:{section}.{key}.{typo}: not a known key of {section}.{key}")
    assert f"did you mean {meant}?" in block


def test_typo_inside_a_list_item_suggests_the_key() -> None:
    """A path through a list index (regions[0].subnets) still finds the model."""
    values = valid_config()
    values["regions"][0]["subnets"] = {
        "public": ["10.0.0.0/24", "10.0.1.0/24"],
        "privat": ["10.0.2.0/24", "10.0.3.0/24"],
        "database": ["10.0.4.0/24", "10.0.5.0/24"],
    }
    message = _error(values)
    assert f"{NS}:regions[0].subnets.privat: not a known key of regions[0].subnets" in message
    assert "did you mean private?" in message


def test_top_level_typo_suggests_the_key() -> None:
    """A misspelt top-level key suggests the near one and lists the known keys."""
    values = valid_config()
    values["costCentre"] = values.pop("costCenter")
    message = _error(values)
    assert f"{NS}:costCentre: not a known config key" in message
    assert "did you mean costCenter?" in message
    assert "accountId, audit, backup" in message


def test_cidr_with_host_bits_gives_the_network_address() -> None:
    """`10.40.0.1/16` is an address in a network, not the network: say which one is meant."""
    values = valid_config()
    values["regions"][0]["vpcCidr"] = "10.40.0.1/16"
    block = _only_block(values)
    assert block.startswith(f"{NS}:regions[0].vpcCidr: '10.40.0.1/16' has host bits set"), block
    assert "did you mean 10.40.0.0/16?" in block


def test_cidr_with_host_bits_in_a_list() -> None:
    """The same inside a list of networks, with the item's index in the key."""
    values = valid_config()
    values["network"] = {"adminCidrs": ["203.0.113.0/24", "198.51.100.7/24"]}
    block = _only_block(values)
    assert block.startswith(f"{NS}:network.adminCidrs[1]: '198.51.100.7/24' has host bits set")
    assert "did you mean 198.51.100.0/24?" in block


def test_malformed_cidr_says_the_form() -> None:
    """A CIDR that is no network at all shows what was given and the form wanted."""
    values = valid_config()
    values["regions"][0]["vpcCidr"] = "10.0.0.300/16"
    block = _only_block(values)
    assert "'10.0.0.300/16' is not an IPv4 network" in block
    assert "a.b.c.d/n" in block


@pytest.mark.parametrize(
    ("section", "key", "given", "expected"),
    [
        ("compute", "minSize", "two", "compute.minSize: 'two' is not an integer"),
        ("compute", "cpuTargetPercent", "high", "compute.cpuTargetPercent: 'high' is not a number"),
        ("keys", "protect", "maybe", "keys.protect: 'maybe' is not true or false"),
        ("compute", "instanceType", 3, "compute.instanceType: 3 is not a string"),
        ("network", "adminCidrs", "10.0.0.0/8", "network.adminCidrs: '10.0.0.0/8' is not a list"),
        ("dns", "healthCheck", "yes", "dns.healthCheck: 'yes' is not a mapping"),
    ],
)
def test_wrong_type_names_the_type_and_the_value(
    section: str, key: str, given: object, expected: str
) -> None:
    """The block says what type the key wants and echoes the value given."""
    values = valid_config()
    values.setdefault(section, {})[key] = given
    block = _only_block(values)
    assert block.startswith(f"{NS}:{expected}"), block


def test_union_type_error_is_one_block() -> None:
    """A key that takes one of several shapes reports one block naming them all, not one
    error per shape with pydantic's internal names in the key."""
    values = valid_config()
    values["compute"]["certificateArn"] = 5
    block = _only_block(values)
    assert block.startswith(f"{NS}:compute.certificateArn: 5 is not a string or a mapping"), block
    assert "constrained" not in block


def test_value_outside_a_choice_lists_the_choices_and_the_near_one() -> None:
    """A value outside a fixed set shows the set and the near miss."""
    values = valid_config()
    values["network"] = {"natStrategy": "per_az"}
    block = _only_block(values)
    assert block.startswith(f"{NS}:network.natStrategy: 'per_az' is not allowed"), block
    assert "allowed: 'single' or 'per-az'" in block
    assert "did you mean 'per-az'?" in block


def test_bound_errors_echo_the_value() -> None:
    """A number outside its bounds is shown with the bound it broke."""
    values = valid_config()
    values["rotation"] = {"passwordLength": 8}
    block = _only_block(values)
    assert block.startswith(f"{NS}:rotation.passwordLength: 8 should be greater than or equal")


def test_list_length_errors_echo_the_value() -> None:
    """A list of the wrong length is shown as given."""
    values = valid_config()
    values["regions"][0]["azs"] = ["us-east-1a"]
    block = _only_block(values)
    assert "List should have at least 2 items" in block
    assert "given: ['us-east-1a']" in block


def test_several_errors_each_in_its_own_block() -> None:
    """Every error of one run is reported, each in its own block with its own hint."""
    values = valid_config()
    values["costCentre"] = values.pop("costCenter")
    values["network"] = {"natStategy": "single"}
    values["regions"][0]["vpcCidr"] = "10.40.0.1/16"
    values["compute"]["minSize"] = "two"
    message = _error(values)
    assert message.startswith("invalid stack config: 5 errors"), message
    blocks = _blocks(message)
    by_key = {block.split(": ", 1)[0].removeprefix(f"{NS}:"): block for block in blocks}
    assert set(by_key) == {
        "costCenter",
        "costCentre",
        "network.natStategy",
        "regions[0].vpcCidr",
        "compute.minSize",
    }, blocks
    assert "did you mean costCenter?" in by_key["costCentre"]
    assert "did you mean natStrategy?" in by_key["network.natStategy"]
    assert "did you mean 10.40.0.0/16?" in by_key["regions[0].vpcCidr"]
    assert "'two' is not an integer" in by_key["compute.minSize"]
    # Blank lines separate the blocks, so each reads on its own.
    assert "\n\n" + blocks[1].splitlines()[0] in message


def test_config_error_is_a_pulumi_run_error() -> None:
    """The engine prints a RunError as its message alone, without a stack trace."""
    assert issubclass(ConfigError, pulumi.RunError)


def test_program_error_for_bad_config_has_no_frames() -> None:
    """The engine's view: the failing program's message is the config error alone."""
    with pytest.raises(ProgramError) as caught:
        run_program(REPO_ROOT, "dev", config_overrides={"network": {"natStategy": "single"}})
    message = str(caught.value)
    assert message.startswith("invalid stack config: 1 error"), message
    assert "Traceback" not in message
    assert 'File "' not in message
    assert "ConfigError" not in message
    assert "did you mean natStrategy?" in message


def test_run_error_of_any_program_is_its_message_alone() -> None:
    """Any program's RunError is reported as the engine reports it: the message alone; other
    exceptions keep the program's frames."""

    def stops() -> None:
        raise pulumi.RunError("set secure-infra:owner first")

    with pytest.raises(ProgramError) as caught:
        run_inline(stops)
    assert str(caught.value) == "set secure-infra:owner first"

    def crashes() -> None:
        raise KeyError("owner")

    with pytest.raises(ProgramError) as caught:
        run_inline(crashes)
    assert "Traceback" in str(caught.value)


def _program_with_stack(tmp_path: Path, change: dict) -> Path:
    """A project directory whose `main` is this repository's program and whose dev stack file
    is a copy of the real one with `change` applied to its secure-infra keys."""
    stack = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text())
    for key, value in change.items():
        stack["config"][f"{NS}:{key}"] = value
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    project["main"] = str(REPO_ROOT)
    project["runtime"] = "python"  # no virtualenv option: the check's own environment
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    return tmp_path


def test_check_prints_blocks_without_traceback_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The offline check on a broken stack file: exit 2, every error as a block, no frames."""
    from policy import check

    dev = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text())["config"]
    network = {**dev[f"{NS}:network"], "natStategy": "per-az"}
    regions = [{**dev[f"{NS}:regions"][0], "vpcCidr": "10.40.0.1/16"}]
    compute = {**dev[f"{NS}:compute"], "minSize": "two"}
    program = _program_with_stack(
        tmp_path, {"network": network, "regions": regions, "compute": compute}
    )
    status = check.main(["--program", str(program), "--stack", "dev"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    assert not re.search(r'File ".*", line \d+', err), err
    assert f"{NS}:network.natStategy: not a known key of network" in err
    assert "did you mean natStrategy?" in err
    assert "did you mean 10.40.0.0/16?" in err
    assert f"{NS}:compute.minSize: 'two' is not an integer" in err
