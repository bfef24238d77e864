"""The runtime's HTTP server: werkzeug's threaded WSGI server in front of one handler function
``(method, target, headers, body, client_ip) → HttpResponse``, which never sees a socket.

Bodies over the function URL's 6 MB are refused with 413 (before they are sent, when the client
asks with ``Expect: 100-continue``); one log line per request gives method, path, status, time.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from infra.local.events import MAX_PAYLOAD_BYTES, HttpResponse, error_response
from infra.local.harness import StartupError
from infra.local.text import TEXT, too_large

log = logging.getLogger("infra.local")
access_log = logging.getLogger("infra.local.http")

Handle = Callable[[str, str, list[tuple[str, str]], bytes, str], HttpResponse]
# Set by the server on the wire (werkzeug writes its own Content-Length and closes the connection).
_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding"}


class _Request(Request):
    max_content_length = MAX_PAYLOAD_BYTES


class _Response(Response):
    default_mimetype = None  # a response without a body type (a preflight) gets none


class _RequestHandler(WSGIRequestHandler):
    def run_wsgi(self) -> None:
        # Refuse an oversized body before the client sends it: werkzeug would invite it first.
        if self.headers.get("Expect", "").strip().lower() == "100-continue" and _declared(self) > (
            MAX_PAYLOAD_BYTES
        ):
            started = time.monotonic()
            refusal = too_large()
            self.send_response(refusal.status)
            for name, value in refusal.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(refusal.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(refusal.body)
            self.close_connection = True
            _log_access(self.command, self.path, refusal.status, started)
            return
        super().run_wsgi()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request is written by _log_access instead


def _declared(handler: WSGIRequestHandler) -> int:
    try:
        return int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        return 0


def _reason(status: int) -> str:
    """The reason phrase as http.server words it (werkzeug's are in capitals)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _log_access(method: str, target: str, status: int, started: float) -> None:
    elapsed_ms = (time.monotonic() - started) * 1000
    access_log.info("%s %s %d %.0fms", method, urlsplit(target).path, status, elapsed_ms)


def _target(environ: dict[str, Any]) -> str:
    """The request target as received: path and query, still percent-encoded."""
    target = str(environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/")
    if target.startswith(("http://", "https://")):  # absolute-form request target
        split = urlsplit(target)
        target = split.path + (f"?{split.query}" if split.query else "")
    return target


class HttpServer:
    """Serves ``handle`` on ``host:port`` (0: a free port) from a thread, until stop()."""

    def __init__(self, handle: Handle, host: str, port: int) -> None:
        self._handle = handle
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
            listener.listen(128)
        except OSError as err:
            listener.close()
            where = f"{self.host}:{self.port}"
            raise StartupError(f"cannot listen on {where}: {err.strerror or err}") from err
        try:
            # werkzeug takes over a socket already listening (it would exit the process on a taken
            # port rather than raise).
            server = make_server(
                self.host,
                self.port,
                self._app,
                threaded=True,
                request_handler=_RequestHandler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()
        server._server_version = "worklog-local"
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(target=server.serve_forever, name="local-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        request = _Request(environ)
        target = _target(environ)
        response = self._answer(request, target)
        _log_access(request.method, target, response.status, started)
        headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
        status = f"{response.status} {_reason(response.status)}"
        return _Response(response.body, status=status, headers=headers)(environ, start_response)

    def _answer(self, request: Request, target: str) -> HttpResponse:
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return too_large()  # werkzeug reads and drops the rest, so the client gets to read this
        try:
            headers = list(request.headers.items())
            return self._handle(request.method, target, headers, body, request.remote_addr or "")
        except Exception:
            log.exception("runtime error on %s %s", request.method, target)
            return error_response(500, "internal_error", TEXT["internal_error"])
