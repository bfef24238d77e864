"""The local robots' webhooks answer as WeCom and DingTalk do, and DingTalk's signature is checked
the way DingTalk checks it (timestamp within an hour, HMAC-SHA256 of "<timestamp>\\n<secret>")."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from infra.local.control import LocalApi
from infra.local.robots import RobotSink, dingtalk_sign

NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
SECRET = "SEC" + "ab" * 32
TEXT = json.dumps({"msgtype": "text", "text": {"content": "今日待办：填写11月20日工作日志"}}).encode()


class Runtime:
    """What LocalApi needs of a started runtime, and the sink."""

    def __init__(self, now: datetime = NOW) -> None:
        self.ready = threading.Event()
        self.ready.set()
        self.stopping = False
        self.sign_in = None
        self.robots = RobotSink(lambda: now, secret=SECRET)


def post(runtime: Runtime, target: str, body: bytes = TEXT) -> dict:
    answer = LocalApi(runtime).handle("POST", f"/_local/robots/{target}", {}, body)  # type: ignore[arg-type]
    assert answer.status == 200
    return json.loads(answer.body)


def dingtalk(timestamp_ms: int, sign: str, token: str = "local") -> str:
    return f"dingtalk/robot/send?access_token={token}&timestamp={timestamp_ms}&sign={quote(sign, safe='')}"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_a_dingtalk_message_signed_with_the_secret_now_is_accepted_and_kept() -> None:
    runtime = Runtime()
    stamp = ms(NOW - timedelta(seconds=2))

    assert post(runtime, dingtalk(stamp, dingtalk_sign(stamp, SECRET))) == {"errcode": 0, "errmsg": "ok"}

    [kept] = runtime.robots.received()
    assert (kept["robot"], kept["accepted"]) == ("dingtalk", True)
    assert kept["message"]["text"]["content"] == "今日待办：填写11月20日工作日志"
    assert kept["query"] == {"access_token": "local", "timestamp": str(stamp)}


def test_a_dingtalk_message_signed_with_another_secret_is_refused_but_kept() -> None:
    runtime = Runtime()
    stamp = ms(NOW)

    answer = post(runtime, dingtalk(stamp, dingtalk_sign(stamp, "SEC" + "cd" * 32)))

    assert answer == {"errcode": 310000, "errmsg": "sign not match"}
    assert [m["accepted"] for m in runtime.robots.received()] == [False]


def test_a_sign_sent_without_url_encoding_does_not_match() -> None:
    # base64 has "+" and "/": unencoded in a query, "+" reads as a space, as at DingTalk.
    stamp = next(s for s in range(ms(NOW), ms(NOW) + 1000) if "+" in dingtalk_sign(s, SECRET))
    target = f"dingtalk/robot/send?access_token=local&timestamp={stamp}&sign={dingtalk_sign(stamp, SECRET)}"

    assert post(Runtime(), target)["errmsg"] == "sign not match"


def test_a_timestamp_more_than_an_hour_away_is_refused_even_with_its_right_sign() -> None:
    for moment in (NOW - timedelta(hours=1, seconds=1), NOW + timedelta(hours=1, seconds=1)):
        stamp = ms(moment)
        answer = post(Runtime(), dingtalk(stamp, dingtalk_sign(stamp, SECRET)))
        assert answer == {"errcode": 310000, "errmsg": "timestamp invalid"}
    stamp = ms(NOW - timedelta(minutes=59))
    assert post(Runtime(), dingtalk(stamp, dingtalk_sign(stamp, SECRET)))["errcode"] == 0


def test_the_hour_is_counted_on_the_runtimes_clock() -> None:
    # The runtime's clock moved to a demo morning: the functions sign with that time.
    moved = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    stamp = ms(moved)

    assert post(Runtime(now=moved), dingtalk(stamp, dingtalk_sign(stamp, SECRET)))["errcode"] == 0
    assert post(Runtime(), dingtalk(stamp, dingtalk_sign(stamp, SECRET)))["errcode"] == 310000


def test_a_dingtalk_call_without_timestamp_or_with_another_token_is_refused() -> None:
    assert post(Runtime(), "dingtalk/robot/send?access_token=local")["errcode"] == 310000
    stamp = ms(NOW)
    assert post(Runtime(), dingtalk(stamp, dingtalk_sign(stamp, SECRET), token="x"))["errcode"] == 300001


def test_a_wecom_message_to_the_local_key_is_accepted_and_another_key_is_refused() -> None:
    runtime = Runtime()
    markdown = json.dumps({"msgtype": "markdown", "markdown": {"content": "**待办**"}}).encode()

    assert post(runtime, "wecom/send?key=local", markdown) == {"errcode": 0, "errmsg": "ok"}
    assert post(runtime, "wecom/send?key=other", markdown) == {
        "errcode": 93000,
        "errmsg": "invalid webhook url",
    }
    assert [(m["robot"], m["accepted"]) for m in runtime.robots.received()] == [
        ("wecom", True),
        ("wecom", False),
    ]


def test_a_body_that_is_no_robot_message_is_refused() -> None:
    for body in (b"not json", b"[]", json.dumps({"text": {"content": "x"}}).encode()):
        assert post(Runtime(), "wecom/send?key=local", body)["errcode"] == 40008


def test_only_the_newest_messages_are_kept() -> None:
    sink = RobotSink(lambda: NOW, keep=3)
    for n in range(5):
        sink.handle(
            "wecom/send", "key=local", json.dumps({"msgtype": "text", "text": {"content": str(n)}}).encode()
        )

    assert [m["message"]["text"]["content"] for m in sink.received()] == ["2", "3", "4"]


def test_another_robot_path_is_404_and_a_get_is_405() -> None:
    api = LocalApi(Runtime())  # type: ignore[arg-type]

    assert api.handle("POST", "/_local/robots/slack/send", {}, TEXT).status == 404
    assert api.handle("GET", "/_local/robots/wecom/send?key=local", {}, b"").status == 405


def test_every_run_has_its_own_secret() -> None:
    first, second = RobotSink(lambda: NOW), RobotSink(lambda: NOW)

    assert first.secret.startswith("SEC") and len(first.secret) == 67
    assert first.secret != second.secret
