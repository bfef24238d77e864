"""Sweep benchmark (part of `make bench`): the nightly missing-entry check at 800, 8,000 and
80,000 cadres — requests against the lower bound, and time.

The lower bound is what any correct sweep must read: the pages of the roster plus the pages of the
day's submissions (measured here by reading them alone, with the same page limit). Writes and
events are proportional to what is missing and are reported beside it, with their own floor
(⌈2 × new records / 100⌉ TransactWriteItems: each record with its standing; ⌈reminders / 10⌉
PutEvents).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from math import ceil
from pathlib import Path
from typing import Any

from infra.counting import counting
from infra.inprocess import in_process
from worklog.models.roster import Cadre, Unit

DAY = date(2026, 11, 19)  # a Thursday, a working day
WRITES = ("TransactWriteItems", "BatchWriteItem", "PutItem", "UpdateItem")
MISS_RATE = 0.05
LEAVE_RATE = 0.01


def district_in_emulator(n: int) -> tuple[Any, Any, list[Any], Any]:
    """The district of n cadres (``_district``) written into the in-process emulator's roster; the
    direct writer, the journal repository, the cadres and the lockdown policy, for what is loaded next."""
    from infra.seed import _in_process_moto
    from worklog.calendar import WorkingCalendar
    from worklog.journal.repository import JournalRepository
    from worklog.periods import LockdownPolicy
    from worklog.roster.repository import RosterRepository, cadre_item, unit_item
    from worklog.settings import Rules

    roster, journal = RosterRepository(), JournalRepository()
    write = _in_process_moto(journal.table)
    assert write is not None
    units, cadres = _district(n)
    write(roster.table, [unit_item(u) for u in units] + [cadre_item(c) for c in cadres])
    return write, journal, cadres, LockdownPolicy(Rules(), WorkingCalendar())


def _load(n: int) -> None:
    """n cadres in units of ~13, entries for DAY from all but ~5%, ~1% on leave; straight into the
    in-process emulator (the benchmark measures the sweep, not the loading)."""
    from worklog.journal.records import Head, append, view_item
    from worklog.periods import Kind, Period, day_period
    from worklog.roster.repository import RosterRepository
    from worklog.roster.standing import standing_items

    rng = random.Random(n)
    write, journal, cadres, policy = district_in_emulator(n)
    items, revisions = [], []
    for c in cadres:
        roll = rng.random()
        if roll < MISS_RATE:
            continue
        if roll < MISS_RATE + LEAVE_RATE:
            period = Period(Kind.LEAVE, DAY.isoformat(), DAY, DAY)
            body: dict[str, Any] = {"from": DAY.isoformat(), "to": DAY.isoformat(), "kind": "annual"}
        else:
            period = day_period(DAY)
            body = {"items": [{"content": "召开专题会议，研究部署重点工作", "status": "done"}]}
        step = append(
            Head(c.cadre_id),
            period=period,
            body=body,
            reason=None,
            saved_at=f"{DAY.isoformat()}T18:00:00.000+08:00",
            author=c.cadre_id,
            unit_id=c.unit_id,
            policy=policy,
        )
        items.append(view_item(step.record, first_saved_at=step.record["saved_at"], unit_id=c.unit_id))
        revisions.append(step.record)
    write(journal.table, items)
    write(RosterRepository().table, standing_items(revisions))


def _district(n: int) -> tuple[list[Unit], list[Cadre]]:
    """Units of 13, the first member of each its head; the first unit is the district leadership."""
    units = [
        Unit(unit_id=f"u{i:05d}", name=f"单位{i}", head_id=f"c{i * 13:06d}") for i in range(ceil(n / 13))
    ]
    cadres = [
        Cadre(
            cadre_id=f"c{i:06d}",
            name=f"干部{i}",
            unit_id=units[i // 13].unit_id,
            title="科员",
            roles=["cadre"]
            + (["unit_head"] if i % 13 == 0 else [])
            + (["district_leader"] if i < 13 else []),
        )
        for i in range(n)
    ]
    return units, cadres


def lower_bound() -> int:
    """Pages of the roster plus pages of the day's submissions, read alone."""
    from worklog.journal.repository import JournalRepository
    from worklog.roster.repository import RosterRepository

    with counting() as seen:
        sum(1 for _ in RosterRepository().list_cadres())
        sum(1 for _ in JournalRepository().submissions_on(DAY))
    return sum(seen.values())


