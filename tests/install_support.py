"""Building and installing this repository's distribution the way users do, offline: shared by
the install and CI-example tests (P16).

The wheel is built from a copy of the repository with this environment's setuptools; a user's
virtualenv reaches this environment's packages through a `.pth` file, standing in for pip
resolving the same ranges from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
SITE = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
# What the distribution is built from (pyproject.toml names the readme and the license).
DISTRIBUTION_FILES = ("pyproject.toml", "README.md", "LICENSE")


def run(args: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command as a user's shell would, without this test process's import path."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment.update(env)
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )


def pip(python: Path, *args: str | Path, cwd: Path) -> None:
    """pip of `python`; it must succeed."""
    done = run([python, "-m", "pip", "--disable-pip-version-check", *args], cwd)
    assert done.returncode == 0, done.stderr


def see_our_packages(virtualenv: Path) -> None:
    """Let `virtualenv` import this environment's packages behind its own."""
    (virtualenv / SITE / "check-dependencies.pth").write_text(f"{Path(sys.prefix) / SITE}\n")


def virtualenv(path: Path) -> Path:
    """A fresh virtualenv that sees this environment's packages; returns its python."""
    done = run([sys.executable, "-m", "venv", "--without-pip", path], path.parent)
    assert done.returncode == 0, done.stderr
    see_our_packages(path)
    return path / "bin" / "python"


def build_wheel(source: Path) -> Path:
    """The wheel of the project at `source` (a copy: a build writes into its source tree)."""
    pip(
        Path(sys.executable),
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--wheel-dir",
        source.parent / "dist",
        source,
        cwd=source.parent,
    )
    (built,) = (source.parent / "dist").glob("*.whl")
    return built


def repository_wheel(workdir: Path) -> Path:
    """This repository's wheel, built in `workdir`."""
    source = workdir / "source"
    source.mkdir()
    for name in DISTRIBUTION_FILES:
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "policy", source / "policy", ignore=shutil.ignore_patterns("__pycache__")
    )
    return build_wheel(source)


def acme_wheel(workdir: Path) -> Path:
    """The test programs' own package (tests/programs/local_packages/acme_tags), as a wheel."""
    source = workdir / "acme_tags"
    shutil.copytree(PROGRAMS / "local_packages" / "acme_tags", source)
    return build_wheel(source)
