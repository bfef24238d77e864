"""The channels against their providers: SNS SMS and SES e-mail under moto, the WeCom and DingTalk
robots against a local webhook sink (which checks DingTalk's signature the way DingTalk does), their
webhooks as SecureString parameters in SSM, and the retry queue with its dead-letter queue in SQS."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from infra.inprocess import InProcessStack
from worklog.clock import SHANGHAI, system_clock
from worklog.models.notifications import Delivery, Message, Preferences
from worklog.models.roster import Cadre
from worklog.notify.channels import DingTalkRobot, EmailChannel, RobotSecrets, SmsChannel, WeComRobot
from worklog.notify.sender import RETRY_RECEIVES, Sender
from worklog.settings import get_settings

PERSON = Cadre(
    cadre_id="c0001",
    name="李明",
    unit_id="jyj",
    mobile="13800138000",
    email="liming@example.gov.cn",
    wecom_user_id="liming",
    dingtalk_user_id="ding-liming",
)
MESSAGE = Message(
    person_id="c0001",
    digest_id="morning-2026-11-23",
    subject="【工作日志】今日待办 1 项",
    text="李明同志：您有 1 项待办。\n1. 11月20日工作日志（最迟11月23日）",
    html="<p>李明同志：您有 1 项待办。</p>",
    sms=["【锦江区委组织部】李明同志：您有1项待办：11月20日工作日志，", "最迟11月23日。"],
    link="https://worklog.example/app/today?date=2026-11-20",
)
SECRET = "SECa1b2c3d4e5f6"
AT = "2026-11-23T08:30:00.000+08:00"


# --- the local webhook sink -----------------------------------------------------------------------
class Sink:
    """A robot's webhook on 127.0.0.1: records what it is sent, answers from ``script`` (then ok),
    and with ``secret`` refuses a request DingTalk would refuse (timestamp more than an hour from now,
    or a sign that is not base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")))."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.script: list[tuple[int, dict[str, Any]] | float] = []
        self.always: tuple[int, dict[str, Any]] | None = None
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=tok"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def signature_ok(self, query: dict[str, list[str]]) -> bool:
        assert self.secret is not None
        try:
            timestamp, sign = query["timestamp"][0], query["sign"][0]
        except KeyError:
            return False
        now_ms = int(system_clock.now().timestamp() * 1000)
        expected = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256)
        fresh = abs(now_ms - int(timestamp)) <= 3_600_000
        return fresh and hmac.compare_digest(sign, base64.b64encode(expected.digest()).decode())

    def answer(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if self.secret is not None and not self.signature_ok(query):
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if self.always is not None:
            return self.always
        step = self.script.pop(0) if self.script else (200, {"errcode": 0, "errmsg": "ok"})
        if isinstance(step, float):
            time.sleep(step)  # slower than the client's timeout
            return 200, {"errcode": 0, "errmsg": "ok"}
        return step

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                query = parse_qs(urlsplit(self.path).query)  # url-decodes the sign
                sink.requests.append({"query": query, "body": json.loads(self.rfile.read(length))})
                status, body = sink.answer(query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client gave up waiting (timeout test)
                    self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def sink(stack: InProcessStack) -> Iterator[Sink]:
    made = Sink()
    made.thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


def put_robot(kind: str, owner: str, url: str, secret: str | None = None) -> None:
    path = get_settings().notify_parameter_path
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=f"{path}{kind}/{owner}/url", Value=url, Type="SecureString", Overwrite=True)
    if secret:
        ssm.put_parameter(
            Name=f"{path}{kind}/{owner}/secret", Value=secret, Type="SecureString", Overwrite=True
        )


def queues() -> tuple[str, str]:
    """The retry queue and its dead-letter queue (RedrivePolicy maxReceiveCount 5)."""
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="notify-dead-letter")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(RETRY_RECEIVES)})
    retry = sqs.create_queue(QueueName="notify-retry", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return retry, dlq


def sender(adapter: Any, queue_url: str = "", slept: list[float] | None = None) -> Sender:
    sleeps = slept if slept is not None else []
    return Sender(
        adapters=[adapter],
        queue_url=queue_url,
        sleep=sleeps.append,
        retry_delay=0,
        profiles={PERSON.cadre_id: PERSON}.get,
    )


def receive(queue_url: str) -> list[dict[str, Any]]:
    """Messages as the SQS event source hands them to the notifier."""
    answer = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
    )
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
        }
        for m in answer.get("Messages", [])
    ]


# --- SMS and e-mail --------------------------------------------------------------------------------
def test_an_sms_is_one_transactional_sns_message_to_the_persons_number(stack: InProcessStack) -> None:
    from moto.sns.models import sns_backends

    delivery = sender(SmsChannel()).deliver(PERSON, Preferences(), MESSAGE, AT)

    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "sms", 1)
    sent = sns_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].sms_messages
    assert dict(sent) == {delivery.message_id: ("+8613800138000", "".join(MESSAGE.sms))}
    assert next(iter(sent.values()))[1].startswith(get_settings().notify.sms_signature)