def sweep_once() -> tuple[dict[str, Any], Counter[str], float, int]:
    """One night's check, slice after slice as the sweep queue would hand them on."""
    from worklog.compliance.sweep import MissingEntryCheck
    from worklog.settings import get_settings

    settings = get_settings()
    check = MissingEntryCheck(
        slice_pages=settings.sweep_slice_pages or None, page_items=settings.sweep_page_items or None
    )
    totals: Counter[str] = Counter()
    start: str | None = None
    slices = 0
    with counting() as seen:
        began = time.perf_counter()
        while True:
            summary = check.run(DAY, start).as_dict()
            slices += 1
            totals.update(
                {k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)}
            )
            start = summary["next_from"]
            if start is None:
                break
        elapsed = time.perf_counter() - began
    return dict(totals), seen, elapsed, slices


def weekly_once() -> tuple[dict[str, Any], Counter[str], float, int]:
    from worklog.compliance.weekly import WeeklyAssignment
    from worklog.roster.repository import RosterRepository

    with counting() as bound:
        sum(1 for _ in RosterRepository().list_cadres())
        sum(1 for _ in RosterRepository().list_units())
    with counting() as seen:
        start = time.perf_counter()
        summary = WeeklyAssignment().run(date(2026, 11, 23)).model_dump(mode="json")
        elapsed = time.perf_counter() - start
    return summary, seen, elapsed, sum(bound.values())


def run(sizes: list[int]) -> None:
    from worklog.clock import SHANGHAI, system_clock

    print("\n## Nightly missing-entry check (moto in-process; reads vs the lower bound)")
    print(
        f"{'cadres':>7} {'LB':>5} {'reads':>6} {'ratio':>6} {'writes':>7} {'events':>7} {'missing':>8} "
        f"{'slices':>6} {'time s':>7} {'2nd run':>8}  by operation"
    )
    weekly_rows: list[tuple[int, dict[str, Any], Counter[str], float, int]] = []
    for n in sizes:
        with in_process(Path(tempfile.mkdtemp(prefix=f"worklog-sweep-{n}-"))):
            system_clock.set(datetime(2026, 11, 20, 1, 30, tzinfo=SHANGHAI))
            _load(n)
            bound = lower_bound()
            summary, seen, elapsed, slices = sweep_once()
            writes = (
                seen["TransactWriteItems"] + seen["BatchWriteItem"] + seen["PutItem"] + seen["UpdateItem"]
            )
            events = seen["PutEvents"]
            reads = sum(seen.values()) - writes - events
            _, seen2, _, _ = sweep_once()
            ops = ", ".join(f"{op}×{k}" for op, k in sorted(seen.items()))
            print(
                f"{n:>7} {bound:>5} {reads:>6} {reads / bound:>6.2f} {writes:>7} {events:>7} "
                f"{summary['new_missing']:>8} {slices:>6} {elapsed:>7.2f} {sum(seen2.values()):>8}  {ops}"
            )
            weekly, seen_w, elapsed_w, bound_w = weekly_once()
            weekly_rows.append((n, weekly, seen_w, elapsed_w, bound_w))
            floor_w, floor_e = ceil(2 * summary["new_missing"] / 100), ceil(summary["new_missing"] / 10)
            rerun_writes = seen2["TransactWriteItems"] + seen2["BatchWriteItem"] + seen2["PutItem"]
            print(
                f"{'':>7} writes floor {floor_w}, events floor {floor_e}; "
                f"second run writes {rerun_writes} and sends {seen2['PutEvents']} events"
            )
    print("\n## Weekly review assignment (reads vs roster + unit pages; writes vs ⌈assignments / 100⌉)")
    print(
        f"{'cadres':>7} {'LB':>5} {'reads':>6} {'ratio':>6} {'writes':>7} {'floor':>6} "
        f"{'assigned':>9} {'time s':>7}"
    )
    for n, weekly, seen_w, elapsed_w, bound_w in weekly_rows:
        writes = (
            seen_w["TransactWriteItems"] + seen_w["BatchWriteItem"] + seen_w["PutItem"] + seen_w["UpdateItem"]
        )
        events = seen_w["PutEvents"]
        reads = sum(seen_w.values()) - writes - events
        ops = ", ".join(f"{op}×{k}" for op, k in sorted(seen_w.items()))
        assigned = weekly["new_assignments"]
        print(
            f"{n:>7} {bound_w:>5} {reads:>6} {reads / bound_w:>6.2f} {writes:>7} {ceil(assigned / 100):>6} "
            f"{assigned:>9} {elapsed_w:>7.2f}  {ops}"
        )
