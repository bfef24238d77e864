"""The template's functions, loaded in this process, and the routes of those with a URL."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from infra.local.harness import LambdaContext, StartupError

log = logging.getLogger("infra.local")

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass
class LocalFunction:
    """One function of the template, loaded in this process."""

    name: str
    physical_name: str
    spec: Any
    handler: Callable[[Any, Any], Any]
    module: ModuleType | None
    memory_mb: int = 512
    timeout_s: float = 15.0
    # One invocation at a time per function, like one warm container: the resolver keeps the
    # current event on the app object, so two requests must not share it concurrently.
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cors(self) -> dict[str, Any] | None:
        return getattr(self.spec, "cors", None)

    @property
    def schedules(self) -> tuple[Any, ...]:
        return tuple(getattr(self.spec, "schedules", ()) or ())

    def invoke(self, event: Any) -> Any:
        with self.lock:
            context = LambdaContext(self.physical_name, self.memory_mb, self.timeout_s)
            started = time.monotonic()
            result = self.handler(event, context)
            elapsed = time.monotonic() - started
        if elapsed > self.timeout_s:
            log.warning(
                "%s ran %.1f s, past its %.0f s timeout: AWS would have stopped it",
                self.name,
                elapsed,
                self.timeout_s,
            )
        return result


@dataclass(frozen=True)
class Route:
    template: str  # OpenAPI path template, e.g. /entries/{date}
    pattern: re.Pattern[str]
    methods: frozenset[str]
    function: LocalFunction

    @property
    def literal_segments(self) -> int:
        return sum(1 for s in self.template.split("/") if s and not s.startswith("{"))


def path_pattern(template: str) -> re.Pattern[str]:
    """OpenAPI path template → regex; ``{name}`` matches one non-empty path segment (still
    percent-encoded, as the function URL sees it)."""
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def routes_of(function: LocalFunction) -> list[Route]:
    app = getattr(function.module, "app", None)
    if app is None or not hasattr(app, "get_openapi_schema"):
        raise StartupError(f"function {function.name!r} has a URL but its handler has no resolver `app`")
    routes = []
    for template, item in (app.get_openapi_schema().paths or {}).items():
        declared = item.model_dump(exclude_none=True, by_alias=True)
        methods = frozenset(m.upper() for m in HTTP_METHODS if m in declared)
        routes.append(Route(template, path_pattern(template), methods, function))
    return routes


def order_routes(routes: Iterable[Route]) -> list[Route]:
    """Literal paths before templated ones (/reviews/mine before /reviews/{id}); else template order."""
    indexed = list(enumerate(routes))
    indexed.sort(key=lambda pair: (-pair[1].literal_segments, pair[1].template.count("{"), pair[0]))
    return [route for _, route in indexed]


def find_route(routes: Iterable[Route], method: str, path: str) -> Route | None:
    """The route whose method matches; else the first path match answers (its 404/405)."""
    matches = [r for r in routes if r.pattern.match(path)]
    if not matches:
        return None
    return next((r for r in matches if method.upper() in r.methods), matches[0])


def load_functions(stack: Any, stack_name: str) -> tuple[dict[str, LocalFunction], list[Route]]:
    """Every function of ``stack`` imported here, and the routes of those with a URL, in order."""
    from infra.template import load_handler

    functions: dict[str, LocalFunction] = {}
    routes: list[Route] = []
    for spec in stack.functions():
        handler = load_handler(spec)
        function = LocalFunction(
            name=spec.name,
            physical_name=f"{stack_name}-{spec.name}",
            spec=spec,
            handler=handler,
            module=sys.modules.get(getattr(handler, "__module__", "") or ""),
            memory_mb=spec.memory_mb,
            timeout_s=spec.timeout_s,
        )
        functions[spec.name] = function
        if getattr(spec, "url", False):
            routes.extend(routes_of(function))
    ordered = order_routes(routes)
    _warn_route_clashes(ordered)
    return functions, ordered


def _warn_route_clashes(routes: Iterable[Route]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for route in routes:
        for method in route.methods:
            first = seen.setdefault((method, route.template), route.function.name)
            if first != route.function.name:
                log.warning(
                    "%s %s is served by both %s and %s; %s wins",
                    method,
                    route.template,
                    first,
                    route.function.name,
                    first,
                )


def schedule_input(value: Any) -> dict[str, Any]:
    """A schedule's Input as the event its function receives."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise StartupError(f"a schedule's Input must be a JSON object, got {value!r}")
    return dict(value)
