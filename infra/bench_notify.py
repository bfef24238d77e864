"""Notifier benchmark (part of `make bench`): the morning digest run at 800 and 80,000 people, and
at most one digest per person per morning over a simulated month of the demo district.

1. The morning run. Every person has one to three notices waiting for the morning (a missing day,
   a plan, a review to do), a tenth of them already done by morning (saved at 07:00). The lower
   bound of the issue is what any run must do: read the morning's outbox pages and send one message
   per person still owing something. Everything else the run does (profiles and preferences in
   batches of 100, the digests written in batches of 25 before and after sending, the journal pages
   of the periods reminded of, the run marker) is reported beside it, by operation.
2. The month. The demo district's history is replayed over its last month through the system's own
   services, with the notifier's intake on the bus and a morning run at 08:30 every day; the outbox's
   digests are then counted per person per morning.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from infra.counting import counting
from infra.inprocess import in_process
from worklog.clock import SHANGHAI

MORNING = date(2026, 11, 19)  # a Thursday, a working day
DONE_RATE = 0.1
SENDS = ("Publish", "SendEmail", "SendRawEmail")


def _people(n: int) -> list[Any]:
    from worklog.models.roster import Cadre

    return [
        Cadre(
            cadre_id=f"b{i:05d}",
            name=f"测试{i}",
            unit_id=f"u{i // 13:04d}",
            mobile=f"139{i:08d}",
            email=f"b{i:05d}@example.gov.cn" if i % 10 == 0 else None,
            preferred_channel="email" if i % 10 == 0 else None,
        )
        for i in range(n)
    ]


def _load(n: int) -> int:
    """n people and their notices for MORNING, straight into the in-process emulator; returns how
    many people still owe something by morning (the ones a digest must reach)."""
    from infra.seed import _in_process_moto
    from worklog.journal.repository import JournalRepository
    from worklog.models.roster import Unit
    from worklog.notify.repository import OutboxRepository, notice_item
    from worklog.roster.repository import RosterRepository, cadre_item, unit_item

    rng = random.Random(n)
    roster, outbox, journal = RosterRepository(), OutboxRepository(), JournalRepository()
    write = _in_process_moto(outbox.table)
    assert write is not None
    people = _people(n)
    units = sorted({c.unit_id for c in people})
    write(roster.table, [unit_item(Unit(unit_id=u, name=f"单位{u}")) for u in units])
    write(roster.table, [cadre_item(c) for c in people])
    notices: list[dict[str, Any]] = []
    views: list[dict[str, Any]] = []
    owing = 0
    yesterday = MORNING - timedelta(days=1)
    for c in people:
        mine = _notices(c.cadre_id, yesterday, rng)
        notices.extend(notice_item(MORNING, x) for x in mine)
        if rng.random() < DONE_RATE and len(mine) == 1:
            views.append(_view(c.cadre_id, c.unit_id, yesterday))
        else:
            owing += 1
    write(outbox.table, notices)
    write(journal.table, views)
    return owing


def _notices(person: str, day: date, rng: random.Random) -> list[Any]:
    from worklog.models.notifications import Notice

    at = f"{MORNING.isoformat()}T01:31:00.000+08:00"
    found = [
        Notice(
            notice_id=f"entry_missing/{person}/entry/{day.isoformat()}",
            person_id=person,
            kind="entry_missing",
            title=f"填写 {day.isoformat()} 的工作日志",
            due=day,
            last_day=day + timedelta(days=7),
            link=f"/day/{day.isoformat()}",
            about={"cadre_id": person, "kind": "entry", "period": day.isoformat()},
            event_type="EntryMissing",
            received_at=at,
        )
    ]
    if rng.random() < 0.3:
        found.append(
            Notice(
                notice_id=f"review_assigned/{person}/2026-11-09",
                person_id=person,
                kind="review_assigned",
                title="审阅 12 名干部 2026-11-09 这一周的日志",
                due=date(2026, 11, 22),
                link="/review",
                event_type="ReviewAssigned",
                received_at=at,
            )
        )
    return found


def _view(cadre_id: str, unit_id: str, day: date) -> dict[str, Any]:
    """The journal's current view of a day saved at 07:00 on the morning (what by_day indexes)."""
    saved = f"{MORNING.isoformat()}T07:00:00.000+08:00"
    return {
        "pk": f"CADRE#{cadre_id}",
        "sk": f"ENTRY#{day.isoformat()}",
        "day_pk": f"DAY#{day.isoformat()}",
        "day_sk": f"CADRE#{cadre_id}",
        "cadre_id": cadre_id,
        "unit_id": unit_id,
        "saved_at": saved,
        "first_saved_at": saved,
        "seq": 1,
    }


def morning_once(n: int) -> dict[str, Any]:
    from worklog.clock import system_clock
    from worklog.notify.morning import MorningRun

    system_clock.set(datetime.combine(MORNING, datetime.min.time(), SHANGHAI).replace(hour=8, minute=30))
    owing = _load(n)
    started = time.perf_counter()
    with counting() as seen:
        summary = MorningRun().run(MORNING)
    elapsed = time.perf_counter() - started
    with counting() as again:
        MorningRun().run(MORNING)
    sends = sum(seen[op] for op in SENDS)
    pages = seen["Query"] - summary.period_queries
    return {
        "people": n,
        "owing": owing,
        "digests": summary.digests,
        "pages": pages,
        "sends": sends,
        "requests": sum(seen.values()),
        "bound": pages + sends,
        "seconds": elapsed,
        "rerun_sends": sum(again[op] for op in SENDS),
        "ops": dict(seen),
    }


def run_morning(sizes: list[int]) -> list[dict[str, Any]]:
    print("\n## Morning digest run (moto in-process; requests vs outbox pages + sends)")
    print(
        f"{'people':>7} {'owing':>7} {'digests':>7} {'pages':>5} {'sends':>6} {'requests':>8} "
        f"{'ratio':>6} {'time s':>7} {'ms/person':>9} {'re-run sends':>12}  by operation"
    )
    rows = []
    for n in sizes:
        with in_process(Path(tempfile.mkdtemp(prefix=f"worklog-morning-{n}-"))):
            row = morning_once(n)
        rows.append(row)
        ops = ", ".join(f"{op}×{k}" for op, k in sorted(row["ops"].items()))
        print(
            f"{n:>7} {row['owing']:>7} {row['digests']:>7} {row['pages']:>5} {row['sends']:>6} "
            f"{row['requests']:>8} {row['requests'] / row['bound']:>6.2f} {row['seconds']:>7.2f} "
            f"{1000 * row['seconds'] / n:>9.3f} {row['rerun_sends']:>12}  {ops}"
        )
    return rows


def run(sizes: list[int]) -> None:
    from infra.bench_notify_month import run_month

    run_morning(sizes)
    run_month()
