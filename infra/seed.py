"""Load the short demo (a few weeks of logs, no compliance history) into the tables named by the
environment: the local runtime's ``--demo-weeks``, the site benchmark. The full demo with its
history is ``infra.demo``; both build their chains with ``infra.demo.chains``.

The roster is written as it is; each cadre's journal is built revision by revision with the same
pure function the entries service uses (worklog.journal.records.append), so the demo chains are
real chains that verify; they go straight into an in-process emulator, else by BatchWriteItem.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

from infra.demo.chains import journal_items
from infra.demo.district import generate_district
from infra.demo.journal import generate_journal
from infra.emulator import load_items
from worklog.clock import system_clock, today
from worklog.journal.repository import JournalRepository
from worklog.roster.repository import RosterRepository, batch_write, cadre_item, unit_item
from worklog.schedules import current_calendar

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
