"""The channels a digest goes out on: one small interface, one adapter per provider.

``ChannelAdapter.reaches(person)`` says whether the roster (and, for the robots, the configuration)
lets the channel get to that person; ``send(person, message)`` sends the channel's part of a
``Message`` and answers the provider's message id, or raises ``SendFailed`` (``retryable`` says
whether trying again later may help: throttling, 5xx, timeouts, connection errors).

- ``SmsChannel``: Amazon SNS ``Publish`` to ``+86<mobile>``, ONE publish per digest whose text is
  the digest's segments joined (SNS splits a long SMS itself; the digest builds them, each at most
  70 characters, the signature 【…】 first, as Chinese carriers require it in the text). One publish
  keeps a person's morning at one send. ``AWS.SNS.SMS.SMSType`` is ``Transactional``; no sender id
  (mainland China does not support one: the signature is in the text).
- ``EmailChannel``: Amazon SES ``SendEmail`` from ``settings.notify.email_sender`` (a verified
  identity), Chinese subject, text and HTML bodies, UTF-8.
- ``WeComRobot`` / ``DingTalkRobot``: the group robots' webhooks (JSON POST, 5 s timeout), the person
  @-mentioned by their user id; DingTalk's requests are signed (``timestamp`` in ms and
  ``sign`` = url-encoded base64 HMAC-SHA256 of ``"<timestamp>\\n<secret>"`` keyed by the secret). Both
  answer ``{"errcode": 0, "errmsg": "ok"}``; any other errcode is a failure.

``RobotSecrets`` reads the webhooks from SSM Parameter Store once per container
(``GetParametersByPath(Path=NOTIFY_PARAMETER_PATH, Recursive, WithDecryption)``), SecureString
parameters named ``<path>wecom/<unit_id|default>/url``, ``<path>dingtalk/<unit_id|default>/url`` and
``<path>dingtalk/<unit_id|default>/secret``: a unit's own robot first, else the ``default`` one.
Webhook URLs and secrets are never logged, nor put in an error, nor shown by ``repr``; nor are a
person's mobile or e-mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import field
from functools import cache
from typing import Any, Literal, Protocol
from urllib.parse import quote_plus

from botocore.exceptions import BotoCoreError, ClientError

from worklog import aws
from worklog.clock import Clock, system_clock
from worklog.models.notifications import Channel, Message
from worklog.models.roster import Cadre
from worklog.observability import logger
from worklog.records import datarecord
from worklog.settings import Settings, get_settings

RobotKind = Literal["wecom", "dingtalk"]
HTTP_TIMEOUT = 5.0
# AWS error codes worth another try (throttling and the service's own trouble).
_AWS_RETRYABLE = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "KMSThrottlingException",
    }
)
# The robots' "busy / too fast" errcodes: WeCom 45009 (frequency limit), 45033 (concurrency limit);
# DingTalk 130101 and 410100 (sent too fast); -1 (system busy) on both.
_ROBOT_RETRYABLE: dict[RobotKind, frozenset[int]] = {
    "wecom": frozenset({-1, 45009, 45033}),
    "dingtalk": frozenset({-1, 130101, 410100}),
}


class SendFailed(Exception):
    """A send that did not go out. ``retryable``: trying again later may succeed."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ChannelAdapter(Protocol):
    channel: Channel

    def reaches(self, person: Cadre) -> bool: ...

    def send(self, person: Cadre, message: Message) -> str: ...


