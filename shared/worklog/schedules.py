"""The working calendar as the system sees it: library data plus the schedules admins loaded.

Loaded schedules live in the roster table; a warm container reuses what it read for a few minutes
(schedules change about once a year), so the hot path of a save makes no request for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from botocore.exceptions import ClientError
from cachetools import TTLCache, cached

from worklog.calendar import WorkingCalendar
from worklog.dynamo import TableRepository, conditional, query_all, to_item
from worklog.models.calendar import CalendarChange, OfficialSchedule

_TTL_SECONDS = 300.0
_lock = threading.Lock()
# The timer looks time.monotonic up at each call, so that a test can move the clock.
_cache: TTLCache[str, WorkingCalendar] = TTLCache(maxsize=1, ttl=_TTL_SECONDS, timer=lambda: time.monotonic())


def _strip_keys(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in {"pk", "sk"}}


class ScheduleRepository(TableRepository):
    """The loaded official schedules and the record of every load (roster table)."""

    table_setting = "roster_table"

    def replace_schedule(
        self, schedule: OfficialSchedule, previous: OfficialSchedule | None, change: CalendarChange
    ) -> bool:
        """Store a year's schedule and its change record in one transaction; False (nothing
        written) when the stored schedule is no longer ``previous`` (another load came between)."""
        seen: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if previous is None
            else {
                "ConditionExpression": "loaded_at = :seen",
                "ExpressionAttributeValues": {":seen": {"S": previous.loaded_at}},
            }
        )
        item = {"pk": "CALENDAR", "sk": f"YEAR#{schedule.year}", **schedule.model_dump(mode="json")}
        record = {
            "pk": "CALENDAR",
            "sk": f"CHANGE#{change.year}#{change.at}",
            **change.model_dump(mode="json"),
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table, "Item": to_item(item), **seen}},
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": to_item(record),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def list_schedule_changes(self, year: int) -> Iterator[CalendarChange]:
        """Every recorded load of a year, oldest first."""
        for item in query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": "CALENDAR"}, ":s": {"S": f"CHANGE#{year}#"}},
        ):
            yield CalendarChange.model_validate(_strip_keys(item))

    def note_warning(self, year: int, on: date, at: str) -> bool:
        """Record that admins were warned on ``on`` that ``year`` is not loaded; False if already."""
        item = {"pk": "CALENDAR", "sk": f"WARNED#{year}#{on.isoformat()}", "year": year, "at": at}
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        )

    def last_warned_on(self, year: int) -> date | None:
        """The last day admins were warned that ``year`` is not loaded (one Query, newest first)."""
        items = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": "CALENDAR"}, ":s": {"S": f"WARNED#{year}#"}},
            ScanIndexForward=False,
            Limit=1,
        ).get("Items", [])
        return date.fromisoformat(items[0]["sk"]["S"].rsplit("#", 1)[1]) if items else None

    def list_schedules(self) -> dict[int, OfficialSchedule]:
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": "CALENDAR"}, ":s": {"S": "YEAR#"}},
        )
        schedules = [OfficialSchedule.model_validate(_strip_keys(i)) for i in items]
        return {s.year: s for s in schedules}


# One calendar per container, whichever repository read it.
@cached(_cache, key=lambda repo=None: "calendar", lock=_lock)
def current_calendar(repo: ScheduleRepository | None = None) -> WorkingCalendar:
    return WorkingCalendar((repo or ScheduleRepository()).list_schedules())


def invalidate() -> None:
    with _lock:
        _cache.clear()
