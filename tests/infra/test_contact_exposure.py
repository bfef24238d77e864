"""docs/openapi.json: how to reach a cadre (mobile, e-mail, WeCom and DingTalk ids) is in no answer
but the caller's own (``/me…``) and the roster's records (the admin's, cleared for the Org Dept:
tests/integration/test_contact_privacy.py). A new answer that carries a cadre, or these fields,
fails here until it is decided who may read it (docs/decisions.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from infra.template import ROOT
from worklog.models.roster import CONTACT_FIELDS

SPEC: dict[str, Any] = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
ROSTER_RECORDS = {"/admin/roster/cadres/{cadre_id}", "/admin/roster/units/{unit_id}/cadres"}
REACHING = set(CONTACT_FIELDS) - {"preferred_channel"}  # a channel's name reaches nobody


def properties(schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every property name an answer of ``schema`` may hold, through refs, unions, arrays and maps."""
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from properties(SPEC["components"]["schemas"][name], seen | {name})
        return
    for name, sub in schema.get("properties", {}).items():
        yield name
        yield from properties(sub, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from properties(sub, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from properties(schema[key], seen)


def answers() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):
                    for media in response.get("content", {}).values():
                        yield path, method, media.get("schema", {})


def test_only_my_own_answers_and_the_roster_records_may_hold_contact_details() -> None:
    holding = {
        f"{method.upper()} {path}" for path, method, schema in answers() if REACHING & set(properties(schema))
    }
    # The check sees them where they are (it would see them anywhere else) ...
    assert {"GET /me", *(f"GET {p}" for p in ROSTER_RECORDS)} <= holding
    # ... and they are nowhere else
    assert {h for h in holding if not h.split(" ", 1)[1].startswith("/me")} == {
        f"GET {p}" for p in ROSTER_RECORDS
    }
