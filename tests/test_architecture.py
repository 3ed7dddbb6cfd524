"""The one-way architecture the README describes (issue 13), checked on the source: config
feeds components and never the other way, the policies and the harness never import each
other, and no module outgrows 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO_ROOT

MAX_LINES = 400
# The rotation function's own source is packaged into the Lambda as written.
LONG_ALLOWED = {"components/rotation/lambda_src"}


def _imports(path: Path) -> set[str]:
    """The modules a file imports, as absolute dotted names."""
    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def test_config_imports_nothing_from_the_components() -> None:
    for path in _modules("components/config"):
        wrong = {
            m
            for m in _imports(path)
            if m.startswith("components.") and not m.startswith("components.config")
        }
        assert wrong == set(), f"{path}: {wrong}"


def test_policies_and_harness_do_not_import_each_other() -> None:
    for path in _modules("policy/rules"):
        assert not {m for m in _imports(path) if m.startswith("policy.harness")}, path
    for path in _modules("policy/harness"):
        assert not {m for m in _imports(path) if m.startswith("policy.rules")}, path


def test_components_never_build_providers() -> None:
    """S7: providers are created only in __main__.py; components inherit them through opts."""
    for path in _modules("components"):
        assert "aws.Provider(" not in path.read_text(), path


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO_ROOT)): len(path.read_text().splitlines())
        for folder in ("components", "policy")
        for path in _modules(folder)
        if not any(str(path.relative_to(REPO_ROOT)).startswith(a) for a in LONG_ALLOWED)
    }
    assert {k: v for k, v in long.items() if v > MAX_LINES} == {}


# A tier may use these other tiers; anything else goes through regional.py.
TIERS = {
    "audit",
    "backup",
    "certificates",
    "compute",
    "containers",
    "database",
    "db_events",
    "dns",
    "network",
    "replication",
    "rotation",
    "security_services",
    "waf",
}
TIER_USES = {"compute": {"containers", "waf"}, "audit": {"db_events"}}


def _tier_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "components" and parts[1] in TIERS else None


def test_tiers_do_not_import_each_other() -> None:
    """Tiers meet only in regional.py and __main__.py, through their args."""
    for tier in TIERS:
        paths = _modules(f"components/{tier}") or [REPO_ROOT / f"components/{tier}.py"]
        for path in paths:
            used = {_tier_of(m) for m in _imports(path)} - {None, tier}
            assert used <= TIER_USES.get(tier, set()), f"{path}: {used}"


def test_only_the_loader_reads_pulumi_config() -> None:
    """S5: components get validated config through their args, never from `pulumi.Config`."""
    readers = {
        str(path.relative_to(REPO_ROOT))
        for path in _modules("components")
        if "pulumi.Config(" in path.read_text()
    }
    assert readers == {"components/config/load.py"}
