"""The Pulumi engine's half of the analyzer protocol, for tests that open the pack's first door
(P15): `pulumi preview --policy-pack policy` starts the pack as a plugin and calls it over gRPC.

Everything here follows pulumi/pulumi's Go sources, read for this purpose:
- sdk/go/common/resource/plugin/analyzer_plugin.go: `NewPolicyAnalyzer` starts
  `pulumi-analyzer-policy-python ENGINE . -virtualenv=...` in the pack's directory with
  `constructEnv`'s variables (PULUMI_CONFIG, PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN,
  PULUMI_ORGANIZATION); the shim runs `python -u -m pulumi.policy ENGINE .` with the
  virtualenv's interpreter. It then calls Handshake (Unimplemented is accepted) and
  ConfigureStack; `Analyze`, `AnalyzeStack`, `Remediate` marshal properties with
  `KeepUnknowns` and `KeepSecrets`; `marshalResourceOptions` always sets `customTimeouts` and
  `deleteBeforeReplaceDefined`; `GetAnalyzerInfo`/`convertPolicyConfig` read an initial-config
  entry's unset enforcement level as the enum's zero, ADVISORY.
- pkg/engine/plugins.go: for each pack, GetAnalyzerInfo, then `ReconcilePolicyPackConfig`
  (pkg/resource/analyzer/config.go: schema defaults, `applyConfig` of the pack's initial
  config, `applyConfig` of the `--policy-pack-config` file as `parsePolicyPackConfig` reads it,
  each applying `all` before per-policy entries and merging properties key by key), then
  Configure with the result.
- pkg/resource/deploy/step_generator.go: per registered resource (the root stack, components
  and providers included), every analyzer's Remediate first, the remediated properties replacing
  the inputs, then Analyze; each diagnostic is attributed to the resource being analyzed and
  REMEDIATE is reported as MANDATORY. `AnalyzeResources` then calls AnalyzeStack with every
  resource's outputs, the parent outside the options, and attributes a diagnostic without a
  known URN to the root stack.
"""

from __future__ import annotations

import os
import select
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties

from policy.harness import CapturedResource, ProgramRun

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_ENUM = {name: number for number, name in LEVELS.items()}
SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine service a plugin may call back (logs, the root resource); records calls."""

    def __init__(self) -> None:
        self.logs: list[engine_pb2.LogRequest] = []
        self.root_urn = ""

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        """Record a log line the plugin sent."""
        self.logs.append(request)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        """The root stack's URN, as set."""
        return engine_pb2.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        """Remember the root stack's URN."""
        self.root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()


def serve_engine() -> tuple[grpc.Server, FakeEngine, str]:
    """Start a fake engine on a free local port: (server, servicer, address)."""
    engine = FakeEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, engine, f"127.0.0.1:{port}"


def pack_interpreter(pack_dir: Path) -> Path:
    """The interpreter the CLI runs the pack with: `runtime.options.virtualenv` of
    PulumiPolicy.yaml, relative to the pack's directory."""
    project = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text())
    runtime = project["runtime"]
    assert isinstance(runtime, dict) and runtime.get("name") == "python", runtime
    venv = Path(runtime["options"]["virtualenv"])
    return (pack_dir / venv if not venv.is_absolute() else venv) / "bin" / "python"


@dataclass
class PackProcess:
    """The pack running as the CLI starts it, and a client of its Analyzer service."""

    process: subprocess.Popen[bytes]
    stderr: Any
    channel: grpc.Channel
    stub: analyzer_pb2_grpc.AnalyzerStub
    port: int

    def stderr_text(self) -> str:
        """What the pack wrote on stderr so far."""
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        """Close the channel and end the process, as the engine does at the end of a run."""
        self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()


