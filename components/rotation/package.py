"""Deterministic packaging of the rotation functions with their pure-Python driver (R2).

The deployment archive is assembled from files already installed in the program's own
environment: the handler module from ``lambda_src/`` plus every file of the distributions it
needs (``pg8000`` and, through its requirements, ``scramp``, ``asn1crypto``,
``python-dateutil`` and ``six``). ``pulumi up`` therefore needs no prebuilt layer, no pip run
and no network, and the same environment always yields the same archive. So that every
environment is the same one, the bundled distributions' versions are locked, with their wheel
hashes, in ``driver-lock.txt``: packaging refuses any other installed version.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import pulumi
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LAMBDA_SRC = Path(__file__).resolve().parent / "lambda_src"
DRIVER_LOCK = Path(__file__).resolve().parent / "driver-lock.txt"
"""Exact versions and wheel hashes of the bundled distributions (pip --require-hashes)."""
INSTALL_LOCKED = f"pip install --require-hashes --no-deps -r {DRIVER_LOCK}"
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
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
    bundled = resolve_distributions(distributions)
    check_locked(bundled)
    for dist_name in bundled:
        for archive_path, local in _distribution_files(dist_name):
            existing = files.setdefault(archive_path, local)
            if existing != local:
                raise ValueError(f"{archive_path} is provided by two sources: {existing}, {local}")
    return dict(sorted(files.items()))


def driver_lock() -> dict[str, tuple[str, list[str]]]:
    """The lock file: canonical distribution name -> (exact version, wheel SHA-256 hashes)."""
    text = DRIVER_LOCK.read_text().replace("\\\n", " ")
    locked: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, _, options = line.partition(" ")
        requirement = Requirement(spec)
        pins = [s for s in requirement.specifier if s.operator == "=="]
        hashes = _HASH.findall(options)
        if len(pins) != 1 or len(requirement.specifier) != 1 or not hashes:
            raise ValueError(
                f"{DRIVER_LOCK}: {spec!r} must be `name==version` with --hash=sha256: entries"
            )
        locked[canonicalize_name(requirement.name)] = (pins[0].version, hashes)
    return locked


def check_locked(distributions: Iterable[str]) -> None:
    """Refuse to bundle a distribution whose installed version is not the locked one (or that
    the lock does not name): another machine would build another archive, and every `up` from
    it would change the deployed function."""
    locked = driver_lock()
    for name in distributions:
        installed = metadata.version(name)
        pin = locked.get(canonicalize_name(name))
        if pin is None:
            raise RuntimeError(
                f"distribution {name} {installed} is bundled into the rotation function but "
                f"not locked in {DRIVER_LOCK}: add it with its exact version and wheel hash"
            )
        if pin[0] != installed:
            raise RuntimeError(
                f"distribution {name} {installed} is installed, but the rotation function's "
                f"lock names {pin[0]}: run `{INSTALL_LOCKED}` (or update the lock, with its "
                "hash, on purpose)"
            )


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
