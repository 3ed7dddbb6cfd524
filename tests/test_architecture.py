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


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(paths: list[Path], root: Path = REPO_ROOT) -> dict[str, set[str]]:
    """Module -> the modules among `paths` it imports, type-only imports included (`ast.walk`
    reaches into `if TYPE_CHECKING:` blocks). `from . import x` is an edge to the module `x`
    when `x` is one, not to the package; importing a submodule is not counted as importing its
    package's `__init__`, which may re-export it without that being a cycle."""
    known = {_module_name(p, root): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join([*base, module] if module else base)
                submodules = {f"{module}.{a.name}" for a in node.names} & known.keys()
                targets |= submodules or {module}
        graph[name] = (targets & known.keys()) - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm):
    each is a set of modules that import one another, directly or around a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_sees_type_only_imports(tmp_path: Path) -> None:
    """The check below would pass vacuously if it missed an import under `TYPE_CHECKING` or
    counted a package re-exporting its own modules as a cycle."""
    tier = tmp_path / "tier"
    tier.mkdir()
    (tier / "__init__.py").write_text("from .component import Tier\n")
    (tier / "component.py").write_text("from . import helper\nclass Tier: ...\n")
    (tier / "helper.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .component import Tier\n"
    )
    graph = _import_graph(sorted(tier.glob("*.py")), root=tmp_path)
    assert _cycles(graph) == [["tier.component", "tier.helper"]]
    (tier / "helper.py").write_text("def build() -> None: ...\n")
    assert _cycles(_import_graph(sorted(tier.glob("*.py")), root=tmp_path)) == []


def test_no_import_cycles_in_the_program() -> None:
    """Issue 22: a helper module takes what it reads and returns what it built, so no module
    imports the component that calls it, not even for type hints under `TYPE_CHECKING`."""
    paths = [*_modules("components"), REPO_ROOT / "__main__.py"]
    assert _cycles(_import_graph(paths)) == []


def test_no_import_cycles_in_the_pack() -> None:
    """The same rule for the policy pack and the offline check."""
    assert _cycles(_import_graph(_modules("policy"))) == []