def _aws_failure(error: Exception, action: str) -> SendFailed:
    """A boto3 error as a SendFailed: the error code only (the message may quote the recipient)."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "Unknown"))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return SendFailed(f"{action}: {code}", retryable=code in _AWS_RETRYABLE or status >= 500)
    return SendFailed(f"{action}: {type(error).__name__}", retryable=True)


# --- SMS (SNS) ---------------------------------------------------------------------------------
def phone_number(mobile: str) -> str:
    """A mainland mobile (11 digits, as the roster keeps it) in E.164."""
    digits = "".join(ch for ch in mobile if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return f"+86{digits}"


def sms_text(message: Message) -> str:
    """The one SMS of a digest: its segments in order (each ≤70 characters, signed first)."""
    return "".join(message.sms)


class SmsChannel:
    channel: Channel = "sms"

    def __init__(self, *, client: Any = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("sns")

    def reaches(self, person: Cadre) -> bool:
        return bool(person.mobile)

    def send(self, person: Cadre, message: Message) -> str:
        if not person.mobile:
            raise SendFailed("sms: no mobile", retryable=False)
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        try:
            answer = self.client.publish(
                PhoneNumber=phone_number(person.mobile),
                Message=sms_text(message),
                MessageAttributes=attributes,
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure(error, "sns publish") from None
        return str(answer["MessageId"])


# --- e-mail (SES) ------------------------------------------------------------------------------
class EmailChannel:
    channel: Channel = "email"

    def __init__(self, *, client: Any = None, settings: Settings | None = None) -> None:
        self._client = client
        self.settings = settings or get_settings()

    @property
    def client(self) -> Any:
        return self._client or aws.client("ses")

    def reaches(self, person: Cadre) -> bool:
        return bool(person.email)

    def send(self, person: Cadre, message: Message) -> str:
        if not person.email:
            raise SendFailed("ses: no e-mail address", retryable=False)
        body = {
            "Text": {"Data": message.text, "Charset": "UTF-8"},
            "Html": {"Data": message.html, "Charset": "UTF-8"},
        }
        try:
            answer = self.client.send_email(
                Source=self.settings.notify.email_sender,
                Destination={"ToAddresses": [person.email]},
                Message={"Subject": {"Data": message.subject, "Charset": "UTF-8"}, "Body": body},
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure(error, "ses send_email") from None
        return str(answer["MessageId"])


# --- the robots' configuration (SSM) -------------------------------------------------------------
@datarecord(frozen=True)
class Robot:
    """A group robot's webhook; neither part shows in a repr (they are secrets)."""

    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


class RobotSecrets:
    """The robots' webhooks from SSM, read at the first need and kept (once per container).

    If SSM cannot be read, the robots count as not configured (the people they would reach get
    another channel or the inbox) and SSM is asked again ``retry_after`` seconds later, not once a
    person."""

    def __init__(self, *, client: Any = None, path: str | None = None, retry_after: float = 60.0) -> None:
        self._client = client
        path = path if path is not None else get_settings().notify_parameter_path
        self.path = path if path.endswith("/") else path + "/"
        self.retry_after = retry_after
        self._values: dict[str, str] | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()  # deliver_many's threads ask at once

    @property
    def client(self) -> Any:
        return self._client or aws.client("ssm")

    def _load(self) -> dict[str, str]:
        values: dict[str, str] = {}
        pages = self.client.get_paginator("get_parameters_by_path").paginate(
            Path=self.path.rstrip("/") or "/", Recursive=True, WithDecryption=True
        )
        for page in pages:
            for parameter in page.get("Parameters", []):
                name = str(parameter["Name"])
                if name.startswith(self.path):
                    values[name[len(self.path) :]] = str(parameter["Value"])
        return values

    def values(self) -> dict[str, str]:
        with self._lock:
            stale = self._failed_at is not None and time.monotonic() - self._failed_at >= self.retry_after
            if self._values is None or stale:
                try:
                    self._values, self._failed_at = self._load(), None
                except (ClientError, BotoCoreError) as error:
                    logger.error("notify.robot_parameters_unreadable", extra={"error": type(error).__name__})
                    self._values, self._failed_at = {}, time.monotonic()
            return self._values

    def robot(self, kind: RobotKind, unit_id: str) -> Robot | None:
        """The unit's own robot, else the district's default one, else None."""
        values = self.values()
        for owner in (unit_id, "default"):
            url = values.get(f"{kind}/{owner}/url")
            if url:
                return Robot(url=url, secret=values.get(f"{kind}/{owner}/secret") or None)
        return None


@cache
def default_secrets() -> RobotSecrets:
    """The container's RobotSecrets (forgotten with the other caches between test stacks)."""
    return RobotSecrets()


# --- the robots ----------------------------------------------------------------------------------
def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 of HMAC-SHA256 over "<timestamp>\\n<secret>", keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"


