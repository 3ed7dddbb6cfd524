"""The split-type inventory (`policy/awsfacts/split_types.json`): which pulumi-aws types set part
of another resource's configuration, for the services the pack's policies read, derived from the
installed provider SDK (`policy.awsfacts.split_types.derive`).

    .venv/bin/python tools/split_types.py           # print the counts per service
    .venv/bin/python tools/split_types.py --write   # rewrite the inventory, then print
    .venv/bin/python tools/split_types.py --check   # exit 1 when the inventory is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from policy.awsfacts import split_types  # noqa: E402


def inventory() -> dict[str, object]:
    """The inventory as derived now from the installed pulumi-aws and the pack's rules."""
    from importlib.metadata import version

    rules = sorted((REPO_ROOT / "policy" / "rules").glob("*.py"))
    sources = [p.read_text(encoding="utf-8") for p in rules if "preflight" not in p.name]
    services = split_types.pack_services(sources)
    return {
        "source": (
            f"pulumi-aws {version('pulumi_aws')} Python SDK: each resource class's type token, "
            "required constructor arguments and optional link arguments "
            "(policy/awsfacts/split_types.py, derive)"
        ),
        "services": services,
        "resource_types": {s: len(split_types.module_types(s)) for s in services},
        "split": split_types.derive(services),
        "twins": split_types.twins(services),
    }


def main(argv: list[str] | None = None) -> int:
    """Print (and optionally write or check) the inventory's counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite split_types.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if it is stale")
    options = parser.parse_args(argv)
    data = inventory()
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if options.write:
        split_types.DATA.write_text(text, encoding="utf-8")
    elif options.check and split_types.DATA.read_text(encoding="utf-8") != text:
        print(f"{split_types.DATA} is stale: run tools/split_types.py --write", file=sys.stderr)
        return 1
    print(split_types.summary(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
