"""A Pulumi policy pack directory for the installed pack (P16).

    secure-infra-pack [--output DIR]
    pulumi preview --policy-pack "$(secure-infra-pack)"

`pulumi preview --policy-pack DIR` needs a folder with a `PulumiPolicy.yaml` whose virtualenv
holds the pack, and starts `python -u -m pulumi.policy ADDR DIR` there. An installed
distribution's folder is not such a pack: the virtualenv it would name depends on where it was
installed. This command writes one for the environment it runs in (by default inside that
environment, under `share/`) and prints its path. Writing is idempotent: the files are rewritten
on every call, so an upgraded distribution is served at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name

ENTRY_POINT = f'''"""Written by secure-infra-pack: serves the installed {PACKAGE} policy pack
to the Pulumi engine. Regenerate it with `secure-infra-pack` rather than editing it."""

from {PACKAGE}.pack import serve

serve()
'''


def default_output() -> Path:
    """Where the pack directory goes when no --output is given: inside this environment."""
    return Path(sys.prefix) / "share" / "secure-infra-guardrails" / "policy-pack"


def pack_project(virtualenv: Path | None) -> dict[str, object]:
    """PulumiPolicy.yaml for the written pack: the shipped one's version and description, and
    this environment as its virtualenv (none outside a virtualenv: Pulumi then uses `python3`
    from PATH)."""
    shipped = yaml.safe_load((PACKAGE_DIR / "PulumiPolicy.yaml").read_text())
    runtime: object = "python"
    if virtualenv is not None:
        runtime = {"name": "python", "options": {"virtualenv": str(virtualenv)}}
    return {
        "runtime": runtime,
        "version": shipped["version"],
        "description": shipped["description"],
    }


def write_pack(output: Path) -> Path:
    """Write the pack directory at `output` and return its absolute path."""
    output = output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    in_virtualenv = sys.prefix != sys.base_prefix
    project = pack_project(Path(sys.prefix) if in_virtualenv else None)
    (output / "PulumiPolicy.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    (output / "__main__.py").write_text(ENTRY_POINT)
    return output


def main(argv: list[str] | None = None) -> int:
    """Entry point of `secure-infra-pack`; prints the pack directory's path."""
    parser = argparse.ArgumentParser(prog="secure-infra-pack", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the pack directory (default: {default_output()})",
    )
    args = parser.parse_args(argv)
    try:
        path = write_pack(args.output or default_output())
    except OSError as exc:
        print(f"error: cannot write the pack directory: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
