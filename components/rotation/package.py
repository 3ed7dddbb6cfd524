"""Deterministic packaging of the rotation functions with their pure-Python driver (R2).

The deployment archive is assembled from files already installed in the program's own
environment: the handler module from ``lambda_src/`` plus every file of the distributions it
needs (``pg8000`` and, through its requirements, ``scramp``, ``asn1crypto``,
``python-dateutil`` and ``six``). ``pulumi up`` therefore needs no prebuilt layer, no pip run
and no network, and the same environment always yields the same archive.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import pulumi
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LAMBDA_SRC = Path(__file__).resolve().parent / "lambda_src"
DRIVER_DISTRIBUTIONS = ("pg8000",)
"""Root distributions of the PostgreSQL rotation function; their requirements follow."""
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})
"""Distributions the Lambda Python runtime already has; bundling them would only add weight."""
# Installer bookkeeping, useless at run time and different from one install to the next: RECORD
# lists hashes of bytecode that may or may not have been compiled, INSTALLER names pip or uv,
# direct_url.json holds local paths. Bytecode is rebuilt by the runtime.
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_DIST_INFO_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})


def bundle_files(
    handler_module: str, distributions: Iterable[str] = DRIVER_DISTRIBUTIONS
) -> dict[str, Path]:
    """Map archive paths to local files: the handler plus the distributions it imports.

    ``handler_module`` names a module in ``lambda_src`` (``"postgres_rotation"``); it lands at
    the archive root, so the Lambda handler is ``<handler_module>.handler``. ``distributions``
    are the root distributions to bundle with their requirements (none for a function that
    needs only boto3).
    """
    handler = LAMBDA_SRC / f"{handler_module}.py"
    if not handler.is_file():
        raise FileNotFoundError(f"no rotation handler module {handler_module!r} in {LAMBDA_SRC}")
    files: dict[str, Path] = {handler.name: handler}
    for dist_name in resolve_distributions(distributions):
        for archive_path, local in _distribution_files(dist_name):
            existing = files.setdefault(archive_path, local)
            if existing != local:
                raise ValueError(f"{archive_path} is provided by two sources: {existing}, {local}")
    return dict(sorted(files.items()))


def resolve_distributions(roots: Iterable[str]) -> list[str]:
    """The root distributions and their transitive requirements, minus runtime-provided ones.

    Requirement markers are evaluated for the Python running the program, with no extras
    requested, so an optional dependency is bundled only when an install would pull it in
    (``pulumi`` itself depends on ``packaging``, which does the evaluating).
    """
    environment = {**default_environment(), "extra": ""}
    seen: dict[str, str] = {}
    pending = list(roots)
    while pending:
        name = canonicalize_name(pending.pop())
        if name in seen or name in RUNTIME_PROVIDED:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise RuntimeError(
                f"distribution {name!r} is needed by the rotation function but not installed; "
                "install the project's requirements.txt"
            ) from exc
        seen[name] = dist.metadata["Name"]
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pending.append(requirement.name)
    return sorted(seen.values(), key=str.lower)


def _distribution_files(dist_name: str) -> Iterable[tuple[str, Path]]:
    dist = metadata.distribution(dist_name)
    if dist.files is None:
        raise RuntimeError(f"distribution {dist_name!r} has no file list (RECORD) to bundle from")
    for entry in dist.files:
        relative = PurePosixPath(str(entry))
        # Files outside site-packages (console scripts, data in ../../bin) are not importable.
        if relative.parts[0] == ".." or relative.is_absolute():
            continue
        if _skipped(relative):
            continue
        local = Path(str(dist.locate_file(entry)))
        if local.is_file():
            yield relative.as_posix(), local


def _skipped(relative: PurePosixPath) -> bool:
    if any(part in _SKIPPED_DIRS for part in relative.parts):
        return True
    if relative.suffix in _SKIPPED_SUFFIXES:
        return True
    in_dist_info = len(relative.parts) > 1 and relative.parts[0].endswith(".dist-info")
    return in_dist_info and relative.name in _SKIPPED_DIST_INFO_FILES


def archive_digest(files: Mapping[str, Path]) -> str:
    """SHA-256 over the sorted archive paths and file contents; equal digests, equal archives."""
    digest = hashlib.sha256()
    for archive_path in sorted(files):
        content = Path(files[archive_path]).read_bytes()
        for chunk in (archive_path.encode(), content):
            # Length prefixes keep ("ab", "c") and ("a", "bc") from hashing alike.
            digest.update(len(chunk).to_bytes(8, "big"))
            digest.update(chunk)
    return digest.hexdigest()


def build_archive(
    handler_module: str,
    distributions: Iterable[str] = DRIVER_DISTRIBUTIONS,
    extra: Mapping[str, pulumi.Asset] | None = None,
) -> pulumi.AssetArchive:
    """The Lambda deployment archive for ``handler_module`` as Pulumi file assets, plus the
    ``extra`` assets (data the handler reads, such as the CA bundle) at their archive paths."""
    files = bundle_files(handler_module, distributions)
    clash = set(files) & set(extra or {})
    if clash:
        raise ValueError(f"extra archive paths {sorted(clash)} would replace bundled files")
    assets: dict[str, pulumi.Asset] = {
        archive_path: pulumi.FileAsset(str(local)) for archive_path, local in files.items()
    }
    return pulumi.AssetArchive({**assets, **dict(extra or {})})
