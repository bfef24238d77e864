"""The channels' pure rules: which channel a digest takes, the DingTalk signature, the SMS number and
text, tries with backoff (an injected sleep), the retry queue's consumer (fake adapters and queue)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

from worklog.clock import SHANGHAI, FixedClock
from worklog.models.notifications import Channel, Delivery, Message, Preferences
from worklog.models.roster import Cadre
from worklog.notify.channels import (
    DingTalkRobot,
    RobotSecrets,
    SendFailed,
    SmsChannel,
    WeComRobot,
    dingtalk_signed_url,
    phone_number,
    sms_text,
)
from worklog.notify.sender import RETRY_RECEIVES, DeliveryJob, Sender, backoff_delays, retry_visibility
from worklog.settings import NotifySettings, Settings

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI)
AT = NOW.isoformat(timespec="milliseconds")
MESSAGE = Message(
    person_id="c0001",
    digest_id="morning-2026-11-23",
    subject="工作日志提醒",
    text="您有 1 项待办：11月20日工作日志",
    html="<p>您有 1 项待办</p>",
    sms=["【锦江区委组织部】您有 1 项待办：11月20日工作日志，", "请于11月23日前补填。"],
    link="https://worklog.example/app/today?date=2026-11-20",
)


def cadre(**contact: Any) -> Cadre:
    return Cadre(cadre_id="c0001", name="李明", unit_id="jyj", **contact)


EVERYTHING = {
    "mobile": "13800138000",
    "email": "liming@example.gov.cn",
    "wecom_user_id": "liming",
    "dingtalk_user_id": "ding-liming",
}


class FakeAdapter:
    """A channel that reaches whoever has its contact field, and answers from a script of outcomes."""

    def __init__(self, channel: Channel, outcomes: list[str | SendFailed] | None = None) -> None:
        self.channel = channel
        self.outcomes = list(outcomes or [])
        self.sent: list[tuple[str, str]] = []

    def reaches(self, person: Cadre) -> bool:
        field = {"sms": "mobile", "email": "email", "wecom": "wecom_user_id", "dingtalk": "dingtalk_user_id"}
        return bool(getattr(person, field[self.channel]))

    def send(self, person: Cadre, message: Message) -> str:
        self.sent.append((person.cadre_id, message.digest_id))
        outcome = self.outcomes.pop(0) if self.outcomes else f"{self.channel}-{person.cadre_id}"
        if isinstance(outcome, SendFailed):
            raise outcome
        return outcome


class FakeSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.visibility: list[dict[str, Any]] = []

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"MessageId": "m1"}

    def change_message_visibility(self, **kwargs: Any) -> dict[str, Any]:
        self.visibility.append(kwargs)
        return {}


def settings(default: Channel | None = "sms", attempts: int = 3) -> Settings:
    return Settings(WORKLOG_NOTIFY=NotifySettings(default_channel=default, send_attempts=attempts))


def sender(*adapters: FakeAdapter, sqs: FakeSqs | None = None, **kwargs: Any) -> tuple[Sender, list[float]]:
    slept: list[float] = []
    made = Sender(
        adapters=list(adapters) or [FakeAdapter(c) for c in ("sms", "email", "wecom", "dingtalk")],
        sqs=sqs or FakeSqs(),
        queue_url="https://sqs.local/retry",
        settings=kwargs.pop("settings", settings()),
        sleep=slept.append,
        clock=FixedClock(NOW),
        profiles=kwargs.pop("profiles", lambda person_id: cadre(mobile="13800138000")),
        **kwargs,
    )
    return made, slept


# --- which channel -------------------------------------------------------------------------------
def test_the_preferred_channel_is_used_when_it_reaches_the_person_and_is_not_muted() -> None:
    s, _ = sender()
    assert s.choose(cadre(**EVERYTHING, preferred_channel="email"), Preferences()) == "email"


def test_a_muted_preferred_channel_gives_way_to_the_districts_default() -> None:
    s, _ = sender()
    person = cadre(**EVERYTHING, preferred_channel="email")
    assert s.choose(person, Preferences(muted=["email"])) == "sms"


def test_without_preferred_or_default_the_first_reachable_in_wecom_dingtalk_sms_email_order() -> None:
    s, _ = sender(settings=settings(default=None))
    assert s.choose(cadre(**EVERYTHING), Preferences()) == "wecom"
    assert s.choose(cadre(**EVERYTHING), Preferences(muted=["wecom"])) == "dingtalk"
    assert s.choose(cadre(mobile="13800138000", email="a@example.gov.cn"), Preferences()) == "sms"
    assert s.choose(cadre(email="a@example.gov.cn"), Preferences()) == "email"


def test_a_default_channel_that_does_not_reach_the_person_is_skipped() -> None:
    s, _ = sender(settings=settings(default="sms"))
    assert s.choose(cadre(email="a@example.gov.cn", dingtalk_user_id="d1"), Preferences()) == "dingtalk"


def test_everything_muted_or_nothing_on_the_roster_means_the_inbox_only_and_no_send() -> None:
    adapters = [FakeAdapter(c) for c in ("sms", "email", "wecom", "dingtalk")]
    s, _ = sender(*adapters)
    everything_muted = Preferences(muted=["sms", "email", "wecom", "dingtalk"])
    assert s.choose(cadre(**EVERYTHING), everything_muted) is None
    for person, prefs in ((cadre(**EVERYTHING), everything_muted), (cadre(), Preferences())):
        delivery = s.deliver(person, prefs, MESSAGE, AT)
        assert (delivery.status, delivery.channel, delivery.attempts) == ("no_channel", None, 0)
    assert all(a.sent == [] for a in adapters)


# --- SMS -------------------------------------------------------------------------------------------
def test_a_mainland_mobile_is_sent_to_in_e164() -> None:
    assert phone_number("13800138000") == "+8613800138000"
    assert phone_number("+86 138 0013 8000") == "+8613800138000"


def test_the_sms_is_one_text_of_the_digests_segments_in_order_signature_first() -> None:
    text = sms_text(MESSAGE)
    assert text.startswith("【锦江区委组织部】")
    assert text == MESSAGE.sms[0] + MESSAGE.sms[1]


class FakeSns:
    def __init__(self, error: str | None = None, status: int = 400) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error, self.status = error, status

    def publish(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        if self.error:
            meta: Any = {"HTTPStatusCode": self.status}
            raise ClientError(
                {"Error": {"Code": self.error, "Message": "x"}, "ResponseMetadata": meta}, "Publish"
            )
        return {"MessageId": "sns-1"}


def test_an_sms_is_one_transactional_publish_to_the_persons_number() -> None:
    sns = FakeSns()
    assert SmsChannel(client=sns).send(cadre(mobile="13800138000"), MESSAGE) == "sns-1"
    (call,) = sns.calls
    assert call["PhoneNumber"] == "+8613800138000"
    assert call["Message"] == sms_text(MESSAGE)
    assert call["MessageAttributes"]["AWS.SNS.SMS.SMSType"]["StringValue"] == "Transactional"


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [("Throttling", 400, True), ("InternalError", 500, True), ("InvalidParameter", 400, False)],
)
def test_sns_throttling_and_5xx_are_retryable_a_refused_number_is_not(
    code: str, status: int, retryable: bool
) -> None:
    with pytest.raises(SendFailed) as failed:
        SmsChannel(client=FakeSns(code, status)).send(cadre(mobile="13800138000"), MESSAGE)
    assert failed.value.retryable is retryable
    assert "13800138000" not in str(failed.value)


# --- tries, backoff, the retry queue ---------------------------------------------------------------
def test_the_backoff_doubles_from_half_a_second() -> None:
    assert backoff_delays(4) == [0.5, 1.0, 2.0]
    assert backoff_delays(1) == []


def test_a_send_failing_twice_then_succeeding_is_sent_on_the_third_try_after_backoff() -> None:
    busy = SendFailed("sms: Throttling", retryable=True)
    sms, sqs = FakeAdapter("sms", [busy, busy, "sns-9"]), FakeSqs()
    s, slept = sender(sms, sqs=sqs)
    delivery = s.deliver(cadre(mobile="13800138000"), Preferences(), MESSAGE, AT)
    assert (delivery.status, delivery.channel, delivery.attempts, delivery.message_id) == (
        "sent",
        "sms",
        3,
        "sns-9",
    )
    assert slept == [0.5, 1.0]
    assert sqs.sent == []


def test_a_send_still_failing_after_its_tries_goes_on_the_retry_queue_as_retrying() -> None:
    busy = SendFailed("sms: Throttling", retryable=True)
    sms, sqs = FakeAdapter("sms", [busy] * 3), FakeSqs()
    s, slept = sender(sms, sqs=sqs)
    delivery = s.deliver(cadre(mobile="13800138000"), Preferences(), MESSAGE, AT)
    assert (delivery.status, delivery.attempts, delivery.error) == ("retrying", 3, "sms: Throttling")
    assert slept == [0.5, 1.0]
    (queued,) = sqs.sent
    body = json.loads(queued["MessageBody"])
    assert (body["channel"], body["digest_sk"], body["attempts"]) == (
        "sms",
        f"MSG#{AT}#{MESSAGE.digest_id}",
        3,
    )
    assert queued["DelaySeconds"] > 0


def test_a_non_retryable_failure_is_failed_at_once_and_not_queued() -> None:
    sms, sqs = FakeAdapter("sms", [SendFailed("sns publish: InvalidParameter", retryable=False)]), FakeSqs()
    s, slept = sender(sms, sqs=sqs)
    delivery = s.deliver(cadre(mobile="13800138000"), Preferences(), MESSAGE, AT)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert slept == [] and sqs.sent == []


def test_an_unexpected_error_of_an_adapter_fails_that_delivery_only() -> None:
    class Broken(FakeAdapter):
        def send(self, person: Cadre, message: Message) -> str:
            raise KeyError("bug")

    s, _ = sender(Broken("sms"))
    delivery = s.deliver(cadre(mobile="13800138000"), Preferences(), MESSAGE, AT)
    assert (delivery.status, delivery.error) == ("failed", "sms: KeyError")


def test_deliver_many_answers_in_the_order_of_the_jobs() -> None:
    s, _ = sender(FakeAdapter("sms"))
    people = [
        Cadre(cadre_id=f"c{n:04d}", name="李明", unit_id="jyj", mobile="13800138000") for n in range(20)
    ]
    deliveries = s.deliver_many(DeliveryJob(p, Preferences(), MESSAGE, AT) for p in people)
    assert [d.message_id for d in deliveries] == [f"sms-{p.cadre_id}" for p in people]
    assert s.deliver_many([]) == []


def sqs_record(body: str, received: int, message_id: str = "q1") -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(received)},
    }


def queued_body(sqs: FakeSqs) -> str:
    s, _ = sender(FakeAdapter("sms", [SendFailed("busy", retryable=True)] * 3), sqs=sqs)
    assert s.deliver(cadre(mobile="13800138000"), Preferences(), MESSAGE, AT).status == "retrying"
    return str(sqs.sent[0]["MessageBody"])


def test_a_retry_that_goes_out_is_recorded_sent() -> None:
    body, recorded = queued_body(FakeSqs()), []
    s, _ = sender(FakeAdapter("sms", ["sns-2"]))
    answer = s.retry_batch({"Records": [sqs_record(body, 1)]}, lambda *a: recorded.append(a))
    assert answer == {"batchItemFailures": []}
    ((person_id, sk, delivery),) = recorded
    assert (person_id, sk) == ("c0001", f"MSG#{AT}#{MESSAGE.digest_id}")
    assert (delivery.status, delivery.message_id, delivery.attempts) == ("sent", "sns-2", 4)


def test_a_retry_failing_again_stays_on_the_queue_later_and_later_unrecorded() -> None:
    body, recorded, sqs = queued_body(FakeSqs()), [], FakeSqs()
    s, _ = sender(FakeAdapter("sms", [SendFailed("busy", retryable=True)] * 2), sqs=sqs)
    for received in (1, 2):
        answer = s.retry_batch({"Records": [sqs_record(body, received)]}, lambda *a: recorded.append(a))
        assert answer == {"batchItemFailures": [{"itemIdentifier": "q1"}]}
    assert [v["VisibilityTimeout"] for v in sqs.visibility] == [retry_visibility(1), retry_visibility(2)]
    assert retry_visibility(1) < retry_visibility(2)
    assert recorded == []


def test_the_last_receive_failing_is_recorded_failed_and_left_for_the_dead_letter_queue() -> None:
    body, recorded = queued_body(FakeSqs()), []
    s, _ = sender(FakeAdapter("sms", [SendFailed("busy", retryable=True)]))
    answer = s.retry_batch({"Records": [sqs_record(body, RETRY_RECEIVES)]}, lambda *a: recorded.append(a))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "q1"}]}
    ((_, _, delivery),) = recorded
    assert (delivery.status, delivery.error) == ("failed", "busy")


def test_a_retry_refused_for_good_is_recorded_failed_and_taken_off_the_queue() -> None:
    body, recorded = queued_body(FakeSqs()), []
    s, _ = sender(FakeAdapter("sms", [SendFailed("refused", retryable=False)]))
    answer = s.retry_batch({"Records": [sqs_record(body, 1)]}, lambda *a: recorded.append(a))
    assert answer == {"batchItemFailures": []}
    assert [d.status for _, _, d in recorded] == ["failed"]


def test_an_unreadable_retry_message_is_a_batch_failure_only_that_one() -> None:
    body, recorded = queued_body(FakeSqs()), []
    s, _ = sender(FakeAdapter("sms"))
    records = [sqs_record("not json", 1, "bad"), sqs_record(body, 1, "good")]
    answer = s.retry_batch({"Records": records}, lambda *a: recorded.append(a))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert [d.status for _, _, d in recorded] == ["sent"]


# --- the robots ------------------------------------------------------------------------------------
class FakeSsm:
    def __init__(self, values: dict[str, str]) -> None:
        self.values, self.reads = values, 0

    def get_paginator(self, name: str) -> FakeSsm:
        assert name == "get_parameters_by_path"
        return self

    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.reads += 1
        assert kwargs["Recursive"] is True and kwargs["WithDecryption"] is True
        names = [{"Name": k, "Value": v} for k, v in self.values.items() if k.startswith(kwargs["Path"])]
        return [{"Parameters": names[:1]}, {"Parameters": names[1:]}]


PATH = "/worklog/test/notify/"


def secrets(**values: str) -> RobotSecrets:
    return RobotSecrets(
        client=FakeSsm({PATH + k.replace("__", "/"): v for k, v in values.items()}), path=PATH
    )


def verify_dingtalk(url: str, secret: str, now_ms: int) -> bool:
    """What DingTalk checks: the timestamp within an hour, and the url-decoded sign equal to the
    base64 HMAC-SHA256 of "<timestamp>\\n<secret>" keyed by the secret."""
    query = parse_qs(urlsplit(url).query)  # parse_qs url-decodes
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return abs(now_ms - int(timestamp)) < 3_600_000 and hmac.compare_digest(base64.b64decode(sign), expected)


def test_a_dingtalk_url_is_signed_the_way_dingtalk_checks_it() -> None:
    timestamp = 1_795_000_000_123
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SEC-abc", timestamp)
    assert verify_dingtalk(url, "SEC-abc", timestamp)
    assert not verify_dingtalk(url, "SEC-other", timestamp)
    assert not verify_dingtalk(url, "SEC-abc", timestamp + 3_600_001)
    # The sign is url-encoded: base64's +, / and = never appear raw in the query.
    raw_sign = urlsplit(url).query.split("sign=")[1]
    assert not set(raw_sign) & set("+/=")


def test_the_dingtalk_robot_signs_mentions_the_person_and_reads_the_secret_from_ssm() -> None:
    posted: list[tuple[str, dict[str, Any]]] = []

    def post(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        posted.append((url, payload))
        return {"errcode": 0, "errmsg": "ok"}

    robot = DingTalkRobot(
        secrets=secrets(
            dingtalk__default__url="https://ding/send?access_token=d", dingtalk__default__secret="S1"
        ),
        post=post,
        clock=FixedClock(NOW),
    )
    robot.send(cadre(dingtalk_user_id="ding-liming"), MESSAGE)
    ((url, payload),) = posted
    assert verify_dingtalk(url, "S1", int(NOW.timestamp() * 1000))
    assert payload["at"] == {"atUserIds": ["ding-liming"]}
    assert payload["msgtype"] == "text" and "@ding-liming" in payload["text"]["content"]


def test_a_units_own_robot_comes_before_the_default_and_secrets_are_read_once() -> None:
    store = secrets(wecom__jyj__url="https://wecom/jyj", wecom__default__url="https://wecom/default")
    assert store.robot("wecom", "jyj").url == "https://wecom/jyj"  # type: ignore[union-attr]
    assert store.robot("wecom", "zzb").url == "https://wecom/default"  # type: ignore[union-attr]
    assert store.robot("dingtalk", "jyj") is None
    assert store.client.reads == 1
    assert "https://wecom" not in repr(store.robot("wecom", "jyj"))


class UnreadableSsm(FakeSsm):
    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.reads += 1
        error: Any = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
        raise ClientError(error, "GetParametersByPath")


def test_unreadable_robot_parameters_mean_no_robot_and_are_asked_again_only_later() -> None:
    ssm = UnreadableSsm({})
    store = RobotSecrets(client=ssm, path=PATH, retry_after=3600)
    wecom = WeComRobot(secrets=store)
    assert not wecom.reaches(cadre(wecom_user_id="liming"))
    assert not wecom.reaches(cadre(wecom_user_id="liming"))
    assert ssm.reads == 1
    store.retry_after = 0
    assert not wecom.reaches(cadre(wecom_user_id="liming"))
    assert ssm.reads == 2


def test_a_robot_reaches_a_person_only_with_their_user_id_and_a_robot_configured() -> None:
    wecom = WeComRobot(secrets=secrets(wecom__jyj__url="https://wecom/jyj"))
    assert wecom.reaches(cadre(wecom_user_id="liming"))
    assert not wecom.reaches(cadre())
    assert not wecom.reaches(Cadre(cadre_id="c0003", name="赵敏", unit_id="zzb", wecom_user_id="zm"))
    assert not DingTalkRobot(secrets=secrets()).reaches(cadre(dingtalk_user_id="d"))


def test_the_wecom_robot_mentions_the_person_and_a_rate_limit_errcode_is_retryable() -> None:
    answers = [{"errcode": 45009, "errmsg": "api freq out of limit"}, {"errcode": 93000, "errmsg": "invalid"}]
    posted: list[dict[str, Any]] = []

    def post(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        posted.append(payload)
        assert timeout == 5.0
        return answers.pop(0)

    wecom = WeComRobot(secrets=secrets(wecom__default__url="https://wecom/d"), post=post)
    for retryable in (True, False):
        with pytest.raises(SendFailed) as failed:
            wecom.send(cadre(wecom_user_id="liming"), MESSAGE)
        assert failed.value.retryable is retryable
    assert posted[0] == {"msgtype": "text", "text": {"content": MESSAGE.text, "mentioned_list": ["liming"]}}


def test_a_delivery_is_evidence_of_who_was_told_on_which_channel() -> None:
    s, _ = sender(FakeAdapter("wecom"), settings=settings(default=None))
    delivery = s.deliver(cadre(wecom_user_id="liming"), Preferences(), MESSAGE, AT)
    assert delivery == Delivery(channel="wecom", status="sent", at=AT, attempts=1, message_id="wecom-c0001")


def test_a_retry_waits_in_the_queue_without_the_persons_contact_details_and_reads_them_when_it_runs() -> None:
    # Given a send that failed into the retry queue, the person's mobile changed since
    sqs = FakeSqs()
    body = queued_body(sqs)
    assert "13800138000" not in body and "c0001" in body
    reached: list[str | None] = []

    class Sms(FakeAdapter):
        def send(self, person: Cadre, message: Message) -> str:
            reached.append(person.mobile)
            return super().send(person, message)

    s, _ = sender(Sms("sms", ["sns-3"]), profiles=lambda person_id: cadre(mobile="13900139000"))
    # When the retry runs, it reaches the person through the roster's details as they are now
    recorded: list[Any] = []
    assert s.retry_batch({"Records": [sqs_record(body, 1)]}, lambda *a: recorded.append(a)) == {
        "batchItemFailures": []
    }
    assert reached == ["13900139000"] and recorded[0][2].status == "sent"


def test_a_retry_for_someone_no_longer_on_the_roster_is_recorded_failed_for_good() -> None:
    body, recorded = queued_body(FakeSqs()), []
    s, _ = sender(FakeAdapter("sms", ["sns-4"]), profiles=lambda person_id: None)
    answer = s.retry_batch({"Records": [sqs_record(body, 1)]}, lambda *a: recorded.append(a))
    assert answer == {"batchItemFailures": []}
    assert recorded[0][2].status == "failed"
