"""GET /_local/outbox shows the notifier's outbox table grouped, what moto's SNS and SES took and
what the robots received; the runtime seeds the robots' parameters and the e-mail sender; the
template's morning schedule, rule and retry queue reach the notifier as the runtime reads them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.control import LocalApi
from infra.local.harness import LOCAL_EMAIL_SENDER, aws_environment, create_stack_resources
from infra.local.notify import email_sender, outbox_view, seed_robots
from infra.local.robots import RobotSink
from infra.template import Stack, load_template

DIGEST_SK = "MSG#2026-11-23T08:30:01.000+08:00#D-2026-11-23-c0001"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(load_template(), parameters={"EmailSender": LOCAL_EMAIL_SENDER})


@pytest.fixture
def aws(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in aws_environment(None).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        create_stack_resources(stack)
        yield


class Runtime:
    def __init__(self, stack: Stack) -> None:
        self.ready = threading.Event()
        self.ready.set()
        self.stopping = False
        self.sign_in = None
        self.robots = RobotSink(lambda: datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
        self.stack = stack

    def outbox(self, *, morning: str | None, person: str | None) -> dict[str, Any]:
        dynamodb = boto3.client("dynamodb")
        table = self.stack.names["OutboxTable"]
        return outbox_view(dynamodb, table, self.robots.received(), morning=morning, person=person)


def put_outbox(stack: Stack, *items: dict[str, Any]) -> None:
    table = boto3.resource("dynamodb").Table(stack.names["OutboxTable"])
    for item in items:
        table.put_item(Item=item)


def get(stack: Stack, query: str = "") -> tuple[int, Any]:
    answer = LocalApi(Runtime(stack)).handle("GET", f"/_local/outbox{query}", {}, b"")  # type: ignore[arg-type]
    return answer.status, json.loads(answer.body)


def seed_outbox(stack: Stack) -> None:
    put_outbox(
        stack,
        {"pk": "MORNING#2026-11-23", "sk": "c0002#review_assigned/c0002/2026-W46", "expires_at": 1800000000},
        {"pk": "MORNING#2026-11-23", "sk": "c0001#entry_missing/c0001/entry/2026-11-20"},
        {"pk": "MORNING#2026-11-24", "sk": "c0001#entry_missing/c0001/entry/2026-11-23"},
        {
            "pk": "PERSON#c0001",
            "sk": DIGEST_SK,
            "gsi1pk": "SENT#2026-11-23",
            "gsi1sk": "c0001",
            "delivery": {"channel": "sms", "status": "sent"},
        },
        {
            "pk": "PERSON#c0001",
            "sk": "MSG#2026-11-20T10:00:00.000+08:00#U-1",
            "gsi1pk": "SENT#2026-11-20",
            "gsi1sk": "c0001",
        },
        {"pk": "PERSON#c0001", "sk": "PREFS", "muted": ["sms"]},
        {"pk": "RUN#2026-11-23", "sk": "RUN", "digests": 2},
    )


def test_the_outbox_lists_what_the_table_holds_grouped(stack: Stack, aws: None) -> None:
    # Given notices waiting for two mornings, two digests, preferences and a run
    seed_outbox(stack)

    # When the outbox is asked for
    status, view = get(stack)

    # Then notices are grouped by morning (ordered by person), digests newest first
    assert status == 200
    assert list(view["pending"]) == ["2026-11-23", "2026-11-24"]
    assert [n["sk"].split("#")[0] for n in view["pending"]["2026-11-23"]] == ["c0001", "c0002"]
    assert view["pending"]["2026-11-23"][1]["expires_at"] == 1800000000  # numbers stay numbers
    assert [d["sk"] for d in view["digests"]] == [DIGEST_SK, "MSG#2026-11-20T10:00:00.000+08:00#U-1"]
    assert view["digests"][0]["delivery"] == {"channel": "sms", "status": "sent"}
    assert view["preferences"] == {"c0001": {"pk": "PERSON#c0001", "sk": "PREFS", "muted": ["sms"]}}
    assert [r["pk"] for r in view["runs"]] == ["RUN#2026-11-23"]
    assert (view["sms"], view["email"], view["robots"]) == ([], [], [])


def test_the_outbox_can_be_narrowed_to_a_morning_and_a_person(stack: Stack, aws: None) -> None:
    seed_outbox(stack)

    _, morning = get(stack, "?morning=2026-11-23")
    _, mine = get(stack, "?person=c0001&morning=2026-11-23")

    assert list(morning["pending"]) == ["2026-11-23"] and len(morning["pending"]["2026-11-23"]) == 2
    assert [d["sk"] for d in morning["digests"]] == [DIGEST_SK]
    assert [r["pk"] for r in morning["runs"]] == ["RUN#2026-11-23"]
    assert [n["sk"] for n in mine["pending"]["2026-11-23"]] == ["c0001#entry_missing/c0001/entry/2026-11-20"]
    assert [d["sk"] for d in mine["digests"]] == [DIGEST_SK]
    assert list(mine["preferences"]) == ["c0001"]


def test_a_morning_that_is_no_date_is_a_validation_error(stack: Stack, aws: None) -> None:
    status, body = get(stack, "?morning=2026-13-01")

    assert status == 422 and body["code"] == "validation_error"
    assert body["details"][0]["loc"] == ["query", "morning"]


def test_the_outbox_shows_the_text_messages_and_emails_that_went_out(stack: Stack, aws: None) -> None:
    # Given one SMS through SNS and one e-mail through SES as the template's sender
    boto3.client("sns").publish(PhoneNumber="+8613800000001", Message="【锦江区委组织部】今日待办1项")
    boto3.client("ses").send_email(
        Source=LOCAL_EMAIL_SENDER,
        Destination={"ToAddresses": ["c0001@example.gov.cn"]},
        Message={"Subject": {"Data": "今日待办"}, "Body": {"Text": {"Data": "填写工作日志"}}},
    )

    _, view = get(stack)

    assert [(m["phone_number"], m["message"]) for m in view["sms"]] == [
        ("+8613800000001", "【锦江区委组织部】今日待办1项")
    ]
    [email] = view["email"]
    assert (email["source"], email["subject"]) == (LOCAL_EMAIL_SENDER, "今日待办")


def test_the_email_sender_of_the_template_is_verified_in_the_embedded_ses(stack: Stack, aws: None) -> None:
    assert email_sender(stack) == LOCAL_EMAIL_SENDER
    assert LOCAL_EMAIL_SENDER in boto3.client("ses").list_identities()["Identities"]


def test_the_robots_parameters_are_secure_strings_under_the_notifiers_path(stack: Stack, aws: None) -> None:
    names = seed_robots(stack, boto3.client("ssm"), "http://127.0.0.1:8080", "SEC" + "0" * 64)

    path = "/worklog/worklog-local/notify/"
    found = boto3.client("ssm").get_parameters_by_path(Path=path, Recursive=True, WithDecryption=True)
    values = {p["Name"]: (p["Type"], p["Value"]) for p in found["Parameters"]}
    assert (
        sorted(values)
        == sorted(names)
        == [
            f"{path}dingtalk/default/secret",
            f"{path}dingtalk/default/url",
            f"{path}wecom/default/url",
        ]
    )
    assert values[f"{path}wecom/default/url"] == (
        "SecureString",
        "http://127.0.0.1:8080/_local/robots/wecom/send?key=local",
    )
    assert values[f"{path}dingtalk/default/url"][1] == (
        "http://127.0.0.1:8080/_local/robots/dingtalk/robot/send?access_token=local"
    )
    assert values[f"{path}dingtalk/default/secret"] == ("SecureString", "SEC" + "0" * 64)


def test_the_runtime_fires_the_morning_schedule_with_its_input_and_feeds_the_notifier(stack: Stack) -> None:
    # What the local scheduler and the rule delivery read of the template (infra.local.scheduling,
    # LocalRuntime.record_event, QueueListeners.poll_sources), without running the notifier.
    from infra.local.functions import schedule_input
    from infra.local.scheduler import ScheduledJob

    spec = {s.logical_id: s for s in stack.functions()}["NotifierFunction"]
    [morning] = spec.schedules
    job = ScheduledJob.build(
        function=spec.name,
        name=morning.event_name,
        expression=morning.expression,
        timezone=morning.timezone,
        input=schedule_input(morning.input),
    )

    assert spec.name == "notifier" and job.input == {"run": "morning"}
    assert spec.matches({"source": "worklog", "detail-type": "EntryMissing", "detail": {}})
    assert spec.sqs_events == (("Retries", "NotifyRetryQueue"),)