def test_an_email_goes_out_through_ses_from_the_verified_sender(stack: InProcessStack) -> None:
    from moto.ses.models import ses_backends

    source = get_settings().notify.email_sender
    boto3.client("ses").verify_email_identity(EmailAddress=source)

    delivery = sender(EmailChannel()).deliver(
        PERSON.model_copy(update={"preferred_channel": "email"}), Preferences(), MESSAGE, AT
    )

    assert (delivery.status, delivery.channel) == ("sent", "email")
    (mail,) = ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].sent_messages
    assert (mail.id, mail.source, mail.subject) == (delivery.message_id, source, MESSAGE.subject)
    assert mail.destinations["ToAddresses"] == [PERSON.email]
    assert mail.body == MESSAGE.html


def test_an_email_from_an_unverified_sender_fails_for_good_without_retrying(stack: InProcessStack) -> None:
    # The stack verifies the configured sender; another one, never verified, is refused by SES.
    unverified = get_settings().notify.model_copy(update={"email_sender": "unverified@example.gov.cn"})
    settings = get_settings().model_copy(update={"notify": unverified})
    slept: list[float] = []
    delivery = sender(EmailChannel(settings=settings), slept=slept).deliver(
        PERSON, Preferences(), MESSAGE, AT
    )
    assert (delivery.status, delivery.attempts, delivery.error) == (
        "failed",
        1,
        "ses send_email: MessageRejected",
    )
    assert slept == []


# --- the robots ----------------------------------------------------------------------------------
def test_a_wecom_robot_read_from_ssm_posts_the_text_mentioning_the_person(
    stack: InProcessStack, sink: Sink
) -> None:
    put_robot("wecom", "jyj", sink.url)

    delivery = sender(WeComRobot(secrets=RobotSecrets())).deliver(PERSON, Preferences(), MESSAGE, AT)

    assert (delivery.status, delivery.channel) == ("sent", "wecom")
    (request,) = sink.requests
    assert request["body"] == {
        "msgtype": "text",
        "text": {"content": MESSAGE.text, "mentioned_list": ["liming"]},
    }


def test_a_dingtalk_robot_passes_dingtalks_signature_check(stack: InProcessStack, sink: Sink) -> None:
    sink.secret = SECRET
    put_robot("dingtalk", "default", sink.url, SECRET)

    delivery = sender(DingTalkRobot(secrets=RobotSecrets())).deliver(PERSON, Preferences(), MESSAGE, AT)

    assert (delivery.status, delivery.channel) == ("sent", "dingtalk")
    (request,) = sink.requests
    assert request["query"]["access_token"] == ["tok"]
    assert request["body"]["at"] == {"atUserIds": ["ding-liming"]}
    assert request["body"]["text"]["content"].startswith(MESSAGE.text)


def test_a_dingtalk_request_signed_with_a_wrong_secret_is_refused_and_not_retried(
    stack: InProcessStack, sink: Sink
) -> None:
    sink.secret = SECRET
    put_robot("dingtalk", "default", sink.url, "SECnot-the-one")
    slept: list[float] = []

    delivery = sender(DingTalkRobot(secrets=RobotSecrets()), slept=slept).deliver(
        PERSON, Preferences(), MESSAGE, AT
    )

    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error is not None and delivery.error.startswith("dingtalk errcode 310000")
    assert slept == []


def test_a_dingtalk_request_signed_hours_ago_is_refused(stack: InProcessStack, sink: Sink) -> None:
    sink.secret = SECRET
    put_robot("dingtalk", "default", sink.url, SECRET)

    class Behind:
        def now(self) -> datetime:
            return system_clock.now().astimezone(SHANGHAI).replace(microsecond=0) - (
                datetime(2026, 1, 1, 2, tzinfo=SHANGHAI) - datetime(2026, 1, 1, 0, tzinfo=SHANGHAI)
            )

    robot = DingTalkRobot(secrets=RobotSecrets(), clock=Behind())
    assert sender(robot).deliver(PERSON, Preferences(), MESSAGE, AT).status == "failed"


