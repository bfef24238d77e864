"""Bad input never gets a 5xx: the error contract of docs/api.md on every kind of bad request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm

from infra.inprocess import InProcessStack
from infra.local.events import HttpResponse, to_function_url_event, to_http_response
from infra.template import ROOT
from tests.conftest import compliance_items, set_clock

ENTRY = {"items": [{"content": "工作", "status": "done"}]}


def error(resp: object) -> dict[str, object]:
    data = json.loads(resp.body)  # type: ignore[attr-defined]
    assert set(data) >= {"code", "message"}
    return data


def test_no_token_is_401(stack: InProcessStack) -> None:
    resp = stack.call("entries", "GET", "/me")
    assert resp.status == 401 and error(resp)["code"] == "missing_token"


@pytest.mark.parametrize("claims", [{"exp": -10}, {"iss": "https://evil.example"}, {"aud": "other"}])
def test_expired_or_foreign_tokens_are_401(stack: InProcessStack, claims: dict[str, object]) -> None:
    now = int(time.time())
    base = {
        "iss": stack.issuer.issuer,
        "aud": stack.issuer.audience,
        "sub": "c0001",
        "iat": now,
        "exp": now + 600,
    }
    if "exp" in claims:
        base["exp"] = now - 3600
    else:
        base.update(claims)
    token = jwt.encode(base, stack.issuer._key, algorithm="RS256", headers={"kid": stack.issuer.kid})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 401


def test_a_token_signed_by_another_key_is_401(stack: InProcessStack) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": stack.issuer.issuer,
            "aud": stack.issuer.audience,
            "sub": "c0001",
            "iat": now,
            "exp": now + 600,
        },
        other,
        algorithm="RS256",
        headers={"kid": stack.issuer.kid},
    )
    assert stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"}).status == 401


# --- forged tokens: every failure to verify a token is a 401, never a 5xx ---------------------------

# One authenticated route of each function that takes tokens (authentication runs before routing).
AUTHENTICATED = [
    ("entries", "/me"),
    ("reviews", "/reviews"),
    ("cases", "/cases"),
    ("admin", "/admin/roster/units"),
]
EC_KID = "ec-p256"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _claims(stack: InProcessStack) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": stack.issuer.issuer,
        "aud": stack.issuer.audience,
        "sub": "c0001",
        "iat": now,
        "exp": now + 600,
    }


def _compact(header: bytes, claims: dict[str, object], signature: bytes = b"x") -> str:
    return f"{_b64(header)}.{_b64(json.dumps(claims).encode())}.{_b64(signature)}"


@pytest.fixture
def ec_key(stack: InProcessStack) -> ec.EllipticCurvePrivateKey:
    """Given a second key in the issuer's key set: an EC P-256 key (kid ec-p256) beside the RSA key."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks = {"keys": [*stack.issuer.jwks["keys"], {**public, "kid": EC_KID, "use": "sig", "alg": "ES256"}]}
    path = stack.issuer.jwks_path
    path.write_text(json.dumps(jwks), encoding="utf-8")
    later = path.stat().st_mtime_ns + 1_000_000_000  # the verifier re-reads a key set file that changed
    os.utime(path, ns=(later, later))
    return key


