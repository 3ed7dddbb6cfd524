"""AWS's published resource constraints: the CloudFormation registry schemas cfn-lint bundles.

cfn-lint (maintained by AWS) ships, in `cfnlint/data/schemas`, the CloudFormation registry
schema of every resource type (`resources/<hash>.json`, indexed per region by
`providers/<region>.json`) with cfn-lint's patches already applied, and extension schemas for
cross-property rules (`extensions/<type>/<rule>.json`, each applied by one cfn-lint rule).

Only the data files are read, never cfn-lint's linter (importing it costs seconds), and only
for the types a program uses: each file is parsed on first use and kept for the process.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "cfn-lint"
INDEX_REGION = "us-east-1"
"""Whose index names each type's schema. The schemas of a type rarely differ between regions
(they differ in which types exist); us-east-1 has them all first."""


@cache
def data_dir() -> Path | None:
    """`cfnlint/data/schemas`, found without importing cfnlint (None when not installed)."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def version() -> str:
    """The installed cfn-lint version, named in every finding's source."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@cache
def _index() -> dict[str, str]:
    root = data_dir()
    if root is None:
        return {}
    return json.loads((root / "providers" / f"{INDEX_REGION}.json").read_text())


@cache
def resource_schema(cfn_type: str) -> dict[str, Any] | None:
    """The registry schema of a CloudFormation type (None if cfn-lint does not have it)."""
    digest = _index().get(cfn_type)
    root = data_dir()
    if digest is None or root is None:
        return None
    return json.loads((root / "resources" / f"{digest}.json").read_text())


def extension_dir_name(cfn_type: str) -> str:
    """`AWS::SQS::Queue` -> `aws_sqs_queue`, cfn-lint's folder for the type's extensions."""
    return cfn_type.lower().replace("::", "_")


@cache
def extension_schema(cfn_type: str, filename: str) -> dict[str, Any] | None:
    """One of cfn-lint's extension schemas for a type (None if this version lacks it)."""
    root = data_dir()
    if root is None:
        return None
    path = root / "extensions" / extension_dir_name(cfn_type) / filename
    return json.loads(path.read_text()) if path.is_file() else None


def resolve(schema: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (`#/definitions/X`) of a resource schema, repeatedly."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
        seen += 1
    return node
