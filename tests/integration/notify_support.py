"""Helpers of the notifier's integration tests (test_notify_*.py): a fake deliverer, events, reading
a person's inbox items straight from the outbox table."""

from __future__ import annotations

from datetime import date
from typing import Any

from worklog import aws
from worklog.dynamo import from_item
from worklog.models.notifications import Delivery, Message, Preferences
from worklog.models.roster import Cadre
from worklog.settings import get_settings

Job = tuple[Cadre, Preferences, Message, str]


class FakeDeliverer:
    """Sends nothing; remembers what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Job] = []

    def deliver(self, person: Cadre, prefs: Preferences, message: Message, at: str) -> Delivery:
        self.sent.append((person, prefs, message, at))
        return Delivery(channel="sms", status="sent", at=at, attempts=1, message_id=f"m-{len(self.sent)}")

    def deliver_many(self, jobs: list[Job]) -> list[Delivery]:
        return [self.deliver(*job) for job in jobs]


def missing_event(cadre_id: str, day: date, kind: str = "entry", period: str | None = None) -> dict[str, Any]:
    period = period or day.isoformat()
    return {
        "reminder_id": f"MISS#{day.isoformat()}#{kind}#{period}",
        "cadre_id": cadre_id,
        "unit_id": "jyj",
        "kind": kind,
        "period": period,
        "due": day.isoformat(),
        "can_still_save_until": "2026-12-07",
        "provisional": False,
    }


def inbox_items(person_id: str) -> list[dict[str, Any]]:
    resp = aws.client("dynamodb").query(
        TableName=get_settings().outbox_table,
        KeyConditionExpression="pk = :p AND begins_with(sk, :m)",
        ExpressionAttributeValues={":p": {"S": f"PERSON#{person_id}"}, ":m": {"S": "MSG#"}},
    )
    return [from_item(i) for i in resp.get("Items", [])]
