"""`python -m infra.local` as a developer runs it: a real process, real HTTP, Ctrl-C to stop.

The runtime is started once per module on a free port, with the demo district; the dispatcher and
the scheduler are also exercised in-process with stand-in functions (one that fails on demand,
schedules of any shape), which the template's own functions cannot be made to be.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import jwt
import pytest
import requests
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types

from tests.e2e.conftest import ROOT, demo_user, port_is_free, start_runtime, stop_runtime, token_for

pytestmark = pytest.mark.e2e


# --- start-up -------------------------------------------------------------------------------------


def test_health_is_ok_once_started(runtime):
    resp = requests.get(f"{runtime.url}/_local/health", timeout=5)

    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "demo": "ready"}  # the short demo is loaded before


def test_banner_names_the_url_and_the_swagger_ui(runtime):
    deadline = time.monotonic() + 5
    while "Press Ctrl-C" not in runtime.output() and time.monotonic() < deadline:
        time.sleep(0.1)

    output = runtime.output()
    assert f"{runtime.url}/_local/docs" in output
    assert "ready in" in output


def test_each_request_is_logged_with_method_path_status_and_time(runtime):
    requests.get(f"{runtime.url}/_local/health?probe=1", timeout=5)
    time.sleep(0.2)

    lines = runtime.output().splitlines()
    assert any("GET /_local/health 200" in line and line.rstrip().endswith("ms") for line in lines)


# --- /_local/users and /_local/token --------------------------------------------------------------


def test_users_lists_the_roster_with_ids_names_units_and_roles(runtime, users):
    assert isinstance(users, list)
    for user in users:
        assert set(user) == {"cadre_id", "name", "unit_id", "roles"}


def test_users_can_be_filtered_by_role(runtime, users):
    admins = requests.get(f"{runtime.url}/_local/users", params={"role": "admin"}, timeout=10).json()

    assert all("admin" in u["roles"] for u in admins)
    assert len(admins) == sum("admin" in u["roles"] for u in users)


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

    assert isinstance(schedules, list)
    for schedule in schedules:
        assert schedule["expression"].startswith(("cron(", "rate(", "at("))
        assert schedule["timezone"]


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


# --- in process: the dispatcher and the scheduler with stand-in functions -------------------------
# The template's functions need the embedded AWS and cannot be made to fail on demand; these
# stand-ins pin what the runtime itself does around a function, without sockets.


@dataclass(frozen=True)
class StandInSpec:
    name: str
    url: bool = False
    cors: dict | None = None
    schedules: tuple = ()
    environment: dict | None = None


class Sweep:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict] = []
        self.fail = fail

    def __call__(self, event: dict, context: object) -> dict:
        self.events.append(dict(event))
        if self.fail:
            raise RuntimeError("table missing")
        return {"reminded": 2, "date": event.get("date")}


def nightly_spec(enabled: bool = True) -> StandInSpec:
    from infra.template import ScheduleSpec

    schedule = ScheduleSpec("Nightly", "cron(30 1 * * ? *)", "Asia/Shanghai", {"mode": "sweep"}, enabled)
    return StandInSpec(name="missing-entry-check", schedules=(schedule,))


@pytest.fixture
def bare_runtime() -> Iterator:
    from infra.local.runtime import LocalRuntime

    rt = LocalRuntime(port=0, demo=False, scheduler_tick_seconds=60)
    yield rt
    rt.stop()


def add_function(rt, spec: StandInSpec, handler, module=None) -> None:
    from infra.local.runtime import LocalFunction, order_routes, routes_of

    function = LocalFunction(spec.name, f"worklog-local-{spec.name}", spec, handler, module)
    rt.functions[spec.name] = function
    if spec.url:
        rt.routes = order_routes([*rt.routes, *routes_of(function)])


def go_live(rt) -> None:
    rt._start_scheduler()
    rt.ready.set()


def call(rt, method: str, target: str, body: dict | None = None, headers: list | None = None):
    raw = json.dumps(body).encode() if body is not None else b""
    response = rt.handle(method, target, headers or [("Content-Type", "application/json")], raw, "127.0.0.1")
    payload = json.loads(response.body) if response.body else None
    return response, payload


def test_run_merges_the_date_into_the_schedule_input_and_returns_the_result(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})

    assert response.status == 200
    assert payload == {"reminded": 2, "date": "2024-05-06"}
    assert sweep.events == [{"mode": "sweep", "date": "2024-05-06"}]


def test_run_without_a_body_uses_the_schedule_input(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)

    response = bare_runtime.handle("POST", "/_local/run/missing-entry-check", [], b"", "127.0.0.1")

    assert response.status == 200
    assert sweep.events == [{"mode": "sweep"}]


def test_run_works_for_a_disabled_schedule_too(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(enabled=False), sweep)
    go_live(bare_runtime)

    response, _ = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {})

    assert response.status == 200


@pytest.mark.parametrize("body", [{"date": "2024-13-01"}, {"date": "yesterday"}, {"day": "2024-05-06"}, [1]])
def test_run_with_a_bad_body_is_422(bare_runtime, body):
    add_function(bare_runtime, nightly_spec(), Sweep())
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", body)

    assert response.status == 422
    assert payload["code"] == "validation_error"


def test_a_failing_run_reports_the_error(bare_runtime):
    add_function(bare_runtime, nightly_spec(), Sweep(fail=True))
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {})

    assert response.status == 500
    assert payload["code"] == "function_error"
    assert "table missing" in payload["error"]


def test_moving_the_clock_past_the_fire_time_fires_the_schedule_once(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    bare_runtime.ready.set()
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T01:00:00+08:00"})
    go_live(bare_runtime)  # plans the nightly run for 2024-05-06 01:30

    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-09T12:00:00+08:00"})
    deadline = time.monotonic() + 10
    while not sweep.events and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)

    assert sweep.events == [{"mode": "sweep"}]
    (schedule,) = call(bare_runtime, "GET", "/_local/schedules")[1]
    assert schedule["fired"] == 1
    assert schedule["next_fire"] == "2024-05-10T01:30:00+08:00"


def test_health_says_whether_the_demo_history_is_still_loading(bare_runtime):
    go_live(bare_runtime)
    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "none"}

    bare_runtime.demo_state = "loading"

    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "loading"}


def test_scheduled_functions_cannot_be_run_by_hand_while_the_history_loads(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)
    bare_runtime.demo_state = "loading"

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})

    assert response.status == 503
    assert payload["code"] == "demo_loading"
    assert sweep.events == []
    bare_runtime.demo_state = "ready"
    assert (
        call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})[0].status == 200
    )


def test_held_schedules_fire_only_once_released_and_then_what_came_due_since_midnight(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    bare_runtime.ready.set()
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T09:00:00+08:00"})
    bare_runtime._start_scheduler(hold=True)
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T09:05:00+08:00"})
    time.sleep(0.3)
    assert sweep.events == []

    bare_runtime._release_scheduler()
    deadline = time.monotonic() + 10
    while not sweep.events and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)

    assert sweep.events == [{"mode": "sweep"}]  # the 01:30 run of that day, once
    (schedule,) = call(bare_runtime, "GET", "/_local/schedules")[1]
    assert schedule["next_fire"] == "2024-05-07T01:30:00+08:00"


def test_the_site_is_ready_only_once_its_start_up_build_has_finished(bare_runtime, monkeypatch):
    go_live(bare_runtime)
    monkeypatch.setattr(bare_runtime, "_site_object", lambda key: object())  # the home page is there
    bare_runtime._site_building.set()

    assert call(bare_runtime, "GET", "/_local/site")[1] == {"site": "publishing"}
    bare_runtime._site_building.clear()
    assert call(bare_runtime, "GET", "/_local/site")[1] == {"site": "ready"}


class _Loaded:
    def as_dict(self) -> dict:
        return {}


def test_a_publisher_run_set_off_while_the_history_loads_waits_for_it(bare_runtime, monkeypatch):
    import infra.demo.loader as loader

    release, calls = threading.Event(), []

    def load_history(district, day, *, publish, progress, stop):
        progress("journal")
        release.wait(10)
        calls.append("history")
        progress("site")
        calls.append("site")
        return _Loaded()

    monkeypatch.setattr(loader, "load_history", load_history)
    add_function(
        bare_runtime, StandInSpec(name="disclosure-publisher"), lambda e, c: calls.append("publisher")
    )
    go_live(bare_runtime)
    bare_runtime._demo_day, bare_runtime._district = date(2024, 5, 6), object()
    bare_runtime.demo_state = "loading"
    bare_runtime._load_history_in_background()
    nightly = threading.Thread(target=bare_runtime.functions["disclosure-publisher"].invoke, args=({},))
    nightly.start()
    time.sleep(0.3)
    assert calls == []

    release.set()
    nightly.join(10)

    assert calls == ["history", "site", "publisher"]
    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "ready"}


def url_function():
    app = LambdaFunctionUrlResolver(enable_validation=True)

    @app.get("/things/<thing_id>")
    def get_thing(thing_id: str) -> dict:
        return {"thing_id": thing_id, "q": app.current_event.query_string_parameters}

    @app.get("/things/mine")
    def my_things() -> dict:
        return {"mine": True}

    @app.post("/things")
    def boom():
        raise RuntimeError("bug")

    @app.get("/cookies")
    def cookies():
        return Response(200, content_types.TEXT_PLAIN, "ok", cookies=["seen=1"], headers={"X-Thing": "1"})

    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "MaxAge": 600}
    spec = StandInSpec(name="things", url=True, cors=cors)

    def handler(event: dict, context: object) -> dict:
        return app.resolve(event, context)

    return spec, handler, type("Module", (), {"app": app})


def test_routes_come_from_the_app_and_literal_paths_win(bare_runtime):
    spec, handler, module = url_function()
    add_function(bare_runtime, spec, handler, module)
    go_live(bare_runtime)

    mine = call(bare_runtime, "GET", "/things/mine")[1]
    one = call(bare_runtime, "GET", "/things/42?x=1&x=2")[1]

    assert mine == {"mine": True}
    assert one == {"thing_id": "42", "q": {"x": "1,2"}}


def test_a_path_no_function_serves_is_404(bare_runtime):
    spec, handler, module = url_function()
    add_function(bare_runtime, spec, handler, module)
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "GET", "/things/42/parts")

    assert response.status == 404
    assert payload == {"code": "not_found", "message": "未找到该接口"}


def test_preflight_is_answered_from_the_function_url_cors(bare_runtime):
    spec, handler, module = url_function()
    add_function(bare_runtime, spec, handler, module)
    go_live(bare_runtime)

    response = bare_runtime.handle(
        "OPTIONS",
        "/things/42",
        [("Origin", "https://app.example"), ("Access-Control-Request-Method", "GET")],
        b"",
        "127.0.0.1",
    )

    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == "https://app.example"
    assert response.header("Access-Control-Allow-Methods") == "GET,POST"
    assert response.header("Access-Control-Max-Age") == "600"


def test_responses_to_an_allowed_origin_carry_cors_headers_and_others_do_not(bare_runtime):
    spec, handler, module = url_function()
    add_function(bare_runtime, spec, handler, module)
    go_live(bare_runtime)

    allowed = bare_runtime.handle("GET", "/cookies", [("Origin", "https://app.example")], b"", "127.0.0.1")
    other = bare_runtime.handle("GET", "/cookies", [("Origin", "https://evil.example")], b"", "127.0.0.1")

    assert allowed.header("Access-Control-Allow-Origin") == "https://app.example"
    assert other.header("Access-Control-Allow-Origin") is None
    assert ("Set-Cookie", "seen=1") in allowed.headers
    assert allowed.header("X-Thing") == "1"


def test_an_exception_that_escapes_the_handler_is_a_502(bare_runtime):
    spec, _, module = url_function()

    def crashing(event: dict, context: object) -> dict:
        raise RuntimeError("import-time bug")

    add_function(bare_runtime, spec, crashing, module)
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "GET", "/things/42")

    assert response.status == 502
    assert payload["code"] == "function_error"


def test_function_routes_wait_for_readiness(bare_runtime):
    spec, handler, module = url_function()
    add_function(bare_runtime, spec, handler, module)

    response, payload = call(bare_runtime, "GET", "/things/42")

    assert response.status == 503
    assert payload["code"] == "starting"
    assert call(bare_runtime, "GET", "/_local/health")[0].status == 503


def test_events_put_by_functions_are_listed(bare_runtime):
    go_live(bare_runtime)
    bare_runtime.record_event({"source": "worklog.compliance", "detail-type": "EntryMissing"})

    assert call(bare_runtime, "GET", "/_local/events")[1] == [
        {"source": "worklog.compliance", "detail-type": "EntryMissing"}
    ]
