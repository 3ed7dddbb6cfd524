"""The mock engine: a resource monitor that keeps what the engine would know of every
registration (inputs after the provider's Check, options, provider, parent, dependencies,
source position) and answers with the fake AWS outputs, and the mocks that answer invokes and
reads (stack references)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from pulumi_policy.deserialize import deserialize_properties

from . import sdk_compat
from .fakes import outputs_for
from .invoke_answers import InvokeAnswers
from .invokes import INVOKES
from .model import DEFAULT_REGION, CapturedOptions, CapturedResource, RemoteComponent
from .provider_check import CheckFailure, checked_inputs, region_of
from .values import convert_refs


class RunState:
    """Mutable state of one run, shared by the monitor and the mocks."""

    def __init__(
        self,
        project: str,
        stack: str,
        config: Mapping[str, str],
        stack_references: Mapping[str, Mapping[str, Any]] | None = None,
        invoke_answers: InvokeAnswers | None = None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.config = dict(config)
        self.stack_references = dict(stack_references or {})
        self.resources: list[CapturedResource] = []
        self.providers: dict[str, CapturedResource] = {}
        self.invoke_answers = invoke_answers or InvokeAnswers()
        self.unmocked_invokes: list[str] = []
        # Each call answered empty (token, arguments): a failure names them.
        self.empty_invokes: list[tuple[str, dict[str, Any]]] = []
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self.remote_components: list[RemoteComponent] = []
        self.lock = threading.Lock()
        self.default_providers: dict[str, CapturedResource] = {}
        self.errors: list[str] = []
        # Every URN and alias registered so far, to the URN of the resource that holds it.
        self.claimed_urns: dict[str, str] = {}
        # Event loops the monitor's worker threads create; closed after the run, or they are
        # collected after their sockets and warn.
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()

    def fail(self, message: str) -> RuntimeError:
        """Record a failure the engine would report, and the error to raise for it. Recorded,
        not only raised: the SDK wraps errors from the monitor in chains that bury them."""
        with self.lock:
            self.errors.append(message)
        return RuntimeError(message)

    def _config_json(self, key: str) -> Any:
        raw = self.config.get(key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw

    def disabled_default_providers(self) -> set[str]:
        value = self._config_json("pulumi:disable-default-providers") or []
        return set(value if isinstance(value, list) else [value])

    def default_provider(self, package: str) -> CapturedResource:
        """The default provider of a package, configured from `<package>:*` stack config."""
        with self.lock:
            if package in self.default_providers:
                return self.default_providers[package]
            inputs = {
                key.split(":", 1)[1]: self._config_json(key)
                for key in self.config
                if key.startswith(f"{package}:")
            }
            # The engine registers default providers as `default_<version>` resources.
            name = f"default_{_package_version(package).replace('.', '_')}"
            urn = f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::{name}"
            provider = CapturedResource(
                urn=urn,
                type=f"pulumi:providers:{package}",
                name=name,
                custom=True,
                inputs=inputs,
                state=dict(inputs),
                id="default",
                provider_urn=None,
                parent_urn=None,
                dependencies=[],
                property_dependencies={},
                options=CapturedOptions(),
            )
            self.default_providers[package] = provider
            self.providers[urn] = provider
            self.resources.append(provider)
            return provider

    def provider_for_ref(self, ref: str | None, package: str) -> CapturedResource:
        """The provider a reference (`<provider urn>::<provider id>`) names, else the
        package's default provider."""
        if ref:
            urn = ref.rsplit("::", 1)[0]
            if urn in self.providers:
                return self.providers[urn]
        return self.default_provider(package)


def _package_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(f"pulumi-{package}")
    except PackageNotFoundError:
        return "0.0.0"


class AwsMocks(sdk_compat.Mocks):
    """Answers invokes with the user's answers, else realistic values, and stack-reference
    reads with the outputs the check was given for them."""

    def __init__(self, run: RunState) -> None:
        self._run = run

    def new_resource(self, args: sdk_compat.MockResourceArgs) -> tuple[str, dict]:
        # Only reads reach this (`Resource.get`, stack references); registrations go through
        # the monitor below.
        if args.typ == "pulumi:pulumi:StackReference":
            name = str(args.inputs.get("name") or args.resource_id)
            outputs = self._run.stack_references.get(name)
            if outputs is None:
                raise self._run.fail(
                    f"stack reference {name!r} has no outputs: pass --stack-reference "
                    f"{name}=FILE.json (the output of `pulumi stack output --json`)"
                )
            return name, {"name": name, "outputs": dict(outputs), "secretOutputNames": []}
        return args.resource_id or f"{args.name}-id", dict(args.inputs)

    def call(self, args: sdk_compat.MockCallArgs) -> tuple[dict, list]:
        package = args.token.split(":")[0]
        provider = self._run.provider_for_ref(args.provider, package) if package == "aws" else None
        call_args = dict(args.args)
        answer = self._run.invoke_answers.answer(args.token, call_args)
        handler = INVOKES.get(args.token)
        empty = answer is None and handler is None
        with self._run.lock:
            self._run.invokes.append((args.token, call_args))
            if empty:
                self._run.unmocked_invokes.append(args.token)
                self._run.empty_invokes.append((args.token, call_args))
        if answer is not None:
            return answer, []
        if handler is None:
            return {}, []
        return handler(dict(call_args), region_of(provider), provider), []


