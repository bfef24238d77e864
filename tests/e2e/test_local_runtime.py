"""`python -m infra.local` as a developer runs it: a real process, real HTTP, Ctrl-C to stop.

The runtime is started once per session on a free port, with the short demo district. The
dispatcher and the scheduler are exercised in-process with stand-in functions in
test_local_scheduler.py and test_local_dispatcher.py.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time

import jwt
import pytest
import requests

from tests.e2e.conftest import ROOT, demo_user, port_is_free, start_runtime, stop_runtime, token_for

pytestmark = pytest.mark.e2e


# --- start-up -------------------------------------------------------------------------------------


def test_health_is_ok_once_started(runtime):
    resp = requests.get(f"{runtime.url}/_local/health", timeout=5)

    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "demo": "ready"}  # the short demo is loaded before


def banner(runtime) -> str:
    """The runtime's output once its banner is printed (a moment after /_local/health says ok)."""
    deadline = time.monotonic() + 5
    while "Press Ctrl-C" not in runtime.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    return runtime.output()


def test_banner_names_the_url_and_the_swagger_ui(runtime):
    output = banner(runtime)

    assert f"{runtime.url}/_local/docs" in output
    assert "ready in" in output


def test_each_request_is_logged_with_method_path_status_and_time(runtime):
    requests.get(f"{runtime.url}/_local/health?probe=1", timeout=5)
    time.sleep(0.2)

    lines = runtime.output().splitlines()
    assert any("GET /_local/health 200" in line and line.rstrip().endswith("ms") for line in lines)


# --- /_local/users and /_local/token --------------------------------------------------------------


def test_users_lists_the_whole_demo_roster_with_ids_names_units_and_roles(runtime, users):
    loaded = re.search(r"Demo data .*\bcadres (\d+)", banner(runtime))
    assert loaded is not None, "the banner names how many cadres the demo loaded"

    assert len(users) == int(loaded.group(1)) > 0
    assert "c0001" in {u["cadre_id"] for u in users}  # the demo's ids: c0001, c0002, …
    for user in users:
        assert set(user) == {"cadre_id", "name", "unit_id", "roles"}
        assert user["name"] and user["unit_id"] and "cadre" in user["roles"]


def test_users_can_be_filtered_by_role(runtime, users):
    admins = requests.get(f"{runtime.url}/_local/users", params={"role": "admin"}, timeout=10).json()

    assert admins, "the demo district has an administrator"
    assert all("admin" in u["roles"] for u in admins)
    assert sorted(u["cadre_id"] for u in admins) == sorted(
        u["cadre_id"] for u in users if "admin" in u["roles"]
    )
    assert len(admins) < len(users)


def test_unknown_role_filter_is_a_validation_error(runtime):
    resp = requests.get(f"{runtime.url}/_local/users", params={"role": "emperor"}, timeout=5)

    assert resp.status_code == 422
    assert resp.json()["code"] == "validation_error"


def test_token_for_someone_not_on_the_roster_is_refused(runtime):
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": "nobody-here"}, timeout=5)

    assert resp.status_code == 404
    assert resp.json()["code"] == "unknown_cadre"


def test_token_request_without_a_cadre_id_is_a_validation_error(runtime):
    resp = requests.post(f"{runtime.url}/_local/token", json={"id": "x"}, timeout=5)

    assert resp.status_code == 422
    assert resp.json()["code"] == "validation_error"


def test_token_request_that_is_not_json_is_rejected(runtime):
    resp = requests.post(f"{runtime.url}/_local/token", data="cadre_id=x", timeout=5)

    assert resp.status_code == 400
    assert resp.json()["code"] == "invalid_json"


def test_token_is_an_rs256_jwt_the_local_jwks_verifies(runtime, users):
    user = demo_user(users)

    token = token_for(runtime, user["cadre_id"])

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"]
    jwks = jwt.PyJWKSet.from_json((runtime.log.parent / "state" / "jwks.json").read_text(encoding="utf-8"))
    key = next(k for k in jwks.keys if k.key_id == header["kid"])
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience="worklog-local",
        issuer=f"{runtime.url}/_local",
    )
    assert claims["sub"] == user["cadre_id"]
    assert claims["exp"] - claims["iat"] == 8 * 3600


# --- function URLs --------------------------------------------------------------------------------


def test_unmatched_route_is_404_not_found(runtime):
    resp = requests.get(f"{runtime.url}/no/such/route", timeout=5)

    assert resp.status_code == 404
    assert resp.json() == {"code": "not_found", "message": "未找到该接口"}


def test_function_route_answers_with_the_token_holder_profile(runtime, users):
    user = demo_user(users)

    token = token_for(runtime, user["cadre_id"])

    resp = requests.get(f"{runtime.url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert resp.status_code == 200, resp.text
    assert resp.json()["cadre_id"] == user["cadre_id"]


def test_function_route_without_a_token_is_401_from_the_handler(runtime):

    resp = requests.get(f"{runtime.url}/me", timeout=10)

    assert resp.status_code == 401
    assert set(resp.json()) >= {"code", "message"}


def test_a_token_naming_another_algorithm_under_the_real_kid_is_401_not_502(runtime, users):
    from cryptography.hazmat.primitives.asymmetric import ec

    real = token_for(runtime, demo_user(users)["cadre_id"])
    claims = jwt.decode(real, options={"verify_signature": False})
    forged = jwt.encode(
        claims,
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": jwt.get_unverified_header(real)["kid"]},
    )

    resp = requests.get(f"{runtime.url}/me", headers={"Authorization": f"Bearer {forged}"}, timeout=10)

    assert resp.status_code == 401
    assert resp.json()["code"] == "invalid_token"


def test_cors_preflight_is_answered_by_the_runtime(runtime):

    resp = requests.options(
        f"{runtime.url}/me",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
        timeout=5,
    )

    assert resp.status_code == 200
    assert resp.headers.get("Access-Control-Allow-Origin") in {"*", "http://localhost:3000"}
    assert "GET" in resp.headers.get("Access-Control-Allow-Methods", "")


def test_body_over_six_megabytes_is_refused_before_it_is_sent(runtime):
    conn = http.client.HTTPConnection("127.0.0.1", runtime.port, timeout=10)
    try:
        conn.putrequest("PUT", "/entries/2024-05-06")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(6 * 1024 * 1024 + 1))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        resp = conn.getresponse()
        body = json.loads(resp.read())
    finally:
        conn.close()

    assert resp.status == 413
    assert body["code"] == "payload_too_large"


