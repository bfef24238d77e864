"""The local runtime: the whole system on this machine, with no AWS account and no Docker.

``LocalRuntime`` starts moto's server as the embedded AWS (``infra.local.aws``), creates the
template's resources in it, imports the real handlers (``infra.local.functions``) and serves every
function URL on one local port (``infra.local.server``, ``infra.local.routing``) by turning HTTP
requests into function-URL events (payload 2.0). The template's schedules fire on the runtime's
clock (``infra.local.scheduling``), the public site bucket is served under ``/site/`` and the app
under ``/app/``. Endpoints under ``/_local/`` (``infra.local.control``; docs/api.md, "The local
runtime only") mint tokens, sign the app in (an OpenID Connect issuer: ``infra.local.oidc``), move
the clock and run sweeps on demand.

    with LocalRuntime(port=0) as rt:       # port 0: any free port
        requests.get(f"{rt.url}/_local/health")
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.local import demo as demo_data
from infra.local.aws import EmbeddedAws, QueueListeners
from infra.local.control import LOCAL_PREFIX, LocalApi
from infra.local.events import HttpResponse, error_response
from infra.local.functions import LocalFunction, Route, load_functions
from infra.local.harness import (
    EnvironmentPatch,
    create_stack_resources,
    load_stack,
    reset_caches,
    stack_environment,
)
from infra.local.issuer import REPO_ROOT, LocalIssuer
from infra.local.notify import outbox_view, seed_robots
from infra.local.oidc import CLIENT_ID, DEFAULT_APP_TOKEN_TTL_SECONDS, CodeFlow, SignInEndpoints
from infra.local.robots import RobotSink
from infra.local.routing import dispatch
from infra.local.scheduler import ScheduledJob, Scheduler
from infra.local.scheduling import start_scheduler
from infra.local.server import HttpServer
from infra.local.static import SITE_PREFIX, OpenApiDocument, SiteFiles
from infra.local.text import TEXT, not_found
from infra.local.webapp import APP_PREFIX, AppFiles, app_config

# The handlers import the shared package the way the Lambda layer provides it.
if str(REPO_ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "shared"))

from worklog.clock import system_clock, today

log = logging.getLogger("infra.local")

STACK_NAME = "worklog-local"
DEFAULT_APP_DIST = REPO_ROOT / "web" / "dist"
PUBLISHER = "disclosure-publisher"


class LocalRuntime:
    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        demo: bool = True,
        scheduler_tick_seconds: float = 1.0,
        publish: bool = True,
        demo_weeks: int | None = None,
        app_dist: Path | None = None,
        token_ttl: int | None = None,
    ) -> None:
        """``demo_weeks``: None loads the demo's months of history in the background after start-up
        (``infra.demo``); a number loads only that many weeks of logs, with no compliance history,
        before start() returns (quick: the end-to-end tests use it). ``app_dist``: the built app
        served at /app/ (web/dist). ``token_ttl``: seconds the tokens of app sign-ins last."""
        self.host = host
        self.requested_port = int(os.environ.get("WORKLOG_PORT", "8080")) if port is None else port
        self.port = self.requested_port
        self.with_demo = demo
        self.publish = publish
        self.demo = demo_data.Demo(weeks=demo_weeks, publish=publish)
        self.scheduler_tick_seconds = scheduler_tick_seconds
        self.ready = threading.Event()
        self.stopping = False
        self.startup_seconds: float | None = None
        self.events: list[dict[str, Any]] = []  # EventBridge events put by functions
        self.events_lock = threading.Lock()
        self.functions: dict[str, LocalFunction] = {}
        self.routes: list[Route] = []
        self.scheduler: Scheduler | None = None
        self.issuer: LocalIssuer | None = None
        self.app_dist = DEFAULT_APP_DIST if app_dist is None else app_dist
        self.token_ttl = DEFAULT_APP_TOKEN_TTL_SECONDS if token_ttl is None else token_ttl
        self.sign_in: SignInEndpoints | None = None
        self.app: AppFiles | None = None
        self.site = SiteFiles()
        # The WeCom and DingTalk robots' webhooks (/_local/robots/…), on the runtime's clock.
        self.robots = RobotSink(system_clock.now)
        self.stack: Any = None
        self.aws = EmbeddedAws()
        self._listeners = QueueListeners()
        self._api = LocalApi(self)
        self._http = HttpServer(self.handle, host, self.requested_port)
        self._environ: EnvironmentPatch | None = None
        self._openapi = OpenApiDocument(self._url_apps)

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moto_endpoint(self) -> str | None:
        return self.aws.endpoint

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalRuntime:
        """Start everything; returns once /_local/health answers ok."""
        started = time.monotonic()
        try:
            self._http.start()  # first, so /_local/health can say 503 while the rest starts
            self.port = self._http.port
            self.aws.start()
            self._sign_in()
            self._load_stack()
            create_stack_resources(
                self.stack, state_dir=self.issuer.jwks_path.parent if self.issuer else None
            )
            self._seed_robots()
            self._listeners.tap(self.stack, STACK_NAME, self.record_event)
            self.functions, self.routes = load_functions(self.stack, STACK_NAME)
            self._start_demo()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        self.ready.set()
        log.info("local runtime ready at %s in %.1f s", self.url, self.startup_seconds)
        return self

    def stop(self) -> None:
        """Stop serving, stop the scheduler and the embedded AWS; free the ports. Idempotent."""
        self.stopping = True
        self.ready.clear()
        self.demo.stop()
        self._http.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        self._listeners.stop()
        self.aws.stop()
        system_clock.set(None)
        if self._environ is not None:
            self._environ.restore()
            self._environ = None
        reset_caches()

    # --- start-up steps -------------------------------------------------------------------------
    def _sign_in(self) -> None:
        self.issuer = LocalIssuer(self.port)
        flow = CodeFlow(self.issuer, is_cadre=demo_data.on_roster, token_ttl=self.token_ttl)
        self.sign_in = SignInEndpoints(flow, demo_data.sign_in_accounts)
        self.app = AppFiles(self.app_dist, app_config(self.issuer.issuer, CLIENT_ID))

    def _load_stack(self) -> None:
        assert self.issuer is not None
        self.stack = load_stack(self.issuer, STACK_NAME)
        env = stack_environment(
            self.stack,
            endpoint=self.aws.endpoint,
            feedback_url=self.url,
            state_dir=self.issuer.jwks_path.parent,
            app_url=self.url + APP_PREFIX,
        )
        self._environ = EnvironmentPatch(env)
        self._write_env_file(env)
        reset_caches()
        site = self.stack.buckets().get("SiteBucket")
        if site is None:
            log.warning("the template has no SiteBucket: /site/ will answer 404")
        self.site.bucket = None if site is None else str(site["Bucket"])

    def _seed_robots(self) -> None:
        """The notifier's robot webhooks and DingTalk secret, as the deploy puts them in SSM by
        hand (README, "Deploying"), pointing at this runtime's sink."""
        import boto3

        names = seed_robots(self.stack, boto3.session.Session().client("ssm"), self.url, self.robots.secret)
        if names:
            log.info("robot webhooks → %s%s/robots/ (%s)", self.url, LOCAL_PREFIX, ", ".join(names))

    def _write_env_file(self, env: dict[str, str]) -> None:
        """`.local/env`: the environment that points `python -m worklog.cli` at this runtime."""
        assert self.issuer is not None
        path = self.issuer.jwks_path.parent / "env"
        lines = [f"{name}={shlex.quote(value)}" for name, value in sorted(env.items())]
        path.write_text(
            "# written by the local runtime; load with: set -a; . .local/env; set +a\n"
            + "\n".join(lines)
            + "\n"
        )

    def _start_demo(self) -> None:
        """The demo's data, the schedules and the event sources, in the order the demo needs."""
        history = self.with_demo and self.demo.weeks is None
        if history:
            self.demo.seed_roster(today(system_clock))
        elif self.with_demo:
            self.demo.seed()
        self._start_scheduler(hold=history)
        self._listeners.poll_sources(self.stack, self.functions.values())
        if history:
            self._load_history_in_background()
        elif self.with_demo and self.publish:
            self.demo.publish_in_background(self.functions.get(PUBLISHER), self.url)

    def _load_history_in_background(self) -> None:
        """While the demo's history loads, the scheduler waits (a nightly check for a day half
        loaded would find everyone missing) and /_local/run refuses; once it is in, the scheduler
        starts and fires, once each, the schedules that came due since midnight."""
        self.demo.load_history_in_background(self.functions.get(PUBLISHER), self._release_scheduler)

    def _start_scheduler(self, *, hold: bool = False) -> None:
        self.scheduler = start_scheduler(
            self.functions.values(),
            system_clock,
            self._fire,
            tick_seconds=self.scheduler_tick_seconds,
            hold=hold,
        )

    def _release_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.start()

    def _fire(self, job: ScheduledJob, event: dict[str, Any]) -> Any:
        return self.functions[job.function].invoke(event)

    def _url_apps(self) -> list[Any]:
        return [
            f.module.app
            for f in self.functions.values()
            if getattr(f.spec, "url", False) and f.module is not None and hasattr(f.module, "app")
        ]

    # --- events ---------------------------------------------------------------------------------
    def record_event(self, event: dict[str, Any]) -> None:
        """Keep an EventBridge event a function put (shown by GET /_local/events), and hand it to
        every function with a rule of the template that matches it, as EventBridge would."""
        with self.events_lock:
            self.events.append(event)
        for function in self.functions.values():
            if function.spec.matches(event):
                threading.Thread(
                    target=_deliver, args=(function, event), name=f"rule-{function.name}", daemon=True
                ).start()

    def recorded_events(self) -> list[dict[str, Any]]:
        with self.events_lock:
            return list(self.events)

    def outbox(self, *, morning: str | None, person: str | None) -> dict[str, Any]:
        """GET /_local/outbox: the outbox table, what SNS and SES took, what the robots received."""
        import boto3

        table = self.stack.names["OutboxTable"] if self.stack is not None else ""
        dynamodb = boto3.session.Session().client("dynamodb")
        return outbox_view(dynamodb, table, self.robots.received(), morning=morning, person=person)

    # --- what /_local shows ---------------------------------------------------------------------
    def site_state(self) -> str:
        """ready: the site is there and the start-up build (if any) has finished."""
        if self.demo.site_building.is_set() or self.demo.state == "loading":
            return "publishing"
        return "ready" if self.site.object("index.html") is not None else "publishing"

    def openapi(self) -> dict[str, Any]:
        """docs/openapi.json when committed, else generated from the loaded apps; servers → here."""
        return self._openapi.for_server(self.url)

    def banner(self) -> str:
        app_note = (
            "" if self.app is not None and self.app.built else f"  (not built: make web → {self.app_dist})"
        )
        lines = [
            f"Worklog local runtime ready in {self.startup_seconds or 0:.1f} s",
            f"  API         {self.url}",
            f"  Swagger UI  {self.url}{LOCAL_PREFIX}/docs",
            f"  Site        {self.url}{SITE_PREFIX}/",
            f"  App         {self.url}{APP_PREFIX}/" + app_note,
            f"  Embedded AWS (moto) {self.aws.endpoint}",
        ]
        if self.demo.summary:
            lines.append("  Demo data   " + ", ".join(f"{k} {v}" for k, v in self.demo.summary.items()))
        if self.demo.state == "loading":
            lines.append(
                f"  The demo's history (months of logs, reviews, cases, an audit) is loading: "
                f"{LOCAL_PREFIX}/health says demo ready, then {LOCAL_PREFIX}/site says site ready."
            )
        accounts = demo_data.demo_accounts()
        if accounts:
            lines.append(f'Demo accounts (a token: POST {self.url}/_local/token {{"cadre_id": "…"}}):')
            for a in accounts:
                who = f"{a['kind']:<10} {a['cadre_id']:<14} {a['name']}"
                lines.append(f"  {who}  unit {a['unit_id']}  roles {','.join(a['roles'])}")
        elif not self.with_demo:
            lines.append("No demo data (--no-demo): import a roster through the admin API.")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines)

    # --- requests -------------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, client_ip: str
    ) -> HttpResponse:
        """One HTTP request → one response (no sockets here: ``infra.local.server`` does the I/O)."""
        path = urlsplit(target).path or "/"
        lower = {k.lower(): v for k, v in headers}
        if _under(path, LOCAL_PREFIX):
            return self._api.handle(method, target, lower, body)
        if not self.ready.is_set():
            key = "stopping" if self.stopping else "starting"
            return error_response(503, key, TEXT[key])
        if _under(path, SITE_PREFIX):
            return self.site.serve(method, path)
        if _under(path, APP_PREFIX):
            return self._app(method, target, lower)
        return dispatch(
            self.routes, method, target, headers, body, client_ip=client_ip, now=system_clock.now()
        )

    def _app(self, method: str, target: str, headers: dict[str, str]) -> HttpResponse:
        if self.app is None:  # not started (tests drive a bare runtime)
            return not_found()
        if (headers.get("host") or "").lower() == f"localhost:{self.port}":
            # One origin for the app: the issuer is http://127.0.0.1:<port>/_local, and the app's
            # CSP (connect-src 'self') lets it talk to its own origin only.
            return HttpResponse(302, [("Location", self.url + target), ("Cache-Control", "no-store")])
        parts = urlsplit(target)
        return self.app.serve(method, parts.path, parts.query, headers)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _deliver(function: LocalFunction, event: dict[str, Any]) -> None:
    try:
        function.invoke(event)
    except Exception:
        log.exception("%s failed on a %s event", function.name, event.get("detail-type"))
