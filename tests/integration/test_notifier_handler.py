"""The notifier's handler routes its three doors: bus events to the intake, the morning schedule's
input to the morning run, retry-queue records to the sender's retry batch; anything else is refused.

"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from infra.template import ROOT
from tests.conftest import set_clock
from worklog.models.notifications import Delivery, Digest
from worklog.notify.repository import OutboxRepository
from worklog.settings import get_settings

EVENTS = ROOT / "events" / "notifier"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text("utf-8"))


class Calls:
    """Fakes of the use cases the handler builds, recording what they were asked."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fake(self, name: str, answer: Any) -> type:
        calls = self

        class Fake:
            def __init__(self, **_: Any) -> None:
                pass

            def __getattr__(self, method: str) -> Any:
                def call(*args: Any, **kwargs: Any) -> Any:
                    calls.seen.append((f"{name}.{method}", args, kwargs))
                    return answer

                return call

        return Fake


@pytest.fixture
def routed(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> tuple[InProcessStack, Calls]:
    stack.handler("notifier")
    module = sys.modules["worklog_fn_notifier"]
    calls = Calls()
    monkeypatch.setattr(module, "Intake", calls.fake("Intake", {"stored": 1}))
    monkeypatch.setattr(module, "MorningRun", calls.fake("MorningRun", {"digests": 0}))
    monkeypatch.setattr(module, "Sender", calls.fake("Sender", {"batchItemFailures": []}))
    monkeypatch.setattr(module, "OutboxRepository", calls.fake("OutboxRepository", None))
    return stack, calls


def test_a_bus_event_goes_to_the_intake_with_its_type_detail_and_id(
    routed: tuple[InProcessStack, Calls],
) -> None:
    stack, calls = routed
    event = fixture("01-entry-missing.json")

    assert stack.invoke("notifier", event) == {"stored": 1}

    [(name, args, kwargs)] = calls.seen
    assert name == "Intake.take"
    assert args == ("EntryMissing", event["detail"]) and kwargs == {"event_id": event["id"]}


def test_the_morning_input_runs_the_morning_of_the_runtime_clock(
    routed: tuple[InProcessStack, Calls],
) -> None:
    stack, calls = routed
    set_clock(2026, 11, 23, 8, 30)

    stack.invoke("notifier", fixture("03-morning.json"))

    assert calls.seen == [("MorningRun.run", (date(2026, 11, 23),), {})]


def test_a_run_on_demand_may_name_its_morning(routed: tuple[InProcessStack, Calls]) -> None:
    stack, calls = routed

    stack.invoke("notifier", {"run": "morning", "date": "2026-11-24"})

    assert calls.seen == [("MorningRun.run", (date(2026, 11, 24),), {})]


def test_retry_queue_records_go_to_the_retry_batch_which_records_deliveries(
    routed: tuple[InProcessStack, Calls],
) -> None:
    stack, calls = routed
    event = fixture("04-retry.json")

    assert stack.invoke("notifier", event) == {"batchItemFailures": []}

    [(name, args, _)] = calls.seen
    assert name == "Sender.retry_batch" and args[0] == event
    assert callable(args[1])  # OutboxRepository().record_delivery


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"run": "evening"},
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
        {"Records": [{"eventSource": "aws:s3"}]},
    ],
)
def test_anything_else_is_refused_and_nothing_runs(routed: tuple[InProcessStack, Calls], event: dict) -> None:
    stack, calls = routed

    with pytest.raises(ValueError):
        stack.invoke("notifier", event)
    assert calls.seen == []


def test_a_morning_input_with_a_bad_date_is_refused(routed: tuple[InProcessStack, Calls]) -> None:
    stack, calls = routed

    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        stack.invoke("notifier", {"run": "morning", "date": "2026-13-01"})
    assert calls.seen == []


def outbox_items() -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(get_settings().outbox_table)
    return table.scan()["Items"]  # a test's look at the whole table


def test_the_fixture_event_lands_in_the_outbox_once_even_when_replayed(stack: InProcessStack) -> None:
    # Given Friday 2026-11-20 18:00, the nightly reminder of c0001's missing entry
    event = fixture("01-entry-missing.json")

    # When the bus delivers it twice
    stack.invoke("notifier", event)
    first = outbox_items()
    stack.invoke("notifier", event)

    # Then one notice waits for a morning, and the replay stored nothing new
    waiting = [item for item in first if item["pk"].startswith("MORNING#")]
    assert len(waiting) == 1 and waiting[0]["sk"].startswith("c0001#")
    assert outbox_items() == first


def test_the_retry_fixture_is_a_message_the_real_sender_resends_and_records(stack: InProcessStack) -> None:
    # Given the digest the retry is about, in c0001's inbox, its send still being retried
    set_clock(2026, 11, 20, 8, 35)
    body = json.loads(fixture("04-retry.json")["Records"][0]["body"])
    waiting = Delivery(channel="sms", status="retrying", at=body["at"], attempts=3)
    digest = Digest(
        digest_id="morning-2026-11-20",
        person_id="c0001",
        at=body["at"],
        title="11月20日 工作提醒",
        lines=[],
        delivery=waiting,
    )
    OutboxRepository().put_digests([digest])
    boto3.client("dynamodb").update_item(
        TableName=get_settings().roster_table,
        Key={"pk": {"S": "CADRE#c0001"}, "sk": {"S": "PROFILE"}},
        UpdateExpression="SET mobile = :m",
        ExpressionAttributeValues={":m": {"S": "13800138000"}},
    )
    # When the retry queue hands the fixture to the notifier
    answer = stack.invoke("notifier", fixture("04-retry.json"))
    # Then it went out, and the digest's delivery says so
    assert answer == {"batchItemFailures": []}
    [item] = [i for i in outbox_items() if i["pk"] == "PERSON#c0001"]
    assert item["delivery"]["status"] == "sent" and item["delivery"]["channel"] == "sms"