def test_a_robot_failing_twice_then_answering_is_sent_on_the_third_try(
    stack: InProcessStack, sink: Sink
) -> None:
    put_robot("wecom", "default", sink.url)
    sink.script = [(500, {}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    slept: list[float] = []

    delivery = sender(WeComRobot(secrets=RobotSecrets()), slept=slept).deliver(
        PERSON, Preferences(), MESSAGE, AT
    )

    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert slept == [0.5, 1.0]
    assert len(sink.requests) == 3


def test_a_robot_slower_than_the_timeout_is_a_retryable_failure(stack: InProcessStack, sink: Sink) -> None:
    put_robot("wecom", "default", sink.url)
    sink.script = [0.6]

    delivery = sender(WeComRobot(secrets=RobotSecrets(), timeout=0.2)).deliver(
        PERSON, Preferences(), MESSAGE, AT
    )

    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_robot_url_secret_and_contact_details_never_show_in_logs_or_deliveries(
    stack: InProcessStack, sink: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    # Every way a send fails: a robot's error code, an HTTP 5xx, a refused connection, SNS refusing.
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    closed_url = f"http://127.0.0.1:{closed.server_address[1]}/cgi-bin/webhook/send?key=KEY-wecom"
    closed.server_close()
    put_robot("dingtalk", "default", sink.url, "SECwrong")
    put_robot("wecom", "default", closed_url)
    sink.secret = SECRET
    deliveries = [sender(DingTalkRobot(secrets=RobotSecrets())).deliver(PERSON, Preferences(), MESSAGE, AT)]
    sink.secret, sink.always = None, (503, {})
    deliveries += [
        sender(DingTalkRobot(secrets=RobotSecrets())).deliver(PERSON, Preferences(), MESSAGE, AT),
        sender(WeComRobot(secrets=RobotSecrets())).deliver(PERSON, Preferences(), MESSAGE, AT),
        sender(SmsChannel(client=_RefusingSns())).deliver(PERSON, Preferences(), MESSAGE, AT),
    ]

    assert [d.error.split(":")[0] for d in deliveries if d.error] == [
        "dingtalk errcode 310000",
        "http 503",
        "connection",
        "sns publish",
    ]
    logged = "".join(json.dumps(vars(r), default=str, ensure_ascii=False) for r in caplog.records)
    shown = logged + "".join(d.model_dump_json() for d in deliveries)
    assert "notify.send_failed" in logged  # the failures were logged ...
    for secret in ("127.0.0.1", "access_token", "KEY-wecom", "SECwrong", SECRET, PERSON.mobile, PERSON.email):
        assert str(secret) not in shown  # ... without what must stay hidden


class _RefusingSns:
    def publish(self, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        message = f"Invalid parameter: PhoneNumber {kwargs['PhoneNumber']}"
        raise ClientError({"Error": {"Code": "InvalidParameter", "Message": message}}, "Publish")


# --- the retry queue and the dead-letter queue ------------------------------------------------------
def test_a_robot_always_failing_is_retried_from_the_queue_then_left_in_the_dead_letter_queue(
    stack: InProcessStack, sink: Sink
) -> None:
    retry_url, dlq_url = queues()
    put_robot("wecom", "default", sink.url)
    sink.always = (502, {})
    notifier = sender(WeComRobot(secrets=RobotSecrets()), queue_url=retry_url)

    delivery = notifier.deliver(PERSON, Preferences(), MESSAGE, AT)
    assert (delivery.status, delivery.attempts) == ("retrying", 3)

    recorded: list[tuple[str, str, Delivery]] = []
    for receive_count in range(1, RETRY_RECEIVES + 1):
        (item,) = receive(retry_url)
        assert item["attributes"]["ApproximateReceiveCount"] == str(receive_count)
        answer = notifier.retry_batch({"Records": [item]}, lambda *a: recorded.append(a))
        assert answer == {"batchItemFailures": [{"itemIdentifier": item["messageId"]}]}
        # Time passes: the stretched visibility timeout runs out.
        boto3.client("sqs").change_message_visibility(
            QueueUrl=retry_url, ReceiptHandle=item["receiptHandle"], VisibilityTimeout=0
        )

    assert receive(retry_url) == []
    (dead,) = receive(dlq_url)
    assert json.loads(dead["body"])["digest_sk"] == f"MSG#{AT}#{MESSAGE.digest_id}"
    ((person_id, digest_sk, last),) = recorded  # recorded once: on the last receive
    assert (person_id, digest_sk) == ("c0001", f"MSG#{AT}#{MESSAGE.digest_id}")
    assert (last.status, last.channel, last.attempts) == ("failed", "wecom", 3 + RETRY_RECEIVES)
    assert len(sink.requests) == 3 + RETRY_RECEIVES


def test_a_retry_that_goes_out_is_recorded_sent_and_leaves_the_queue(
    stack: InProcessStack, sink: Sink
) -> None:
    retry_url, dlq_url = queues()
    put_robot("wecom", "default", sink.url)
    sink.script = [(500, {})] * 3
    notifier = sender(WeComRobot(secrets=RobotSecrets()), queue_url=retry_url)
    assert notifier.deliver(PERSON, Preferences(), MESSAGE, AT).status == "retrying"

    recorded: list[tuple[str, str, Delivery]] = []
    answer = notifier.retry_batch({"Records": receive(retry_url)}, lambda *a: recorded.append(a))

    assert answer == {"batchItemFailures": []}
    ((person_id, digest_sk, delivery),) = recorded
    assert (person_id, digest_sk, delivery.status, delivery.attempts) == (
        "c0001",
        f"MSG#{AT}#{MESSAGE.digest_id}",
        "sent",
        4,
    )
    assert receive(retry_url) == [] and receive(dlq_url) == []