def start_pack(
    pack_dir: Path, engine_address: str, env: Mapping[str, str], timeout: float = 30.0
) -> PackProcess:
    """Start `python -u -m pulumi.policy ENGINE .` in `pack_dir` and connect to the port it
    prints. Fails with the pack's stderr when it exits or stays silent."""
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the process; closed by stop)
    process = subprocess.Popen(
        [str(pack_interpreter(pack_dir)), "-u", "-m", "pulumi.policy", engine_address, "."],
        cwd=pack_dir,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else b""
    if not line.strip().isdigit():
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        stderr.seek(0)
        raise AssertionError(
            f"the pack printed {line!r} instead of its port (exit {process.returncode}); "
            f"stderr:\n{stderr.read().decode(errors='replace')}"
        )
    port = int(line)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=timeout)
    return PackProcess(process, stderr, channel, analyzer_pb2_grpc.AnalyzerStub(channel), port)


def plugin_env(run: ProgramRun, organization: str = "organization") -> dict[str, str]:
    """The environment `constructEnv` gives the pack: the caller's, plus the stack's config
    and identity. PYTHONPATH is dropped so that the pack imports only what it arranges itself."""
    import json

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        PULUMI_CONFIG=json.dumps(dict(run.config)),
        PULUMI_ORGANIZATION=organization,
        PULUMI_PROJECT=run.project,
        PULUMI_STACK=run.stack,
        PULUMI_DRY_RUN="true",
    )
    return env


# --------------------------------------------------------------------------------------------
# Config: what the CLI sends to Configure


def _parse_level(value: Any) -> str:
    assert value in LEVEL_ENUM, f"{value!r} is not a valid enforcement level"
    return str(value)


def parse_policy_pack_config(config: Mapping[str, Any]) -> dict[str, tuple[str, dict | None]]:
    """A `--policy-pack-config` JSON object as `parsePolicyPackConfig` reads it:
    policy -> (enforcement level or "", properties or None); empty entries dropped."""
    result: dict[str, tuple[str, dict | None]] = {}
    for key, value in config.items():
        if isinstance(value, str):
            level, properties = _parse_level(value), None
        else:
            assert isinstance(value, Mapping), f"{key}: must be a string or object"
            properties = {k: v for k, v in value.items() if k != "enforcementLevel"} or None
            level = _parse_level(value["enforcementLevel"]) if "enforcementLevel" in value else ""
        if level or properties:
            result[key] = (level, properties)
    return result


def _apply_config(
    result: dict[str, tuple[str, dict | None]], given: Mapping[str, tuple[str, dict | None]]
) -> dict[str, tuple[str, dict | None]]:
    if "all" in given and given["all"][0]:
        result = {name: (given["all"][0], props) for name, (_, props) in result.items()}
    for name, (level, properties) in given.items():
        current_level, current = result.get(name, ("", None))
        merged = dict(current) if current is not None else None
        if properties:
            merged = {**(merged or {}), **properties}
        result[name] = (level or current_level, merged)
    return result


def reconcile_config(
    info: analyzer_pb2.AnalyzerInfo, user_config: Mapping[str, Any]
) -> dict[str, tuple[str, dict | None]]:
    """`ReconcilePolicyPackConfig(info.Policies, info.InitialConfig, config)`: each policy's
    level and properties (and an `all` entry if the user gave one, as the CLI passes it on)."""
    result: dict[str, tuple[str, dict | None]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
        result[policy.name] = (LEVELS[policy.enforcementLevel], defaults or None)
    initial = {
        name: (LEVELS[entry.enforcementLevel], json_format.MessageToDict(entry.properties) or None)
        for name, entry in info.initialConfig.items()
    }
    result = _apply_config(result, initial)
    return _apply_config(result, parse_policy_pack_config(user_config))


def validate_config(
    info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, tuple[str, dict | None]]
) -> list[str]:
    """`validatePolicyPackConfig`: each policy's properties against its schema (with the
    `enforcementLevel` property the CLI injects); the CLI refuses to run on any error."""
    import jsonschema

    errors = []
    for policy in info.policies:
        properties = json_format.MessageToDict(policy.configSchema.properties)
        properties["enforcementLevel"] = {"type": "string", "enum": list(LEVEL_ENUM)}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if policy.configSchema.required:
            schema["required"] = list(policy.configSchema.required)
        given = (config.get(policy.name) or ("", None))[1] or {}
        for error in jsonschema.Draft7Validator(schema).iter_errors(given):
            errors.append(f"{policy.name}: {error.message}")
    return errors


