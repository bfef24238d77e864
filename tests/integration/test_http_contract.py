"""Bad input never gets a 5xx: the error contract of docs/api.md on every kind of bad request.

Tokens: test_http_tokens.py; media types and sizes: test_http_media_types.py.
"""

from __future__ import annotations

import json

import pytest

from infra.inprocess import InProcessStack
from infra.template import ROOT
from tests.conftest import compliance_items, set_clock
from tests.integration.http_contract_support import ENTRY, error


def test_non_json_body_is_400(stack: InProcessStack) -> None:
    resp = stack.call("entries", "PUT", "/entries/2026-11-20", raw=b"{not json", as_="c0001")
    assert resp.status == 400 and error(resp)["code"] == "invalid_json"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        [],
        [{"items": [{"content": "x", "status": "done"}]}],
        "just a string",
        {"items": []},
        {"items": [{"content": "   ", "status": "done"}]},
        {"items": [{"content": "x" * 2001, "status": "done"}]},
        {"items": [{"content": "x", "status": "finished"}]},
        {"items": [{"content": "x", "status": "done"}] * 31},
        {"items": [{"content": "x", "status": "done", "extra": 1}]},
        {"items": [{"content": "x", "status": "done"}], "saved_at": "2020-01-01T00:00:00+08:00"},
        {"items": "x"},
    ],
)
def test_malformed_entries_are_422_with_details(stack: InProcessStack, payload: object) -> None:
    resp = stack.call("entries", "PUT", "/entries/2026-11-20", payload, as_="c0001")
    assert resp.status == 422
    data = error(resp)
    assert data["code"] == "validation_error" and data["details"]


@pytest.mark.parametrize(
    "path", ["/entries/2026-13-01", "/entries/yesterday", "/plans/2026-13", "/summaries/2026-H3"]
)
def test_malformed_path_parameters_are_422(stack: InProcessStack, path: str) -> None:
    assert stack.call("entries", "PUT", path, ENTRY, as_="c0001").status == 422


def test_body_over_64_kib_is_413(stack: InProcessStack) -> None:
    resp = stack.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "x" * 70000, "status": "done"}]},
        as_="c0001",
    )
    assert resp.status == 413 and error(resp)["code"] == "payload_too_large"


def test_unknown_route_is_404(stack: InProcessStack) -> None:
    resp = stack.call("entries", "GET", "/nothing-here", as_="c0001")
    assert resp.status == 404 and error(resp)["code"] == "not_found"


def test_a_bad_idempotency_key_is_422(stack: InProcessStack) -> None:
    resp = stack.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        ENTRY,
        as_="c0001",
        headers={"Idempotency-Key": "no spaces allowed"},
    )
    assert resp.status == 422


def test_an_idempotency_key_with_a_trailing_line_break_is_422_and_documented(stack: InProcessStack) -> None:

    resp = stack.call(
        "entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001", headers={"Idempotency-Key": "k-1\n"}
    )
    assert resp.status == 422 and "idempotency-key" in json.dumps(error(resp)["details"]).lower()
    assert stack.call("entries", "GET", "/entries/2026-11-20", as_="c0001").status == 404
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
    for method, path in OUTBOX_WRITES:
        [header] = [p for p in spec["paths"][path][method.lower()]["parameters"] if p["in"] == "header"]
        assert header["name"] == "idempotency-key" and not header["required"]


# The acts the web app sends through its outbox, which retries a lost answer with the same
# Idempotency-Key, besides the journal's saves (a bad key on a save: the tests above):
# (function, method, route, a target, a valid body, a caller who may send it).
ACTS = [
    (
        "reviews",
        "PUT",
        "/reviews/{week_start}/{cadre_id}",
        "/reviews/2026-11-09/c0001",
        {"verdict": "adequate", "comment": "认真"},
        "c0002",
    ),
    (
        "cases",
        "POST",
        "/cases/{case_id}/talks",
        "/cases/RT-LOG-c0001-2026-11-18/talks",
        {"talk_date": "2026-11-20", "said": "谈话", "response": "接受"},
        "c0002",
    ),
    (
        "cases",
        "POST",
        "/cases/{case_id}/escalation",
        "/cases/RT-LOG-c0001-2026-11-18/escalation",
        {"reason": "升级"},
        "c0002",
    ),
    (
        "cases",
        "POST",
        "/cases/{case_id}/closure",
        "/cases/RT-LOG-c0001-2026-11-18/closure",
        {"reason": "办结"},
        "c0002",
    ),
    (
        "cases",
        "PUT",
        "/audits/{round_id}/findings/{cadre_id}/{day}",
        "/audits/2026-Q3/findings/c0001/2026-09-09",
        {"result": "verified", "note": "属实"},
        "c0010",
    ),
    (
        "cases",
        "PUT",
        "/evaluations/{quarter}/{cadre_id}",
        "/evaluations/2026-Q3/c0001",
        {"grade": "good"},
        "c0010",
    ),
    (
        "admin",
        "PUT",
        "/admin/notices/{notice_id}/feedback/{feedback_id}/answer",
        "/admin/notices/N20261123-c0001/feedback/0123456789abcdef/answer",
        {"answer": "已核实"},
        "c0010",
    ),
]
OUTBOX_WRITES = [
    ("PUT", "/entries/{date}"),
    ("PUT", "/plans/{month}"),
    ("PUT", "/summaries/{half}"),
    ("POST", "/leaves"),
    *((method, route) for _, method, route, *_ in ACTS),
]


