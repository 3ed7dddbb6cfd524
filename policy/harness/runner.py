"""Running a program under the mock engine: as `pulumi preview` would (its directory as cwd
and on sys.path, a fresh root stack and config per run), and failing with the program's own
frames when it fails."""

from __future__ import annotations

import asyncio
import contextvars
import os
import runpy
import site
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi

from . import sdk_compat
from .invoke_answers import empty_answer_note, parse_invoke_answers
from .model import ProgramError, ProgramRun
from .monitor import AwsMocks, Monitor, RunState
from .program_env import ProgramEnvironment, program_environment
from .stack_config import config_value, load_stack_config, qualify, read_project_name

HARNESS_DIR = Path(__file__).resolve().parent
# When a registration fails, every Output waiting on it fails too; the SDK never awaits most of
# them, so the event loops report each one as it is collected (hundreds of tracebacks that all
# repeat the one error the run already raises as ProgramError).
_ECHOES = ("exception was never retrieved", "Task was destroyed but it is pending")


def quiet_echoes(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An event-loop exception handler that drops the echoes of a failed registration."""
    if any(echo in str(context.get("message", "")) for echo in _ECHOES):
        return
    loop.default_exception_handler(context)


@contextmanager
def _program_environment(
    program_dir: Path | None, environment: ProgramEnvironment | None = None
) -> Iterator[None]:
    """cwd and sys.path as `pulumi` would set them, with the program's own virtualenv behind the
    check's packages; modules the program imported from its own directory or virtualenv are
    forgotten afterwards so that another program's same-named modules load."""
    if program_dir is None:
        yield
        return
    before = set(sys.modules)
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    code_dir = environment.main.parent if environment else program_dir
    sys.path.insert(0, str(code_dir))
    for folder in environment.site_packages if environment else ():
        # addsitedir appends (the check's own pulumi stays first) and reads the .pth files that
        # editable installs of the program's local packages rely on.
        site.addsitedir(str(folder))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        if program_dir.resolve() != HARNESS_DIR.parent.parent:
            owned = [program_dir.resolve(), *(environment.site_packages if environment else ())]
            for name in set(sys.modules) - before:
                module_file = getattr(sys.modules[name], "__file__", None) or ""
                if module_file and any(
                    Path(module_file).resolve().is_relative_to(folder) for folder in owned
                ):
                    del sys.modules[name]


def _is_config_error(exc: BaseException) -> bool:
    """A refusal of the stack config: the SDK's missing or mistyped config, or a program's own
    config error (this repository's `components.config.ConfigError`, by the name convention
    such classes share)."""
    if isinstance(exc, pulumi.ConfigMissingError | pulumi.ConfigTypeError):
        return True
    return type(exc).__name__.endswith("ConfigError")


def program_traceback(exc: BaseException, program_dir: Path | None) -> str:
    """The error with only the program's own frames: the files under its directory (or, for an
    inline program, every frame outside the Python installation, the SDK and this harness)."""
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if program_dir is not None:
            # This repository's own program holds the harness too: its frames are never the
            # program's.
            ours = (
                path.is_relative_to(program_dir)
                and "site-packages" not in path.parts
                and not path.is_relative_to(HARNESS_DIR)
            )
        else:
            ours = not (
                "site-packages" in path.parts
                or path.is_relative_to(HARNESS_DIR)
                or frame.filename.startswith("<")
                or path.is_relative_to(Path(os.__file__).parent)
            )
        if ours:
            frames.append(frame)
    lines = [f"{type(exc).__name__}: {exc}"]
    if frames:
        formatted = "".join(traceback.format_list(frames)).rstrip()
        lines = ["Traceback (the program's frames, most recent call last):", formatted, *lines]
    return "\n".join(lines)


def _resolve_outputs(stack: Any) -> dict[str, Any]:
    async def resolve() -> dict[str, Any]:
        result = {}
        for key, value in (getattr(stack, "outputs", None) or {}).items():
            output = pulumi.Output.from_input(value)
            result[key] = await output.future() if await output.is_known() else None
        return result

    return asyncio.get_event_loop().run_until_complete(resolve())


def _execute(
    program: Callable[[], Any],
    run: RunState,
    secret_keys: list[str],
    program_dir: Path | None,
    environment: ProgramEnvironment | None = None,
) -> ProgramRun:
    sdk_compat.use_fast_stack_traces()
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(quiet_echoes)
    asyncio.set_event_loop(loop)
    project, stack = run.project, run.stack
    try:
        sdk_compat.reset_root_stack()
        pulumi.runtime.set_all_config(dict(run.config), secret_keys)
        mocks = AwsMocks(run)
        pulumi.runtime.set_mocks(
            mocks,
            project=project,
            stack=stack,
            preview=True,
            monitor=Monitor(mocks, run, quiet_echoes),
        )
        root = sdk_compat.root_resource()
        with _program_environment(program_dir, environment):
            try:
                program()
                loop.run_until_complete(sdk_compat.wait_for_rpcs())
            except pulumi.RunError as exc:
                # As the engine reports it: the Python language host logs a RunError's message
                # alone and a traceback only for other exceptions (pulumi/pulumi
                # sdk/python/cmd/pulumi-language-python-exec, `except pulumi.RunError as e:
                # pulumi.log.error(str(e))`; the SDK's inline host, pulumi/automation/_server.py,
                # does the same). Stack config errors (components.config.ConfigError) are
                # RunErrors so that they read as one block per key, without frames.
                if run.errors:
                    raise ProgramError(run.errors[0]) from None
                raise ProgramError(str(exc), config=_is_config_error(exc)) from None
            except Exception as exc:
                # An empty answer read as a value is the likely cause: name those calls.
                note = empty_answer_note(run.empty_invokes)
                if run.errors:
                    raise ProgramError(run.errors[0] + note) from None
                raise ProgramError(program_traceback(exc, program_dir) + note) from None
        outputs = _resolve_outputs(root)
    finally:
        sdk_compat.clear_stack_outputs()
        loop.close()
        for thread_loop in run.thread_loops - {loop}:
            if not thread_loop.is_running() and not thread_loop.is_closed():
                thread_loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(
        project=project,
        stack=stack,
        config=dict(run.config),
        resources=list(run.resources),
        outputs=outputs,
        unmocked_invokes=sorted(set(run.unmocked_invokes)),
        stack_urn=f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}",
        invokes=list(run.invokes),
        remote_components=sorted(run.remote_components, key=lambda c: c.urn),
        virtualenv=str(environment.virtualenv) if environment and environment.virtualenv else None,
    )


