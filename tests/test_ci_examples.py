"""Issue 19: the CI examples the README gives, run the way their clients run them.

- `docs/ci/github-actions.yml`: every `run` step, in order, with bash as GitHub's runners run
  it (`bash -e -o pipefail`), in a copy of a user's project, with `GUARDRAILS` pointing at this
  repository's wheel instead of a git URL and pip kept off the network; the SARIF it leaves is
  what the upload step reads.
- `.pre-commit-hooks.yaml`: loaded with pre-commit's own manifest loader, its `files` pattern
  matched as pre-commit matches it, and its entry run as a `language: python` hook runs (the
  hook environment's scripts first on PATH, no file names, the project's root as cwd).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from install_support import PROGRAMS, REPO_ROOT, acme_wheel, repository_wheel, run, virtualenv
from pre_commit.clientlib import load_manifest
from sarif_schema import sarif_schema

WORKFLOW = REPO_ROOT / "docs" / "ci" / "github-actions.yml"
HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with this repository's wheel and the test program's own package."""
    folder = tmp_path_factory.mktemp("wheels")
    for built in (
        repository_wheel(tmp_path_factory.mktemp("build")),
        acme_wheel(tmp_path_factory.mktemp("acme")),
    ):
        shutil.copy(built, folder / built.name)
    return folder


def _project(root: Path) -> Path:
    """A user's project: tests/programs/own_deps with a requirements.txt naming its package."""
    project = root / "infra"
    shutil.copytree(PROGRAMS / "own_deps", project, ignore=shutil.ignore_patterns("venv"))
    (project / "requirements.txt").write_text("acme-tags==1.0.0\n")
    return project


def _steps() -> list[dict[str, object]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_github_actions_job_runs_and_leaves_a_valid_sarif(tmp_path: Path, wheels: Path) -> None:
    """Each `run` step of the job, in order, from the project's folder: the virtualenv with the
    program's packages and the check, then the check of every stack writing SARIF. The check
    exits 1 (the program has violations), so the upload step must run `if: always()` and finds
    a SARIF 2.1.0 log with one run per stack."""
    project = _project(tmp_path)
    # The runner's python comes first on PATH, as actions/setup-python leaves it.
    bin_dir = tmp_path / "runner-bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys._base_executable)
    # The virtualenv the first step makes already sees this environment's packages, so that pip
    # resolves the check's dependencies without a network; `python -m venv` keeps that file.
    virtualenv(project / "venv")
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GUARDRAILS": str(next(wheels.glob("secure_infra_guardrails-*.whl"))),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    steps = _steps()
    codes = []
    for step in steps:
        if "run" not in step:
            continue
        done = run(["bash", "-e", "-o", "pipefail", "-c", str(step["run"])], project, **environment)
        codes.append(done.returncode)
        assert done.returncode in (0, 1), f"{step.get('name')}: {done.stderr}"
    assert codes == [0, 1]
    upload = next(s for s in steps if "upload-sarif" in str(s.get("uses", "")))
    assert upload["if"] == "always()"
    report = json.loads((project / str(upload["with"]["sarif_file"])).read_text())
    jsonschema.validate(report, sarif_schema())
    assert [r["properties"]["stack"] for r in report["runs"]] == ["test"]
    rules = {result["ruleId"] for result in report["runs"][0]["results"]}
    assert {"security-group-ingress", "s3-bucket-encryption"} <= rules


def test_pre_commit_hook_definition_is_valid_and_its_entry_runs(
    tmp_path: Path, wheels: Path
) -> None:
    """pre-commit's loader accepts the manifest; the hook fires on stack files and Python files
    only; its entry, run as pre-commit runs a python hook, checks every stack and fails the
    commit on a mandatory violation."""
    (hook,) = load_manifest(str(HOOKS))
    assert hook["id"] == "secure-infra-check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("Pulumi.dev.yaml", "infra/Pulumi.prod.yml", "__main__.py", "components/vpc.py"):
        assert files.search(path), path
    for path in ("README.md", "Pulumi.yaml.orig", "policy-config.json"):
        assert not files.search(path), path

    project = _project(tmp_path)
    # The hook's own environment: pre-commit installs the repository into a virtualenv of its
    # own; here that is a fresh one with the wheel.
    hook_env = tmp_path / "hook-env"
    python = virtualenv(hook_env)
    done = run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", *wheels.glob("secure*.whl")],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # The program's own virtualenv, which its Pulumi.yaml names, holds its package.
    program_python = virtualenv(project / "venv")
    done = run(
        [program_python, "-m", "pip", "install", "--no-deps", "--no-index", *wheels.glob("acme*")],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    entry = shlex.split(hook["entry"]) + list(hook.get("args", []))
    done = run(entry, project, PATH=f"{hook_env / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 1, done.stderr
    assert "Mandatory violations" in done.stdout


def _quick_start() -> list[str]:
    """The commands of the README's quick start, in order (comments dropped)."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Quick start") :]
    start = section.index("```sh\n") + len("```sh\n")
    block = section[start : section.index("\n```", start)]
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_readme_quick_start_runs_as_written(tmp_path: Path, wheels: Path) -> None:
    """Issue 19: the README's quick start, line by line, in a user's project: `cd` into it, the
    virtualenv, pip installing the project's requirements and this repository (its wheel stands
    in for the clone's path), the check of every stack, which ends with FAIL (exit 1) for this
    program's violations."""
    commands = _quick_start()
    assert commands[0] == "cd my-infra"
    project = _project(tmp_path)
    (project.parent / "my-infra").symlink_to(project)
    virtualenv(project / "venv")  # pip then finds the check's dependencies without a network
    wheel = str(next(wheels.glob("secure_infra_guardrails-*.whl")))
    script = "\n".join(commands).replace("/path/to/secure-infra", wheel)
    done = run(
        ["bash", "-c", "set -e\n" + script.replace(commands[-1], "")],
        tmp_path,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    assert done.returncode == 0, done.stderr
    check = run(["bash", "-c", commands[-1]], project)
    assert check.returncode == 1, check.stderr
    assert check.stdout.rstrip().splitlines()[-1].startswith("FAIL")


def test_readme_shows_the_tested_ci_examples() -> None:
    """The README's CI section is the files the tests run, not a copy that can drift."""
    readme = (REPO_ROOT / "README.md").read_text()
    for step in _steps():
        if "run" in step:
            for line in str(step["run"]).strip().splitlines():
                assert line.strip() in readme, line
    assert "id: secure-infra-check" in readme
    assert "docs/ci/github-actions.yml" in readme
