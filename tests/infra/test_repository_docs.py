"""The repository is whole for a newcomer: what the code and docs point at is in the repository.

The rules and the HTTP contract the code follows are the project's own pages in docs/; no comment,
test or doc may send a reader to a file the repository does not contain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("shared", "functions", "infra", "tests", "docs", "events")
TOP = ("README.md", "Makefile", "template.yaml", "pyproject.toml")
DOC_LINK = re.compile(r"\bdocs/([\w.-]+\.(?:md|json))")
SUFFIXES = {".py", ".md", ".html", ".yaml", ".sh"}
OUTSIDE = re.compile(r"\b(?:DESIGN|API|STYLE|APP)\.md\b|\.\./shared\b")


def _texts() -> list[Path]:
    found = [ROOT / name for name in TOP]
    for folder in FOLDERS:
        found += [p for p in (ROOT / folder).rglob("*") if p.suffix in SUFFIXES]
    return sorted(p for p in found if p.is_file() and p != Path(__file__).resolve())


@pytest.mark.parametrize("path", _texts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(path: Path) -> None:
    text = path.read_text("utf-8", errors="replace")
    assert OUTSIDE.findall(text) == [], "point at the project's own docs/ (rules.md, api.md, access.md)"
    missing = sorted({name for name in DOC_LINK.findall(text) if not (ROOT / "docs" / name).is_file()})
    assert missing == [], f"docs pages named but not in the repository: {missing}"


def test_the_rules_and_the_contract_have_their_own_pages() -> None:
    for page in ("rules.md", "api.md", "access.md"):
        assert (ROOT / "docs" / page).is_file(), page
