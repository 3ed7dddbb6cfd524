"""Every stack's registered resources as canonical JSON, to prove a refactor changes nothing.

    .venv/bin/python tools/stack_snapshot.py before.json   # on the old commit
    .venv/bin/python tools/stack_snapshot.py after.json    # on the new one
    cmp before.json after.json

Each resource is written with its URN, type, inputs, resource options, provider, parent and
dependencies, so a moved resource (a new URN without an alias), a changed input or a lost
`protect` all show up as a difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from policy.harness import ProgramRun, run_program  # noqa: E402


def _programs() -> list[tuple[Path, str]]:
    """Every stack file of the program, plus the bootstrap project's."""
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in REPO_ROOT.glob("Pulumi.*.yaml"))
    return [(REPO_ROOT, stack) for stack in stacks] + [(REPO_ROOT / "bootstrap", "state")]


def _rows(run: ProgramRun) -> list[dict[str, object]]:
    return [
        {
            "urn": r.urn,
            "type": r.type,
            "inputs": r.inputs,
            "provider": r.provider_urn,
            "parent": r.parent_urn,
            "dependencies": sorted(r.dependencies),
            "options": {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in vars(r.options).items()
            },
        }
        for r in sorted(run.resources, key=lambda r: r.urn)
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the snapshot and print how many resources it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    out = parser.parse_args(argv).output
    data = {}
    for program, stack in _programs():
        run = run_program(program, stack)
        data[f"{program.relative_to(REPO_ROOT)}:{stack}"] = {
            "resources": _rows(run),
            "outputs": run.outputs,
        }
    text = json.dumps(data, indent=1, sort_keys=True, default=lambda o: type(o).__name__)
    out.write_text(text)
    print(sum(len(v["resources"]) for v in data.values()), "resources")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
