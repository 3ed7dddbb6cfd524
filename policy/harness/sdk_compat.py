"""Every place the harness reaches into the Pulumi Python SDK's internals, and nowhere else.

The public mock API (`pulumi.runtime.Mocks`, `set_mocks`) cannot express what the harness
needs: the monitor's raw RegisterResource requests (options, aliases, source positions), a
fresh root stack per run, and the worker threads' event loops. Each internal below was read
from the SDK version in READ_FROM, and `tests/test_sdk_compat.py` checks each one still
exists and behaves so; a Pulumi upgrade that changes one fails there, not somewhere deep in a
run.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from typing import Any

from pulumi.runtime import mocks as _mocks
from pulumi.runtime import resource as _resource
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime.proto import resource_pb2 as _resource_pb2
from pulumi.runtime.proto import source_pb2 as _source_pb2
from pulumi.runtime.stack import wait_for_rpcs as _wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

READ_FROM = "3.272.0"
"""The pulumi SDK version these internals were read from."""

# The signature keys the SDK marks special values with (pulumi/runtime/rpc.py).
SIG_KEY: str = _rpc._special_sig_key
RESOURCE_REFERENCE_SIG: str = _rpc._special_resource_sig
SECRET_SIG: str = _rpc._special_secret_sig

MockMonitor = _mocks.MockMonitor
"""The SDK's in-process resource monitor, which the harness's monitor extends."""
Mocks = _mocks.Mocks
MockCallArgs = _mocks.MockCallArgs
MockResourceArgs = _mocks.MockResourceArgs
ResourceRegistration = _mocks.MockMonitor.ResourceRegistration


def thread_event_loop() -> asyncio.AbstractEventLoop:
    """The event loop of the calling worker thread (the SDK's monitor calls run in a thread
    pool and create one each)."""
    return _mocks._ensure_event_loop()


def reset_root_stack() -> None:
    """Forget the root stack of an earlier run: `set_mocks` creates one only when none is set,
    and a stale one would parent this run's resources (pulumi/pulumi#24338)."""
    _settings.ROOT.set(None)


def root_resource() -> Any:
    """The run's root stack resource."""
    return _settings.get_root_resource()


def clear_stack_outputs() -> None:
    """Drop the outputs the SDK collects for the root stack across runs."""
    _settings.SETTINGS.outputs.clear()


async def wait_for_rpcs() -> None:
    """Wait until every registration and invoke the program started has finished."""
    await _wait_for_rpcs()


def serialize_state(state: dict[str, Any]) -> Any:
    """Resource state as the protobuf Struct the monitor answers with."""
    return _sync_await(_rpc.serialize_properties(state, {}))


def register_response(urn: str, rid: str = "", state: Any = None) -> Any:
    """A RegisterResourceResponse."""
    if state is None:
        return _resource_pb2.RegisterResourceResponse(urn=urn)
    return _resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=state)


_SDK_GET_STACK_TRACE = _resource._get_stack_trace


def _first_frame_trace() -> Any:
    frame = sys._getframe(1)
    inits = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                frame = frame.f_back
                break
        frame = frame.f_back
    if frame is None:
        return _source_pb2.StackTrace()
    summary = traceback.FrameSummary(
        frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, lookup_line=False
    )
    position = _resource._get_source_position_for_frame(summary)
    return _source_pb2.StackTrace(frames=[_source_pb2.StackFrame(pc=position)])


def use_fast_stack_traces(fast: bool = True) -> None:
    """Replace (or restore) the SDK's per-registration stack capture.

    The SDK extracts the whole Python stack, with source lines, for every resource: it sends
    the frame that registered the resource as `sourcePosition` and the rest as `stackTrace`,
    and the engine shows only the former. Extracting every frame costs about a millisecond a
    resource; the replacement walks the live frames to the same first frame (the caller of the
    third `__init__`, as the SDK's `_get_stack_trace` counts them) and returns a trace of that
    frame alone. tests/test_sdk_compat.py checks both give the same source positions.
    """
    _resource._get_stack_trace = _first_frame_trace if fast else _SDK_GET_STACK_TRACE


def sdk_version() -> str:
    """The installed pulumi SDK's version."""
    from importlib.metadata import version

    return version("pulumi")
