"""The local stand-in for the WeCom and DingTalk group robots: their webhooks under
``/_local/robots/`` (``POST …/wecom/send?key=local``, ``POST …/dingtalk/robot/send?access_token=local
&timestamp=<ms>&sign=<sign>``), answering as the real ones do and keeping what they were sent.

DingTalk's check, as DingTalk makes it: ``timestamp`` (milliseconds) within an hour of the server's
time, and ``sign`` the URL-encoded base64 of HMAC-SHA256 over ``"<timestamp>\\n<secret>"`` keyed by
the secret. The server's time is the runtime's clock (the one the functions read), so a moved
clock moves both sides. The secret is new on every start (``RobotSink.secret``) and reaches the
notifier only through the SSM parameters the runtime puts (``infra.local.notify``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from infra.local.events import HttpResponse, json_response

ROBOTS_PREFIX = "/robots"
TOKEN = "local"  # the key / access_token of the runtime's robot URLs
KEEP = 2000  # messages kept, newest last
WINDOW_MS = 3600 * 1000

_OK = {"errcode": 0, "errmsg": "ok"}
# DingTalk's answers to a refused request (HTTP 200 with a non-zero errcode, as DingTalk does).
_DINGTALK_NO_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
_DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match"}
_DINGTALK_BAD_TIME = {"errcode": 310000, "errmsg": "timestamp invalid"}
_WECOM_BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url"}
# Either robot, for a body that is not a JSON message with a msgtype.
_BAD_MESSAGE = {"errcode": 40008, "errmsg": "invalid message type"}


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """The ``sign`` DingTalk expects (before URL encoding)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _message(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return payload if isinstance(payload, dict) and isinstance(payload.get("msgtype"), str) else None


class RobotSink:
    """The robots' webhooks and what they received (at most ``keep`` messages, the oldest dropped)."""

    def __init__(self, now: Callable[[], datetime], *, secret: str | None = None, keep: int = KEEP) -> None:
        self.now = now
        self.secret = secret or "SEC" + secrets.token_hex(32)
        self._received: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)

    def handle(self, robot: str, query: str, body: bytes) -> HttpResponse | None:
        """A POST to ``/_local/robots/<robot>``; None for a path that is no robot's."""
        params = {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}
        if robot == "wecom/send":
            return self._answer("wecom", params, body, self._wecom(params))
        if robot == "dingtalk/robot/send":
            return self._answer("dingtalk", params, body, self._dingtalk(params))
        return None

    def _wecom(self, params: dict[str, str]) -> dict[str, Any] | None:
        return None if params.get("key") == TOKEN else _WECOM_BAD_KEY

    def _dingtalk(self, params: dict[str, str]) -> dict[str, Any] | None:
        if params.get("access_token") != TOKEN:
            return _DINGTALK_NO_TOKEN
        stamp = params.get("timestamp", "")
        if not stamp.isdigit():
            return _DINGTALK_BAD_TIME
        now_ms = int(self.now().timestamp() * 1000)
        if abs(now_ms - int(stamp)) > WINDOW_MS:
            return _DINGTALK_BAD_TIME
        # parse_qs has undone the URL encoding: a "+" sent unencoded is a space here, and fails.
        if not hmac.compare_digest(params.get("sign", ""), dingtalk_sign(int(stamp), self.secret)):
            return _DINGTALK_BAD_SIGN
        return None

    def _answer(
        self, robot: str, params: dict[str, str], body: bytes, refusal: dict[str, Any] | None
    ) -> HttpResponse:
        message = _message(body)
        answer = refusal or (_OK if message is not None else _BAD_MESSAGE)
        record = {
            "robot": robot,
            "at": self.now().isoformat(timespec="milliseconds"),
            "query": {k: v for k, v in params.items() if k != "sign"},
            "accepted": answer["errcode"] == 0,
            "answer": answer,
            "message": message if message is not None else body.decode("utf-8", "replace")[:2000],
        }
        with self._lock:
            self._received.append(record)
        return json_response(200, answer)