def test_body_over_six_megabytes_sent_anyway_gets_413(runtime):
    resp = requests.post(f"{runtime.url}/leaves", data=b"x" * (6 * 1024 * 1024 + 1), timeout=30)

    assert resp.status_code == 413


# --- clock, runs, events --------------------------------------------------------------------------


def test_clock_can_be_set_read_and_returned_to_real_time(runtime):
    url = f"{runtime.url}/_local/clock"
    try:
        set_resp = requests.post(url, json={"now": "2024-05-06T09:00:00+08:00"}, timeout=5)
        read = requests.get(url, timeout=5).json()
    finally:
        reset = requests.post(url, json={"now": None}, timeout=5)

    assert set_resp.status_code == 200
    assert set_resp.json()["now"].startswith("2024-05-06T09:00")
    assert read["now"].startswith("2024-05-06T09:0") and read["overridden"] is True
    assert reset.json()["overridden"] is False
    assert not reset.json()["now"].startswith("2024-05-06")


def test_clock_takes_the_other_time_zone_offsets_too(runtime):
    url = f"{runtime.url}/_local/clock"
    try:
        resp = requests.post(url, json={"now": "2024-05-06T01:00:00+00:00"}, timeout=5)
    finally:
        requests.post(url, json={"now": None}, timeout=5)

    assert resp.json()["now"].startswith("2024-05-06T09:00")  # shown in Asia/Shanghai


@pytest.mark.parametrize("now", ["2024-05-06T09:00:00", "yesterday", 12])
def test_clock_needs_a_timestamp_with_an_offset(runtime, now):
    resp = requests.post(f"{runtime.url}/_local/clock", json={"now": now}, timeout=5)

    assert resp.status_code == 422
    assert resp.json()["code"] == "validation_error"


def test_running_an_unknown_function_is_404(runtime):
    resp = requests.post(f"{runtime.url}/_local/run/no-such-function", json={}, timeout=5)

    assert resp.status_code == 404


def test_running_a_function_without_schedules_is_404(runtime):
    resp = requests.post(f"{runtime.url}/_local/run/entries", json={}, timeout=5)

    assert resp.status_code == 404


def test_schedules_come_from_the_template_with_their_zone(runtime):
    schedules = requests.get(f"{runtime.url}/_local/schedules", timeout=5).json()

    nightly = [s for s in schedules if s["function"] == "missing-entry-check"]
    assert [(s["expression"], s["timezone"]) for s in nightly] == [("cron(30 1 * * ? *)", "Asia/Shanghai")]
    for schedule in schedules:
        assert schedule["expression"].startswith(("cron(", "rate(", "at("))
        assert schedule["timezone"] == "Asia/Shanghai"


def test_events_start_as_a_list(runtime):
    resp = requests.get(f"{runtime.url}/_local/events", timeout=5)

    assert resp.status_code == 200
    assert isinstance(resp.json(), list)


# --- docs and site --------------------------------------------------------------------------------


def test_openapi_lists_the_function_routes_and_points_at_this_runtime(runtime):
    spec = requests.get(f"{runtime.url}/_local/openapi.json", timeout=10).json()

    assert spec["openapi"].startswith("3.")
    assert spec["paths"]
    assert spec["servers"][0]["url"] == runtime.url


def test_swagger_ui_is_served_from_local_files_only(runtime):
    page = requests.get(f"{runtime.url}/_local/docs", timeout=5)
    script = requests.get(f"{runtime.url}/_local/docs/swagger-ui-bundle.js", timeout=10)

    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "/_local/openapi.json" in page.text
    assert "https://" not in page.text and "http://" not in page.text
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]


def test_site_root_redirects_to_its_index(runtime):
    resp = requests.get(f"{runtime.url}/site", allow_redirects=False, timeout=5)

    assert resp.status_code == 301
    assert resp.headers["Location"] == "/site/"


def test_missing_site_page_is_404_html(runtime):
    resp = requests.get(f"{runtime.url}/site/no/such/page.html", timeout=5)

    assert resp.status_code == 404
    assert "text/html" in resp.headers["Content-Type"]


def test_writing_to_the_site_is_not_allowed(runtime):
    resp = requests.put(f"{runtime.url}/site/index.html", data=b"<h1>defaced</h1>", timeout=5)

    assert resp.status_code == 405


# --- shutdown -------------------------------------------------------------------------------------


def test_ctrl_c_stops_cleanly_and_frees_the_port(tmp_path):
    rt = start_runtime(tmp_path, "--no-demo")

    code = stop_runtime(rt)

    assert code == 0, rt.output()
    assert "Traceback" not in rt.output()
    assert port_is_free(rt.port)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{rt.url}/_local/health", timeout=2)


def test_a_taken_port_is_a_clear_error(runtime):
    result = subprocess.run(
        [sys.executable, "-m", "infra.local", "--port", str(runtime.port), "--no-demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{runtime.port}" in result.stderr
