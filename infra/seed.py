"""Load the short demo (a few weeks of logs, no compliance history) into the tables named by the
environment: the local runtime's ``--demo-weeks``, the site benchmark. The full demo with its
history is ``infra.demo``, which builds its chains with ``chains`` below.

The roster is written as it is; each cadre's journal is built revision by revision with the same
pure function the entries service uses (worklog.journal.records.append), so the demo chains are
real chains that verify; they go straight into an in-process emulator, else by BatchWriteItem.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from infra.demo.district import generate_district
from infra.demo.journal import DemoRecord, generate_journal
from infra.emulator import load_items
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, system_clock, today
from worklog.journal.records import Head, append, head_item, revision_item
from worklog.journal.repository import JournalRepository
from worklog.periods import Kind, LockdownPolicy, Period, day_period, half_period, month_period
from worklog.roster.repository import RosterRepository, batch_write, cadre_item, unit_item
from worklog.roster.standing import standing_items
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


@dataclass(frozen=True)
class Chain:
    """One cadre's journal as stored: every item (revisions, current views, the head) and the
    revision records themselves, oldest first (with the late flags the rules gave them)."""

    cadre_id: str
    items: list[dict[str, Any]]
    revisions: list[dict[str, Any]]


def chains(
    records: Iterable[DemoRecord], units: dict[str, str], calendar: WorkingCalendar
) -> Iterator[Chain]:
    """Each cadre's chain, built revision by revision, in the order the cadres first appear."""
    policy = LockdownPolicy(get_settings().rules, calendar)
    by_cadre: dict[str, list[DemoRecord]] = {}
    for record in records:
        by_cadre.setdefault(record.cadre_id, []).append(record)
    for cadre_id, saves in by_cadre.items():
        head = Head(cadre_id)
        views: dict[str, dict[str, Any]] = {}
        items: list[dict[str, Any]] = []
        revisions: list[dict[str, Any]] = []
        for record in saves:
            saved_at = record.saved_at.astimezone(SHANGHAI).isoformat(timespec="milliseconds")
            step = append(
                head,
                period=_period(record),
                body=record.body,
                reason=record.reason,
                saved_at=saved_at,
                author=record.author,
                unit_id=units[cadre_id],
                policy=policy,
            )
            items.append(revision_item(step.record))
            revisions.append(step.record)
            views[step.view["sk"]] = step.view
            head = step.after
        yield Chain(cadre_id, items + list(views.values()) + [head_item(head)], revisions)


def journal_items(
    records: Iterable[DemoRecord], units: dict[str, str], calendar: WorkingCalendar
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every item (revisions, current views, heads) of the given records' chains, and the
    roster standings they leave behind (leave, late saves)."""
    items: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    for chain in chains(records, units, calendar):
        items.extend(chain.items)
        revisions.extend(chain.revisions)
    return items, standing_items(revisions)


Writer = Callable[[str, list[dict[str, Any]]], int]


def _in_process_moto(table: str) -> Writer | None:
    """When moto runs in this very process (the local runtime, tests), load items straight into
    its backend (``infra.emulator.load_items``): 26,000 items through the emulator's HTTP and
    parsing layers take half a minute, directly a second or two. Returns None anywhere else (then
    BatchWriteItem is used)."""
    try:
        from moto.dynamodb.models import dynamodb_backends
    except ImportError:
        return None
    account = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    if table not in dynamodb_backends[account][region].tables:
        return None

    def write(table_name: str, items: list[dict[str, Any]]) -> int:
        load_items(table_name, items)
        return 0

    return write


def seed_demo(on: date | None = None, *, seed: int = 2016, weeks: int = 3) -> dict[str, int]:
    roster, journal = RosterRepository(), JournalRepository()
    direct = _in_process_moto(journal.table)

    def write(table: str, items: list[dict[str, Any]]) -> int:
        return direct(table, items) if direct else batch_write(journal.client, table, items)

    on = on or today(system_clock)
    district = generate_district(seed, today=on)
    requests = write(
        roster.table, [unit_item(u) for u in district.units] + [cadre_item(c) for c in district.cadres]
    )
    calendar = current_calendar()
    records = generate_journal(district, on, weeks=weeks, seed=seed, is_working=calendar.is_working)
    units = {c.cadre_id: c.unit_id for c in district.cadres}
    items, standings = journal_items(records, units, calendar)
    requests += write(journal.table, items)
    requests += write(roster.table, standings)
    journal.forget_heads()
    return {
        "units": len(district.units),
        "cadres": len(district.cadres),
        "revisions": len(records),
        "items": len(items),
        "requests": requests,  # 0 when loaded straight into an in-process emulator
    }
