"""Bad input never gets a 5xx, media types and sizes: authenticate first, then refuse any body type an
endpoint does not take (415); the size limit before both (docs/api.md's error contract).
"""

from __future__ import annotations

import json

import pytest

from infra.inprocess import InProcessStack
from infra.local.events import HttpResponse, to_function_url_event, to_http_response
from infra.template import ROOT
from tests.conftest import set_clock
from tests.integration.http_contract_support import error

# --- media types: authenticate first, then refuse any body type an endpoint does not take (415) -------

# One route that takes a body per function, with a caller allowed to use it (None: public).
BODY_ROUTES = [
    ("entries", "PUT", "/entries/2026-11-20", "c0001"),
    ("reviews", "PUT", "/reviews/2026-11-16/c0001", "c0002"),
    ("cases", "POST", "/audits", "c0010"),
    ("admin", "POST", "/admin/roster/imports", "c0003"),
    ("feedback", "POST", "/feedback/N20261123-c0001", None),
]
MULTIPART = b'--x\r\nContent-Disposition: form-data; name="content"\r\n\r\n{"items": []}\r\n--x--\r\n'
# (Content-Type, body): media types no JSON endpoint takes, and spellings of JSON it must not take.
FOREIGN = [
    ("multipart/form-data", b'{"items": []}'),
    ("multipart/form-data; boundary=x", MULTIPART),
    ("text/plain", b'{"items": []}'),
    ("text/plain; charset=utf-8", b"hello"),
    ("application/json; charset=gbk", '{"content": "反映"}'.encode("gbk")),
    ("application/json; charset=latin-1", b"{}"),
    ("application/jsonp", b'{"items": []}'),
    ("application/json-patch+json", b"[]"),
    ("application/vnd.api+json", b"{}"),
    ("application/json,text/plain", b"{}"),  # two Content-Type headers, joined by the function URL
    ("application/xml", b"<items/>"),
    ("application/octet-stream", b"\x00\x01\xff"),  # arrives base64-encoded
    ("application/x-www-form-urlencoded; charset=gbk", "content=反映".encode("gbk")),
]
FORM_ON_JSON = ("application/x-www-form-urlencoded", b"content=x&items=y")


@pytest.mark.parametrize(("function", "method", "path", "caller"), BODY_ROUTES)
def test_a_body_of_a_type_the_endpoint_does_not_take_is_415_or_401_without_a_token(
    stack: InProcessStack, function: str, method: str, path: str, caller: str | None
) -> None:
    foreign = FOREIGN if function == "feedback" else [*FOREIGN, FORM_ON_JSON]
    answers, expected = {}, {}
    for content_type, raw in foreign:
        headers = {"content-type": content_type}
        with_token = stack.call(function, method, path, raw=raw, as_=caller, headers=headers)
        without = stack.call(function, method, path, raw=raw, headers=headers)
        answers[content_type] = (with_token.status, without.status, _code_or_page(with_token))
        # The public form gets its errors as a page (a browser shows it); every other answer is JSON.
        form_post = function == "feedback" and content_type.startswith("application/x-www-form-urlencoded")
        code = "page" if form_post else "unsupported_media_type"
        expected[content_type] = (415, 415 if caller is None else 401, code)
    assert answers == expected


def _code_or_page(resp: HttpResponse) -> object:
    if (resp.header("content-type") or "").startswith("text/html"):
        return "page"
    return error(resp)["code"]


@pytest.mark.parametrize(("function", "method", "path", "caller"), BODY_ROUTES)
def test_json_in_any_spelling_of_its_media_type_reaches_validation(
    stack: InProcessStack, function: str, method: str, path: str, caller: str | None
) -> None:
    """An empty object is invalid for every route: 422 shows the body got past the media-type check."""
    spellings = [None, "application/json", "Application/JSON", "application/json; charset=utf-8"]
    spellings += ['application/json;charset="UTF-8"', "application/json; charset=utf8"]
    answers = {}
    for content_type in spellings:
        event = to_function_url_event(
            method,
            path,
            [
                *([("content-type", content_type)] if content_type else []),
                *([("authorization", f"Bearer {stack.token(caller)}")] if caller else []),
            ],
            b"{}",
            function_name=function,
        )
        answers[content_type] = to_http_response(stack.invoke(function, event)).status
    assert answers == {content_type: 422 for content_type in spellings}


def test_a_body_of_a_foreign_type_is_refused_even_when_empty(stack: InProcessStack) -> None:
    resp = stack.call(
        "entries", "PUT", "/entries/2026-11-20", raw=b"", as_="c0001", headers={"content-type": "text/plain"}
    )
    assert resp.status == 415


