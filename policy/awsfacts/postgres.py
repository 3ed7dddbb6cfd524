"""Which PostgreSQL parameters RDS and Aurora apply only at reboot (static parameters).

The data (`postgres_static_parameters.json`, sources inside) lists the server-start-only
settings of each major version (GUC context `postmaster`), the extensions' such settings, the
RDS-specific parameters AWS documents as static, and the Aurora PostgreSQL ones (the
`apg_plan_mgmt` limits that need an instance restart). RDS refuses `ApplyMethod=immediate` for a
static parameter ('cannot use immediate apply method for static parameter').
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("postgres_static_parameters.json")


@cache
def _data() -> dict:
    return json.loads(_DATA.read_text())


def supported_majors() -> tuple[int, ...]:
    """The major versions the data covers."""
    return tuple(sorted(int(v) for v in _data()["core"]))


@cache
def static_parameters(major: int | None = None) -> frozenset[str]:
    """Static parameters of one major version, or of any covered version when None (the
    conservative answer when the family is not known). Aurora's own names are included for
    every family: an RDS for PostgreSQL family does not accept them at all, so listing them
    there changes nothing."""
    data = _data()
    versions = [str(major)] if major is not None and str(major) in data["core"] else data["core"]
    core = {name for version in versions for name in data["core"][version]}
    return frozenset(core | set(data["extensions"]) | set(data["rds"]) | set(data["aurora"]))


def major_of_family(family: str | None) -> int | None:
    """16 for `postgres16` or `aurora-postgresql16`; None for anything else."""
    match = re.fullmatch(r"(?:aurora-)?postgres(?:ql)?(\d+)", family or "")
    return int(match.group(1)) if match else None
