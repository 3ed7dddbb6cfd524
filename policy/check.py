"""Offline policy check: run a Pulumi Python program for one or several stacks under mocks, or
read a deployed stack's export, and evaluate the policy pack against it, with no cloud
credentials and no Pulumi CLI.

Requirements: P10, P13, P14 (docs/requirements.md).

    python -m policy.check --stack NAME [--stack NAME ...] | --all-stacks
                           [--program DIR] [--config FILE]
                           [--format text|json|sarif|junit] [--fail-on SEVERITY] [--json]
                           [--stack-reference NAME=FILE.json ...] [--strict]
    python -m policy.check --state EXPORT.json [--config FILE] [--format ...]
    python -m policy.check --list-policies [--config FILE] [--format text|json]
    python -m policy.check --explain NAME [--config FILE] [--format text|json]

Several stacks (a repeated --stack, or --all-stacks: every Pulumi.<stack>.yaml of the program
directory) are checked in one process, sharing one import of the pulumi packages, the program's
own modules and the pack, and reported as one document that names the stack of every finding.
Paths on the command line are relative to the caller's working directory.

Exit status, the worst over the stacks: 0 no mandatory violation at or above --fail-on
(default low: any), 1 at least one, 2 a program, its stack config, the policy config (--config),
a stack reference file or a policy failed (naming which), or, with --strict, a program used
components the check cannot expand. A stack that fails does not stop the others, and a run that
fails still writes its report in the format asked for, saying what failed and where. Every
format agrees with the exit status: only what fails the run is a SARIF error or a JUnit failure.
--explain with an unknown policy name exits 2.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    # `python -m policy.check`: the pulumi packages import with the cyclic collector off too
    # (see _without_cyclic_gc).
    gc.disable()

# The imports follow that switch on purpose.

from .evaluate import evaluate
from .explain import describe_policies
from .findings import Evaluation
from .harness import (
    ProgramError,
    read_project_name,
    run_from_export,
    run_program,
)
from .inputs import (
    InputError,
    json_file,
    load_pack_config,
    stack_config_failure,
    stack_config_location,
    stack_references,
)
from .pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES
from .report import SEVERITY_ORDER, Report, failed_run
from .report_view import RunFailure
from .stack_reports import StackReports

FORMATS = ("text", "json", "sarif", "junit")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    with _without_cyclic_gc():
        return _main(argv)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Python's cyclic collector off while the check runs (and, run as a module, until the
    process ends).

    Importing pulumi-aws and registering hundreds of resources allocate millions of objects
    that live until the process ends; with the collector on, its full collections traverse
    them again and again, about a third of a fresh process's wall time on prod. Garbage
    without cycles is still freed at once; the cycles a stack leaves (futures, outputs) are
    collected between stacks (`_collect_between_stacks`)."""
    # Run as a module, the process ends when main() returns: the collector stays off, or the
    # interpreter's exit would traverse every object once more. A caller in the same process
    # (a test) gets the collector back as it was.
    restore = __name__ != "__main__"
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        if restore and not was_frozen:
            gc.unfreeze()
        if restore and was_enabled:
            gc.enable()


def _collect_between_stacks() -> None:
    """Free the cycles the last stack left, then keep what survives (the imported packages,
    the reports so far) out of later collections, so that each one traverses only what the
    next stack allocates."""
    gc.collect()
    gc.freeze()


def _program_name() -> str:
    """How the user called the check: the installed command, or this repository's module."""
    called = Path(sys.argv[0]).name
    return called if called == "secure-infra-check" else "python -m policy.check"


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog=_program_name(), description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--stack",
        action="append",
        help="stack name: reads Pulumi.<stack>.yaml (repeat to check several in one run)",
    )
    source.add_argument(
        "--all-stacks",
        action="store_true",
        help="check every Pulumi.<stack>.yaml of the program directory",
    )
    source.add_argument("--state", help="a `pulumi stack export` file to check instead")
    source.add_argument(
        "--list-policies", action="store_true", help="list the policies (text or --format json)"
    )
    source.add_argument(
        "--explain", metavar="NAME", help="what a policy checks, its controls, config, example"
    )
    parser.add_argument(
        "--program",
        default=".",
        help="Pulumi Python program directory (default: the current directory)",
    )
    parser.add_argument("--config", help="policy pack config JSON (as --policy-pack-config)")
    parser.add_argument(
        "--invoke-answers",
        metavar="FILE",
        help="JSON object of answers to the program's invokes, keyed by invoke token",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITY_ORDER,
        default="low",
        help="lowest severity of a mandatory violation that fails the run (default: low)",
    )
    parser.add_argument(
        "--stack-reference",
        action="append",
        default=[],
        metavar="NAME=FILE.json",
        help="outputs of a stack the program references (`pulumi stack output --json`)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 2) when the program uses components the check cannot expand",
    )
    args = parser.parse_args(argv)
    fmt = "json" if args.json else args.format
    # A failed program leaves coroutines the SDK never awaits; their warnings only repeat the
    # error the check prints.
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited")
    # parliament (the IAM linter) imports pkg_resources, whose deprecation warning says nothing
    # about the stacks checked.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

    # Every path is read or resolved here, against the caller's directory: the harness changes
    # into the program's directory while a program runs.
    try:
        program_dir = Path(args.program).resolve()
        state = Path(args.state).resolve() if args.state else None
        stacks = (
            _all_stacks(program_dir) if args.all_stacks else list(dict.fromkeys(args.stack or ()))
        )
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Input files: a bad one fails every stack, reported in the format asked for.
    failure = None
    try:
        pack_config = load_pack_config(args.config)
        references = stack_references(args.stack_reference)
        answers = json_file("--invoke-answers", args.invoke_answers, "invoke-answers")
    except InputError as exc:
        print(f"error: {exc.failure.message}", file=sys.stderr)
        failure, pack_config, references, answers = exc.failure, None, {}, None

    if args.list_policies or args.explain:
        return 2 if failure else describe_policies(args.explain, pack_config, fmt)

    options = {"fail_on": args.fail_on, "strict": args.strict}
    if state is not None:
        report = _check_state(state, program_dir, pack_config, failure, options)
        sys.stdout.write(report.render(fmt))
        return report.status

    reports = []
    for index, stack in enumerate(stacks):
        if index:
            _collect_between_stacks()
        if failure is not None:
            reports.append(_failed(program_dir, stack, failure, options))
            continue
        reports.append(_check_stack(program_dir, stack, pack_config, references, options, answers))
    if args.all_stacks or len(reports) > 1:
        document = StackReports(reports)
        sys.stdout.write(document.render(fmt))
        return document.status
    sys.stdout.write(reports[0].render(fmt))
    return reports[0].status


