"""The local runtime in process, with a stand-in function URL: routing, CORS, errors that escape a
handler, readiness and the events functions put."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types

from tests.e2e.runtime_support import StandInSpec, add_function, call, go_live

pytestmark = pytest.mark.e2e

# --- in process: the dispatcher with stand-in functions ------------------------------------------
# The template's functions need AWS; these stand-ins pin what the runtime itself does around a
# function, without sockets.


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
