"""The Pulumi SDK internals the harness relies on (policy/harness/sdk_compat.py), each checked
against the installed SDK. They were read from pulumi 3.272.0 (sdk_compat.READ_FROM): a test
failing here after an upgrade names the internal that moved."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from policy.harness import run_inline, sdk_compat


def test_the_sdk_is_the_version_the_internals_were_read_from() -> None:
    """pulumi 3.272.x (requirements.txt pins >=3.272,<3.280: a newer minor is re-read first)."""
    assert sdk_compat.READ_FROM == "3.272.0"
    major, minor = sdk_compat.sdk_version().split(".")[:2]
    assert (int(major), int(minor)) >= (3, 272)


def test_signature_keys_mark_references_and_secrets() -> None:
    """rpc._special_sig_key, _special_resource_sig, _special_secret_sig (3.272.0)."""
    assert sdk_compat.SIG_KEY == "4dabf18193072939515e22adb298388d"
    assert sdk_compat.RESOURCE_REFERENCE_SIG == "5cf8f73096256a8f31e491e813e4eb8e"
    assert sdk_compat.SECRET_SIG == "1b47061264138c4ac30d75fd1eb44270"


def test_mock_monitor_and_event_loop_helpers() -> None:
    """mocks.MockMonitor (RegisterResource/Invoke/ReadResource/make_urn),
    MockMonitor.ResourceRegistration and mocks._ensure_event_loop (3.272.0)."""
    for method in ("RegisterResource", "Invoke", "ReadResource", "make_urn"):
        assert callable(getattr(sdk_compat.MockMonitor, method))
    assert sdk_compat.ResourceRegistration._fields == ("urn", "id", "state")
    loop = sdk_compat.thread_event_loop()
    assert isinstance(loop, asyncio.AbstractEventLoop)
    assert sdk_compat.thread_event_loop() is loop


def test_root_stack_reset_and_outputs() -> None:
    """settings.ROOT, settings.get_root_resource, settings.SETTINGS.outputs (3.272.0): each run
    gets its own root stack and outputs."""

    def program() -> None:
        pulumi.export("answer", 42)

    first = run_inline(program, stack="one")
    second = run_inline(program, stack="two")
    assert first.outputs == second.outputs == {"answer": 42}
    sdk_compat.reset_root_stack()
    assert sdk_compat.root_resource() is None
    sdk_compat.clear_stack_outputs()


def test_serialize_state_and_register_response() -> None:
    """rpc.serialize_properties through sync_await._sync_await, and
    resource_pb2.RegisterResourceResponse (3.272.0)."""
    loop = sdk_compat.thread_event_loop()
    asyncio.set_event_loop(loop)
    struct = sdk_compat.serialize_state({"name": "x", "count": 2})
    response = sdk_compat.register_response("urn:x", "id-1", struct)
    assert (response.urn, response.id) == ("urn:x", "id-1")
    assert dict(response.object)["name"] == "x"


@pytest.mark.parametrize("fast", [True, False], ids=["first-frame", "sdk"])
def test_source_positions_match_the_sdks(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """resource._get_stack_trace and _get_source_position_for_frame (3.272.0): the first-frame
    capture reports the same file and line as the SDK's full stack walk, for a resource made
    at module level and one made inside a component."""

    class Pair(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Pair", name)
            aws.sns.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(parent=self))  # line A

    def program() -> None:
        aws.sns.Topic("top")  # line B
        Pair("pair")

    real = sdk_compat.use_fast_stack_traces
    monkeypatch.setattr(sdk_compat, "use_fast_stack_traces", lambda enabled=True: real(fast))
    try:
        run = run_inline(program, config={"aws:region": "us-east-1"})
    finally:
        real(True)
    sources = {r.name: r.source for r in run.resources if r.type == "aws:sns/topic:Topic"}
    lines = Path(__file__).read_text().splitlines()
    assert sources["top"][0].endswith("test_sdk_compat.py")
    assert "# line B" in lines[sources["top"][1] - 1]
    assert "# line A" in lines[sources["pair-topic"][1] - 1]