class Monitor(sdk_compat.MockMonitor):
    """The SDK's mock monitor, extended to keep everything the engine would know of a
    registration and to fail where the engine fails."""

    def __init__(self, mocks: AwsMocks, run: RunState, quiet: Any) -> None:
        super().__init__(mocks)
        self._run = run
        self._quiet = quiet

    def _track_thread_loop(self) -> None:
        loop = sdk_compat.thread_event_loop()
        loop.set_exception_handler(self._quiet)
        with self._run.lock:
            self._run.thread_loops.add(loop)

    def Invoke(self, request: Any) -> Any:
        self._track_thread_loop()
        return super().Invoke(request)

    def ReadResource(self, request: Any) -> Any:
        self._track_thread_loop()
        return super().ReadResource(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's qualified types.
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return sdk_compat.register_response(urn)
        self._track_thread_loop()
        run = self._run
        raw = convert_refs(json_format.MessageToDict(request.object))
        inputs = deserialize_properties(raw)
        package = request.type.split(":")[0]
        provider: CapturedResource | None = None
        is_provider = request.type.startswith("pulumi:providers:")
        if request.custom and not is_provider and package not in ("pulumi",):
            if not request.provider and package in run.disabled_default_providers():
                raise run.fail(
                    f"Default provider for '{package}' disabled. '{urn}' must use an "
                    "explicit provider (pulumi:disable-default-providers)."
                )
            provider = run.provider_for_ref(request.provider or None, package)
        if request.remote:
            # A multi-language component (awsx, eks, ...): the engine would run its provider's
            # Construct and register its children; the check cannot, so it says so.
            with run.lock:
                run.remote_components.append(RemoteComponent(urn, request.type, request.name))
        try:
            inputs = checked_inputs(request.type, request.name, urn, inputs, provider)
        except CheckFailure as failure:
            raise run.fail(str(failure)) from None
        region = region_of(provider) if not is_provider else str(inputs.get("region") or "")
        rid, state = "", {}
        if request.custom:
            rid, state = outputs_for(
                request.type, request.name, urn, inputs, region or DEFAULT_REGION
            )
        captured = CapturedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            inputs=inputs,
            state=state,
            id=rid,
            provider_urn=provider.urn if provider else None,
            parent_urn=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={
                k: list(v.urns) for k, v in request.propertyDependencies.items()
            },
            options=_options(request, self._aliases(request)),
            source=(request.sourcePosition.uri, request.sourcePosition.line)
            if request.HasField("sourcePosition") and request.sourcePosition.uri
            else None,
        )
        self._claim_urns(captured)
        with run.lock:
            run.resources.append(captured)
            if is_provider:
                run.providers[urn] = captured
        self.resources[urn] = sdk_compat.ResourceRegistration(urn, rid, state)
        return sdk_compat.register_response(urn, rid, sdk_compat.serialize_state(state))

    def _claim_urns(self, resource: CapturedResource) -> None:
        """Fail as the engine fails when two resources share a URN, or an alias names a URN
        another resource has or aliases (the step generator's duplicate checks)."""
        run = self._run
        with run.lock:
            claimed = run.claimed_urns
            problem = None
            if resource.urn in claimed:
                problem = f"Duplicate resource URN '{resource.urn}'; try giving it a unique name"
            for alias in resource.options.aliases:
                if alias in claimed and claimed[alias] != resource.urn:
                    problem = (
                        f"Duplicate resource alias '{alias}' applied to resource with URN "
                        f"'{resource.urn}' conflicting with resource with URN '{claimed[alias]}'"
                    )
            if problem is None:
                claimed[resource.urn] = resource.urn
                for alias in resource.options.aliases:
                    claimed[alias] = resource.urn
                return
        raise run.fail(problem)

    def _aliases(self, request: Any) -> tuple[str, ...]:
        """Every alias as the URN it names, whether the SDK sent URNs or alias specs."""
        run = self._run
        found = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                found.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urn = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            project, stack = spec.project or run.project, spec.stack or run.stack
            found.append(
                urn.replace(
                    f"urn:pulumi:{run.stack}::{run.project}::",
                    f"urn:pulumi:{stack}::{project}::",
                    1,
                )
            )
        return tuple(found)


def _options(request: Any, aliases: tuple[str, ...]) -> CapturedOptions:
    return CapturedOptions(
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        ignore_changes=tuple(request.ignoreChanges),
        delete_before_replace=(
            request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
        ),
        aliases=aliases,
        additional_secret_outputs=tuple(request.additionalSecretOutputs),
        replace_on_changes=tuple(request.replaceOnChanges),
        custom_timeouts={
            k: v
            for k, v in (
                ("create", request.customTimeouts.create),
                ("update", request.customTimeouts.update),
                ("delete", request.customTimeouts.delete),
            )
            if v
        },
        deleted_with=request.deletedWith or None,
        replacement_trigger=_trigger(request),
    )


def _trigger(request: Any) -> Any:
    """A request's replacement trigger, deserialized like inputs (None when unset)."""
    if not request.HasField("replacement_trigger"):
        return None
    value = json_format.MessageToDict(request.replacement_trigger)
    return deserialize_properties({"trigger": value})["trigger"]
