"""The local runtime: the whole system on this machine, with no AWS account and no Docker.

``LocalRuntime`` starts moto's server as the embedded AWS, creates the template's resources in it,
imports the real handlers and serves every function URL on one local port by turning HTTP requests
into function-URL events (payload 2.0). The template's schedules fire on the runtime's clock, and
the public site bucket is served under ``/site/`` and the app under ``/app/``. Endpoints under
``/_local/`` (docs/api.md, "The local runtime only") mint tokens, sign the app in (an OpenID Connect
issuer: ``infra.local.oidc``), move the clock and run sweeps on demand.

    with LocalRuntime(port=0) as rt:       # port 0: any free port
        requests.get(f"{rt.url}/_local/health")
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import re
import shlex
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from infra.local.events import (
    ACCOUNT_ID,
    MAX_PAYLOAD_BYTES,
    HttpResponse,
    error_response,
    json_response,
    to_function_url_event,
    to_http_response,
)
from infra.local.issuer import AUDIENCE, REPO_ROOT, LocalIssuer
from infra.local.oidc import CLIENT_ID, DEFAULT_APP_TOKEN_TTL_SECONDS, CodeFlow, DemoAccount, SignInEndpoints
from infra.local.scheduler import ScheduledJob, Scheduler
from infra.local.webapp import APP_PREFIX, AppFiles, app_config

# The handlers import the shared package the way the Lambda layer provides it.
if str(REPO_ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "shared"))

from worklog.clock import SHANGHAI, system_clock

log = logging.getLogger("infra.local")
access_log = logging.getLogger("infra.local.http")

REGION = "us-east-1"
STACK_NAME = "worklog-local"
LOCAL_PREFIX = "/_local"
SITE_PREFIX = "/site"
DEFAULT_APP_DIST = REPO_ROOT / "web" / "dist"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Text the runtime itself shows (local only; the handlers' messages live in worklog.messages).
TEXT = {
    "not_found": "未找到该接口",
    "starting": "本地运行时正在启动，请稍候",
    "stopping": "本地运行时正在停止",
    "invalid_json": "请求体不是合法的 JSON",
    "validation_error": "请求内容校验失败",
    "unknown_cadre": "花名册中没有该人员",
    "unknown_function": "没有这个定时函数",
    "bad_date": "日期格式应为 YYYY-MM-DD",
    "bad_now": "时间应为带时区偏移的 ISO 8601 时间戳（如 2024-05-06T09:00:00+08:00），或 null",
    "unknown_role": "没有这个角色",
    "payload_too_large": "请求体超过函数 URL 的 6 MB 上限",
    "function_error": "函数执行出错（详见运行时日志）",
    "method_not_allowed": "该接口不支持此方法",
    "page_not_found": "页面不存在",
    "demo_loading": (
        "演示数据的历史记录正在后台加载，加载完成前不能手动运行定时函数"
        "（/_local/health 中 demo 为 ready 即可）"
    ),
}


class StartupError(RuntimeError):
    """The runtime could not start (port taken, template or handler problem)."""


class _Cancelled(Exception):
    """The runtime is stopping: the demo's history stops loading."""


# --- Lambda plumbing -----------------------------------------------------------------------------


class LocalLambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, memory_mb: int, timeout_s: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Route:
    template: str  # OpenAPI path template, e.g. /entries/{date}
    pattern: re.Pattern[str]
    methods: frozenset[str]
    function: LocalFunction

    @property
    def literal_segments(self) -> int:
        return sum(1 for s in self.template.split("/") if s and not s.startswith("{"))


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
            context = LocalLambdaContext(self.physical_name, self.memory_mb, self.timeout_s)
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


def path_pattern(template: str) -> re.Pattern[str]:
    """OpenAPI path template → regex; ``{name}`` matches one non-empty path segment."""
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


# --- CORS, as the function URL service applies it ------------------------------------------------

_CORS_RESPONSE_HEADERS = {
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-max-age",
}


def _allowed_origin(cors: Mapping[str, Any], origin: str | None) -> str | None:
    if not origin:
        return None
    allowed = [str(o) for o in cors.get("AllowOrigins") or []]
    if "*" in allowed:
        return origin if cors.get("AllowCredentials") else "*"
    return origin if origin in allowed else None


def preflight(cors: Mapping[str, Any], headers: Mapping[str, str]) -> HttpResponse:
    """Answer an OPTIONS request from the function URL's CORS configuration."""
    out: list[tuple[str, str]] = [("Vary", "Origin")]
    origin = _allowed_origin(cors, headers.get("origin"))
    if origin:
        out.append(("Access-Control-Allow-Origin", origin))
        methods = [str(m).upper() for m in cors.get("AllowMethods") or []]
        requested = headers.get("access-control-request-method", "")
        if "*" in methods:
            methods = [requested] if requested else ["*"]
        if methods:
            out.append(("Access-Control-Allow-Methods", ",".join(methods)))
        allow_headers = [str(h).lower() for h in cors.get("AllowHeaders") or []]
        if "*" in allow_headers and headers.get("access-control-request-headers"):
            allow_headers = [headers["access-control-request-headers"]]
        if allow_headers:
            out.append(("Access-Control-Allow-Headers", ",".join(allow_headers)))
        if cors.get("MaxAge") is not None:
            out.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
        if cors.get("AllowCredentials"):
            out.append(("Access-Control-Allow-Credentials", "true"))
    return HttpResponse(200, out, b"")


