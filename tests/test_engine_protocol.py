"""The pack's first door (P15): the Pulumi CLI starts it as a plugin and speaks the analyzer
protocol; its findings must be the offline check's (P10) for the same stack and config.

The test plays the engine (tests/engine_fake.py, which cites the pulumi/pulumi sources it
follows): it starts the pack with the interpreter PulumiPolicy.yaml names, from the pack's own
directory, then calls Handshake, ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure (the
CLI's reconciled config), Remediate and Analyze per resource and AnalyzeStack, on the prod
stack as the harness registers it.

Two wordings differ on purpose and are mapped one to one (the rest must be equal as sent):
- the pack prefixes each violation's message with the policy's description and a newline (the
  CLI shows the description apart); the offline check reports the message alone;
- a value unknown during preview: the SDK reports "can't run policy 'P' from policy pack
  'PACK@vV' during preview: WHAT" (or "can't run remediation ..."), the offline check
  "cannot verify during preview: WHAT" ("cannot remediate ..."), the wording README and
  tests/policies pin. Policy, resource, level and WHAT must match.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

import grpc
import pytest
from engine_fake import (
    LEVELS,
    SEVERITIES,
    Applied,
    EngineRun,
    Finding,
    configure_request,
    drive,
    pack_interpreter,
    plugin_env,
    reconcile_config,
    serve_engine,
    start_pack,
    validate_config,
)
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from support import REPO_ROOT, one, stack_run

from policy.evaluate import evaluate, resolve_policy_config, root_stack, stack_properties
from policy.harness import ProgramRun
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES

PACK_DIR = REPO_ROOT / "policy"
NOT_REMEDIATING = "Policy does not implement remediate"
NOT_VALIDATING = "Policy does not implement validate"

# A `--policy-pack-config` touching each way config changes a run: `all`, a policy at
# `remediate` with a remediation (tags), one at `remediate` without one (reported mandatory),
# options of a resource and of a stack policy, an exemption.
PACK_CONFIG: dict[str, Any] = {
    "all": "advisory",
    "required-tags": {
        "enforcementLevel": "remediate",
        "requiredTags": ["Environment", "Project", "Owner", "CostCenter", "DataClass", "Backup"],
        "tagValues": {"DataClass": "internal"},
        "exemptions": [
            {
                "resource": "prod-core-us-east-1-vpc",
                "reason": "engine protocol test",
                "expires": "2099-12-31",
                "ticket": "T-17",
            }
        ],
    },
    "listener-tls": {
        "enforcementLevel": "remediate",
        "allowedTlsPolicies": ["ELBSecurityPolicy-FS-1-2-Res-2020-10"],
    },
    "vpc-interface-endpoints": {"requiredServices": ["ec2", "ecr.api", "ecr.dkr", "ssm", "sqs"]},
}
# The same, with `listener-tls` disabled.
DISABLED_CONFIG: dict[str, Any] = {**PACK_CONFIG, "listener-tls": "disabled"}
_CANT_RUN = re.compile(
    r"^can't run (?P<what>policy|remediation) '(?P<policy>[^']+)' from policy pack "
    r"'(?P<pack>[^']+)@v[^']*' during preview: (?P<detail>.*)$",
    re.DOTALL,
)


@pytest.fixture(scope="module")
def engine() -> Iterable[Any]:
    """A fake engine the pack is pointed at: (servicer, address)."""
    server, servicer, address = serve_engine()
    yield servicer, address
    server.stop(0)


@pytest.fixture(scope="module")
def pack(engine: Any) -> Iterable[Any]:
    """The pack as `pulumi preview --policy-pack policy` starts it; killed at the end."""
    process = start_pack(PACK_DIR, engine[1], plugin_env(stack_run("prod")))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def info(pack: Any) -> analyzer_pb2.AnalyzerInfo:
    """GetAnalyzerInfo, which the CLI calls first after starting the pack."""
    return pack.stub.GetAnalyzerInfo(empty_pb2.Empty())


def test_pack_starts_as_the_cli_starts_it(pack: Any, engine: Any) -> None:
    """P15: the pack runs with PulumiPolicy.yaml's virtualenv from its own directory, prints
    a port, answers Handshake as the CLI accepts (Unimplemented falls back), ConfigureStack
    and GetPluginInfo, and logs no error back to the engine."""
    assert pack_interpreter(PACK_DIR).resolve() == (REPO_ROOT / ".venv/bin/python").resolve()
    assert pack.process.poll() is None, pack.stderr_text()
    try:
        pack.stub.Handshake(
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=engine[1],
                root_directory=str(PACK_DIR),
                program_directory=str(PACK_DIR),
            )
        )
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNIMPLEMENTED, error
    run = stack_run("prod")
    pack.stub.ConfigureStack(
        analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=run.stack,
            project=run.project,
            organization="organization",
            dry_run=True,
            config=dict(run.config),
            tags={"pulumi:project": run.project, "pulumi:runtime": "python"},
        )
    )
    plugin = pack.stub.GetPluginInfo(empty_pb2.Empty())
    assert re.match(r"^\d+\.\d+\.\d+", plugin.version), plugin.version
    servicer = engine[0]
    assert [log.message for log in servicer.logs if log.severity >= 3] == []


def test_nothing_on_the_pack_path_shadows_the_standard_library() -> None:
    """P15: `-m pulumi.policy` runs with the pack's directory first on sys.path, and the
    pack's `__main__.py` puts the repository root before it; a module there named like a
    standard module (policy/types.py did) breaks the SDK's imports before the pack starts."""
    offenders = []
    for folder in (PACK_DIR, PACK_DIR.parent):
        for entry in folder.iterdir():
            if entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()):
                name = entry.stem if entry.suffix == ".py" else entry.name
                if name in sys.stdlib_module_names:
                    offenders.append(f"{entry.relative_to(REPO_ROOT.parent)} shadows `{name}`")
    assert offenders == [], "; ".join(offenders)


