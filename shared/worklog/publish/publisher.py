"""The disclosure publisher: renders the public site into the site bucket, incrementally.

What it reads each night: the roster, every cadre's chain head (BatchGetItem, 100 a request), the
whole chain of only those cadres whose head moved (or whose newest revisions were still waiting
for the publication delay), the notices and audit rounds; and once per closed month the day
partitions that give each unit's figures for it.

What it writes: only objects whose content changed. The manifest (``manifest.json`` in the site
bucket) records the SHA-256 of every object written and what each cadre's pages were built from;
each object also carries its hash as metadata. Pages are written before the indexes that link
them and the manifest last, so a run that stops half-way leaves no broken link, and the next run
(which finds the manifest unchanged) writes whatever differs — the same bytes where the first run
got that far.

Tamper evidence: each cadre's published revisions and their public hash chain go to
``ledger/cadres/<id>.json``; a checkpoint over every cadre's head (a Merkle root, signed) is
written each day to the ledger bucket under Object Lock and mirrored at ``ledger/checkpoints/``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from worklog import aws
from worklog.audit.ledger import LedgerStore
from worklog.audit.repository import AuditRepository
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.figures import EntryCounts, entry_counts
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.journal.repository import JournalRepository
from worklog.labels import PERIOD_KIND_LABELS, label
from worklog.models.notices import Notice
from worklog.models.publication import PublicationPolicy
from worklog.models.roster import Cadre, Unit
from worklog.periods import LockdownPolicy
from worklog.publish import pages as pg
from worklog.publish import render, tamper
from worklog.publish.policy import is_public_yet, public_entry, public_plan, public_reason, public_summary
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import get_settings
from worklog.text import mask_personal_data
from worklog.vetting.repository import NoticeRepository

MANIFEST = "manifest.json"
MONTHS_OF_FIGURES = 12
HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"


class CadreState(BaseModel):
    seen_seq: int = 0  # the chain head when this cadre was last rendered
    seq: int = 0  # the last published revision
    head: str = tamper.GENESIS
    months: list[str] = Field(default_factory=list)
    profile: list[str] = Field(default_factory=list)  # name, title, unit the pages were built with


class Manifest(BaseModel):
    objects: dict[str, str] = Field(default_factory=dict)
    cadres: dict[str, CadreState] = Field(default_factory=dict)
    figures: dict[str, list[pg.MonthFigure]] = Field(default_factory=dict)  # month -> per unit
    figure_units: dict[str, list[str]] = Field(default_factory=dict)  # month -> unit ids, same order
    checkpoints: list[str] = Field(default_factory=list)


@dataclass
class PublishSummary:
    day: date
    full: bool
    cadres_rendered: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "full": self.full,
            "cadres_rendered": self.cadres_rendered,
            "objects_written": len(self.written),
            "objects_unchanged": self.unchanged,
            "written": self.written[:50],
        }


class SiteStore:
    """The site bucket: the only code that writes it."""

    def __init__(self, bucket: str | None = None, client: Any = None) -> None:
        self.bucket = bucket or get_settings().site_bucket
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("s3")

    def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            CacheControl="no-cache" if key.endswith(".html") or key.endswith(".json") else "max-age=300",
            Metadata={"sha256": digest},
        )

    def get_json(self, key: str) -> Any | None:
        try:
            return json.loads(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except self.client.exceptions.NoSuchKey:
            return None


def make_signer() -> tamper.Signer:
    settings = get_settings()
    if settings.signing_key_id:
        return tamper.KmsSigner(settings.signing_key_id)
    return tamper.LocalSigner(settings.signing_key_path())


class Publisher:
    def __init__(
        self,
        site: SiteStore,
        ledger: LedgerStore,
        roster: RosterRepository,
        journal: JournalRepository,
        compliance: ComplianceRepository,
        reviews: ReviewRepository,
        audits: AuditRepository,
        notices: NoticeRepository,
        calendar: WorkingCalendar,
        signer: tamper.Signer,
        policy: PublicationPolicy,
        clock: Clock = system_clock,
    ) -> None:
        self.site, self.ledger, self.roster, self.journal = site, ledger, roster, journal
        self.compliance, self.reviews, self.audits, self.notices = compliance, reviews, audits, notices
        self.calendar, self.signer, self.policy, self.clock = calendar, signer, policy, clock
        settings = get_settings()
        self.district = settings.district_name
        self._heads: dict[int, str] = {}
        self.feedback_url = settings.feedback_url.rstrip("/")

    # --- the run ------------------------------------------------------------------------------
    def run(self, *, full: bool = False) -> PublishSummary:
        day = today(self.clock)
        summary = PublishSummary(day, full)
        stored = self.site.get_json(MANIFEST)
        previous = Manifest.model_validate(stored) if stored else Manifest()
        # A full rebuild ignores what was rendered (every page is rendered and compared again) but
        # keeps the checkpoint history, and still knows which objects the bucket holds.
        before = (
            Manifest(
                checkpoints=previous.checkpoints, figures=previous.figures, figure_units=previous.figure_units
            )
            if full
            else previous
        )
        manifest = before.model_copy(deep=True)
        written: dict[str, str] = {}
        existing = set(previous.objects)
        deferred: list[tuple[str, str]] = []

        def store(key: str, body: bytes, content_type: str) -> None:
            digest = hashlib.sha256(body).hexdigest()
            if written.get(key, previous.objects.get(key)) == digest:
                summary.unchanged += key not in written
            else:
                self.site.put(key, body, content_type, digest)
                if key not in summary.written:
                    summary.written.append(key)
            written[key] = digest
            existing.add(key)

        def put(key: str, text: str | bytes, content_type: str = HTML) -> None:
            """Write if changed. A page goes out with its links to pages that do not exist yet
            turned into plain text, and again whole once they do (end of run): at no moment does
            the bucket hold a link to a missing page."""
            if isinstance(text, str) and content_type == HTML:
                linked = prune_links(key, text, existing | {key})
                if linked != text:
                    deferred.append((key, text))
                text = linked
            store(key, text.encode() if isinstance(text, str) else text, content_type)

        cadres = sorted(self.roster.list_cadres(), key=lambda c: c.cadre_id)
        units = {u.unit_id: u for u in self.roster.list_units()}
        heads = self.journal.head_seqs([c.cadre_id for c in cadres])
        # 1. each changed cadre's pages and ledger (pages before the indexes that link them)
        for cadre in cadres:
            state = manifest.cadres.get(cadre.cadre_id, CadreState())
            seq = heads.get(cadre.cadre_id, 0)
            profile = [cadre.name, cadre.title or "", cadre.unit_id]
            if not full and state.seen_seq == seq and state.seq == seq and state.profile == profile:
                continue  # nothing new, nothing waiting for the publication delay, same profile
            manifest.cadres[cadre.cadre_id] = self._cadre(cadre, units, day, put)
            manifest.cadres[cadre.cadre_id].seen_seq = seq
            manifest.cadres[cadre.cadre_id].profile = profile
            summary.cadres_rendered += 1
        for cadre in cadres:
            rendered = manifest.cadres.get(cadre.cadre_id)
            if rendered is not None and rendered.months:
                unit = units.get(cadre.unit_id)
                put(*render.render_cadre_index(self._cadre_index(cadre, unit, rendered)))
        # 2. units, notices, audits
        self._figures(manifest, day, units)
        for unit in units.values():
            put(*render.render_unit(self._unit_page(unit, cadres, manifest)))
        notice_views = [self._notice_view(n, day, cadres, units, manifest) for n in self.notices.all()]
        for notice in notice_views:
            put(*render.render_notice(notice, self.district))
        put(*render.render_notices(notice_views, self.district))
        rounds = self._rounds(cadres, units, put)
        for audit in rounds:
            put(*render.render_audit(audit, self.district))
        put(*render.render_audits(rounds, self.district))
        # 3. the day's checkpoint, then the ledger and home pages that list it
        checkpoint = self._checkpoint(day, manifest, put)
        put(*render.render_ledger(self._ledger_page(manifest)))
        open_notices = [v for v in notice_views if v.state == "open"]
        put(
            *render.render_home(
                pg.HomePage(
                    district=self.district,
                    generated_on=day,
                    units=[
                        pg.UnitRef(
                            unit_id=u.unit_id,
                            name=u.name,
                            category=u.category or "",
                            members=sum(1 for c in cadres if c.unit_id == u.unit_id and c.active_on(day)),
                        )
                        for u in sorted(units.values(), key=lambda u: u.unit_id)
                    ],
                    notices=open_notices,
                    rounds=rounds[:5],
                    checkpoint=checkpoint,
                )
            )
        )
        # 4. pages that went out with links to pages written after them, now whole
        for key, text in deferred:
            store(key, prune_links(key, text, existing).encode(), HTML)
        # 5. the manifest, last
        manifest.objects = {**previous.objects, **written}
        body = manifest.model_dump_json().encode()
        self.site.put(MANIFEST, body, JSON, hashlib.sha256(body).hexdigest())
        return summary

    # --- a cadre ------------------------------------------------------------------------------
    def _cadre(self, cadre: Cadre, units: dict[str, Unit], day: date, put: Any) -> CadreState:
        chain = self.journal.all_revisions(cadre.cadre_id)
        public = [r for r in chain if is_public_yet(str(r["saved_at"]), day, self.policy)]
        public = public[: next((i for i, r in enumerate(public) if r["seq"] != i + 1), len(public))]
        published = [self._published(r) for r in public]
        ledger = tamper.build_ledger(cadre.cadre_id, published)
        self._heads = {r.seq: head for r, head in zip(ledger.revisions, ledger.heads, strict=True)}
        put(f"ledger/cadres/{cadre.cadre_id}.json", tamper.canonical(ledger.model_dump(mode="json")), JSON)
        state = CadreState(
            seq=len(published),
            head=ledger.heads[-1] if ledger.heads else tamper.GENESIS,
        )
        by_period: dict[tuple[str, str], list[tamper.PublishedRevision]] = defaultdict(list)
        for r in published:
            by_period[(r.kind, r.period)].append(r)
        unit = units.get(cadre.unit_id)
        ref = pg.CadreRef(cadre_id=cadre.cadre_id, name=cadre.name, title=cadre.title or "")
        for (kind, period), revisions in sorted(by_period.items()):
            if kind != "leave" and len(revisions) > 1:
                put(*render.render_revisions(self._revisions_page(ref, kind, period, revisions)))
        state.months = sorted({_month_of(kind, period) for kind, period in by_period}, reverse=True)
        for month in state.months:
            put(*render.render_cadre_month(self._month_page(ref, unit, month, state, by_period)))
        return state

    def _revision_view(self, r: tamper.PublishedRevision) -> pg.RevisionView:
        """A revision as pages show it, with the public chain's head after it (the journal's own
        hash is never published: it is computed over the unmasked text, so it would let anyone
        test guesses of what was masked)."""
        return pg.RevisionView(
            revision=r.revision, saved_at=r.saved_at, reason=r.reason, hash=self._heads[r.seq], late=r.late
        )

    def _published(self, record: dict[str, Any]) -> tamper.PublishedRevision:
        kind, body = str(record["kind"]), dict(record["body"])
        if kind == "entry":
            public = public_entry(body, self.policy)
        elif kind == "plan":
            public = public_plan(body, self.policy)
        elif kind == "summary":
            public = public_summary(body, self.policy)
        else:  # leave: the span and kind only, never the note
            public = {"from": body.get("from"), "to": body.get("to"), "kind": body.get("kind")}
        return tamper.PublishedRevision(
            seq=int(record["seq"]),
            kind=kind,
            period=str(record["period"]),
            revision=int(record["revision"]),
            saved_at=str(record["saved_at"]),
            late=bool(record.get("late")),
            reason=public_reason(record.get("reason"), self.policy),
            body=public,
            chain_hash="",  # see _revision_view: the journal's hash stays private
        )

    def _revisions_page(
        self, ref: pg.CadreRef, kind: str, period: str, revisions: list[tamper.PublishedRevision]
    ) -> pg.RevisionsPage:
        return pg.RevisionsPage(
            district=self.district,
            cadre=ref,
            period_key=f"{kind.upper()}-{period}",
            period_label=f"{period} {label(PERIOD_KIND_LABELS, kind)}",
            revisions=[(self._revision_view(r), r.body) for r in revisions],
        )

    def _month_page(
        self,
        ref: pg.CadreRef,
        unit: Unit | None,
        month: str,
        state: CadreState,
        by_period: dict[tuple[str, str], list[tamper.PublishedRevision]],
    ) -> pg.CadreMonthPage:
        entries: dict[date, pg.EntryView] = {}
        for (kind, period), revisions in by_period.items():
            current = revisions[-1]
            if kind == "entry" and period.startswith(month):
                body = current.body
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
        for (kind, _), revisions in by_period.items():
            if kind != "leave":
                continue
            body = revisions[-1].body
            d, last = date.fromisoformat(str(body["from"])), date.fromisoformat(str(body["to"]))
            while d <= last:
                if d.isoformat().startswith(month) and d not in entries and self.calendar.is_working(d):
                    entries[d] = pg.EntryView(date=d, state="leave")
                d += timedelta(days=1)
        plan = None
        if ("plan", month) in by_period:
            plan = self._plan_view(month, by_period[("plan", month)], by_period)
        summaries = [
            self._summary_view(period, revisions)
            for (kind, period), revisions in sorted(by_period.items())
            if kind == "summary" and _summary_month(period) == month
        ]
        return pg.CadreMonthPage(
            district=self.district,
            cadre=ref,
            unit_id=unit.unit_id if unit else "",
            unit_name=unit.name if unit else "",
            month=month,
            months=state.months,
            entries=[entries[d] for d in sorted(entries)],
            plan=plan,
            summaries=summaries,
            seq=state.seq,
            head=state.head,
        )

    def _plan_view(
        self,
        month: str,
        revisions: list[tamper.PublishedRevision],
        by_period: dict[tuple[str, str], list[tamper.PublishedRevision]],
    ) -> pg.PlanView:
        progress: dict[str, str] = {}
        for (kind, period), entry_revisions in sorted(by_period.items()):
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

    def _summary_view(self, half: str, revisions: list[tamper.PublishedRevision]) -> pg.SummaryView:
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

    def _cadre_index(self, cadre: Cadre, unit: Unit | None, state: CadreState) -> pg.CadreIndexPage:
        return pg.CadreIndexPage(
            district=self.district,
            cadre=pg.CadreRef(cadre_id=cadre.cadre_id, name=cadre.name, title=cadre.title or ""),
            unit_id=unit.unit_id if unit else "",
            unit_name=unit.name if unit else "",
            months=state.months,
            seq=state.seq,
            head=state.head,
        )

    # --- units: figures of closed months ------------------------------------------------------
    def _closed_months(self, day: date) -> list[str]:
        """The last months whose every day is locked, as ``GET /units/.../figures`` counts them."""
        return LockdownPolicy(get_settings().rules, self.calendar).locked_months(day, MONTHS_OF_FIGURES)

    def _figures(self, manifest: Manifest, day: date, units: dict[str, Unit]) -> None:
        """Per unit and closed month: person-days owed, on time, late, missing — computed once per
        month from the day partitions (submissions, missing records) and kept in the manifest."""
        published = [m for state in manifest.cadres.values() for m in state.months]
        earliest = min(published, default=day.strftime("%Y-%m"))
        for month in self._closed_months(day):
            if month in manifest.figures or month < earliest:
                continue  # computed already, or before anything was ever published
            counts = entry_counts(self.journal, self.compliance, self.calendar, month)
            ids = sorted(units)
            manifest.figure_units[month] = ids
            manifest.figures[month] = [
                pg.MonthFigure(
                    month=month,
                    owed=c.on_time + c.late + c.missing,
                    on_time=c.on_time,
                    late=c.late,
                    missing=c.missing,
                )
                for c in (counts.get(u, EntryCounts()) for u in ids)
            ]

    def _unit_page(self, unit: Unit, cadres: list[Cadre], manifest: Manifest) -> pg.UnitPage:
        figures = []
        for month in sorted(manifest.figures):
            ids = manifest.figure_units.get(month, [])
            if unit.unit_id in ids:
                figure = manifest.figures[month][ids.index(unit.unit_id)]
                if figure.owed:
                    figures.append(figure)
        return pg.UnitPage(
            district=self.district,
            unit_id=unit.unit_id,
            name=unit.name,
            category=unit.category or "",
            members=[
                pg.CadreRef(cadre_id=c.cadre_id, name=c.name, title=c.title or "")
                for c in cadres
                if c.unit_id == unit.unit_id and c.cadre_id in manifest.cadres
            ],
            figures=figures[-MONTHS_OF_FIGURES:],
        )

    # --- notices ------------------------------------------------------------------------------
    def _notice_view(
        self, n: Notice, day: date, cadres: list[Cadre], units: dict[str, Unit], manifest: Manifest
    ) -> pg.NoticeView:
        cadre = next((c for c in cadres if c.cadre_id == n.candidate_id), None)
        # The candidate's record of the 12 months before the notice (fixed once it has started).
        last = min(n.end, day)
        first = n.start - timedelta(days=365)
        state = manifest.cadres.get(n.candidate_id, CadreState())
        months = [m for m in state.months if m >= first.strftime("%Y-%m")]
        on_time = late = 0
        for view in self.journal.views_between(n.candidate_id, "ENTRY", first.isoformat(), last.isoformat()):
            if not self.calendar.is_working(date.fromisoformat(str(view["period"]))):
                continue
            late, on_time = (late + 1, on_time) if view.get("late") else (late, on_time + 1)
        missing = sum(
            1
            for r in self.compliance.missing_of(n.candidate_id, "entry")
            if first <= r.due <= last and r.status == "missing"
        )
        owed = on_time + late + missing
        verdicts = Counter(
            r.verdict for r in self.reviews.of_cadre(n.candidate_id, first, last) if r.verdict is not None
        )
        findings = Counter(
            f.result for f in self.audits.findings_of_cadre(n.candidate_id) if first <= f.day <= last
        )
        unit = units.get(n.unit_id)
        return pg.NoticeView(
            notice_id=n.notice_id,
            candidate=pg.CadreRef(
                cadre_id=n.candidate_id, name=n.candidate_name, title=(cadre.title or "") if cadre else ""
            ),
            unit_name=unit.name if unit else "",
            current_post=n.current_post,
            proposed_post=n.proposed_post,
            start=n.start,
            end=n.end,
            state=n.state(day),
            feedback_url=f"{self.feedback_url}/feedback/{n.notice_id}",
            months=months,
            on_time_rate=_rate(on_time, owed),
            verdicts=dict(verdicts),
            findings=dict(findings),
        )

    # --- audits -------------------------------------------------------------------------------
    def _rounds(self, cadres: list[Cadre], units: dict[str, Unit], put: Any) -> list[pg.AuditRoundView]:
        names = {c.cadre_id: c for c in cadres}
        views = []
        for r in self.audits.rounds():
            rows: list[pg.AuditSampleRow] = []
            for name in (
                ("commitment", "snapshot", "sample", "reveal") if r.state == "drawn" else ("commitment",)
            ):
                published = self.ledger.get_json(f"audits/{r.round_id}/{name}.json")
                if published is None:
                    continue
                put(f"audits/{r.round_id}/{name}.json", tamper.canonical(published), JSON)
                if name == "sample":
                    for c in published.get("cadres", []):
                        who = names.get(c["cadre_id"])
                        rows.append(
                            pg.AuditSampleRow(
                                cadre=pg.CadreRef(
                                    cadre_id=c["cadre_id"],
                                    name=who.name if who else "",
                                    title=(who.title or "") if who else "",
                                ),
                                unit_name=units[c["unit_id"]].name if c.get("unit_id") in units else "",
                                entries=[date.fromisoformat(d) for d in c.get("entries", [])],
                            )
                        )
            views.append(
                pg.AuditRoundView(
                    round_id=r.round_id,
                    kind=r.kind,
                    quarter=r.quarter,
                    state=r.state,
                    seed_hash=r.seed_hash,
                    seed=r.seed if r.state == "drawn" else None,
                    committed_at=r.committed_at,
                    drawn_at=r.drawn_at,
                    snapshot_hash=r.snapshot_hash,
                    algorithm=r.algorithm,
                    version=r.version,
                    reason=mask_personal_data(r.reason),
                    draw_reason=None if r.draw_reason is None else mask_personal_data(r.draw_reason),
                    sample=rows,
                )
            )
        return views

    # --- tamper evidence ----------------------------------------------------------------------
    def _checkpoint(self, day: date, manifest: Manifest, put: Any) -> pg.CheckpointRef:
        leaves = [
            tamper.Leaf(cadre_id=cadre_id, seq=state.seq, head=state.head)
            for cadre_id, state in sorted(manifest.cadres.items())
            if state.seq > 0
        ]
        checkpoint = tamper.make_checkpoint(day.isoformat(), iso_now(self.clock), leaves, self.signer)
        previous = self.site.get_json(f"ledger/checkpoints/{day.isoformat()}.json")
        if previous is not None and previous.get("root") == checkpoint.root:
            checkpoint = tamper.Checkpoint.model_validate(previous)  # the same day, nothing new: keep it
        else:
            self.ledger.put_json(f"checkpoints/{day.isoformat()}.json", checkpoint.model_dump(mode="json"))
        body = tamper.canonical(checkpoint.model_dump(mode="json"))
        put(f"ledger/checkpoints/{day.isoformat()}.json", body, JSON)
        if day.isoformat() not in manifest.checkpoints:
            manifest.checkpoints.append(day.isoformat())
        put("ledger/checkpoints/index.json", tamper.canonical({"checkpoints": manifest.checkpoints}), JSON)
        put("ledger/public-key.pem", self.signer.public_key_pem(), "application/x-pem-file")
        return pg.CheckpointRef(
            date=checkpoint.date,
            root=checkpoint.root,
            leaves=len(checkpoint.leaves),
            signature_algorithm=checkpoint.signature_algorithm,
        )

    def _ledger_page(self, manifest: Manifest) -> pg.LedgerPage:
        refs = []
        for d in sorted(manifest.checkpoints, reverse=True)[:60]:
            stored = self.site.get_json(f"ledger/checkpoints/{d}.json")
            if stored:
                refs.append(
                    pg.CheckpointRef(
                        date=d,
                        root=stored["root"],
                        leaves=len(stored["leaves"]),
                        signature_algorithm=stored["signature_algorithm"],
                    )
                )
        return pg.LedgerPage(
            district=self.district,
            checkpoints=refs,
            key_id=self.signer.key_id,
            signature_algorithm=self.signer.algorithm,
        )


_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def prune_links(key: str, page: str, existing: set[str]) -> str:
    """``page`` (stored at ``key``) with every relative link to a key not in ``existing`` replaced
    by its text."""

    def keep(match: re.Match[str]) -> str:
        href = match.group(1)
        if href.startswith(("#", "http:", "https:", "data:", "mailto:")):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(key), href.split("#", 1)[0]))
        if href.split("#", 1)[0].endswith("/") or target == ".":
            target = posixpath.join(target, "index.html").removeprefix("./")
        return match.group(0) if target in existing else f"<span>{match.group(2)}</span>"

    return _ANCHOR.sub(keep, page)


def _month_of(kind: str, period: str) -> str:
    if kind == "plan":
        return period
    if kind == "summary":
        return _summary_month(period)
    return period[:7]  # an entry's day, a leave's first day


def _summary_month(half: str) -> str:
    """A half-year summary shows on the month its half ends in."""
    return f"{half[:4]}-06" if half.endswith("H1") else f"{half[:4]}-12"


def _rate(part: int, whole: int) -> str:
    if whole == 0:
        return "—"
    tenths = (part * 1000 * 2 + whole) // (whole * 2)  # round half up, in tenths of a percent
    return f"{tenths // 10}.{tenths % 10}%"


def publisher(clock: Clock = system_clock) -> Publisher:
    roster = RosterRepository()
    return Publisher(
        SiteStore(),
        LedgerStore(),
        roster,
        JournalRepository(),
        ComplianceRepository(),
        ReviewRepository(),
        AuditRepository(),
        NoticeRepository(),
        current_calendar(),
        make_signer(),
        get_settings().publication,
        clock,
    )