def with_cors(response: HttpResponse, cors: Mapping[str, Any], origin: str | None) -> HttpResponse:
    """The function URL's CORS headers replace any the function set itself."""
    headers = [(k, v) for k, v in response.headers if k.lower() not in _CORS_RESPONSE_HEADERS]
    allowed = _allowed_origin(cors, origin)
    if allowed:
        headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.get("ExposeHeaders"):
            headers.append(("Access-Control-Expose-Headers", ",".join(map(str, cors["ExposeHeaders"]))))
        if cors.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers.append(("Vary", "Origin"))
    return HttpResponse(response.status, headers, response.body)


# --- environment ---------------------------------------------------------------------------------


def merged_environment(functions: Iterable[Any]) -> dict[str, str]:
    """The union of the functions' environments; they must agree (one process hosts them all)."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts = []
    for spec in functions:
        for name, value in (getattr(spec, "environment", None) or {}).items():
            value = str(value)
            if name in merged and merged[name] != value and name != "POWERTOOLS_SERVICE_NAME":
                conflicts.append(f"{name}: {owner[name]}={merged[name]!r} but {spec.name}={value!r}")
            merged[name] = value
            owner[name] = spec.name
    if conflicts:
        raise StartupError(
            "functions disagree on environment variables, which one local process cannot host:\n  "
            + "\n  ".join(conflicts)
        )
    return merged


def aws_environment(endpoint: str) -> dict[str, str]:
    """What makes every boto3 client in the process talk to the embedded AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


