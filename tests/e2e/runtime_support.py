"""Stand-ins for the in-process tests of the local runtime: a function spec without the template,
and helpers that add a function, start the scheduler and call the dispatcher without sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class StandInSpec:
    name: str
    url: bool = False
    cors: dict | None = None
    schedules: tuple = ()
    environment: dict | None = None


def add_function(rt, spec: StandInSpec, handler, module=None) -> None:
    from infra.local.functions import LocalFunction, order_routes, routes_of

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
