"""Issue 19, item 3: a policy pack config (`--policy-pack-config`, `policy.check --config`) is
validated against the pack before anything runs: one line per problem naming the key, what was
given and what is allowed, with "did you mean" for near misses. The CLI's own validation (a
JSON schema per policy, pulumi/pulumi pkg/resource/analyzer/config.go) is the floor: what it
refuses is refused here too, and unknown policy names and options, which it ignores, are
refused as well."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel
from test_engine_protocol import DISABLED_CONFIG, PACK_CONFIG

from policy import coverage, pack_config
from policy.evaluate import resolve_policy_config
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES
from policy.pack_config import PackConfigError, validate_pack_config

from .fsbp_cases import CASES

EXAMPLE = Path(pack_config.__file__).resolve().parent / "policy-config.example.json"
LEVELS = "advisory, mandatory, remediate, disabled"

# Each case of issue 19, item 3 and the shapes around it: the config, and the exact lines.
BAD_CONFIGS: dict[str, tuple[Any, list[str]]] = {
    "unknown policy, near miss": (
        {"s3-bucket-encrytion": "disabled"},
        [
            's3-bucket-encrytion: unknown policy; allowed: "all" or the name of one of the '
            'pack\'s policies; did you mean "s3-bucket-encryption"?'
        ],
    ),
    "unknown policy, no near miss": (
        {"no-such-policy": "disabled"},
        [
            'no-such-policy: unknown policy; allowed: "all" or the name of one of the pack\'s '
            "policies"
        ],
    ),
    "unknown option, near miss": (
        {"security-group-ingress": {"allowedAdminCidr": ["0.0.0.0/0"]}},
        [
            "security-group-ingress.allowedAdminCidr: unknown option; allowed: "
            'enforcementLevel, allowedAdminCidrs, exemptions; did you mean "allowedAdminCidrs"?'
        ],
    ),
    "off as a level": (
        {"security-group-ingress": "off"},
        [
            'security-group-ingress: got "off", not an enforcement level; allowed: '
            f'{LEVELS}; did you mean "disabled"?'
        ],
    ),
    "level in an object, wrong case": (
        {"required-tags": {"enforcementLevel": "Mandatory"}},
        [
            'required-tags.enforcementLevel: got "Mandatory", not an enforcement level; '
            f'allowed: {LEVELS}; did you mean "mandatory"?'
        ],
    ),
    "level of the wrong type": (
        {"required-tags": {"enforcementLevel": 1}},
        [f"required-tags.enforcementLevel: got the number 1; allowed: {LEVELS}"],
    ),
    "string for a list": (
        {"security-group-ingress": {"allowedAdminCidrs": "0.0.0.0/0"}},
        [
            'security-group-ingress.allowedAdminCidrs: got the string "0.0.0.0/0"; allowed: '
            "an array of strings"
        ],
    ),
    "wrong item type": (
        {"required-tags": {"requiredTags": ["Owner", 3]}},
        ["required-tags.requiredTags[1]: got the number 3; allowed: a string"],
    ),
    "wrong value in a map": (
        {"required-tags": {"tagValues": {"Owner": True}}},
        ["required-tags.tagValues.Owner: got true; allowed: a string"],
    ),
    "missing required property": (
        {"s3-bucket-encryption": {"exemptions": [{"reason": "legacy", "ticket": "SEC-1"}]}},
        [
            's3-bucket-encryption.exemptions[0]: got an object without "resource"; allowed: '
            "an object with resource (required), reason, expires, ticket"
        ],
    ),
    "misspelled exemption field": (
        {"vpc-flow-logs": {"exemptions": [{"resource": "lab", "reason": "x", "expirs": "2027"}]}},
        [
            "vpc-flow-logs.exemptions[0].expirs: unknown key; allowed: resource, reason, "
            'expires, ticket; did you mean "expires"?'
        ],
    ),
    "neither a level nor an object": (
        {"security-group-ingress": 3},
        [
            "security-group-ingress: got the number 3; allowed: an enforcement level "
            f"({LEVELS}) or an object of the policy's options"
        ],
    ),
    "null entry": (
        {"security-group-ingress": None},
        [
            "security-group-ingress: got null; allowed: an enforcement level "
            f"({LEVELS}) or an object of the policy's options"
        ],
    ),
    "options under all": (
        {"all": {"enforcementLevel": "advisory", "requiredTags": ["Owner"]}},
        [
            'all.requiredTags: unknown option ("all" sets only the enforcement level: options '
            "go under a policy's name); allowed: enforcementLevel"
        ],
    ),
    "non-object top level": (
        ["security-group-ingress"],
        [
            'policy config: got an array (["security-group-ingress"]); allowed: an object '
            'whose keys are "all" or policy names'
        ],
    ),
    "every problem, in order": (
        {"security-group-ingress": "off", "s3-bucket-encrytion": {"sseS3Buckets": "logs"}},
        [
            'security-group-ingress: got "off", not an enforcement level; allowed: '
            f'{LEVELS}; did you mean "disabled"?',
            's3-bucket-encrytion: unknown policy; allowed: "all" or the name of one of the '
            'pack\'s policies; did you mean "s3-bucket-encryption"?',
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS), ids=list(BAD_CONFIGS))
def test_bad_config_lines(case: str) -> None:
    config, lines = BAD_CONFIGS[case]
    assert validate_pack_config(config, POLICIES) == lines


def test_valid_configs() -> None:
    """The committed example, the configs other tests pass, every level in both shapes, and
    an empty config are valid."""
    configs: list[Any] = [
        json.loads(EXAMPLE.read_text()),
        PACK_CONFIG,
        DISABLED_CONFIG,
        {},
        *(case.config for case in CASES if case.config is not None),
    ]
    for level in EnforcementLevel:
        configs += [{"all": level.value}, {"vpc-flow-logs": {"enforcementLevel": level.value}}]
    for config in configs:
        assert validate_pack_config(config, POLICIES) == [], config


def test_schema_defaults_are_valid() -> None:
    """The CLI validates each policy's defaults with the user's config: a default that broke
    its own schema would stop every preview."""
    for policy in POLICIES:
        defaults = {
            key: schema["default"]
            for key, schema in policy.config_schema.properties.items()
            if "default" in schema
        }
        assert validate_pack_config({policy.name: defaults}, POLICIES) == [], policy.name


def test_schemas_use_only_the_checked_keywords() -> None:
    """The validator implements part of JSON schema; a policy whose schema used more would be
    checked less offline than by the CLI."""
    for policy in POLICIES:
        for key, schema in policy.config_schema.properties.items():
            assert pack_config.unchecked_keywords(schema) == set(), f"{policy.name}.{key}"


@pytest.mark.parametrize("case", list(BAD_CONFIGS), ids=list(BAD_CONFIGS))
def test_the_cli_refuses_no_less(case: str) -> None:
    """Whatever the CLI's schema validation refuses (its own schema per policy, checked here
    with jsonschema) is refused here too."""
    config, _ = BAD_CONFIGS[case]
    if not isinstance(config, dict):
        return  # The CLI refuses it while parsing; so do we (the case above).
    for policy in POLICIES:
        entry = config.get(policy.name)
        if not isinstance(entry, dict):
            continue
        schema = {
            "type": "object",
            "properties": {
                **policy.config_schema.properties,
                "enforcementLevel": {"enum": [level.value for level in EnforcementLevel]},
            },
        }
        if list(jsonschema.Draft7Validator(schema).iter_errors(entry)):
            assert validate_pack_config({policy.name: entry}, POLICIES), case


def test_resolve_policy_config_raises_every_problem() -> None:
    """The evaluation refuses a bad config with PackConfigError (one line per problem),
    never with the enum's bare ValueError."""
    with pytest.raises(PackConfigError) as raised:
        resolve_policy_config(
            POLICIES,
            PACK_ENFORCEMENT,
            INITIAL_CONFIG,
            {"security-group-ingress": "off", "required-tags": {"requiredTag": []}},
        )
    assert raised.value.problems == [
        'security-group-ingress: got "off", not an enforcement level; allowed: '
        f'{LEVELS}; did you mean "disabled"?',
        "required-tags.requiredTag: unknown option; allowed: enforcementLevel, requiredTags, "
        'tagValues, exemptions; did you mean "requiredTags"?',
    ]
    assert str(raised.value) == "\n".join(raised.value.problems)