class _Environ:
    """Sets variables in os.environ and puts the previous values back on restore()."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str | None) -> None:
        if name not in self._saved:
            self._saved[name] = os.environ.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


# --- the runtime ---------------------------------------------------------------------------------


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
        self.demo = demo
        self.demo_weeks = demo_weeks
        self.publish = publish
        # "none" (no demo) | "loading" (the history is being loaded) | "ready" | "failed"
        self.demo_state = "none"
        self.history: Any = None
        self._history_thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._site_building = threading.Event()  # the start-up build of the public site is running
        self._demo_day: date | None = None
        self._district: Any = None
        self.scheduler_tick_seconds = scheduler_tick_seconds
        self.port = self.requested_port
        self.ready = threading.Event()
        self.stopping = False
        self.startup_seconds: float | None = None
        self.seed_summary: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []  # EventBridge events put by functions (later issues)
        self.events_lock = threading.Lock()
        self._tap_stop = threading.Event()
        self._tap_thread: threading.Thread | None = None
        self._source_threads: list[threading.Thread] = []
        self.functions: dict[str, LocalFunction] = {}
        self.routes: list[Route] = []
        self.scheduler: Scheduler | None = None
        self.issuer: LocalIssuer | None = None
        self.app_dist = DEFAULT_APP_DIST if app_dist is None else app_dist
        self.token_ttl = DEFAULT_APP_TOKEN_TTL_SECONDS if token_ttl is None else token_ttl
        self.sign_in: SignInEndpoints | None = None
        self.app: AppFiles | None = None
        self.stack: Any = None
        self.site_bucket: str | None = None
        self.moto_endpoint: str | None = None
        self._env = _Environ()
        self._httpd: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._moto: Any = None
        self._openapi: dict[str, Any] | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalRuntime:
        """Start everything; returns once /_local/health answers ok."""
        started = time.monotonic()
        try:
            self._serve_http()  # first, so /_local/health can say 503 while the rest starts
            self._start_moto()
            self.issuer = LocalIssuer(self.port)
            flow = CodeFlow(self.issuer, is_cadre=self._on_roster, token_ttl=self.token_ttl)
            self.sign_in = SignInEndpoints(flow, self.sign_in_accounts)
            self.app = AppFiles(self.app_dist, app_config(self.issuer.issuer, CLIENT_ID))
            self._load_stack()
            self._create_resources()
            self._tap_event_buses()
            self._load_functions()
            history = self.demo and self.demo_weeks is None
            if history:
                self._seed_roster()
            elif self.demo:
                self._seed()
            self._start_scheduler(hold=history)
            self._poll_event_sources()
            if history:
                self._load_history_in_background()
            elif self.demo and self.publish:
                self._publish_in_background()
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
        self._cancel.set()
        if self._history_thread is not None:
            self._history_thread.join(10)
            self._history_thread = None
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._http_thread is not None:
            self._http_thread.join(5)
            self._http_thread = None
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        self._tap_stop.set()
        if self._tap_thread is not None:
            self._tap_thread.join(5)
            self._tap_thread = None
        for thread in self._source_threads:
            thread.join(5)
        self._source_threads = []
        if self._moto is not None:
            self._reset_moto()  # its state lives in this process: free it for the next runtime
            self._moto.stop()
            # ThreadedMotoServer.stop() shuts the loop down but leaves the socket open.
            server = getattr(self._moto, "_server", None)
            if server is not None:
                server.server_close()
            self._moto = None
        system_clock.set(None)
        self._env.restore()
        self._reset_caches()

    # --- start-up steps -------------------------------------------------------------------------
    def _serve_http(self) -> None:
        runtime = self

        class Handler(_RequestHandler):
            pass

        Handler.runtime = runtime
        try:
            httpd = _Server((self.host, self.requested_port), Handler)
        except OSError as err:
            where = f"{self.host}:{self.requested_port}"
            raise StartupError(f"cannot listen on {where}: {err.strerror or err}") from err
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._http_thread = threading.Thread(target=httpd.serve_forever, name="local-http", daemon=True)
        self._http_thread.start()

    def _start_moto(self) -> None:
        from infra import emulator

        emulator.install()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
        self._moto = _serial_moto_server()
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.moto_endpoint = f"http://{host}:{port}"
        self._reset_moto()  # moto keeps its backends in module globals: start from an empty AWS

    def _reset_moto(self) -> None:
        if self.moto_endpoint is None:
            return
        request = urllib.request.Request(f"{self.moto_endpoint}/moto-api/reset", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except OSError as err:
            log.warning("could not reset the embedded AWS: %s", err)

    def _load_stack(self) -> None:
        from infra.template import Stack, load_template

        assert self.issuer is not None
        parameters = {
            "TokenIssuer": self.issuer.issuer,
            "TokenAudience": AUDIENCE,
            "JwksUrl": self.issuer.jwks_url,
            "TokenSubjectClaim": "sub",
            "DeletionProtection": "false",
        }
        self.stack = Stack(load_template(), stack_name=STACK_NAME, parameters=parameters)
        specs = list(self.stack.functions())
        assert self.moto_endpoint is not None
        env = {
            **merged_environment(specs),
            **aws_environment(self.moto_endpoint),
            # The public site's feedback form posts here, and checkpoints are signed with a local key
            # (on AWS: the template's KMS key and the feedback function's URL).
            "FEEDBACK_URL": self.url,
            "SIGNING_KEY_ID": "",
            "SIGNING_KEY_FILE": str(self.issuer.jwks_path.parent / "signing-key.pem"),
        }
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "POWERTOOLS_DEV"):
            self._env.set(name, None)  # a developer's profile must not leak into the embedded AWS
        for name, value in env.items():
            self._env.set(name, value)
        self._write_env_file(env)
        self._reset_caches()
        self.site_bucket = self._site_bucket_name()

    def _write_env_file(self, env: dict[str, str]) -> None:
        """`.local/env`: the environment that points `python -m worklog.cli` at this runtime."""
        assert self.issuer is not None
        path = self.issuer.jwks_path.parent / "env"
        lines = [
            f"{name}={shlex.quote(value)}"
            for name, value in sorted(env.items())
            if name != "POWERTOOLS_SERVICE_NAME"
        ]
        path.write_text(
            "# written by the local runtime; load with: set -a; . .local/env; set +a\n"
            + "\n".join(lines)
            + "\n"
        )

    def _site_bucket_name(self) -> str | None:
        site = self.stack.buckets().get("SiteBucket")
        if site is None:
            log.warning("the template has no SiteBucket: /site/ will answer 404")
            return None
        return str(site["Bucket"])

    def _create_resources(self) -> None:
        import boto3

        from infra.template import create_resources

        session = boto3.session.Session()
        create_resources(
            self.stack,
            dynamodb=session.client("dynamodb"),
            s3=session.client("s3"),
            sqs=session.client("sqs"),
            events=session.client("events"),
        )

    def _tap_event_buses(self) -> None:
        """Listen on every event bus of the template: a rule per bus sends everything to a queue of
        the runtime's own (not in the template: on AWS, gateways subscribe instead), which a thread
        drains into /_local/events."""
        import boto3

        buses = self.stack.event_buses()
        if not buses:
            return
        session = boto3.session.Session()
        sqs, events = session.client("sqs"), session.client("events")
        queue_url = sqs.create_queue(QueueName=f"{STACK_NAME}-local-event-tap")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for bus in buses.values():
            events.put_rule(
                Name="local-event-tap",
                EventBusName=bus,
                EventPattern=json.dumps({"source": [{"prefix": ""}]}),
            )
            events.put_targets(
                Rule="local-event-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": queue_arn}]
            )
        self._tap_stop.clear()
        self._tap_thread = threading.Thread(
            target=self._drain_tap, args=(sqs, queue_url), name="local-event-tap", daemon=True
        )
        self._tap_thread.start()

    def _drain_tap(self, sqs: Any, queue_url: str) -> None:
        while not self._tap_stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            except Exception as err:  # the embedded AWS is stopping
                log.debug("event tap: %s", err)
                messages = []
            for message in messages:
                try:
                    event = json.loads(message["Body"])
                except ValueError:
                    event = {"body": message["Body"]}
                self.record_event(event)
                log.info(
                    "event %s %s",
                    event.get("detail-type"),
                    json.dumps(event.get("detail"), ensure_ascii=False)[:200],
                )
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if not messages:
                self._tap_stop.wait(0.5)

    def _poll_event_sources(self) -> None:
        """SQS event sources of the template (e.g. the nightly check's slices): a thread per queue
        receives messages and invokes the function with an SQS event, deleting what it handled
        and leaving the items the function reported as failed for redelivery, as Lambda does."""
        import boto3

        sqs = boto3.session.Session().client("sqs")
        for function in self.functions.values():
            for _, queue_id in getattr(function.spec, "sqs_events", ()):
                url = str(self.stack.resolve({"Ref": queue_id}))
                thread = threading.Thread(
                    target=self._drain_source,
                    args=(sqs, url, function),
                    name=f"local-sqs-{function.name}",
                    daemon=True,
                )
                thread.start()
                self._source_threads.append(thread)
                log.info("event source %s → %s", queue_id, function.name)

    def _drain_source(self, sqs: Any, url: str, function: LocalFunction) -> None:
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        while not self._tap_stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5).get("Messages", [])
            except Exception as err:  # the embedded AWS is stopping
                log.debug("event source %s: %s", url, err)
                messages = []
            if not messages:
                self._tap_stop.wait(0.5)
                continue
            event = {"Records": [_sqs_record(m, arn) for m in messages]}
            try:
                result = function.invoke(event) or {}
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            except Exception:
                log.exception("%s failed on an SQS batch; the messages will be redelivered", function.name)
                continue
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def _load_functions(self) -> None:
        from infra.template import load_handler

        routes: list[Route] = []
        for spec in self.stack.functions():
            handler = load_handler(spec)
            function = LocalFunction(
                name=spec.name,
                physical_name=f"{STACK_NAME}-{spec.name}",
                spec=spec,
                handler=handler,
                module=sys.modules.get(getattr(handler, "__module__", "") or ""),
                memory_mb=int(self._function_property(spec.logical_id, "MemorySize", 128)),
                timeout_s=float(self._function_property(spec.logical_id, "Timeout", 3)),
            )
            self.functions[spec.name] = function
            if getattr(spec, "url", False):
                routes.extend(routes_of(function))
        self.routes = order_routes(routes)
        self._warn_route_clashes()

    def _function_property(self, logical_id: str, name: str, default: Any) -> Any:
        """A scalar property of a function, with SAM's Globals applied (Lambda's default otherwise)."""
        template = self.stack.template
        own = (template["Resources"][logical_id].get("Properties") or {}).get(name)
        shared = ((template.get("Globals") or {}).get("Function") or {}).get(name)
        value = self.stack.resolve(own if own is not None else shared)
        return default if value is None else value

    def _warn_route_clashes(self) -> None:
        seen: dict[tuple[str, str], str] = {}
        for route in self.routes:
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

    def _seed(self) -> None:
        """The short demo: the roster and ``demo_weeks`` weeks of logs, before start() returns."""
        try:
            from infra.seed import seed_demo
        except ImportError as err:
            # The demo is a convenience: the runtime is still useful (import a roster) without it.
            log.warning("no demo data: cannot import infra.seed (%s); continuing with empty tables", err)
            return
        started = time.monotonic()
        # Straight into the in-process moto backend.
        self.seed_summary = dict(seed_demo(weeks=self.demo_weeks or 3))
        self.demo_state = "ready"
        log.info("demo data loaded in %.1f s: %s", time.monotonic() - started, self.seed_summary)

    def _seed_roster(self) -> None:
        """The full demo's roster, before start() returns: tokens and /me work at once."""
        from infra.demo.loader import demo_district, load_roster
        from worklog.clock import today

        self._demo_day = today(system_clock)
        self._district = demo_district(self._demo_day)
        load_roster(self._district)
        self.demo_state = "loading"
        self.seed_summary = {
            "units": len(self._district.units),
            "cadres": len(self._district.cadres),
            "history": "loading in the background",
        }

    def _load_history_in_background(self) -> None:
        """The demo's months of history (``infra.demo.loader``), then the site. While it loads, the
        scheduler waits (a nightly check for a day half loaded would find everyone missing) and
        /_local/run refuses; API requests are served throughout (see the loader for why they are
        safe). Once the history is in, the scheduler starts and fires, once each, the schedules
        that came due since midnight; then the site is built. The publisher function's lock is
        held from the start to the end of it all: a run of it meanwhile (the nightly one, or one a
        notice opened through the API sets off) waits, rather than fix a closed month's unit figures
        from half the history (they are computed once)."""
        from infra.demo.loader import load_history
        from infra.demo.replay import Interrupted

        assert self._demo_day is not None and self._district is not None  # _seed_roster ran
        day, district = self._demo_day, self._district
        publisher = self.functions.get("disclosure-publisher")
        publishing = publisher.lock if publisher is not None else threading.Lock()
        started = time.monotonic()

        def progress(step: str) -> None:
            if self._cancel.is_set():
                raise _Cancelled
            log.info("demo history: %s (%.1f s)", step, time.monotonic() - started)
            if step == "site":
                self._site_building.set()
            if step in ("site", "ready") and self.demo_state == "loading":
                self._history_loaded(started)

        def load() -> None:
            # The loader is busy in Python for minutes; a request waits for it to let go of the
            # interpreter at every socket read and write along its way (to the embedded AWS and
            # back), so let go more often while it loads.
            interval = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, 0.0005))
            try:
                with publishing:
                    self.history = load_history(
                        district, day, publish=self.publish, progress=progress, stop=self._cancel
                    )
            except (_Cancelled, Interrupted):
                return
            except Exception:
                if self._cancel.is_set():
                    return  # the embedded AWS went away under it
                log.exception("loading the demo's history failed")
                self.demo_state = "failed"
                self._release_scheduler()
                return
            finally:
                sys.setswitchinterval(interval)
                self._site_building.clear()
            summary = self.history.as_dict()
            log.info("demo history and site ready in %.1f s: %s", time.monotonic() - started, summary)

        self._history_thread = threading.Thread(target=load, name="demo-history", daemon=True)
        self._history_thread.start()

    def _history_loaded(self, started: float) -> None:
        self.demo_state = "ready"
        log.info("demo history loaded in %.1f s; the schedules start now", time.monotonic() - started)
        self._release_scheduler()

    def _release_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.start()

    def _publish_in_background(self) -> None:
        """Render the demo district's public site once at start-up (the nightly schedule keeps it
        up to date after that); /site/ answers 404 until the first page is written."""
        function = self.functions.get("disclosure-publisher")
        if function is None:
            return

        def publish() -> None:
            started = time.monotonic()
            try:
                summary = function.invoke({"full": True})
            except Exception:
                log.exception("publishing the demo site failed")
                return
            finally:
                self._site_building.clear()
            log.info(
                "public site published in %.1f s: %s objects at %s/site/",
                time.monotonic() - started,
                summary.get("objects_written") if isinstance(summary, dict) else "?",
                self.url,
            )

        self._site_building.set()
        threading.Thread(target=publish, name="initial-publish", daemon=True).start()

    def _start_scheduler(self, *, hold: bool = False) -> None:
        """Plan the template's schedules; with ``hold``, plan them from the start of today and let
        them fire only when ``_release_scheduler`` is called (after the demo's history is in)."""
        jobs = []
        for function in self.functions.values():
            for schedule in function.schedules:
                jobs.append(
                    ScheduledJob.build(
                        function=function.name,
                        name=schedule.event_name,
                        expression=schedule.expression,
                        timezone=schedule.timezone,
                        input=_schedule_input(schedule.input),
                        enabled=bool(schedule.enabled),
                    )
                )
        self.scheduler = Scheduler(jobs, system_clock, self._fire, tick_seconds=self.scheduler_tick_seconds)
        if hold:
            now = system_clock.now()
            self.scheduler.plan(since=now.replace(hour=0, minute=0, second=0, microsecond=0))
        else:
            self.scheduler.start()
        for job in self.scheduler.describe():
            log.info(
                "schedule %s/%s %s (%s)%s next %s",
                job["function"],
                job["schedule"],
                job["expression"],
                job["timezone"],
                "" if job["enabled"] else " [disabled]",
                job["next_fire"],
            )

    def record_event(self, event: dict[str, Any]) -> None:
        """Keep an EventBridge event a function put (shown by GET /_local/events), and hand it to
        every function with a rule of the template that matches it, as EventBridge would."""
        with self.events_lock:
            self.events.append(event)
        for function in self.functions.values():
            if function.spec.matches(event):
                threading.Thread(
                    target=self._deliver, args=(function, event), name=f"rule-{function.name}", daemon=True
                ).start()

    @staticmethod
    def _deliver(function: LocalFunction, event: dict[str, Any]) -> None:
        try:
            function.invoke(event)
        except Exception:
            log.exception("%s failed on a %s event", function.name, event.get("detail-type"))

    def _fire(self, job: ScheduledJob, event: dict[str, Any]) -> Any:
        return self.functions[job.function].invoke(event)

    @staticmethod
    def _reset_caches() -> None:
        """Forget what the shared package and handlers cached under another environment.

        Settings, boto3 clients, token verifiers and repositories are cached with lru_cache at
        module level; a second runtime in the same process (tests) must not inherit them.
        """
        for name, module in list(sys.modules.items()):
            if not (name == "worklog" or name.startswith(("worklog.", "worklog_fn_"))) or module is None:
                continue
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and hasattr(value, "__wrapped__"):
                    value.cache_clear()
        schedules = sys.modules.get("worklog.schedules")
        if schedules is not None and hasattr(schedules, "invalidate"):
            schedules.invalidate()

    # --- what the demo banner shows -------------------------------------------------------------
    def demo_accounts(self) -> list[dict[str, Any]]:
        """One account per kind of user, preferring people who hold just that role (and cadre)."""
        kinds = [
            ("cadre", "cadre"),
            ("unit head", "unit_head"),
            ("leader", "district_leader"),
            ("admin", "admin"),
            ("org insp.", "org_inspector"),
            ("discipline", "discipline_inspector"),
            ("hr", "hr_evaluator"),
        ]
        users = self.users()
        picks: list[dict[str, Any]] = []
        for label, role in kinds:
            holders = [u for u in users if role in u["roles"]]
            if holders:
                best = min(holders, key=lambda u: len(set(u["roles"]) - {"cadre", role}))
                picks.append({"kind": label, **best})
        return picks

    def sign_in_accounts(self) -> list[DemoAccount]:
        """The demo accounts as the sign-in page lists them: unit and roles in words."""
        from worklog.labels import ROLE_LABELS
        from worklog.models.roster import ROLES
        from worklog.roster.repository import RosterRepository

        units = {unit.unit_id: unit.name for unit in RosterRepository().list_units()}
        accounts: dict[str, DemoAccount] = {}
        for pick in self.demo_accounts():
            roles = sorted(pick["roles"], key=lambda r: ROLES.index(r) if r in ROLES else len(ROLES))
            accounts.setdefault(
                pick["cadre_id"],
                DemoAccount(
                    cadre_id=pick["cadre_id"],
                    name=pick["name"],
                    unit=units.get(pick["unit_id"], pick["unit_id"]),
                    roles=tuple(ROLE_LABELS.get(r, r) for r in roles),
                ),
            )
        return list(accounts.values())

    @staticmethod
    def _on_roster(cadre_id: str) -> bool:
        from worklog.roster.repository import RosterRepository

        return RosterRepository().get_cadre(cadre_id) is not None

    def users(self, role: str | None = None) -> list[dict[str, Any]]:
        from worklog.roster.repository import RosterRepository

        out = []
        for cadre in RosterRepository().list_cadres():
            if role and role not in cadre.roles:
                continue
            out.append(cadre.model_dump(mode="json", include={"cadre_id", "name", "unit_id", "roles"}))
        return out

    def banner(self) -> str:
        lines = [
            f"Worklog local runtime ready in {self.startup_seconds or 0:.1f} s",
            f"  API         {self.url}",
            f"  Swagger UI  {self.url}{LOCAL_PREFIX}/docs",
            f"  Site        {self.url}{SITE_PREFIX}/",
            f"  App         {self.url}{APP_PREFIX}/"
            + (
                ""
                if self.app is not None and self.app.built
                else f"  (not built: make web → {self.app_dist})"
            ),
            f"  Embedded AWS (moto) {self.moto_endpoint}",
        ]
        if self.seed_summary:
            lines.append("  Demo data   " + ", ".join(f"{k} {v}" for k, v in self.seed_summary.items()))
        if self.demo_state == "loading":
            lines.append(
                f"  The demo's history (months of logs, reviews, cases, an audit) is loading: "
                f"{LOCAL_PREFIX}/health says demo ready, then {LOCAL_PREFIX}/site says site ready."
            )
        accounts = self.demo_accounts()
        if accounts:
            lines.append(f'Demo accounts (a token: POST {self.url}/_local/token {{"cadre_id": "…"}}):')
            for a in accounts:
                roles = ",".join(a["roles"])
                who = f"{a['kind']:<10} {a['cadre_id']:<14} {a['name']}"
                lines.append(f"  {who}  unit {a['unit_id']}  roles {roles}")
        elif not self.demo:
            lines.append("No demo data (--no-demo): import a roster through the admin API.")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines)

    # --- request handling -----------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, client_ip: str
    ) -> HttpResponse:
        """One HTTP request → one response (no sockets here: the server class below does the I/O)."""
        path = urlsplit(target).path or "/"
        lower = {k.lower(): v for k, v in headers}
        if path == LOCAL_PREFIX or path.startswith(LOCAL_PREFIX + "/"):
            return self._local(method, target, lower, body)
        if not self.ready.is_set():
            key = "stopping" if self.stopping else "starting"
            return error_response(503, key, TEXT[key])
        if path == SITE_PREFIX or path.startswith(SITE_PREFIX + "/"):
            return self._site(method, path)
        if path == APP_PREFIX or path.startswith(APP_PREFIX + "/"):
            return self._app(method, target, lower)
        return self._dispatch(method, target, headers, lower, body, client_ip)

    def _dispatch(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        lower: dict[str, str],
        body: bytes,
        client_ip: str,
    ) -> HttpResponse:
        path = urlsplit(target).path or "/"
        matches = [r for r in self.routes if r.pattern.match(path)]
        if not matches:
            return error_response(404, "not_found", TEXT["not_found"])
        # The route whose method matches; else the first path match answers (its 404/405).
        route = next((r for r in matches if method.upper() in r.methods), matches[0])
        function = route.function
        cors = function.cors
        if method.upper() == "OPTIONS" and cors:
            return preflight(cors, lower)
        if len(body) > MAX_PAYLOAD_BYTES:
            return error_response(413, "payload_too_large", TEXT["payload_too_large"])
        event = to_function_url_event(
            method,
            target,
            headers,
            body,
            source_ip=client_ip,
            function_name=function.physical_name,
            now=system_clock.now(),
        )
        try:
            result = function.invoke(event)
            response = to_http_response(result)
        except Exception:
            log.exception("%s failed on %s %s", function.name, method, path)
            return error_response(502, "function_error", TEXT["function_error"])
        if len(response.body) > MAX_PAYLOAD_BYTES:
            log.error("%s returned %d bytes: over the function URL's 6 MB", function.name, len(response.body))
            return error_response(502, "function_error", TEXT["function_error"])
        return with_cors(response, cors, lower.get("origin")) if cors else response

    # --- /app -----------------------------------------------------------------------------------
    def _app(self, method: str, target: str, headers: dict[str, str]) -> HttpResponse:
        if self.app is None:  # not started (tests drive a bare runtime)
            return error_response(404, "not_found", TEXT["not_found"])
        if (headers.get("host") or "").lower() == f"localhost:{self.port}":
            # One origin for the app: the issuer is http://127.0.0.1:<port>/_local, and the app's
            # CSP (connect-src 'self') lets it talk to its own origin only.
            return HttpResponse(302, [("Location", self.url + target), ("Cache-Control", "no-store")])
        parts = urlsplit(target)
        return self.app.serve(method, parts.path, parts.query, headers)

    # --- /_local --------------------------------------------------------------------------------
    def _local(self, method: str, target: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        name = path[len(LOCAL_PREFIX) :]
        method = method.upper()
        if name == "/health":
            if self.ready.is_set():
                return json_response(200, {"status": "ok", "demo": self.demo_state})
            return json_response(503, {"status": "stopping" if self.stopping else "starting"})
        if not self.ready.is_set():
            key = "stopping" if self.stopping else "starting"
            return error_response(503, key, TEXT[key])

        get_routes: dict[str, Callable[[], HttpResponse]] = {
            "/users": lambda: self._users(parts.query),
            "/clock": self._clock_now,
            "/events": lambda: json_response(200, self._events()),
            "/site": lambda: json_response(200, {"site": self._site_state()}),
            "/schedules": lambda: json_response(200, self.scheduler.describe() if self.scheduler else []),
            "/openapi.json": lambda: json_response(200, self.openapi()),
            "/docs": lambda: _swagger_file("index.html"),
        }
        post_routes: dict[str, Callable[[], HttpResponse]] = {
            "/token": lambda: self._token(body),
            "/clock": lambda: self._set_clock(body),
        }
        if self.sign_in is not None:
            answer = self.sign_in.handle(method, name, parts.query, headers, body)
            if answer is not None:
                return answer
        if name.startswith("/docs/"):
            return _swagger_file(name[len("/docs/") :]) if method in {"GET", "HEAD"} else _not_allowed()
        if name.startswith("/run/"):
            if method != "POST":
                return _not_allowed()
            if self.demo_state == "loading":
                return error_response(503, "demo_loading", TEXT["demo_loading"])
            return self._run(unquote(name[len("/run/") :]), body)
        if method in {"GET", "HEAD"} and name in get_routes:
            return get_routes[name]()
        if method == "POST" and name in post_routes:
            return post_routes[name]()
        if name in get_routes or name in post_routes:
            return _not_allowed()
        return error_response(404, "not_found", TEXT["not_found"])

    def _site_state(self) -> str:
        """ready: the site is there and the start-up build (if any) has finished."""
        if self._site_building.is_set() or self.demo_state == "loading":
            return "publishing"
        return "ready" if self._site_object("index.html") is not None else "publishing"

    def _events(self) -> list[dict[str, Any]]:
        with self.events_lock:
            return list(self.events)

    def _users(self, query: str) -> HttpResponse:
        role = next(iter(parse_qs(query).get("role", [])), None)
        if role:
            from worklog.models.roster import ROLES

            if role not in ROLES:
                return _invalid(TEXT["unknown_role"], ["query", "role"], f"one of {', '.join(ROLES)}")
        return json_response(200, self.users(role))

    def _token(self, body: bytes) -> HttpResponse:
        payload, problem = _json_object(body)
        if problem:
            return problem
        cadre_id = payload.get("cadre_id")
        ttl = payload.get("ttl_seconds", 8 * 3600)
        bad = []
        if not isinstance(cadre_id, str) or not cadre_id.strip():
            bad.append({"loc": ["body", "cadre_id"], "msg": "a non-empty string is required"})
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= 7 * 24 * 3600:
            bad.append({"loc": ["body", "ttl_seconds"], "msg": "an integer from 1 to 604800"})
        unknown = sorted(set(payload) - {"cadre_id", "ttl_seconds"})
        bad.extend({"loc": ["body", k], "msg": "unknown field"} for k in unknown)
        if bad:
            return error_response(422, "validation_error", TEXT["validation_error"], details=bad)
        from worklog.roster.repository import RosterRepository

        assert isinstance(cadre_id, str) and self.issuer is not None
        if RosterRepository().get_cadre(cadre_id.strip()) is None:
            return error_response(404, "unknown_cadre", TEXT["unknown_cadre"])
        token = self.issuer.issue(cadre_id.strip(), ttl_seconds=ttl)
        return json_response(200, {"token": token, "token_type": "Bearer", "expires_in": ttl})

    def _clock_now(self) -> HttpResponse:
        now = system_clock.now().isoformat(timespec="seconds")
        return json_response(200, {"now": now, "overridden": system_clock.overridden})

    def _set_clock(self, body: bytes) -> HttpResponse:
        payload, problem = _json_object(body)
        if problem:
            return problem
        if set(payload) != {"now"}:
            return _invalid(TEXT["bad_now"], ["body", "now"], "required, and the only field")
        value = payload["now"]
        if value is None:
            system_clock.set(None)
        else:
            moment = _aware(value)
            if moment is None:
                return _invalid(TEXT["bad_now"], ["body", "now"], "ISO 8601 timestamp with offset, or null")
            system_clock.set(moment)
        what = "reset to real time" if value is None else "set"
        log.info("clock %s: now %s", what, system_clock.now().isoformat(timespec="seconds"))
        if self.scheduler is not None:
            self.scheduler.wake()  # fire what the move made due, now
        return self._clock_now()

    def _run(self, name: str, body: bytes) -> HttpResponse:
        function = self.functions.get(name)
        if function is None or not function.schedules:
            return error_response(404, "unknown_function", TEXT["unknown_function"])
        payload: dict[str, Any] = {}
        if body.strip():
            payload, problem = _json_object(body)
            if problem:
                return problem
        unknown = sorted(set(payload) - {"date"})
        if unknown:
            return _invalid(TEXT["validation_error"], ["body", unknown[0]], "unknown field")
        event = _schedule_input(function.schedules[0].input)
        if "date" in payload and payload["date"] is not None:
            day = payload["date"]
            if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or _date(day) is None:
                return _invalid(TEXT["bad_date"], ["body", "date"], "YYYY-MM-DD")
            event["date"] = day
        log.info("running %s now with %s", name, json.dumps(event, ensure_ascii=False))
        try:
            result = function.invoke(event)
        except Exception as err:
            log.exception("%s failed", name)
            detail = f"{type(err).__name__}: {err}"
            return error_response(500, "function_error", TEXT["function_error"], error=detail)
        return json_response(200, result)

    def openapi(self) -> dict[str, Any]:
        """docs/openapi.json when committed, else generated from the loaded apps; servers → here."""
        if self._openapi is None:
            committed = REPO_ROOT / "docs" / "openapi.json"
            if committed.exists():
                self._openapi = json.loads(committed.read_text(encoding="utf-8"))
            else:
                self._openapi = self._generated_openapi()
        return {**self._openapi, "servers": [{"url": self.url, "description": "local runtime"}]}

    def _generated_openapi(self) -> dict[str, Any]:
        try:
            from infra.openapi import build_spec

            return build_spec()
        except (Exception, SystemExit) as err:  # build_spec exits on inconsistent schemas
            log.warning("infra.openapi cannot build the spec (%s): merging the apps' own schemas", err)
        return merge_openapi(
            json.loads(f.module.app.get_openapi_json_schema())
            for f in self.functions.values()
            if getattr(f.spec, "url", False) and f.module is not None and hasattr(f.module, "app")
        )

    # --- /site ----------------------------------------------------------------------------------
    def _site(self, method: str, path: str) -> HttpResponse:
        if method.upper() not in {"GET", "HEAD"}:
            return _not_allowed()
        if path == SITE_PREFIX:
            return HttpResponse(301, [("Location", SITE_PREFIX + "/")])
        key = unquote(path[len(SITE_PREFIX) + 1 :])
        if key == "" or key.endswith("/"):
            key += "index.html"
        found = self._site_object(key)
        if found is not None:
            return found
        if not key.endswith("index.html") and self._site_object(key + "/index.html") is not None:
            return HttpResponse(302, [("Location", path + "/")])  # like an S3 website: dir → dir/
        missing = self._site_object("404.html")
        if missing is not None:
            return HttpResponse(404, missing.headers, missing.body)
        body = f"<!doctype html><meta charset=utf-8><title>404</title><p>{TEXT['page_not_found']}".encode()
        return HttpResponse(404, [("Content-Type", "text/html; charset=utf-8")], body)

    def _site_object(self, key: str) -> HttpResponse | None:
        import botocore.exceptions

        from worklog import aws

        if not self.site_bucket:
            return None
        try:
            obj = aws.client("s3").get_object(Bucket=self.site_bucket, Key=key)
        except botocore.exceptions.ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NoSuchBucket"}:
                return None
            raise
        body = obj["Body"].read()
        content_type = obj.get("ContentType")
        if not content_type or content_type in {"binary/octet-stream", "application/octet-stream"}:
            content_type = _guess_type(key)
        headers = [("Content-Type", content_type)]
        if obj.get("CacheControl"):
            headers.append(("Cache-Control", obj["CacheControl"]))
        if obj.get("ETag"):
            headers.append(("ETag", obj["ETag"]))
        return HttpResponse(200, headers, body)


def merge_openapi(documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One OpenAPI document for every function URL (the clients see one API)."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "干部工作日志 API（本地）", "version": "local"},
        "paths": {},
        "components": {},
    }
    for doc in documents:
        merged["openapi"] = doc.get("openapi", merged["openapi"])
        for path, item in (doc.get("paths") or {}).items():
            merged["paths"].setdefault(path, {}).update(item)
        for section, entries in (doc.get("components") or {}).items():
            merged["components"].setdefault(section, {}).update(entries)
        for tag in doc.get("tags") or []:
            tags = merged.setdefault("tags", [])
            if tag not in tags:
                tags.append(tag)
    if not merged["components"]:
        del merged["components"]
    return merged


def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping hands it to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def _schedule_input(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise StartupError(f"a schedule's Input must be a JSON object, got {value!r}")
    return dict(value)


def _json_object(body: bytes) -> tuple[dict[str, Any], HttpResponse | None]:
    try:
        payload = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        return {}, error_response(400, "invalid_json", TEXT["invalid_json"])
    if not isinstance(payload, dict):
        return {}, _invalid(TEXT["validation_error"], ["body"], "a JSON object is required")
    return payload, None


def _invalid(message: str, loc: list[str], msg: str) -> HttpResponse:
    return error_response(422, "validation_error", message, details=[{"loc": loc, "msg": msg}])


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(SHANGHAI) if moment.tzinfo is not None else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _not_allowed() -> HttpResponse:
    return error_response(405, "method_not_allowed", TEXT["method_not_allowed"])


def _guess_type(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key)
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed in {"application/json", "application/javascript"}:
        guessed += "; charset=utf-8"
    return guessed


# --- Swagger UI, from the swagger-ui-bundle package's files ---------------------------------------

_SWAGGER_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>干部工作日志 API（本地）</title>
  <link rel="stylesheet" href="/_local/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/_local/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/_local/docs/swagger-ui-bundle.js"></script>
  <script src="/_local/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/_local/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""


def _swagger_file(name: str) -> HttpResponse:
    if name in {"", "index.html"}:
        page = _SWAGGER_PAGE.encode("utf-8")
        return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        return error_response(404, "not_found", TEXT["not_found"])
    from swagger_ui_bundle import swagger_ui_path

    file = Path(str(swagger_ui_path)) / name
    if not file.is_file():
        return error_response(404, "not_found", TEXT["not_found"])
    headers = [("Content-Type", _guess_type(name)), ("Cache-Control", "max-age=3600")]
    return HttpResponse(200, headers, file.read_bytes())


# --- the HTTP server -----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _TooLarge(Exception):
    pass


_DRAIN_LIMIT = 64 * 1024 * 1024


class _RequestHandler(BaseHTTPRequestHandler):
    runtime: LocalRuntime
    protocol_version = "HTTP/1.1"
    server_version = "worklog-local"

    def handle_expect_100(self) -> bool:
        # Refuse an oversized body before the client sends it.
        if self._declared_length() > MAX_PAYLOAD_BYTES:
            self._send(error_response(413, "payload_too_large", TEXT["payload_too_large"]), close=True)
            return False
        return super().handle_expect_100()

    def _declared_length(self) -> int:
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return 0

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                line = self.rfile.readline(65537).split(b";", 1)[0].strip()
                length = int(line or b"0", 16)
                if length == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(chunks)
                size += length
                if size > MAX_PAYLOAD_BYTES:
                    raise _TooLarge
                chunks.append(self.rfile.read(length))
                self.rfile.readline(3)
        length = self._declared_length()
        if length > MAX_PAYLOAD_BYTES:
            raise _TooLarge
        return self.rfile.read(length) if length > 0 else b""

    def _drain(self) -> None:
        """Read and drop a refused body (up to a bound) so the client gets to read the 413."""
        remaining = self._declared_length()
        if remaining > _DRAIN_LIMIT:
            return
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                return
            remaining -= len(chunk)

    def _serve(self) -> None:
        started = time.monotonic()
        method = self.command
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            split = urlsplit(target)
            target = split.path + (f"?{split.query}" if split.query else "")
        try:
            body = self._read_body()
        except _TooLarge:
            self._drain()
            response = error_response(413, "payload_too_large", TEXT["payload_too_large"])
            self._send(response, close=True)
            self._log(method, target, response.status, started)
            return
        try:
            headers = list(self.headers.items())
            response = self.runtime.handle(method, target, headers, body, self.client_address[0])
        except Exception:
            log.exception("runtime error on %s %s", method, target)
            response = error_response(500, "internal_error", "本地运行时内部错误")
        self._send(response, head=method == "HEAD")
        self._log(method, target, response.status, started)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def _send(self, response: HttpResponse, *, head: bool = False, close: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)

    def _log(self, method: str, target: str, status: int, started: float) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        access_log.info("%s %s %d %.0fms", method, urlsplit(target).path, status, elapsed_ms)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _log instead


def _serial_moto_server() -> Any:
    """moto's server, answering one request at a time.

    moto's backends are not thread-safe (a DynamoDB transaction deep-copies the table while
    another request writes it), so concurrent client requests are queued at the WSGI layer; the
    handlers around them still run concurrently.
    """
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    from infra.emulator import lock

    class SerialMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)

            def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                with lock:  # the same lock as the demo loader's direct writes
                    return list(app(environ, start_response))

            self._server = make_server(
                self._ip_address, self._port, serial, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
