"""Policies people can read (P12): `--list-policies` (name, enforcement, severity, controls)
and `--explain NAME` (what the policy checks, its controls with links, the remediation steps,
its config options with types and defaults, and a compliant example), in text or JSON.

Compliant examples come from `compliant_examples.json`, generated from the compliant program of
each policy's Security Hub control cases in `tests/policies/fsbp_cases.py` (read with `ast`,
never imported: `good` set to True and the expressions it decides folded, test-only options
dropped): `python -m policy.explain --write-examples`. A policy without such a case shows the
compliant values its remediation steps name instead.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from .evaluate import resolve_policy_config
from .pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES

EXAMPLES = Path(__file__).resolve().parent / "compliant_examples.json"
CASES = Path(__file__).resolve().parent.parent / "tests" / "policies" / "fsbp_cases.py"


def controls_of(policy: Policy | None) -> list[dict[str, str]]:
    """The Security Hub controls a policy checks (fully or in part): ID, title, URL."""
    meta = getattr(policy, "meta", None)
    if meta is None:
        return []
    partial = dict(meta.partial)
    return [
        {"id": c.id, "title": c.title, "url": c.url}
        | ({"partial": partial[c.id]} if c.id in partial else {})
        for c in meta.all_controls
    ]


def _severity(policy: Policy) -> str:
    return policy.severity.value if policy.severity else "medium"


def policy_rows(
    policies: Sequence[Policy], levels: Mapping[str, EnforcementLevel]
) -> list[dict[str, Any]]:
    """A row per policy: name, effective enforcement level, severity, control IDs."""
    return [
        {
            "name": p.name,
            "enforcement": levels[p.name].value,
            "severity": _severity(p),
            "controls": [c["id"] for c in controls_of(p)],
        }
        for p in policies
    ]


def list_text(rows: list[dict[str, Any]]) -> str:
    width = max(len(r["name"]) for r in rows)
    lines = [f"{'POLICY':<{width}}  {'ENFORCEMENT':<11}  {'SEVERITY':<8}  CONTROLS"]
    lines += [
        f"{r['name']:<{width}}  {r['enforcement']:<11}  {r['severity']:<8}  "
        + (", ".join(r["controls"]) or "-")
        for r in rows
    ]
    return "\n".join(lines) + f"\n{len(rows)} policies\n"


def unknown_policy(name: str, names: Sequence[str]) -> str:
    """The error for an unknown policy name, with the closest names."""
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"error: no policy named {name!r}{hint} (--list-policies lists them)"


def explanation(
    policy: Policy, level: EnforcementLevel, properties: Mapping[str, Any]
) -> dict[str, Any]:
    """Everything `--explain` shows of one policy, as JSON."""
    meta = getattr(policy, "meta", None)
    options = []
    schema = policy.config_schema.properties if policy.config_schema else {}
    for key, spec in schema.items():
        options.append(
            {
                "name": key,
                "type": _type_of(spec),
                "default": spec.get("default"),
                "current": properties.get(key, spec.get("default")),
                "description": spec.get("description", ""),
            }
        )
    types = getattr(policy, "resource_types", None)
    return {
        "name": policy.name,
        "description": policy.description,
        "enforcement": level.value,
        "severity": _severity(policy),
        "resourceTypes": sorted(types) if types is not None else None,
        "controls": controls_of(policy),
        "requirements": list(meta.requirements) if meta else [],
        "url": policy.url,
        "remediation": policy.remediation_steps,
        "config": options,
        "compliantExample": compliant_examples().get(policy.name),
    }


def _type_of(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(spec.get('items') or {})}"
    extra = spec.get("additionalProperties")
    # A mapping schema describes the values of a map; `false` only closes an object's keys.
    if kind == "object" and isinstance(extra, Mapping):
        return f"object of {_type_of(extra)}"
    return str(kind)


def explain_text(data: Mapping[str, Any]) -> str:
    lines = [
        f"{data['name']}: {data['enforcement']}/{data['severity']}",
        "",
        f"What it checks: {data['description']}",
    ]
    if data["resourceTypes"] is not None:
        lines.append(f"Resource types: {', '.join(data['resourceTypes'])}")
    else:
        lines.append("Resource types: the whole stack (a stack policy)")
    lines.append("Controls:")
    for control in data["controls"]:
        partial = f" (in part: {control['partial']})" if "partial" in control else ""
        lines.append(f"  {control['id']} {control['title']}{partial}: {control['url']}")
    if not data["controls"]:
        lines.append(f"  none (project requirements {', '.join(data['requirements'])})")
    lines += [f"Reference: {data['url']}", "", "Remediation:", f"  {data['remediation']}", ""]
    lines.append("Config options (pack config, `--config FILE`):")
    for option in data["config"]:
        lines.append(
            f"  {option['name']} ({option['type']}, default {json.dumps(option['default'])})"
            f": {option['description']}"
        )
    lines.append("")
    if data["compliantExample"]:
        lines.append("Compliant example (from the policy's control cases):")
        lines += [f"  {line}" for line in data["compliantExample"].splitlines()]
    else:
        lines.append("Compliant example: none recorded; the remediation above names the values.")
    return "\n".join(lines) + "\n"


def describe_policies(name: str | None, config: Mapping[str, Any] | None, fmt: str) -> int:
    """--list-policies and --explain NAME on stdout, with the enforcement levels the pack config
    gives; an unknown NAME exits 2 with the closest names."""
    resolved = resolve_policy_config(POLICIES, PACK_ENFORCEMENT, INITIAL_CONFIG, config)
    levels = {policy: level for policy, (level, _) in resolved.items()}
    if name is None:
        rows = policy_rows(POLICIES, levels)
        sys.stdout.write(json.dumps(rows, indent=2) + "\n" if fmt == "json" else list_text(rows))
        return 0
    by_name = {p.name: p for p in POLICIES}
    if name not in by_name:
        print(unknown_policy(name, list(by_name)), file=sys.stderr)
        return 2
    data = explanation(by_name[name], *resolved[name])
    sys.stdout.write(json.dumps(data, indent=2) + "\n" if fmt == "json" else explain_text(data))
    return 0


@cache
def compliant_examples() -> dict[str, str]:
    """Policy name -> compliant example code (missing file: none)."""
    if not EXAMPLES.exists():
        return {}
    return dict(json.loads(EXAMPLES.read_text()))


# Generating the examples -----------------------------------------------------------------


class _Compliant(ast.NodeTransformer):
    """A case's builder with `good` True: the conditions it decides folded away, `opts`
    (the tests' provider helper) dropped."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Constant(True) if node.id == "good" else node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant):
            return ast.Constant(not node.operand.value)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return (node.body if node.test.value else node.orelse) or None
        return node

    def visit_keyword(self, node: ast.keyword) -> Any:
        self.generic_visit(node)
        return None if node.arg == "opts" else node


def generate_examples(cases_source: str) -> dict[str, str]:
    """Policy -> the compliant program of its first control case, as code."""
    examples: dict[str, str] = {}
    for node in ast.parse(cases_source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and getattr(decorator.func, "id", None) == "case"
                and len(decorator.args) >= 2
                and isinstance(decorator.args[1], ast.Constant)
            ):
                policy = str(decorator.args[1].value)
                body = [s for s in node.body if not _is_docstring(s)]
                folded = _Compliant().visit(ast.Module(body=body, type_ignores=[]))
                code = ast.unparse(ast.fix_missing_locations(folded))
                examples.setdefault(policy, code)
    return dict(sorted(examples.items()))


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policy.explain")
    parser.add_argument(
        "--write-examples", action="store_true", help=f"regenerate {EXAMPLES.name} from {CASES}"
    )
    args = parser.parse_args(argv)
    if not args.write_examples:
        parser.print_help()
        return 2
    examples = generate_examples(CASES.read_text())
    EXAMPLES.write_text(json.dumps(examples, indent=2) + "\n")
    print(f"{EXAMPLES}: {len(examples)} policies", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
