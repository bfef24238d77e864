"""The app words every code the server words as the server does: each map of
``web/src/util/labels.ts`` that shares its name with one of ``worklog.labels`` holds the same words
(one wording per label, whoever shows it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worklog import labels

WEB_LABELS = Path(__file__).resolve().parents[2] / "web" / "src" / "util" / "labels.ts"
_MAP = re.compile(r"export const ([A-Z_]+): Record<string, string> = \{(.*?)\n\}", re.S)
_PAIR = re.compile(r"^\s*([a-z_]+): '([^']*)',?\s*$", re.M)


def web_maps() -> dict[str, dict[str, str]]:
    text = WEB_LABELS.read_text(encoding="utf-8")
    return {name: dict(_PAIR.findall(body)) for name, body in _MAP.findall(text)}


SHARED = sorted(set(web_maps()) & {n for n in dir(labels) if n.endswith("_LABELS")})


def test_the_app_shares_the_servers_label_maps_for_verdicts_findings_grades_cases_and_roles() -> None:
    assert {
        "VERDICT_LABELS",
        "FINDING_LABELS",
        "GRADE_LABELS",
        "CASE_KIND_LABELS",
        "CASE_STATE_LABELS",
        "ROLE_LABELS",
    } <= set(SHARED)


@pytest.mark.parametrize("name", SHARED)
def test_a_label_map_of_the_app_words_each_code_as_the_server_does(name: str) -> None:
    server = getattr(labels, name)
    assert web_maps()[name] == server
