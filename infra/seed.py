"""Load the demo district into the tables named by the environment (local runtime, demos).

The roster is written as it is; each cadre's journal is built revision by revision with the same
pure function the entries service uses (worklog.journal.records.append), so the demo chains are
real chains that verify, and batch-written for speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, system_clock, today
from worklog.journal.records import Head, append, head_item, revision_item
from worklog.journal.repository import JournalRepository
from worklog.periods import Kind, LockdownPolicy, Period, day_period, half_period, month_period
from worklog.roster.demo import DemoRecord, generate_district, generate_journal
from worklog.roster.repository import RosterRepository, batch_write
from worklog.schedules import current_calendar
from worklog.settings import get_settings


def _period(record: DemoRecord) -> Period:
    if record.kind == "entry":
        return day_period(date.fromisoformat(record.period))
    if record.kind == "plan":
        return month_period(record.period)
    if record.kind == "summary":
        return half_period(record.period)
    first, _, last = record.period.partition("..")
    return Period(Kind.LEAVE, first, date.fromisoformat(first), date.fromisoformat(last or first))


def journal_items(
    records: Iterable[DemoRecord], units: dict[str, str], calendar: WorkingCalendar
) -> list[dict[str, Any]]:
    """Every item (revisions, current views, heads) of the given records' chains."""
    policy = LockdownPolicy(get_settings().rules, calendar)
    heads: dict[str, Head] = {}
    views: dict[tuple[str, str], dict[str, Any]] = {}
    items: list[dict[str, Any]] = []
    for record in records:
        head = heads.get(record.cadre_id) or Head(record.cadre_id)
        saved_at = record.saved_at.astimezone(SHANGHAI).isoformat(timespec="milliseconds")
        step = append(
            head, period=_period(record), body=record.body, reason=record.reason, saved_at=saved_at,
            author=record.author, unit_id=units[record.cadre_id], policy=policy,
        )
        items.append(revision_item(step.record))
        views[(record.cadre_id, step.view["sk"])] = step.view
        heads[record.cadre_id] = step.after
    return items + list(views.values()) + [head_item(h) for h in heads.values()]


def seed_demo(on: date | None = None, *, seed: int = 2016, weeks: int = 3) -> dict[str, int]:
    roster, journal = RosterRepository(), JournalRepository()
    on = on or today(system_clock)
    district = generate_district(seed, today=on)
    requests = roster.bulk_put(district.units, district.cadres)
    calendar = current_calendar(roster)
    records = generate_journal(district, on, weeks=weeks, seed=seed, is_working=calendar.is_working)
    units = {c.cadre_id: c.unit_id for c in district.cadres}
    items = journal_items(records, units, calendar)
    requests += batch_write(journal.client, journal.table, items)
    journal.forget_heads()
    return {
        "units": len(district.units),
        "cadres": len(district.cadres),
        "revisions": len(records),
        "items": len(items),
        "requests": requests,
    }