def test_resolve_policy_config_on_part_of_the_pack() -> None:
    """Evaluating some policies (as the tests do), entries naming the others are not its
    business; the entries it applies are still checked."""
    selected = [p for p in POLICIES if p.name == "vpc-flow-logs"]
    config = {"vpc-flow-logs": "advisory", "required-tags": {"requiredTags": ["Owner"]}}
    resolved = resolve_policy_config(selected, PACK_ENFORCEMENT, INITIAL_CONFIG, config)
    assert resolved["vpc-flow-logs"][0] == EnforcementLevel.ADVISORY
    with pytest.raises(PackConfigError):
        resolve_policy_config(selected, PACK_ENFORCEMENT, None, {"vpc-flow-logs": "warn"})


def test_initial_config_is_checked_too() -> None:
    with pytest.raises(PackConfigError) as raised:
        resolve_policy_config(POLICIES, PACK_ENFORCEMENT, {"vpc-flow-logs": "on"}, None)
    assert raised.value.problems == [
        'initial config: vpc-flow-logs: got "on", not an enforcement level; allowed: '
        f'{LEVELS}; did you mean "mandatory"?'
    ]


def test_options_table() -> None:
    """One row per option (exemptions once, for every policy), from the schemas."""
    table = coverage.options_markdown().splitlines()
    assert table[:2] == [
        "| Policy | Option | Type | Default | Meaning |",
        "|---|---|---|---|---|",
    ]
    assert table[2].startswith(
        "| every policy | `exemptions` | array of objects with resource (required), reason, "
        "expires, ticket | `[]` | Resources this policy does not apply to: "
    )
    assert (
        "| `security-group-ingress` | `allowedAdminCidrs` | array of strings | "
        '`["203.0.113.0/24"]` | CIDRs from which SSH (22) and RDP (3389) may be allowed. |'
    ) in table
    options = sum(len(p.config_schema.properties) - 1 for p in POLICIES)
    assert len(table) == 2 + 1 + options
