"""One cadre's published log: which revisions are public, their public chain, and the page views.

Built from the journal's chain of a cadre after the disclosure policy: only revisions past the
publication delay, without a gap in their sequence, with their bodies masked. The journal's own
hash is never published: it is computed over the unmasked text, so it would let anyone test
guesses of what was masked; pages show the public chain's head after each revision instead.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from worklog.calendar import WorkingCalendar
from worklog.labels import PERIOD_KIND_LABELS, label
from worklog.models.publication import PublicationPolicy
from worklog.models.roster import Cadre, Unit
from worklog.publish import pages as pg
from worklog.publish import tamper
from worklog.publish.policy import (
    is_public_yet,
    public_entry,
    public_plan,
    public_reason,
    public_summary,
)

Revisions = list[tamper.PublishedRevision]


def public_revisions(
    chain: list[dict[str, Any]], day: date, policy: PublicationPolicy, *, after: int = 0
) -> Revisions:
    """The revisions of ``chain`` (the chain after revision ``after``) public on ``day``: past the
    publication delay and up to the first gap in their sequence (a revision still waiting holds
    back every later one)."""
    public = [r for r in chain if is_public_yet(str(r["saved_at"]), day, policy)]
    public = public[: next((i for i, r in enumerate(public) if r["seq"] != after + i + 1), len(public))]
    return [public_revision(r, policy) for r in public]


def public_revision(record: dict[str, Any], policy: PublicationPolicy) -> tamper.PublishedRevision:
    kind, body = str(record["kind"]), dict(record["body"])
    if kind == "entry":
        public = public_entry(body, policy)
    elif kind == "plan":
        public = public_plan(body, policy)
    elif kind == "summary":
        public = public_summary(body, policy)
    else:  # leave: the span and kind only, never the note
        public = {"from": body.get("from"), "to": body.get("to"), "kind": body.get("kind")}
    return tamper.PublishedRevision(
        seq=int(record["seq"]),
        kind=kind,
        period=str(record["period"]),
        revision=int(record["revision"]),
        saved_at=str(record["saved_at"]),
        late=bool(record.get("late")),
        reason=public_reason(record.get("reason"), policy),
        body=public,
        chain_hash="",  # the journal's hash stays private (see the module's docstring)
    )


def month_of(kind: str, period: str) -> str:
    if kind == "plan":
        return period
    if kind == "summary":
        return summary_month(period)
    return period[:7]  # an entry's day, a leave's first day


def summary_month(half: str) -> str:
    """A half-year summary shows on the month its half ends in."""
    return f"{half[:4]}-06" if half.endswith("H1") else f"{half[:4]}-12"


class CadreLog:
    """A cadre's published revisions with their public chain, as the cadre's pages show them."""

    def __init__(
        self,
        district: str,
        calendar: WorkingCalendar,
        cadre: Cadre,
        unit: Unit | None,
        published: Revisions,
    ) -> None:
        self.district, self.calendar, self.unit = district, calendar, unit
        self.ref = pg.CadreRef(cadre_id=cadre.cadre_id, name=cadre.name, title=cadre.title or "")
        self.ledger = tamper.build_ledger(cadre.cadre_id, published)
        self.heads = {r.seq: head for r, head in zip(self.ledger.revisions, self.ledger.heads, strict=True)}
        self.seq = len(published)
        self.head = self.ledger.heads[-1] if self.ledger.heads else tamper.GENESIS
        self.by_period: dict[tuple[str, str], Revisions] = defaultdict(list)
        for r in published:
            self.by_period[(r.kind, r.period)].append(r)
        self.months = sorted({month_of(kind, period) for kind, period in self.by_period}, reverse=True)

    def revisions_pages(self) -> list[pg.RevisionsPage]:
        """The history of every period saved more than once (a leave has none)."""
        return [
            pg.RevisionsPage(
                district=self.district,
                cadre=self.ref,
                period_key=f"{kind.upper()}-{period}",
                period_label=f"{period} {label(PERIOD_KIND_LABELS, kind)}",
                revisions=[(self._revision_view(r), r.body) for r in revisions],
            )
            for (kind, period), revisions in sorted(self.by_period.items())
            if kind != "leave" and len(revisions) > 1
        ]

    def month_page(self, month: str) -> pg.CadreMonthPage:
        entries = self._entries(month)
        plan = None
        if ("plan", month) in self.by_period:
            plan = self._plan_view(month, self.by_period[("plan", month)])
        summaries = [
            self._summary_view(period, revisions)
            for (kind, period), revisions in sorted(self.by_period.items())
            if kind == "summary" and summary_month(period) == month
        ]
        return pg.CadreMonthPage(
            district=self.district,
            cadre=self.ref,
            unit_id=self.unit.unit_id if self.unit else "",
            unit_name=self.unit.name if self.unit else "",
            month=month,
            months=self.months,
            entries=[entries[d] for d in sorted(entries)],
            plan=plan,
            summaries=summaries,
            seq=self.seq,
            head=self.head,
        )

    def _entries(self, month: str) -> dict[date, pg.EntryView]:
        """The month's saved entries, then its working days on leave with no entry."""
        entries: dict[date, pg.EntryView] = {}
        for (kind, period), revisions in self.by_period.items():
            if kind == "entry" and period.startswith(month):
                body = revisions[-1].body
                entries[date.fromisoformat(period)] = pg.EntryView(
                    date=date.fromisoformat(period),
                    state="saved",
                    items=[pg.ItemView(**item) for item in body.get("items", [])],
                    mistakes=body.get("mistakes"),
                    reflections=body.get("reflections"),
                    late=revisions[0].late,
                    amended=len(revisions) > 1,
                    revisions=[self._revision_view(r) for r in revisions],
                )
        for (kind, _), revisions in self.by_period.items():
            if kind != "leave":
                continue
            body = revisions[-1].body
            d, last = date.fromisoformat(str(body["from"])), date.fromisoformat(str(body["to"]))
            while d <= last:
                if d.isoformat().startswith(month) and d not in entries and self.calendar.is_working(d):
                    entries[d] = pg.EntryView(date=d, state="leave")
                d += timedelta(days=1)
        return entries

    def _revision_view(self, r: tamper.PublishedRevision) -> pg.RevisionView:
        """A revision as pages show it, with the public chain's head after it."""
        return pg.RevisionView(
            revision=r.revision, saved_at=r.saved_at, reason=r.reason, hash=self.heads[r.seq], late=r.late
        )

    def _plan_view(self, month: str, revisions: Revisions) -> pg.PlanView:
        progress: dict[str, str] = {}
        for (kind, period), entry_revisions in sorted(self.by_period.items()):
            if kind == "entry" and period.startswith(month):
                for item in entry_revisions[-1].body.get("items", []):
                    ref = item.get("plan_item_id")
                    if ref and progress.get(ref) != "done":
                        progress[ref] = "done" if item.get("status") == "done" else "in_progress"
        body = revisions[-1].body
        return pg.PlanView(
            month=month,
            items=[
                pg.PlanItemView(
                    id=str(i.get("id")),
                    content=i.get("content"),
                    target=i.get("target"),
                    progress=progress.get(str(i.get("id")), "not_started"),
                )
                for i in body.get("items", [])
            ],
            late=revisions[0].late,
            amended=len(revisions) > 1,
            revisions=[self._revision_view(r) for r in revisions],
        )

    def _summary_view(self, half: str, revisions: Revisions) -> pg.SummaryView:
        body = revisions[-1].body
        return pg.SummaryView(
            half=half,
            achievements=str(body.get("achievements", "")),
            problems=str(body.get("problems", "")),
            next_steps=str(body.get("next_steps", "")),
            late=revisions[0].late,
            amended=len(revisions) > 1,
            revisions=[self._revision_view(r) for r in revisions],
        )