JUNK = b"\x00\xff not json, not a roster " * (4_000_000 // 26)  # ~4 MB, under the import's 4 MiB


def test_four_megabytes_of_junk_to_the_roster_import_without_a_token_is_401(stack: InProcessStack) -> None:
    for content_type in ("application/json", "text/plain", "multipart/form-data"):
        resp = stack.call(
            "admin", "POST", "/admin/roster/imports", raw=JUNK, headers={"content-type": content_type}
        )
        assert (resp.status, error(resp)["code"]) == (401, "missing_token")


def test_four_megabytes_of_junk_to_the_roster_import_with_a_token_is_400_or_415(
    stack: InProcessStack,
) -> None:
    as_json = stack.call("admin", "POST", "/admin/roster/imports", raw=JUNK, as_="c0003")
    as_text = stack.call(
        "admin",
        "POST",
        "/admin/roster/imports",
        raw=JUNK,
        as_="c0003",
        headers={"content-type": "text/plain"},
    )
    assert (as_json.status, error(as_json)["code"]) == (400, "invalid_json")
    assert (as_text.status, error(as_text)["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data", "text/plain"])
def test_the_size_limit_is_checked_before_the_token_and_the_type(
    stack: InProcessStack, content_type: str
) -> None:
    too_big = stack.call(
        "admin",
        "POST",
        "/admin/roster/imports",
        raw=b"x" * (5 * 1024 * 1024),
        headers={"content-type": content_type},
    )
    assert (too_big.status, error(too_big)["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [("application/json", b"{junk"), ("multipart/form-data", b"junk"), ("text/plain", b"\xff\xfe")],
)
def test_a_get_with_a_body_is_answered_and_its_body_ignored(
    stack: InProcessStack, content_type: str, raw: bytes
) -> None:
    resp = stack.call("entries", "GET", "/me", raw=raw, as_="c0001", headers={"content-type": content_type})
    assert resp.status == 200 and json.loads(resp.body)["cadre_id"] == "c0001"


@pytest.mark.parametrize("function", ["entries", "reviews", "cases", "admin", "feedback"])
def test_a_cors_preflight_is_neither_authenticated_nor_refused_for_its_type(
    stack: InProcessStack, function: str
) -> None:
    path = next(p for f, _, p, _ in BODY_ROUTES if f == function)
    headers = {
        "content-type": "multipart/form-data",
        "origin": "http://localhost:3000",
        "access-control-request-method": "PUT",
    }
    resp = stack.call(function, "OPTIONS", path, raw=b"junk", headers=headers)
    assert resp.status not in (401, 415) and resp.status < 500


def test_a_feedback_form_with_bytes_that_are_not_utf8_gets_an_html_answer_not_a_5xx(
    stack: InProcessStack,
) -> None:
    notice = {
        "candidate_id": "c0001",
        "current_post": "副局长",
        "proposed_post": "局长",
        "start": "2026-11-23",
    }
    created = stack.call("admin", "POST", "/admin/notices", notice, as_="c0010")
    assert created.status == 201, created.body
    nid = json.loads(created.body)["notice_id"]
    set_clock(2026, 11, 24, 10)
    form = {"content-type": "application/x-www-form-urlencoded"}
    for raw in (b"content=%FF%FE%E6%94&contact=%", b"content=\xff\xfe\xe6\x94", b"\xff=\xff&&&="):
        answer = stack.call("feedback", "POST", f"/feedback/{nid}", raw=raw, headers=form)
        assert answer.status < 500, (raw, answer.body)
        assert (answer.header("content-type") or "").startswith("text/html")


def test_every_operation_that_takes_a_body_documents_415_and_no_other_does() -> None:
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
    documented = {
        f"{method.upper()} {path}": "415" in operation["responses"]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }
    assert documented == {
        operation: operation.split()[0] in {"POST", "PUT", "PATCH"} for operation in documented
    }


def test_a_fault_of_ours_before_routing_is_a_500_in_the_apis_shape_not_a_crash(
    stack: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worklog import http

    def broken(headers: dict[str, str], subject_of: object, *, fresh: bool) -> None:
        raise RuntimeError("the roster table is gone")

    monkeypatch.setattr(http, "authenticate", broken)
    resp = stack.call("entries", "GET", "/me", as_="c0001")
    assert (resp.status, error(resp)["code"]) == (500, "internal_error")
