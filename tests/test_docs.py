"""Issue 19: the README and the pages under docs/ link to each other and to files of this
repository; a moved or renamed page must not leave a dead link behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
# [text](target) or [text](target#anchor), leaving absolute URLs aside.
LINK = re.compile(r"\]\((?!https?://)([^)#\s]+)(?:#[^)\s]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    dead = [t for t in LINK.findall(page.read_text()) if not (page.parent / t).exists()]
    assert dead == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    linked = {Path(t).name for t in LINK.findall(readme)}
    pages = {p.name for p in (REPO_ROOT / "docs").glob("*.md")}
    # policies.md is linked from the README's policy section, the others from its index.
    assert pages - linked == set()