def _failed(
    program_dir: Path, stack: str, failure: RunFailure, options: Mapping[str, Any]
) -> Report:
    """The report of a stack whose run failed before any policy ran."""
    try:
        project = read_project_name(program_dir)
    except ProgramError:
        project = program_dir.name  # The missing Pulumi.yaml is the failure reported.
    return Report(
        failed_run(project, stack),
        Evaluation(violations=[], seconds=0.0),
        POLICIES,
        program_dir,
        PACK_NAME,
        failure=failure,
        **options,
    )


def _check_state(
    state: Path,
    program_dir: Path,
    pack_config: Mapping[str, Any] | None,
    failure: RunFailure | None,
    options: Mapping[str, Any],
) -> Report:
    started = time.perf_counter()
    if failure is None:
        try:
            run = run_from_export(state)
        except ProgramError as exc:
            print(f"error: state {state} failed:\n{exc}", file=sys.stderr)
            failure = RunFailure("state", str(exc), str(state), 1)
        else:
            return _evaluated(run, program_dir, pack_config, started, options)
    return _failed(program_dir, state.stem, failure, options)


def _all_stacks(program_dir: Path) -> list[str]:
    """The stacks of a program directory: every Pulumi.<stack>.yaml, by name."""
    stacks = sorted(
        path.name[len("Pulumi.") : -len(".yaml")] for path in program_dir.glob("Pulumi.*.yaml")
    )
    if not stacks:
        raise ValueError(f"--all-stacks: no Pulumi.<stack>.yaml in {program_dir}")
    return stacks


def _check_stack(
    program_dir: Path,
    stack: str,
    pack_config: Mapping[str, Any] | None,
    references: Mapping[str, Mapping[str, Any]],
    options: Mapping[str, Any],
    answers: Mapping[str, Any] | None = None,
) -> Report:
    """One stack's report; a program or config that fails is reported, not raised, so the
    stacks after it are still checked."""
    started = time.perf_counter()
    try:
        failure = stack_config_failure(program_dir, stack)
        if failure is None:
            run = run_program(
                program_dir, stack, stack_references=references, invoke_answers=answers
            )
    except ProgramError as exc:
        if exc.config:
            where, line = stack_config_location(program_dir, stack, str(exc))
            failure = RunFailure("stack-config", str(exc), where, line)
        else:
            failure = RunFailure("program", str(exc), exc.file, exc.line)
    if failure is not None:
        print(
            f"error: program {program_dir} stack {stack} failed ({failure.kind}):\n"
            f"{failure.message}",
            file=sys.stderr,
        )
        return _failed(program_dir, stack, failure, options)
    return _evaluated(run, program_dir, pack_config, started, options)


def _evaluated(
    run: Any,
    program_dir: Path,
    pack_config: Mapping[str, Any] | None,
    started: float,
    options: Mapping[str, Any],
) -> Report:
    """Evaluate the pack on a run; its timing and failures go to stderr."""
    try:
        evaluation = evaluate(
            run,
            POLICIES,
            pack_level=PACK_ENFORCEMENT,
            initial_config=INITIAL_CONFIG,
            config=pack_config,
        )
    except ValueError as exc:  # the pack config (a policy that raises is an evaluation error)
        print(f"error: policy config: {exc}", file=sys.stderr)
        return _failed(program_dir, run.stack, RunFailure("policy-config", str(exc)), options)
    print(
        f"{run.stack}: {len(run.resources)} resources checked in "
        f"{time.perf_counter() - started:.2f} s (policies {evaluation.seconds:.2f} s)",
        file=sys.stderr,
    )
    for error in evaluation.errors:
        last = error.error.strip().splitlines()[-1]
        print(f"error: policy {error.policy} failed on {error.urn}: {last}", file=sys.stderr)
    if options["strict"] and run.remote_components:
        names = ", ".join(f"{c.name} ({c.type})" for c in run.remote_components)
        print(f"error: components not expanded (--strict): {names}", file=sys.stderr)
    return Report(run, evaluation, POLICIES, program_dir, PACK_NAME, **options)


if __name__ == "__main__":
    sys.exit(main())