def test_analyzer_info_lists_every_policy(info: analyzer_pb2.AnalyzerInfo) -> None:
    """P15: GetAnalyzerInfo names the pack and every policy with its level, type and schema."""
    assert info.name == PACK_NAME
    assert info.supportsConfig
    listed = {p.name: p for p in info.policies}
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    for policy in POLICIES:
        entry = listed[policy.name]
        level = policy.enforcement_level or PACK_ENFORCEMENT
        assert LEVELS[entry.enforcementLevel] == level.value, policy.name
        assert SEVERITIES[entry.severity] == policy.severity.value, policy.name
        kind = (
            analyzer_pb2.POLICY_TYPE_STACK
            if isinstance(policy, StackValidationPolicy)
            else analyzer_pb2.POLICY_TYPE_RESOURCE
        )
        assert entry.policy_type == kind, policy.name
        schema = policy.config_schema.properties if policy.config_schema else {}
        assert set(entry.configSchema.properties) == set(schema), policy.name
    assert dict(info.initialConfig) == {k: info.initialConfig[k] for k in INITIAL_CONFIG}


@pytest.mark.parametrize("config", [PACK_CONFIG, DISABLED_CONFIG], ids=["remediate", "disabled"])
def test_cli_config_is_the_offline_config(
    info: analyzer_pb2.AnalyzerInfo, config: dict[str, Any]
) -> None:
    """P10, P15: the levels and properties the CLI would configure equal the offline
    check's `resolve_policy_config` for the same `--policy-pack-config`, and the CLI's schema
    validation accepts the config."""
    reconciled = reconcile_config(info, config)
    assert validate_config(info, reconciled) == []
    offline = resolve_policy_config(POLICIES, PACK_ENFORCEMENT, INITIAL_CONFIG, config)
    engine = {name: (level, props or {}) for name, (level, props) in reconciled.items()}
    assert engine.pop("all") == (config["all"], {})
    assert engine == {name: (level.value, props) for name, (level, props) in offline.items()}


def test_initial_config_without_a_level_is_advisory(info: analyzer_pb2.AnalyzerInfo) -> None:
    """P10: an initial-config entry with properties only reaches the CLI with the enum's
    zero (ADVISORY), which the CLI applies; the offline check resolves it the same way."""
    name = "required-tags"
    pack_info = analyzer_pb2.AnalyzerInfo()
    pack_info.CopyFrom(info)
    pack_info.initialConfig[name].properties.update({"requiredTags": ["Owner"]})
    engine_level, engine_props = reconcile_config(pack_info, {})[name]
    initial = {name: {"requiredTags": ["Owner"]}}
    level, props = resolve_policy_config(POLICIES, PACK_ENFORCEMENT, initial, {})[name]
    assert (engine_level, engine_props["requiredTags"]) == ("advisory", ["Owner"])
    assert (level.value, props["requiredTags"]) == (engine_level, ["Owner"])


def _configure(pack: Any, info: analyzer_pb2.AnalyzerInfo, config: dict[str, Any]) -> None:
    pack.stub.Configure(configure_request(reconcile_config(info, config)))


def _engine_door(pack: Any, info: Any, run: ProgramRun, config: dict[str, Any]) -> EngineRun:
    _configure(pack, info, config)
    resources = [root_stack(run), *(r for r in run.resources if r.type != "pulumi:pulumi:Stack")]
    return drive(pack.stub, run, resources, stack_properties)