PostJson = Callable[[str, dict[str, Any], float], dict[str, Any]]


def post_json(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST JSON and read the JSON answer; failures as SendFailed without the URL in them."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(
            request, timeout=timeout
        ) as answer:  # the webhooks are https URLs from SSM
            raw = answer.read()
    except urllib.error.HTTPError as error:
        raise SendFailed(f"http {error.code}", retryable=error.code >= 500 or error.code == 429) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(f"connection: {type(reason).__name__}", retryable=True) from None
    try:
        answer_json = json.loads(raw)
    except ValueError:
        raise SendFailed("robot answer is not JSON", retryable=False) from None
    return answer_json if isinstance(answer_json, dict) else {}


class _RobotChannel:
    channel: Channel
    kind: RobotKind

    def __init__(
        self,
        *,
        secrets: RobotSecrets | None = None,
        post: PostJson | None = None,
        timeout: float = HTTP_TIMEOUT,
    ) -> None:
        self._secrets = secrets
        self.post = post or post_json
        self.timeout = timeout

    @property
    def secrets(self) -> RobotSecrets:
        return self._secrets or default_secrets()

    def user_id(self, person: Cadre) -> str | None:
        raise NotImplementedError

    def reaches(self, person: Cadre) -> bool:
        return bool(self.user_id(person)) and self.secrets.robot(self.kind, person.unit_id) is not None

    def payload(self, user_id: str, message: Message) -> dict[str, Any]:
        raise NotImplementedError

    def url(self, robot: Robot) -> str:
        return robot.url

    def send(self, person: Cadre, message: Message) -> str:
        user_id = self.user_id(person)
        robot = self.secrets.robot(self.kind, person.unit_id)
        if not user_id or robot is None:
            raise SendFailed(f"{self.kind}: no user id or no robot", retryable=False)
        answer = self.post(self.url(robot), self.payload(user_id, message), self.timeout)
        code = answer.get("errcode")
        if code != 0:
            code = code if isinstance(code, int) else -1
            reason = f"{self.kind} errcode {code}: {str(answer.get('errmsg', ''))[:100]}"
            raise SendFailed(reason, retryable=code in _ROBOT_RETRYABLE[self.kind])
        return str(answer.get("msgid") or answer.get("messageId") or "")


class WeComRobot(_RobotChannel):
    channel: Channel = "wecom"
    kind: RobotKind = "wecom"

    def user_id(self, person: Cadre) -> str | None:
        return person.wecom_user_id

    def payload(self, user_id: str, message: Message) -> dict[str, Any]:
        return {"msgtype": "text", "text": {"content": message.text, "mentioned_list": [user_id]}}


class DingTalkRobot(_RobotChannel):
    channel: Channel = "dingtalk"
    kind: RobotKind = "dingtalk"

    def __init__(
        self,
        *,
        secrets: RobotSecrets | None = None,
        post: PostJson | None = None,
        timeout: float = HTTP_TIMEOUT,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(secrets=secrets, post=post, timeout=timeout)
        self.clock = clock

    def user_id(self, person: Cadre) -> str | None:
        return person.dingtalk_user_id

    def payload(self, user_id: str, message: Message) -> dict[str, Any]:
        # DingTalk highlights a mention only when the content names the user id too.
        content = f"{message.text}\n@{user_id}"
        return {"msgtype": "text", "text": {"content": content}, "at": {"atUserIds": [user_id]}}

    def url(self, robot: Robot) -> str:
        # Signed with the server's clock: real time on AWS (DingTalk refuses a timestamp more than
        # an hour off); the local runtime's moved clock locally, which its webhook sink checks against.
        if not robot.secret:
            return robot.url  # a robot secured by keywords or IP instead of a signature
        timestamp_ms = int(self.clock.now().timestamp() * 1000)
        return dingtalk_signed_url(robot.url, robot.secret, timestamp_ms)


def default_adapters(settings: Settings | None = None) -> list[ChannelAdapter]:
    """The production adapters, one per channel."""
    return [SmsChannel(), EmailChannel(settings=settings), WeComRobot(), DingTalkRobot()]
