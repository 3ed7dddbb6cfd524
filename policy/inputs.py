"""What the check's command line names, read and validated before any program runs (issue
19): the policy config, stack references and invoke answers, and where a stack's config failure
is located. A file that cannot be used becomes an InputError carrying the failure its report
shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .harness import ProgramError, load_stack_config, read_project_name
from .pack import POLICIES
from .pack_config import validate_pack_config
from .report_view import RunFailure


class InputError(Exception):
    """A file given on the command line (policy config, stack reference, invoke answers) that
    cannot be used."""

    def __init__(self, failure: RunFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def json_file(option: str, path: str | None, kind: str = "policy-config") -> Any:
    """A JSON object file named on the command line (None when not given)."""
    if path is None:
        return None
    where = str(Path(path).resolve())
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise InputError(RunFailure(kind, f"{option} {path}: {exc.strerror}", where, 1)) from None
    except json.JSONDecodeError as exc:
        message = f"{option} {path}: not valid JSON: {exc.msg} (line {exc.lineno})"
        raise InputError(RunFailure(kind, message, where, exc.lineno)) from None
    if not isinstance(data, dict):
        raise InputError(RunFailure(kind, f"{option} {path}: not a JSON object", where, 1))
    return data


def stack_config_location(program_dir: Path, stack: str, message: str) -> tuple[str, int | None]:
    """The stack file, and the line of the first config key the program's error names
    (`project:key` or `project:key.nested`), where the file sets it."""
    name = f"Pulumi.{stack}.yaml"
    keys = re.findall(r"([\w-]+:[\w-]+)(?:[.\[]|:\s|\b)", message)
    try:
        lines = (program_dir / name).read_text().splitlines()
    except OSError:
        return name, None
    for key in keys:
        for number, text in enumerate(lines, start=1):
            if text.strip().startswith(f"{key}:"):
                return name, number
    return name, None


def load_pack_config(path: str | None) -> dict[str, Any] | None:
    """The policy pack config (--config): the one place it is read and validated."""
    config = json_file("--config", path)
    if config is None:
        return None
    # Against the whole pack, so that an unknown policy name is refused too.
    problems = validate_pack_config(config, POLICIES)
    if problems:
        message = "\n".join(f"--config {path}: {problem}" for problem in problems)
        raise InputError(RunFailure("policy-config", message, str(Path(path).resolve()), 1))
    return config


def stack_config_failure(program_dir: Path, stack: str) -> RunFailure | None:
    """The stack's config file read as the harness reads it: a missing or invalid one is a
    stack-config failure at its file (and line, for invalid YAML)."""
    try:
        project = read_project_name(program_dir)
    except ProgramError:
        return None  # run_program reports the project itself (a program failure)
    try:
        load_stack_config(program_dir, project, stack)
    except ProgramError as exc:
        # PyYAML's marks: the problem's is last.
        lines = re.findall(r"line (\d+), column", str(exc))
        where = str(program_dir / f"Pulumi.{stack}.yaml")
        return RunFailure("stack-config", str(exc), where, int(lines[-1]) if lines else 1)
    return None


def stack_references(pairs: list[str]) -> dict[str, dict[str, Any]]:
    """NAME=FILE.json pairs as stack name -> outputs."""
    references = {}
    for pair in pairs:
        name, separator, path = pair.partition("=")
        if not separator or not name or not path:
            message = f"--stack-reference {pair!r}: write NAME=FILE.json"
            raise InputError(RunFailure("stack-reference", message))
        references[name] = json_file(f"--stack-reference {name}:", path, "stack-reference")
    return references
