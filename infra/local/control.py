"""The runtime's own API under ``/_local`` (docs/api.md, "The local runtime only"): health, the
roster's users, tokens, the clock, runs of scheduled functions on demand, the events functions put,
the schedules, the site's state, the notifier's outbox and what it sent, the robots' webhooks
(``infra.local.robots``), the OpenAPI document and its Swagger UI; the sign-in endpoints of the
local issuer (``infra.local.oidc``) answer under the same prefix."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from infra.local.demo import Demo
from infra.local.events import HttpResponse, error_response, json_response
from infra.local.functions import LocalFunction, schedule_input
from infra.local.issuer import LocalIssuer
from infra.local.oidc import SignInEndpoints
from infra.local.robots import RobotSink
from infra.local.scheduler import Scheduler
from infra.local.static import swagger_file
from infra.local.text import TEXT, invalid, not_allowed, not_found

log = logging.getLogger("infra.local")

LOCAL_PREFIX = "/_local"
DEFAULT_TOKEN_TTL_SECONDS = 8 * 3600

# GET answers HEAD too; a path of the map asked with another method is 405, any other path 404.
_ROUTES = Map(
    [
        Rule("/health", endpoint="health"),
        Rule("/users", endpoint="users", methods=["GET"]),
        Rule("/clock", endpoint="clock", methods=["GET"]),
        Rule("/clock", endpoint="set_clock", methods=["POST"]),
        Rule("/token", endpoint="token", methods=["POST"]),
        Rule("/events", endpoint="events", methods=["GET"]),
        Rule("/site", endpoint="site", methods=["GET"]),
        Rule("/schedules", endpoint="schedules", methods=["GET"]),
        Rule("/openapi.json", endpoint="openapi", methods=["GET"]),
        Rule("/docs", endpoint="docs", methods=["GET"]),
        Rule("/docs/<path:name>", endpoint="docs", methods=["GET"]),
        Rule("/run/<path:name>", endpoint="run", methods=["POST"]),
        Rule("/outbox", endpoint="outbox", methods=["GET"]),
        Rule("/robots/<path:robot>", endpoint="robots", methods=["POST"]),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


# --- the request bodies --------------------------------------------------------------------------


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    cadre_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    ttl_seconds: int = Field(DEFAULT_TOKEN_TTL_SECONDS, ge=1, le=7 * 24 * 3600)


class ClockRequest(BaseModel):
    """``now``: the moment to set (any offset), or null for real time again; required."""

    model_config = ConfigDict(extra="forbid", strict=True)

    now: AwareDatetime | None


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    date: str | None = Field(None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    @field_validator("date")
    @classmethod
    def _a_day_of_the_calendar(cls, value: str | None) -> str | None:
        if value is not None:
            date.fromisoformat(value)  # ValueError for 2024-13-01
        return value


# What a detail of a 422 says about a field of a request body.
_FIELD_HINTS = {
    "cadre_id": "a non-empty string is required",
    "ttl_seconds": "an integer from 1 to 604800",
}


def _details(err: ValidationError) -> list[dict[str, Any]]:
    details = []
    for problem in err.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        if problem["type"] == "extra_forbidden":
            msg = "unknown field"
        else:
            msg = _FIELD_HINTS.get(field, problem["msg"])
        details.append({"loc": ["body", *map(str, problem["loc"])], "msg": msg})
    return details


def _json_object(body: bytes) -> tuple[dict[str, Any], HttpResponse | None]:
    try:
        payload = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        return {}, error_response(400, "invalid_json", TEXT["invalid_json"])
    if not isinstance(payload, dict):
        return {}, invalid(TEXT["validation_error"], ["body"], "a JSON object is required")
    return payload, None


# --- the API -------------------------------------------------------------------------------------


class Runtime(Protocol):
    """What the API reads and moves of the runtime (``infra.local.runtime.LocalRuntime``)."""

    ready: threading.Event
    stopping: bool
    demo: Demo
    sign_in: SignInEndpoints | None
    issuer: LocalIssuer | None
    scheduler: Scheduler | None
    functions: dict[str, LocalFunction]
    robots: RobotSink

    def recorded_events(self) -> list[dict[str, Any]]: ...

    def outbox(self, *, morning: str | None, person: str | None) -> dict[str, Any]: ...

    def site_state(self) -> str: ...

    def openapi(self) -> dict[str, Any]: ...


class LocalApi:
    """``/_local/…`` of ``runtime``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        parts = urlsplit(target)
        name = (parts.path.rstrip("/") or "/")[len(LOCAL_PREFIX) :]
        method = method.upper()
        ready = self.runtime.ready.is_set()
        if name == "/health":
            if ready:
                return json_response(200, {"status": "ok", "demo": self.runtime.demo.state})
            return json_response(503, {"status": "stopping" if self.runtime.stopping else "starting"})
        if not ready:
            key = "stopping" if self.runtime.stopping else "starting"
            return error_response(503, key, TEXT[key])
        if self.runtime.sign_in is not None:
            answer = self.runtime.sign_in.handle(method, name, parts.query, headers, body)
            if answer is not None:
                return answer
        try:
            endpoint, args = _ROUTES.bind("localhost").match(name or "/", method=method)
        except MethodNotAllowed:
            return not_allowed()
        except NotFound:
            return not_found()
        return self._endpoints()[endpoint](parts.query, body, **args)

    def _endpoints(self) -> dict[str, Callable[..., HttpResponse]]:
        runtime = self.runtime
        return {
            "users": lambda query, body: self._users(query),
            "clock": lambda query, body: self._clock_now(),
            "set_clock": lambda query, body: self._set_clock(body),
            "token": lambda query, body: self._token(body),
            "events": lambda query, body: json_response(200, runtime.recorded_events()),
            "site": lambda query, body: json_response(200, {"site": runtime.site_state()}),
            "schedules": lambda query, body: json_response(
                200, runtime.scheduler.describe() if runtime.scheduler else []
            ),
            "openapi": lambda query, body: json_response(200, runtime.openapi()),
            "docs": lambda query, body, name="": swagger_file(name),
            "run": lambda query, body, name: self._run(unquote(name), body),
            "outbox": lambda query, body: self._outbox(query),
            "robots": lambda query, body, robot: runtime.robots.handle(robot, query, body) or not_found(),
        }

    def _outbox(self, query: str) -> HttpResponse:
        params = parse_qs(query)
        morning = next(iter(params.get("morning", [])), None)
        person = next(iter(params.get("person", [])), None)
        try:
            if morning is not None:
                RunRequest(date=morning)
        except ValidationError:
            return invalid(TEXT["bad_date"], ["query", "morning"], "YYYY-MM-DD")
        if person is not None and not person.strip():
            return invalid(TEXT["validation_error"], ["query", "person"], "a cadre id")
        return json_response(200, self.runtime.outbox(morning=morning, person=person))

    def _users(self, query: str) -> HttpResponse:
        from infra.local.demo import users
        from worklog.models.roster import ROLES

        role = next(iter(parse_qs(query).get("role", [])), None)
        if role and role not in ROLES:
            return invalid(TEXT["unknown_role"], ["query", "role"], f"one of {', '.join(ROLES)}")
        return json_response(200, users(role))

    def _token(self, body: bytes) -> HttpResponse:
        from worklog.roster.repository import RosterRepository

        payload, problem = _json_object(body)
        if problem:
            return problem
        try:
            request = TokenRequest.model_validate(payload)
        except ValidationError as err:
            return error_response(422, "validation_error", TEXT["validation_error"], details=_details(err))
        issuer = self.runtime.issuer
        assert issuer is not None
        if RosterRepository().get_cadre(request.cadre_id) is None:
            return error_response(404, "unknown_cadre", TEXT["unknown_cadre"])
        token = issuer.issue(request.cadre_id, ttl_seconds=request.ttl_seconds)
        return json_response(200, {"token": token, "token_type": "Bearer", "expires_in": request.ttl_seconds})

    def _clock_now(self) -> HttpResponse:
        from worklog.clock import system_clock

        now = system_clock.now().isoformat(timespec="seconds")
        return json_response(200, {"now": now, "overridden": system_clock.overridden})

    def _set_clock(self, body: bytes) -> HttpResponse:
        from worklog.clock import SHANGHAI, system_clock

        _, problem = _json_object(body)
        if problem:
            return problem
        try:
            moment = ClockRequest.model_validate_json(body).now
        except ValidationError as err:
            shape = {e["type"] for e in err.errors()} & {"missing", "extra_forbidden"}
            hint = "required, and the only field" if shape else "ISO 8601 timestamp with offset, or null"
            return invalid(TEXT["bad_now"], ["body", "now"], hint)
        system_clock.set(None if moment is None else moment.astimezone(SHANGHAI))
        what = "reset to real time" if moment is None else "set"
        log.info("clock %s: now %s", what, system_clock.now().isoformat(timespec="seconds"))
        if self.runtime.scheduler is not None:
            self.runtime.scheduler.wake()  # fire what the move made due, now
        return self._clock_now()

    def _run(self, name: str, body: bytes) -> HttpResponse:
        runtime = self.runtime
        if runtime.demo.state == "loading":
            return error_response(503, "demo_loading", TEXT["demo_loading"])
        function = runtime.functions.get(name)
        if function is None or not function.schedules:
            return error_response(404, "unknown_function", TEXT["unknown_function"])
        request, problem = _run_request(body)
        if problem:
            return problem
        event = schedule_input(function.schedules[0].input)
        if request.date is not None:
            event["date"] = request.date
        log.info("running %s now with %s", name, json.dumps(event, ensure_ascii=False))
        try:
            result = function.invoke(event)
        except Exception as err:
            log.exception("%s failed", name)
            detail = f"{type(err).__name__}: {err}"
            return error_response(500, "function_error", TEXT["function_error"], error=detail)
        return json_response(200, result)


def _run_request(body: bytes) -> tuple[RunRequest, HttpResponse | None]:
    """The body of a run: empty, or an object with at most a ``date``."""
    payload: dict[str, Any] = {}
    if body.strip():
        payload, problem = _json_object(body)
        if problem:
            return RunRequest(), problem
    try:
        request = RunRequest.model_validate(payload)
    except ValidationError as err:
        unknown = [e for e in err.errors() if e["type"] == "extra_forbidden"]
        if unknown:
            loc = ["body", str(unknown[0]["loc"][0])]
            return RunRequest(), invalid(TEXT["validation_error"], loc, "unknown field")
        return RunRequest(), invalid(TEXT["bad_date"], ["body", "date"], "YYYY-MM-DD")
    return request, None