@pytest.mark.parametrize("key", ["no spaces allowed", "k-1\n"], ids=["space", "newline"])
@pytest.mark.parametrize(
    ("function", "method", "route", "target", "data", "who"), ACTS, ids=[w[2] for w in ACTS]
)
def test_every_act_the_outbox_sends_refuses_a_malformed_idempotency_key_with_422_and_stores_nothing(
    stack: InProcessStack,
    function: str,
    method: str,
    route: str,
    target: str,
    data: object,
    who: str,
    key: str,
) -> None:
    """Given an act the app's outbox sends (a verdict, a case's move, a finding, a grade, an answer),
    When its Idempotency-Key breaks the documented pattern, Then 422 naming the header, as the
    journal's saves answer, before anything is written."""

    before = compliance_items(stack)
    resp = stack.call(function, method, target, data, as_=who, headers={"Idempotency-Key": key})
    assert resp.status == 422, resp.body
    assert error(resp)["code"] == "validation_error"
    assert "idempotency-key" in json.dumps(error(resp)["details"]).lower()
    assert compliance_items(stack) == before


def test_admin_routes_need_the_admin_role(stack: InProcessStack) -> None:
    resp = stack.call("admin", "GET", "/admin/roster/units", as_="c0001")
    assert resp.status == 403 and error(resp)["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/entries/9999-12-31"),
        ("PUT", "/entries/0001-01-01"),
        ("PUT", "/entries/2026-02-30"),
        ("PUT", "/entries/2026-11-20T00:00:00"),
        ("PUT", "/entries/0"),
        ("GET", "/plans/0000-01"),
        ("PUT", "/plans/9999-12"),
        ("GET", "/summaries/0000-H1"),
        ("PUT", "/summaries/9999-H2"),
        ("GET", "/leaves?from=0001-01-01&to=0001-01-02"),
        ("GET", "/entries?from=2026-11-20"),
        ("GET", "/entries?from=2026-11-20&to=2026-11-01"),
        ("GET", "/leaves?from=2026-11-20&to=2026-11-01"),
        ("GET", "/leaves?from=2025-01-01&to=2026-11-01"),
    ],
)
def test_out_of_range_or_malformed_dates_are_422_not_5xx(
    stack: InProcessStack, method: str, path: str
) -> None:
    resp = stack.call("entries", method, path, ENTRY if method == "PUT" else None, as_="c0001")
    assert resp.status == 422, resp.body


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe{}", b'{"items": [], "reason": ' + b"1" * 5001 + b"}"],
)
def test_bodies_python_cannot_read_are_400_not_5xx(stack: InProcessStack, raw: bytes) -> None:
    resp = stack.call("entries", "PUT", "/entries/2026-11-20", raw=raw, as_="c0001")
    assert resp.status == 400 and error(resp)["code"] == "invalid_json"


def test_a_non_boolean_internal_flag_is_422(stack: InProcessStack) -> None:
    payload = {"items": [{"content": "x", "status": "done", "internal": "yes"}]}
    assert stack.call("entries", "PUT", "/entries/2026-11-20", payload, as_="c0001").status == 422


def test_no_bad_request_changes_what_is_stored(stack: InProcessStack) -> None:
    import boto3

    assert stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c0001").status == 201
    table = stack.stack.names["JournalTable"]
    before = boto3.client("dynamodb").scan(TableName=table)["Items"]  # test-only inspection
    for payload in ({}, {"items": []}, ENTRY, {**ENTRY, "reason": ""}, {**ENTRY, "extra": 1}):
        stack.call("entries", "PUT", "/entries/2026-11-20", payload, as_="c0001")
    stack.call("entries", "PUT", "/entries/2026-11-12", ENTRY, as_="c0001")
    stack.call("entries", "PUT", "/entries/2026-11-21", ENTRY, as_="c0001")
    stack.call("entries", "PUT", "/entries/2026-11-20", raw=b"{nope", as_="c0001")
    stack.call("entries", "PUT", "/entries/2026-11-20", ENTRY, as_="c9999")
    assert boto3.client("dynamodb").scan(TableName=table)["Items"] == before


def test_a_half_year_summary_is_saved_in_its_window(stack: InProcessStack) -> None:

    set_clock(2026, 7, 3)
    body = {"achievements": "新建学校3所", "problems": "学位供给不足", "next_steps": "推进集团化办学"}
    saved = stack.call("entries", "PUT", "/summaries/2026-H1", body, as_="c0001")
    assert saved.status == 201 and not json.loads(saved.body)["late"]
    again = stack.call("entries", "GET", "/summaries/2026-H1", as_="c0001")
    assert json.loads(again.body)["achievements"] == "新建学校3所"