def _as_offline(finding: Finding, severities: dict[str, str]) -> Finding:
    # Diagnostics without a severity take the policy's, as the CLI's convertDiagnostics does.
    finding = dataclasses.replace(finding, severity=finding.severity or severities[finding.policy])
    match = _CANT_RUN.match(finding.message)
    if match is None:
        return finding
    assert (match["policy"], match["pack"]) == (finding.policy, PACK_NAME), finding
    verb = "verify" if match["what"] == "policy" else "remediate"
    return dataclasses.replace(finding, message=f"cannot {verb} during preview: {match['detail']}")


def _diff(label: str, engine: Iterable[Any], offline: Iterable[Any]) -> str:
    engine_count, offline_count = Counter(engine), Counter(offline)
    only_engine = sorted((engine_count - offline_count).elements())
    only_offline = sorted((offline_count - engine_count).elements())
    lines = [f"{label}: engine door and offline check differ"]
    lines += [f"  only engine:  {item}" for item in only_engine[:20]]
    lines += [f"  only offline: {item}" for item in only_offline[:20]]
    return "\n".join(lines)


def _compare(pack: Any, info: Any, run: ProgramRun, config: dict[str, Any]) -> EngineRun:
    """Run both doors on `run` with `config` and assert they found the same."""
    door = _engine_door(pack, info, run, config)
    offline = evaluate(
        run, POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG, config=config
    )
    # A policy that raises fails the engine's preview and makes the offline check exit 2.
    engine_errors = Counter(door.errors)
    offline_errors = Counter(
        (e.urn, e.error.strip().splitlines()[-1].split(": ", 1)[-1]) for e in offline.errors
    )
    assert engine_errors == offline_errors, _diff("errors", engine_errors, offline_errors)
    severities = {p.name: SEVERITIES[p.severity] for p in info.policies}
    engine_findings = Counter(_as_offline(f, severities) for f in door.findings)
    offline_findings = Counter(
        Finding(v.policy, v.urn, v.enforcement, v.severity, v.message) for v in offline.violations
    )
    assert engine_findings == offline_findings, _diff("findings", engine_findings, offline_findings)

    engine_fixes = Counter(door.remediations)
    offline_fixes = Counter(Applied(r.policy, r.urn, r.changed) for r in offline.remediations)
    assert engine_fixes == offline_fixes, _diff("remediations", engine_fixes, offline_fixes)

    # The SDK's bookkeeping: a policy at `remediate` without a remediation is "not applicable"
    # to every Remediate call; one without a validation to every Analyze.
    reconciled = reconcile_config(info, config)
    resources = [root_stack(run), *(r for r in run.resources if r.type != "pulumi:pulumi:Stack")]
    expected = Counter(
        (p.name, r.urn, reason)
        for p in POLICIES
        if isinstance(p, ResourceValidationPolicy)
        for reason, missing in (
            (NOT_REMEDIATING, reconciled[p.name][0] == "remediate" and not p.has_remediation()),
            (NOT_VALIDATING, reconciled[p.name][0] != "disabled" and not p.has_validation()),
        )
        if missing
        for r in resources
    )
    expected.update((n.policy, n.urn, n.reason) for n in offline.not_applicable)
    engine_na = Counter(door.not_applicable)
    assert engine_na == expected, _diff("not applicable", engine_na, expected)
    return door


def test_engine_door_finds_what_the_offline_check_finds(pack: Any, info: Any) -> None:
    """P15, P10: on the prod stack, with remediations, `all`, options and an exemption, the
    engine door reports the offline check's findings, levels and remediations, and the engine
    analyzes the root stack, components and providers too."""
    run = stack_run("prod")
    door = _compare(pack, info, run, PACK_CONFIG)
    assert door.errors == []
    policies = Counter(f.policy for f in door.findings)
    levels = {(f.policy, f.enforcement) for f in door.findings}
    # Each setting left its mark, so equality above is not two empty sets.
    assert ("listener-tls", "mandatory") in levels  # remediate without a remediation
    assert ("required-tags", "mandatory") in levels  # what the remediation left (Backup)
    assert ("vpc-interface-endpoints", "advisory") in levels  # `all`, a stack policy's options
    assert policies["listener-tls"] == 2
    assert {a.changed for a in door.remediations} == {("tags",)}
    vpc = one(run, "aws:ec2/vpc:Vpc", "prod-core-us-east-1-vpc")
    assert vpc.urn not in {f.urn for f in door.findings if f.policy == "required-tags"}
    assert door.inputs[vpc.urn]["tags"].get("DataClass") is None  # exempt: not remediated
    assert any(r.urn == vpc.urn for r in stack_run("prod").resources)
    assert run.stack_urn in door.inputs