def configure_request(
    config: Mapping[str, tuple[str, dict | None]],
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """The Configure request `analyzer.Configure` builds from the reconciled config."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, properties) in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = LEVEL_ENUM[level]
        entry.properties.update(properties or {})
    return request


# --------------------------------------------------------------------------------------------
# Resources on the wire


def encode(value: Any, secret: bool = False) -> Any:
    """A value in the engine's wire encoding: secrets wrapped in the secret signature object;
    unknowns stay the sentinel strings the harness holds (the engine keeps the element type
    the SDK or the provider's Check gave them)."""
    if secret:
        return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": encode(value)}
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> struct_pb2.Struct:
    """Properties as the engine marshals them (`KeepUnknowns`, `KeepSecrets`)."""
    secrets = set(secret_keys)
    struct = struct_pb2.Struct()
    struct.update({k: encode(v, k in secrets) for k, v in props.items() if v is not None})
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Properties a remediation returned, secrets unwrapped."""
    return deserialize_properties(json_format.MessageToDict(struct))


def _options(resource: CapturedResource, *, parent: bool) -> analyzer_pb2.AnalyzerResourceOptions:
    opts = resource.options
    timeouts = {k: _seconds(v) for k, v in opts.custom_timeouts.items()}
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=opts.protect,
        ignoreChanges=list(opts.ignore_changes),
        deleteBeforeReplace=bool(opts.delete_before_replace),
        deleteBeforeReplaceDefined=opts.delete_before_replace is not None,
        additionalSecretOutputs=list(opts.additional_secret_outputs),
        aliases=list(opts.aliases),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=timeouts.get("create", 0.0),
            update=timeouts.get("update", 0.0),
            delete=timeouts.get("delete", 0.0),
        ),
        parent=(resource.parent_urn or "") if parent else "",
    )


def _seconds(duration: str) -> float:
    # The engine parses the SDK's Go-style durations ("1h30m", "90s") into seconds.
    units, total, number = {"h": 3600.0, "m": 60.0, "s": 1.0}, 0.0, ""
    for char in duration:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total, number = total + float(number) * units[char], ""
    return total


def _provider(run: ProgramRun, resource: CapturedResource) -> Any:
    provider = run.provider_of(resource)
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type,
        urn=provider.urn,
        name=provider.name,
        properties=to_struct(provider.inputs, provider.options.additional_secret_outputs),
    )


def analyze_request(
    run: ProgramRun, resource: CapturedResource, inputs: Mapping[str, Any]
) -> analyzer_pb2.AnalyzeRequest:
    """The request of Remediate and Analyze for one resource. Inputs the program registered
    as secret outputs (`additionalSecretOutputs`) travel as secrets."""
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=to_struct(inputs, resource.options.additional_secret_outputs),
        options=_options(resource, parent=True),
    )
    provider = _provider(run, resource)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_resource(
    run: ProgramRun, resource: CapturedResource, outputs: Mapping[str, Any]
) -> analyzer_pb2.AnalyzerResource:
    """One resource of the AnalyzeStack request, as `AnalyzeResources` builds it."""
    message = analyzer_pb2.AnalyzerResource(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=to_struct(outputs, resource.options.additional_secret_outputs),
        options=_options(resource, parent=False),
        parent=resource.parent_urn or "",
        dependencies=list(resource.dependencies),
    )
    for key, urns in resource.property_dependencies.items():
        if urns:  # the engine leaves out properties without dependencies
            message.propertyDependencies[key].urns.extend(urns)
    provider = _provider(run, resource)
    if provider is not None:
        message.provider.CopyFrom(provider)
    return message


# --------------------------------------------------------------------------------------------
# What the engine makes of the answers


@dataclass(frozen=True, order=True)
class Finding:
    """One diagnostic as the engine reports it, or one offline violation in the same shape."""

    policy: str
    urn: str
    enforcement: str
    severity: str
    message: str


@dataclass(frozen=True, order=True)
class Applied:
    """One remediation: the policy, the resource and the top-level properties it changed."""

    policy: str
    urn: str
    changed: tuple[str, ...]


@dataclass
class EngineRun:
    """Everything the engine door reported for one stack."""

    findings: list[Finding] = field(default_factory=list)
    remediations: list[Applied] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each resource's inputs after remediation, as the engine carries them on."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(URN, exception) of each call the pack failed; the engine would stop the preview at
    the first ("failed to run remediation/policy"), the fake goes on to compare the rest."""


def diagnostic_finding(diagnostic: analyzer_pb2.AnalyzeDiagnostic, urn: str) -> Finding:
    """A diagnostic attributed to `urn`, with the description the pack prefixes removed (the
    CLI shows it apart) and REMEDIATE reported as MANDATORY, as the step generator does."""
    message = diagnostic.message
    prefix = diagnostic.description + "\n"
    if message.startswith(prefix):
        message = message[len(prefix) :]
    elif message == diagnostic.description:
        message = ""
    level = LEVELS[diagnostic.enforcementLevel]
    return Finding(
        diagnostic.policyName,
        urn,
        "mandatory" if level == "remediate" else level,
        SEVERITIES[diagnostic.severity],
        message,
    )


def drive(
    stub: analyzer_pb2_grpc.AnalyzerStub,
    run: ProgramRun,
    resources: list[CapturedResource],
    stack_outputs: Any,
) -> EngineRun:
    """Preview `resources` (registration order, root stack first) through the pack: per
    resource Remediate then Analyze on the remediated inputs, then one AnalyzeStack with every
    resource's outputs, `stack_outputs(resource, inputs after remediation)`."""
    result = EngineRun()
    known = {r.urn for r in resources}
    for resource in resources:
        inputs = dict(resource.inputs)
        try:
            remediated = stub.Remediate(analyze_request(run, resource, inputs))
        except grpc.RpcError as error:
            result.errors.append((resource.urn, _exception(error)))
            remediated = analyzer_pb2.RemediateResponse()
        for remediation in remediated.remediations:
            if remediation.diagnostic:
                result.findings.append(
                    Finding(
                        remediation.policyName, resource.urn, "advisory", "", remediation.diagnostic
                    )
                )
            elif remediation.HasField("properties"):
                after = from_struct(remediation.properties)
                changed = tuple(
                    sorted(k for k in {*inputs, *after} if inputs.get(k) != after.get(k))
                )
                result.remediations.append(Applied(remediation.policyName, resource.urn, changed))
                inputs = after
        result.not_applicable.extend(
            (n.policy_name, resource.urn, n.reason) for n in remediated.not_applicable
        )
        result.inputs[resource.urn] = inputs
        try:
            analyzed = stub.Analyze(analyze_request(run, resource, inputs))
        except grpc.RpcError as error:
            result.errors.append((resource.urn, _exception(error)))
            continue
        # The step generator always uses the URN of the resource it analyzes.
        result.findings.extend(diagnostic_finding(d, resource.urn) for d in analyzed.diagnostics)
        result.not_applicable.extend(
            (n.policy_name, resource.urn, n.reason) for n in analyzed.not_applicable
        )
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            stack_resource(run, r, stack_outputs(r, result.inputs[r.urn])) for r in resources
        ]
    )
    analyzed = stub.AnalyzeStack(request)
    for diagnostic in analyzed.diagnostics:
        urn = diagnostic.urn if diagnostic.urn in known else run.stack_urn
        result.findings.append(diagnostic_finding(diagnostic, urn))
    result.not_applicable.extend(
        (n.policy_name, run.stack_urn, n.reason) for n in analyzed.not_applicable
    )
    return result


def _exception(error: grpc.RpcError) -> str:
    # grpcio reports a servicer's exception as "Exception calling application: <message>".
    details = str(error.details())  # type: ignore[attr-defined]
    return details.removeprefix("Exception calling application: ")
