"""The demo's journal as stored: each cadre's revisions chained with the same pure function the
entries service uses (worklog.journal.records.append), so the demo chains are real chains that
verify; the short demo (``infra.seed``) and the full one (``infra.demo.loader``) both build them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from infra.demo.journal import DemoRecord
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.journal.records import Head, append, head_item, revision_item
from worklog.periods import Kind, LockdownPolicy, Period, day_period, half_period, month_period
from worklog.roster.standing import standing_items
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
