"""The official SARIF 2.1.0 JSON schema, for validating the offline check's SARIF reports.

Microsoft's SARIF SDK publishes the schema (`sarif-2.1.0-rtm.5.json`, the 2.1.0 release the
OASIS standard froze) inside its npm package @microsoft/jest-sarif. The package is fetched once
from the npm registry, checked against the integrity digest npm records for it, and the schema
is cached under .cache/ (ignored by git).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_URL = "https://registry.npmjs.org/@microsoft/jest-sarif/-/jest-sarif-1.0.0-beta.0.tgz"
# `npm view @microsoft/jest-sarif@1.0.0-beta.0 dist.integrity`
PACKAGE_SHA512 = (
    "A1fOhPd6Ic5iDk4F9YPw1qNB4XF+7+IviR7xl8r2F6QzQkx5cpY9LsGk2rExiFIEcBbjpVnSmwWGBukASkiQ9A=="
)
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "sarif-2.1.0-rtm.5.json"


@cache
def sarif_schema() -> dict[str, Any]:
    """The schema, from the cache or fetched and verified."""
    if not CACHE.exists():
        with urllib.request.urlopen(PACKAGE_URL, timeout=60) as response:
            archive = response.read()
        digest = base64.b64encode(hashlib.sha512(archive).digest()).decode()
        if digest != PACKAGE_SHA512:
            raise RuntimeError(f"{PACKAGE_URL}: sha512 {digest} is not the pinned one")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise RuntimeError(f"{PACKAGE_URL} has no {MEMBER}")
            CACHE.parent.mkdir(exist_ok=True)
            CACHE.write_bytes(member.read())
    return json.loads(CACHE.read_text())
