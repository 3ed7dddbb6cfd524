"""EC2 instance types: the CPU architectures each runs and whether it supports EBS
optimization (C5).

The table (`ec2_instance_types.json`) is EC2's DescribeInstanceTypes answer as moto ships it
(`moto/ec2/resources/instance_types.json.gz`: `ProcessorInfo.SupportedArchitectures`,
`EbsInfo.EbsOptimizedSupport`), reduced to those two facts. Regenerate it with
`.venv/bin/python -m components.config.instance_types` after a moto upgrade; the tests check that
it still matches moto's data.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("ec2_instance_types.json")


@dataclass(frozen=True)
class InstanceType:
    """What the launch template needs to know about an instance type."""

    architectures: tuple[str, ...]
    """CPU architectures (`x86_64`, `arm64`, ...)."""
    ebs_optimized: str
    """`default` (always on), `supported` (must be asked for) or `unsupported`."""


@cache
def instance_types() -> dict[str, InstanceType]:
    """Every known instance type by name."""
    raw = json.loads(TABLE.read_text())
    return {name: InstanceType(tuple(archs), ebs) for name, (archs, ebs) in raw.items()}


def from_moto() -> dict[str, list]:
    """The table as moto's copy of DescribeInstanceTypes gives it (moto is a dev dependency)."""
    from importlib.resources import files

    source = files("moto.ec2") / "resources" / "instance_types.json.gz"
    data = json.loads(gzip.decompress(source.read_bytes()))
    return {
        name: [
            sorted(spec["ProcessorInfo"]["SupportedArchitectures"]),
            spec["EbsInfo"]["EbsOptimizedSupport"],
        ]
        for name, spec in sorted(data.items())
    }


def render(table: dict[str, list]) -> str:
    """The JSON file's text: one instance type per line, so a refresh diffs readably."""
    lines = [f"  {json.dumps(name)}: {json.dumps(value)}" for name, value in table.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    TABLE.write_text(render(from_moto()))
    print(f"wrote {TABLE} ({len(instance_types.__wrapped__())} instance types)")
