"""The program's own Python environment and entry point, picked from `Pulumi.yaml` the way the
Pulumi CLI picks them (P16).

Pulumi runs a Python program with the interpreter of the virtualenv its project file names
(`runtime.options.virtualenv`, relative to the project directory; `toolchain: uv` defaults it to
`.venv`, `toolchain: poetry` asks Poetry), and from `main` when the project sets one. The check
runs the program in its own process instead, so it adds that virtualenv's site-packages behind
its own: the program's own packages import, while pulumi, pulumi-aws and the pack's other
dependencies stay the versions the harness was built against. A virtualenv of another Python
version cannot be shared that way; the fix is to install the check into it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .model import ProgramError

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
CHECK_DISTRIBUTION = "secure-infra-guardrails"


@dataclass(frozen=True)
class ProgramEnvironment:
    """Where a program's code and packages are."""

    main: Path
    """The program's entry file (`__main__.py`, or the file `main` names)."""
    virtualenv: Path | None = None
    """The program's own virtualenv, when it is not the one the check runs in."""
    site_packages: tuple[Path, ...] = ()
    """Folders added to sys.path behind the check's own while the program runs."""
    source: str = ""
    """Which setting chose the virtualenv, for messages."""


def project_file(program_dir: Path) -> Path:
    """The program's `Pulumi.yaml` (or `.yml`)."""
    for name in PROJECT_FILES:
        if (program_dir / name).is_file():
            return program_dir / name
    raise ProgramError(f"no Pulumi.yaml in {program_dir}: not a Pulumi project directory")


def _runtime_options(project: dict[str, Any]) -> dict[str, Any]:
    runtime = project.get("runtime")
    if isinstance(runtime, dict):
        return dict(runtime.get("options") or {})
    return {}


def _main_file(program_dir: Path, project: dict[str, Any], path: Path) -> Path:
    main = project.get("main")
    target = (program_dir / str(main)).resolve() if main else program_dir
    if target.is_dir():
        target = target / "__main__.py"
    if not target.is_file():
        where = f"`main: {main}` in {path}" if main else str(program_dir)
        raise ProgramError(f"no __main__.py for {where}")
    return target


def _poetry_virtualenv(program_dir: Path, path: Path) -> Path:
    poetry = shutil.which("poetry")
    if poetry is None:
        raise ProgramError(
            f"{path}: runtime.options.toolchain is poetry, and `poetry` is not on PATH to say "
            "where its virtualenv is: install Poetry, or set runtime.options.virtualenv"
        )
    found = subprocess.run(
        [poetry, "env", "info", "--path"],
        cwd=program_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise ProgramError(
            f"{path}: `poetry env info --path` found no virtualenv for {program_dir}: "
            "run `poetry install` there first"
        )
    return Path(found.stdout.strip())


def _python_version(virtualenv: Path) -> tuple[int, int] | None:
    # venv writes `version_info` (3.11+) or `version`; virtualenv writes `version_info`.
    config = virtualenv / "pyvenv.cfg"
    if not config.is_file():
        return None
    for line in config.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            parts = value.strip().split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                return int(parts[0]), int(parts[1])
    return None


def _site_packages(virtualenv: Path, version: tuple[int, int]) -> tuple[Path, ...]:
    candidates = [
        virtualenv / "lib" / f"python{version[0]}.{version[1]}" / "site-packages",
        virtualenv / "Lib" / "site-packages",  # Windows layout
    ]
    return tuple(p for p in candidates if p.is_dir())


def _same_environment(virtualenv: Path) -> bool:
    here = Path(sys.prefix).resolve()
    return virtualenv.resolve() == here


def program_environment(program_dir: Path) -> ProgramEnvironment:
    """The entry file and the virtualenv Pulumi would run the program in `program_dir` with."""
    path = project_file(program_dir)
    try:
        project = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProgramError(f"{path} is not valid YAML: {exc}") from None
    main = _main_file(program_dir, project, path)
    options = _runtime_options(project)
    toolchain = str(options.get("toolchain") or "pip")
    if options.get("virtualenv"):
        source = "runtime.options.virtualenv"
        virtualenv = program_dir / str(options["virtualenv"])
    elif toolchain == "uv":
        source, virtualenv = "runtime.options.toolchain uv (.venv)", program_dir / ".venv"
    elif toolchain == "poetry":
        source, virtualenv = (
            "runtime.options.toolchain poetry",
            _poetry_virtualenv(program_dir, path),
        )
    else:
        # No virtualenv: Pulumi runs `python3` from PATH, and the check's own is as good.
        return ProgramEnvironment(main=main)
    if not virtualenv.is_dir():
        raise ProgramError(
            f"{path}: {source} names {virtualenv}, which does not exist: create it with the "
            "program's packages (`pulumi install`, or `python3 -m venv` and `pip install -r "
            "requirements.txt`) before checking the program"
        )
    if _same_environment(virtualenv):
        return ProgramEnvironment(main=main, source=source)
    version = _python_version(virtualenv)
    mine = sys.version_info[:2]
    if version is not None and version != mine:
        raise ProgramError(
            f"{path}: {source} names {virtualenv}, a Python {version[0]}.{version[1]} "
            f"environment; this check runs on Python {mine[0]}.{mine[1]} and cannot load its "
            f"packages: install the check into it (`{virtualenv}/bin/pip install "
            f"{CHECK_DISTRIBUTION}`) and run `{virtualenv}/bin/secure-infra-check`"
        )
    site_packages = _site_packages(virtualenv, version or mine)
    if not site_packages:
        raise ProgramError(
            f"{path}: {source} names {virtualenv}, which has no site-packages for Python "
            f"{mine[0]}.{mine[1]}: is it a virtualenv?"
        )
    return ProgramEnvironment(
        main=main, virtualenv=virtualenv, site_packages=site_packages, source=source
    )