def _hmac_with_public_key(stack: InProcessStack) -> str:
    """HS256 keyed with the bytes of the RSA public key: the classic algorithm-confusion forgery."""
    pem = stack.issuer._key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": stack.issuer.kid}).encode())
    payload = _b64(json.dumps(_claims(stack)).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _signed(alg: str, key: object, kid: str | None) -> Callable[[InProcessStack], str]:
    def forge(stack: InProcessStack) -> str:
        signer = stack.issuer._key if key == "issuer" else key
        headers = {"kid": stack.issuer.kid if kid == "issuer" else kid} if kid else None
        return jwt.encode(_claims(stack), signer, algorithm=alg, headers=headers)  # type: ignore[arg-type]

    return forge


def _raw(header: bytes) -> Callable[[InProcessStack], str]:
    return lambda stack: _compact(header.replace(b"KID", stack.issuer.kid.encode()), _claims(stack))


SECRET = "s" * 64
FORGERIES: dict[str, Callable[[InProcessStack], str]] = {
    "HS256 with the real kid": _signed("HS256", SECRET, "issuer"),
    "HS384 with the real kid": _signed("HS384", SECRET, "issuer"),
    "HS512 with the real kid": _signed("HS512", SECRET, "issuer"),
    "HS256 keyed with the public key": _hmac_with_public_key,
    "alg none with the real kid": _raw(b'{"alg":"none","kid":"KID"}'),
    "PS256 by the real key": _signed("PS256", "issuer", "issuer"),
    "RS384 by the real key": _signed("RS384", "issuer", "issuer"),
    "RS512 by the real key": _signed("RS512", "issuer", "issuer"),
    "ES256 with the real kid": _signed("ES256", ec.generate_private_key(ec.SECP256R1()), "issuer"),
    "ES384 with the real kid": _signed("ES384", ec.generate_private_key(ec.SECP384R1()), "issuer"),
    "ES512 with the real kid": _signed("ES512", ec.generate_private_key(ec.SECP521R1()), "issuer"),
    "EdDSA with the real kid": _signed("EdDSA", ed25519.Ed25519PrivateKey.generate(), "issuer"),
    "RS256 by the real key with the EC key's kid": _signed("RS256", "issuer", EC_KID),
    "HS256 with the EC key's kid": _signed("HS256", SECRET, EC_KID),
    "RS256 by the real key without a kid": _signed("RS256", "issuer", None),
    "a kid that is not a string": _raw(b'{"alg":"RS256","kid":["KID"]}'),
    "no alg": _raw(b'{"kid":"KID"}'),
    "alg as a list": _raw(b'{"alg":["RS256"],"kid":"KID"}'),
    "a header that is not JSON": _raw(b"not json at all"),
    "a header that is a JSON list": _raw(b'["RS256","KID"]'),
    "a header that is a JSON string": _raw(b'"RS256"'),
    "a header that is not UTF-8": _raw(b'{"alg":"RS256","kid":"\xff"}'),
    "a header that is not base64": lambda stack: (
        "@@@." + _signed("RS256", "issuer", "issuer")(stack).split(".", 1)[1]
    ),
    "a payload that is not base64": lambda stack: (
        _signed("RS256", "issuer", "issuer")(stack).split(".")[0] + ".@@@.x"
    ),
    "a signature that is not base64": lambda stack: _signed("RS256", "issuer", "issuer")(stack) + "@@",
    "one segment": lambda stack: "abc",
    "four segments": lambda stack: _signed("RS256", "issuer", "issuer")(stack) + ".x",
}


@pytest.mark.parametrize(("function", "path"), AUTHENTICATED)
def test_a_forged_or_mangled_token_is_401_invalid_token_on_every_function(
    stack: InProcessStack, ec_key: object, function: str, path: str
) -> None:
    answers = {}
    for forgery, forge in FORGERIES.items():
        resp = stack.call(function, "GET", path, headers={"authorization": f"Bearer {forge(stack)}"})
        answers[forgery] = (resp.status, json.loads(resp.body).get("code"))
    assert answers == {forgery: (401, "invalid_token") for forgery in FORGERIES}


def test_an_es256_token_by_the_key_sets_ec_key_is_accepted(
    stack: InProcessStack, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(stack), ec_key, algorithm="ES256", headers={"kid": EC_KID})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 200 and json.loads(resp.body)["cadre_id"] == "c0001"


def test_an_es256_token_by_the_ec_key_under_the_rsa_kid_is_401(
    stack: InProcessStack, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(stack), ec_key, algorithm="ES256", headers={"kid": stack.issuer.kid})
    resp = stack.call("entries", "GET", "/me", headers={"authorization": f"Bearer {token}"})
    assert resp.status == 401 and error(resp)["code"] == "invalid_token"


def test_a_key_set_the_issuer_no_longer_serves_is_503_auth_unavailable(stack: InProcessStack) -> None:
    stack.issuer.jwks_path.unlink()
    resp = stack.call("entries", "GET", "/me", as_="c0001")
    assert resp.status == 503 and error(resp)["code"] == "auth_unavailable"


def test_unknown_subject_and_departed_cadre_are_401(stack: InProcessStack) -> None:
    assert error(stack.call("entries", "GET", "/me", as_="c9999"))["code"] == "unknown_subject"
    assert stack.call("entries", "GET", "/me", as_="c0004").status == 401


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
    from infra.template import ROOT

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
    from tests.conftest import set_clock

    set_clock(2026, 7, 3)
    body = {"achievements": "新建学校3所", "problems": "学位供给不足", "next_steps": "推进集团化办学"}
    saved = stack.call("entries", "PUT", "/summaries/2026-H1", body, as_="c0001")
    assert saved.status == 201 and not json.loads(saved.body)["late"]
    again = stack.call("entries", "GET", "/summaries/2026-H1", as_="c0001")
    assert json.loads(again.body)["achievements"] == "新建学校3所"


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

    def broken(headers: dict[str, str]) -> None:
        raise RuntimeError("the roster table is gone")

    monkeypatch.setattr(http, "authenticate", broken)
    resp = stack.call("entries", "GET", "/me", as_="c0001")
    assert (resp.status, error(resp)["code"]) == (500, "internal_error")
