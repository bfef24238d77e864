"""Bad input never gets a 5xx: the error contract of API.md on every kind of bad request."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from infra.inprocess import InProcessStack

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


def test_admin_routes_need_the_admin_role(stack: InProcessStack) -> None:
    resp = stack.call("admin", "GET", "/admin/roster/units", as_="c0001")
    assert resp.status == 403 and error(resp)["code"] == "forbidden"