def run_program(
    program_dir: str | Path = ".",
    stack: str = "dev",
    *,
    config_overrides: Mapping[str, Any] | None = None,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    invoke_answers: Mapping[str, object] | None = None,
) -> ProgramRun:
    """Run the program in `program_dir` for `stack` under mocks and capture what it registers.

    `config_overrides` (qualified or project-relative keys, any JSON-able values) are applied
    over the stack file, for tests of variants; `stack_references` gives the outputs of the
    stacks the program references by name; `invoke_answers` answers invokes by token, over
    the built-in mocks (format: `policy.harness.invoke_answers`). Raises ProgramError if the program
    fails or the answers are malformed.
    """
    answers = parse_invoke_answers(invoke_answers)
    program_dir = Path(program_dir).resolve()
    project = read_project_name(program_dir)
    environment = program_environment(program_dir)
    config, secret_keys = load_stack_config(program_dir, project, stack)
    for key, value in (config_overrides or {}).items():
        config[qualify(key, project)] = config_value(value)
    run = RunState(project, stack, config, stack_references, answers)
    return contextvars.copy_context().run(
        _execute,
        lambda: runpy.run_path(str(environment.main), run_name="__main__"),
        run,
        secret_keys,
        program_dir,
        environment,
    )


def run_inline(
    program: Callable[[], Any],
    *,
    project: str = "inline",
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    invoke_answers: Mapping[str, object] | None = None,
) -> ProgramRun:
    """Run a Python callable as a Pulumi program under mocks (for small test programs);
    `invoke_answers` as for `run_program`."""
    answers = parse_invoke_answers(invoke_answers)
    qualified = {qualify(k, project): config_value(v) for k, v in (config or {}).items()}
    run = RunState(project, stack, qualified, stack_references, answers)
    return contextvars.copy_context().run(_execute, program, run, [], None)