def test_disabled_policies_and_unknowns_match(pack: Any, info: Any) -> None:
    """P15, P10: a disabled policy is silent through both doors, and values unknown during
    preview give the same advisory "cannot verify" / "cannot remediate" findings, for a
    resource policy, a remediation and a stack policy."""
    run = _with_unknowns(stack_run("prod"))
    door = _compare(pack, info, run, DISABLED_CONFIG)
    assert not [f for f in door.findings if f.policy == "listener-tls"]
    bucket = next(r for r in run.resources if r.type == "aws:s3/bucket:Bucket")
    assert any(
        f.urn == bucket.urn and f.message.startswith("can't run policy 'required-tags'")
        for f in door.findings
    )
    assert any(f.urn == run.stack_urn and "can't run policy" in f.message for f in door.findings), (
        "no stack policy met an unknown"
    )


def _with_unknowns(run: ProgramRun) -> ProgramRun:
    """A copy of `run` where one bucket's tags and ARN and every VPC's id are unknown. (The
    VPC ids alone no longer stop a stack policy: they follow links through dependencies. S3.6
    still stops on an unknown ARN, on purpose: it learns the stack's accounts from them.)"""
    changed = copy.deepcopy(run)
    bucket = next(r for r in changed.resources if r.type == "aws:s3/bucket:Bucket")
    bucket.inputs["tags"] = UNKNOWN_STRING_VALUE
    bucket.state["arn"] = UNKNOWN_STRING_VALUE
    for vpc in changed.of_type("aws:ec2/vpc:Vpc"):
        vpc.state["id"] = UNKNOWN_STRING_VALUE
    return changed


# What a first preview cannot know yet and stack policies link through: buckets, the network
# (VPC, subnets, route tables, gateways, security groups, DB subnet groups), a web ACL, the
# load balancers, secrets and GuardDuty detectors.
FIRST_PREVIEW_TYPES = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:wafv2/webAcl:WebAcl",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:secretsmanager/secret:Secret",
        "aws:guardduty/detector:Detector",
    }
)


def _first_preview(run: ProgramRun) -> ProgramRun:
    """A copy of `run` shaped as a first preview sees it: the ids and ARNs of the resources of
    FIRST_PREVIEW_TYPES unknown, and so every input that passes one on (a split resource's
    `bucket`, a subnet list, a route's gateway), where it is passed. (A document built from an
    ARN by `apply` would be unknown whole; the policies reading documents then say they cannot
    verify, which is right and not what this shape tests.)"""
    changed = copy.deepcopy(run)
    owners = [r for r in changed.resources if r.type in FIRST_PREVIEW_TYPES]
    computed = {r.state[k] for r in owners for k in ("id", "arn") if r.state.get(k)}
    urns = {r.urn for r in owners}

    def unknown(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: unknown(v) for k, v in value.items()}
        if isinstance(value, list):
            return [unknown(v) for v in value]
        return UNKNOWN_STRING_VALUE if isinstance(value, str) and value in computed else value

    for resource in changed.resources:
        for key, dependencies in resource.property_dependencies.items():
            if urns & set(dependencies) and key in resource.inputs:
                resource.inputs[key] = unknown(resource.inputs[key])
                if key in resource.state:
                    resource.state[key] = unknown(resource.state[key])
    for owner in owners:
        for key in ("id", "arn"):
            if key in owner.state:
                owner.state[key] = UNKNOWN_STRING_VALUE
    return changed


def test_merged_policies_run_in_a_first_preview(pack: Any, info: Any) -> None:
    """Issue 21 (P19, P15): in a first preview the ids and ARNs of buckets, the network, a web
    ACL, load balancers, secrets and detectors are unknown, and so is every link built from
    them; `Links` follows the links' property dependencies, which the engine sends in
    AnalyzeStack, so the stack policies still judge every resource, over several hops (subnet,
    route table, NAT gateway): both doors agree, and they find what they find once the values
    are known. One policy says it cannot run, on purpose: S3.6 learns the stack's own accounts
    from its ARNs, and without them a grant to the stack's account would read as a grant to
    another."""
    known = stack_run("prod")
    run = _first_preview(known)
    door = _compare(pack, info, run, {})
    blocked = sorted(
        (f.policy, f.message.split("during preview: ", 1)[-1])
        for f in door.findings
        if f.message.startswith("can't run policy")
    )
    assert blocked == [
        ("s3-cross-account-grants", "string value at .arn can't be known during preview")
    ]

    def judged(run: ProgramRun) -> set[tuple[str, str, str]]:
        result = evaluate(run, POLICIES, pack_level=PACK_ENFORCEMENT, initial_config=INITIAL_CONFIG)
        return {
            (v.policy, v.urn, v.message)
            for v in result.violations
            if v.policy != "s3-cross-account-grants"
        }

    assert judged(run) == judged(known)
