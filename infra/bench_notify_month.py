"""A simulated month of the demo district with the notifier (part of `make bench`, after the
morning runs of infra/bench_notify.py): at most one digest per person per morning.

The demo's history is replayed through the system's own services (infra/demo/replay.py); their
events go to the notifier's intake at the moment they are published, and a morning run goes at the
digest time of every day of the history's last month (rest days included: the run itself skips
them). The outbox's digests are then counted per person and morning.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from infra.demo.replay import QuietBus, Replay
from infra.inprocess import in_process
from worklog.clock import SHANGHAI

TODAY = date(2026, 11, 30)
DAYS = 30


class IntakeBus(QuietBus):
    """Counts the services' events, as the demo's bus does, and takes each in at once."""

    def __init__(self) -> None:
        super().__init__()
        self.intake: Any = None

    def publish(self, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int:
        listed = list(details)
        super().publish(detail_type, listed)
        for detail in listed:
            self.intake.take(detail_type, dict(detail))
        return 0


def _wire(bus: IntakeBus, mornings: list[date]) -> Any:
    from worklog.notify.intake import Intake
    from worklog.notify.morning import MorningRun

    def prepare(replay: Replay) -> None:
        bus.intake = Intake(calendar=replay.calendar, clock=replay.clock)
        run = MorningRun(journal=replay.journal_repo, calendar=replay.calendar, clock=replay.clock)
        time_of_day = run.settings.notify.digest_time
        for day in mornings:
            replay.at(datetime.combine(day, time_of_day, SHANGHAI), partial(_morning, run, day))

    return prepare


def _morning(run: Any, day: date) -> None:
    run.run(day)


def digests_per_person(mornings: list[date]) -> tuple[Counter[int], int, int]:
    """How many people got how many digests on one morning; digests in all; urgent ones."""
    from worklog import aws
    from worklog.settings import get_settings

    client, table = aws.client("dynamodb"), get_settings().outbox_table
    spread: Counter[int] = Counter()
    total = 0
    for day in mornings:
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"SENT#{day.isoformat()}"}},
        }
        people: Counter[str] = Counter()
        while True:
            page = client.query(**request)
            people.update(i["gsi1sk"]["S"] for i in page.get("Items", []))
            if not page.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        spread.update(people.values())
        total += sum(people.values())
    urgent = sum(1 for _ in _urgent(client, table))
    return spread, total, urgent


def _urgent(client: Any, table: str) -> Iterable[dict[str, Any]]:
    # Local benchmark only: the urgent sends' guards are few; a Scan of the emulator's table is fine.
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(
        TableName=table,
        FilterExpression="begins_with(pk, :u)",
        ExpressionAttributeValues={":u": {"S": "URGENT#"}},
    ):
        yield from page.get("Items", [])


def run_month() -> None:
    from infra.demo.loader import demo_district, load_history, load_roster
    from worklog.clock import system_clock

    print(f"\n## A month of the demo district with the notifier ({DAYS} mornings up to {TODAY})")
    mornings = [TODAY - timedelta(days=n) for n in range(DAYS, 0, -1)]
    with in_process(Path(tempfile.mkdtemp(prefix="worklog-month-"))):
        system_clock.set(datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=SHANGHAI))
        district = demo_district(TODAY)
        load_roster(district)
        bus = IntakeBus()
        started = time.perf_counter()
        load_history(district, TODAY, publish=False, bus=bus, prepare=_wire(bus, mornings))
        elapsed = time.perf_counter() - started
        spread, total, urgent = digests_per_person(mornings)
    events = ", ".join(f"{k}×{v}" for k, v in sorted(bus.counts.items()))
    print(f"events taken in: {events}")
    print(f"morning digests: {total}; urgent ones: {urgent}; history and mornings in {elapsed:.1f} s")
    shares = ", ".join(f"{k} digest(s): {v}" for k, v in sorted(spread.items()))
    print(f"person-mornings with {shares}; most on one morning for one person: {max(spread, default=0)}")
