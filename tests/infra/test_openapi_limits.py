"""docs/openapi.json says every limit the server checks on what a client sends: every date, month,
half-year, quarter and year carries its range (2000–2099), every string a length, pattern or set of
values, every number its bounds, every list its size, every body object its closed set of fields.
(tests/integration/test_spec_limits.py checks that the server enforces exactly these limits.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from infra.template import ROOT

SPEC: dict[str, Any] = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))

# For each kind of period: values the documented pattern must accept, and look-alikes (years out
# of range, other digits, other spellings) it must refuse.
PERIODS: dict[str, tuple[list[str], list[str]]] = {
    "date": (
        ["2000-01-01", "2099-12-31", "2026-11-20"],
        ["1999-12-31", "2100-01-01", "20٢٦-11-20", "２０２６-11-20", "2026-11-20T00:00", "26-11-20", "0"],
    ),
    "month": (["2000-01", "2099-12"], ["1999-12", "2100-01", "2026-13", "2026-1", "20٢٦-11", "2026-11-01"]),
    "half": (["2000-H1", "2099-H2"], ["1999-H2", "2100-H1", "2026-H3", "20٢٦-H1", "2026-h1"]),
    "quarter": (["2000-Q1", "2099-Q4"], ["1999-Q4", "2100-Q1", "2026-Q5", "20٢٦-Q1", "2026-q1"]),
}
# Where a parameter or property names a period without saying so in its format.
PERIOD_NAMES = {"month": "month", "half": "half", "quarter": "quarter"}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def leaves(name: str, schema: dict[str, Any], where: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, name, schema) of every value in an input schema, through refs, unions, arrays and
    objects; objects and arrays are yielded too."""
    schema = resolve(schema)
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            yield from leaves(name, option, where)
        return
    yield where, name, schema
    if schema.get("type") == "array":
        yield from leaves(name, schema.get("items", {}), f"{where}[]")
    for prop, sub in schema.get("properties", {}).items():
        yield from leaves(prop, sub, f"{where}.{prop}")


def inputs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in SPEC["paths"].items():
        for method, op in operations.items():
            label = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                yield from leaves(param["name"], param["schema"], f"{label} {param['in']} {param['name']}")
            for content_type, content in op.get("requestBody", {}).get("content", {}).items():
                yield from leaves("body", content["schema"], f"{label} body({content_type})")


def period_kind(name: str, schema: dict[str, Any]) -> str | None:
    if schema.get("format") == "date":
        return "date"
    return PERIOD_NAMES.get(name)


def test_the_walk_sees_the_requests_it_must_check() -> None:
    seen = {where for where, _, _ in inputs()}
    for expected in (
        "PUT /entries/{date} path date",
        "GET /entries query from",
        "PUT /plans/{month} path month",
        "PUT /summaries/{half} path half",
        "PUT /evaluations/{quarter}/{cadre_id} path quarter",
        "PUT /admin/calendar/{year} path year",
        "POST /leaves body(application/json).from",
        "PUT /admin/calendar/{year} body(application/json).holidays[]",
        "POST /feedback/{notice_id} body(application/x-www-form-urlencoded).content",
    ):
        assert expected in seen, expected


def test_every_date_and_period_a_client_sends_carries_its_range() -> None:
    problems = []
    for where, name, schema in inputs():
        kind = period_kind(name, schema)
        if kind is None or schema.get("type") == "null":
            continue
        pattern = schema.get("pattern")
        if pattern is None:
            problems.append(f"{where}: a {kind} without a pattern")
            continue
        good, bad = PERIODS[kind]
        problems += [f"{where}: {pattern} refuses {v!r}" for v in good if not re.search(pattern, v)]
        problems += [f"{where}: {pattern} accepts {v!r}" for v in bad if re.search(pattern, v)]
    assert problems == []


def test_every_year_a_client_sends_is_bounded_to_2000_2099() -> None:
    years = [(where, schema) for where, name, schema in inputs() if name == "year"]
    assert years, "no year parameter found"
    for where, schema in years:
        assert schema.get("type") == "integer", where
        assert (schema.get("minimum"), schema.get("maximum")) == (2000, 2099), where


def test_every_value_a_client_sends_has_its_limits_in_the_spec() -> None:
    problems = []
    for where, _, schema in inputs():
        kind = schema.get("type")
        if kind == "string" and not any(k in schema for k in ("pattern", "enum", "const", "maxLength")):
            problems.append(f"{where}: a string without maxLength, pattern or enum")
        elif kind in ("integer", "number") and not ("minimum" in schema and "maximum" in schema):
            problems.append(f"{where}: a number without minimum and maximum")
        elif kind == "array" and "maxItems" not in schema:
            problems.append(f"{where}: a list without maxItems")
        elif kind == "object" and schema.get("additionalProperties") is not False:
            problems.append(f"{where}: an object that does not say unknown fields are refused")
        elif kind is None and "enum" not in schema and "const" not in schema:
            problems.append(f"{where}: a value without a type")
    assert problems == []


def test_every_request_body_says_how_many_bytes_the_route_takes() -> None:
    limits = {
        f"{method.upper()} {path}": op["requestBody"].get("x-max-bytes")
        for path, operations in SPEC["paths"].items()
        for method, op in operations.items()
        if "requestBody" in op
    }
    assert all(isinstance(n, int) and n > 0 for n in limits.values()), limits
    assert limits["POST /admin/roster/imports"] == 4 * 1024 * 1024
    assert limits["POST /feedback/{notice_id}"] == 16 * 1024
    assert limits["PUT /entries/{date}"] == 64 * 1024


def test_every_free_text_says_which_characters_are_refused() -> None:
    # The roster file is checked cell by cell (rejected rows), not as one text.
    exempt = {"POST /admin/roster/imports body(application/json).content"}
    unsaid = [
        where
        for where, _, schema in inputs()
        if schema.get("type") == "string"
        and not any(k in schema for k in ("pattern", "enum", "const", "format"))
        and "x-text" not in schema
        and where not in exempt
    ]
    assert unsaid == []
