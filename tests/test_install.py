"""P16 (issue 17): the check and the pack where users' programs live.

Each door is opened the way its client opens it:
- `pip install` of this repository into another project's virtualenv, then the console
  commands from that project's folder with relative paths;
- the pack directory `secure-infra-pack` writes, started as the Pulumi CLI starts a pack;
- this repository's `run.sh check` on a program whose own virtualenv holds a package this
  project does not have.

No network: see `install_support.py`; the program's own package is a local one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2
from install_support import (
    PROGRAMS,
    REPO_ROOT,
    SITE,
    pip,
    repository_wheel,
    run,
    virtualenv,
)
from install_support import acme_wheel as acme_wheel_of
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pulumi.runtime.proto import analyzer_pb2_grpc

from policy.harness import ProgramError
from policy.harness.program_env import program_environment
from policy.pack import POLICIES

IMPORT_NAME = "secure_infra_guardrails"


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def _violating_report(command: list[str | Path], cwd: Path) -> dict[str, Any]:
    """Run the check (`--stack test --format json` added) from `cwd`; it must exit 1 (the
    test program has violations) and print the JSON report."""
    done = run([*command, "--stack", "test", "--format", "json"], cwd)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's wheel."""
    return repository_wheel(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def acme_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The program's own package, as a wheel."""
    return acme_wheel_of(tmp_path_factory.mktemp("acme"))


@pytest.fixture(scope="module")
def user_project(tmp_path_factory: pytest.TempPathFactory, wheel: Path, acme_wheel: Path) -> Path:
    """A user's program folder (tests/programs/own_deps) whose virtualenv holds the program's own
    package and, installed with pip, this repository's distribution."""
    project = tmp_path_factory.mktemp("user") / "infra"
    shutil.copytree(PROGRAMS / "own_deps", project, ignore=shutil.ignore_patterns("venv"))
    python = virtualenv(project / "venv")
    pip(python, "install", "--no-deps", "--no-index", acme_wheel, wheel, cwd=project)
    return project


def test_wheel_holds_only_the_check_and_the_pack_under_its_own_name(wheel: Path) -> None:
    """A top-level `policy` (or the program's `components`) would collide in site-packages."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
        entry_points = archive.read(metadata.replace("METADATA", "entry_points.txt")).decode()
        shipped = yaml.safe_load(archive.read(f"{IMPORT_NAME}/PulumiPolicy.yaml"))
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {IMPORT_NAME}
    assert f"{IMPORT_NAME}/awsfacts/securityhub_controls.json" in names
    assert f"{IMPORT_NAME}/__main__.py" in names
    # The same ranges as the program's requirements, so both environments agree.
    pinned = {
        canonicalize_name(r.name): r.specifier
        for r in map(Requirement, _requirement_lines(REPO_ROOT / "requirements.txt"))
    }
    for line in requires:
        requirement = Requirement(line)
        assert requirement.specifier == pinned[canonicalize_name(requirement.name)], line
    assert "secure-infra-check = secure_infra_guardrails.check:main" in entry_points
    assert "secure-infra-pack = secure_infra_guardrails.pack_dir:main" in entry_points
    assert wheel.name.split("-")[1] == shipped["version"]


def test_installed_check_runs_the_users_program_from_its_folder(user_project: Path) -> None:
    """The console command, run from the program's folder with relative paths, runs a program
    that imports a package only its own virtualenv has, and reports (exit 1: violations)."""
    report = _violating_report(
        ["venv/bin/secure-infra-check", "--config", "pack-config.json"], user_project
    )
    found = {(v["policy"], v["name"]) for v in report["violations"]}
    assert ("security-group-ingress", "admin") in found
    assert ("s3-bucket-encryption", "reports") in found
    # The tags came from the program's own package: no required-tags finding.
    assert not any(policy == "required-tags" for policy, _ in found)
    # The relative --config was read: the policy it disables reports nothing.
    assert not any(policy == "nonprod-resilience" for policy, _ in found)


def test_installed_check_reads_relative_paths_from_the_callers_folder(
    user_project: Path,
) -> None:
    """--program and --config relative to where the user stands, not to the installation."""
    report = _violating_report(
        [
            user_project / "venv/bin/secure-infra-check",
            "--program",
            "infra",
            "--config",
            "infra/pack-config.json",
        ],
        user_project.parent,
    )
    assert report["stack"] == "test"
    assert not any(v["policy"] == "nonprod-resilience" for v in report["violations"])


def test_installed_pack_starts_as_the_pulumi_cli_starts_it(user_project: Path) -> None:
    """`secure-infra-pack` writes a pack directory bound to the environment it runs in; started
    as the CLI starts a Python pack (that virtualenv's interpreter, `-u -m pulumi.policy ADDR .`,
    the pack directory as cwd) it serves every policy of the installed distribution."""
    done = run(
        [user_project / "venv/bin/secure-infra-pack", "--output", "guardrails"], user_project
    )
    assert done.returncode == 0, done.stderr
    pack_dir = Path(done.stdout.strip())
    assert pack_dir == user_project / "guardrails"
    project = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text())
    virtualenv = Path(project["runtime"]["options"]["virtualenv"])
    assert virtualenv.resolve() == (user_project / "venv").resolve()
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    server = subprocess.Popen(
        [str(virtualenv / "bin/python"), "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().decode().strip()
        assert port.isdigit(), server.stderr.read().decode() if server.stderr else ""
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(
                empty_pb2.Empty(), timeout=60
            )
        assert info.name == "secure-infra-guardrails"
        assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    finally:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def program_with_own_virtualenv(tmp_path_factory: pytest.TempPathFactory, acme_wheel: Path) -> Path:
    """tests/programs/own_deps with its own virtualenv holding only the program's package."""
    project = tmp_path_factory.mktemp("own") / "infra"
    shutil.copytree(PROGRAMS / "own_deps", project, ignore=shutil.ignore_patterns("venv"))
    python = virtualenv(project / "venv")
    pip(python, "install", "--no-deps", "--no-index", acme_wheel, cwd=project)
    # Only the program's package: the check's dependencies come from the check's environment.
    (project / "venv" / SITE / "check-dependencies.pth").unlink()
    return project


def test_repository_check_uses_the_programs_own_virtualenv(
    program_with_own_virtualenv: Path,
) -> None:
    """`run.sh check` from the program's folder: the program's package comes from the
    virtualenv its Pulumi.yaml names, relative paths are the caller's."""
    report = _violating_report(
        [REPO_ROOT / "run.sh", "check", "--config", "pack-config.json"],
        program_with_own_virtualenv,
    )
    assert {v["name"] for v in report["violations"]} >= {"admin", "reports"}
    assert not any(v["policy"] == "required-tags" for v in report["violations"])


def test_program_environment_follows_pulumi_yaml(program_with_own_virtualenv: Path) -> None:
    environment = program_environment(program_with_own_virtualenv)
    assert environment.virtualenv == program_with_own_virtualenv / "venv"
    assert environment.site_packages == (program_with_own_virtualenv / "venv" / SITE,)
    assert environment.main == program_with_own_virtualenv / "__main__.py"
    assert environment.source == "runtime.options.virtualenv"


def _project(tmp_path: Path, runtime: object, **extra: object) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": "p", "runtime": runtime, **extra})
    )
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def test_a_missing_virtualenv_names_the_setting_and_the_fix(tmp_path: Path) -> None:
    _project(tmp_path, {"name": "python", "options": {"virtualenv": "venv"}})
    with pytest.raises(
        ProgramError,
        match=r"runtime.options.virtualenv names .*venv, which does "
        r"not exist: create it with the program's packages \(`pulumi install`",
    ):
        program_environment(tmp_path)


def test_a_virtualenv_of_another_python_asks_to_install_the_check_into_it(tmp_path: Path) -> None:
    _project(tmp_path, {"name": "python", "options": {"toolchain": "uv"}})
    (tmp_path / ".venv" / "lib" / "python3.9" / "site-packages").mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.9.18\n")
    with pytest.raises(ProgramError) as failure:
        program_environment(tmp_path)
    message = str(failure.value)
    assert "toolchain uv (.venv)" in message
    assert "a Python 3.9 environment" in message
    assert ".venv/bin/pip install secure-infra-guardrails" in message


def test_poetry_without_poetry_on_path_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, {"name": "python", "options": {"toolchain": "poetry"}})
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ProgramError, match="`poetry` is not on PATH"):
        program_environment(tmp_path)


def test_main_points_at_the_programs_folder(tmp_path: Path) -> None:
    _project(tmp_path, "python", main="src/")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text("")
    environment = program_environment(tmp_path)
    assert environment.main == tmp_path / "src" / "__main__.py"
    assert environment.virtualenv is None
