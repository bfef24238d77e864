"""The disclosure publisher: renders the public site into the site bucket, incrementally.

A run is planned (``start``): the roster, every cadre's chain head (BatchGetItem, 100 a request),
one batch per shard of the manifest. Each batch (``take_batch``, from the publish queue; or here,
when there is one batch) renders the cadres of its shard whose head moved (or whose newest
revisions were still waiting for the publication delay, or whose profile changed), reading each
chain from where the last publish left it, and writes its shard of the manifest last
(``worklog.publish.batch``). The batch that counts the run's last one does the last step: the notices
and audit rounds, once per closed month the day partitions that give each unit's figures for it,
the units, the checkpoint, the ledger page and home, and ``manifest.json`` last. One run at a time:
a lock item (``worklog.publish.runs``; docs/decisions.md, 28).

What it writes: only objects whose content changed (each object carries its SHA-256 as metadata;
the manifest and its shards record them). Pages are written before the indexes that link them and
the manifests last, so a run that stops half-way leaves no link to a page that was never written,
and the next run writes whatever differs — the same bytes where the first run got that far.

Tamper evidence: each cadre's published revisions and their public hash chain go to
``ledger/cadres/<id>.json``; a checkpoint over every cadre's head (a Merkle root, signed, with the
count and the previous day's root but not the leaves) is written each day to the ledger bucket
under Object Lock and mirrored at ``ledger/checkpoints/<date>.json``; the cadres whose head moved
get an inclusion proof against it (``ledger/proofs/<id>.json``), every other proof stays valid.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import field
from datetime import date, timedelta
from typing import Any

from worklog.audit.ledger import LedgerStore
from worklog.audit.repository import AuditRepository
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.compliance.figures import EntryCounts, entry_counts
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.journal.repository import JournalRepository
from worklog.models.audits import AuditRound
from worklog.models.notices import Notice
from worklog.models.publication import PublicationPolicy
from worklog.models.roster import Cadre, Unit
from worklog.periods import LockdownPolicy
from worklog.publish import checkpoints, keys, render, tamper
from worklog.publish import pages as pg
from worklog.publish.batch import Batch, BatchResult, CadrePages, PublishSummary, ShardPublisher, plan, split
from worklog.publish.manifest import CadreState, Manifest, ShardManifest
from worklog.publish.runs import Pending, PublishQueue, PublishRuns
from worklog.publish.site import JSON, SiteStore, SiteWriter
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import get_settings
from worklog.text import mask_personal_data
from worklog.vetting.repository import NoticeRepository

MONTHS_OF_FIGURES = 12


class Records:
    """What the site is built from, read only: the roster and its calendar, the journal, the
    compliance records and reviews, the audit rounds, the vetting notices."""

    def __init__(
        self,
        *,
        roster: RosterRepository | None = None,
        journal: JournalRepository | None = None,
        compliance: ComplianceRepository | None = None,
        reviews: ReviewRepository | None = None,
        audits: AuditRepository | None = None,
        notices: NoticeRepository | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        self.roster = roster or RosterRepository()
        self.journal = journal or JournalRepository()
        self.compliance = compliance or ComplianceRepository()
        self.reviews = reviews or ReviewRepository()
        self.audits = audits or AuditRepository()
        self.notices = notices or NoticeRepository()
        self.calendar = calendar or current_calendar()


@datarecord
class _Run:
    """The last step's state: what the bucket held, what it has built so far, what it writes."""

    day: date
    manifest: Manifest
    site: SiteWriter
    cadres: list[Cadre]
    units: dict[str, Unit]
    # The shards as read: their cadres' states are the manifest's own objects, so a proof written
    # by the checkpoint step shows in the shard it is saved back to.
    shards: dict[int, ShardManifest] = field(default_factory=dict)
    proved: list[str] = field(default_factory=list)  # the cadres whose proof this run wrote


class Publisher:
    """The nightly run that renders the public site (``start``, ``take_batch``; ``run`` does it all
    in this process); ``ledger`` and ``signer`` are where the tamper evidence goes (the ledger
    bucket, under Object Lock, and the checkpoints' key); ``runs`` holds the run's lock and count."""

    def __init__(
        self,
        *,
        records: Records | None = None,
        site: SiteStore | None = None,
        ledger: LedgerStore | None = None,
        signer: tamper.Signer | None = None,
        policy: PublicationPolicy | None = None,
        runs: PublishRuns | None = None,
        clock: Clock = system_clock,
    ) -> None:
        records = records or Records()
        self.roster, self.journal, self.compliance = records.roster, records.journal, records.compliance
        self.reviews, self.audits, self.notices = records.reviews, records.audits, records.notices
        self.calendar = records.calendar
        self.site = site or SiteStore()
        self.ledger = ledger or LedgerStore()
        self.signer = signer or tamper.make_signer()
        self.runs = runs or PublishRuns()
        settings = get_settings()
        self.policy = policy or settings.publication
        self.clock = clock
        self.district = settings.district_name
        self.feedback_url = settings.feedback_url.rstrip("/")

    # --- the run: plan, batches, last step -----------------------------------------------------
    def run(self, *, full: bool = False) -> PublishSummary:
        """The whole run in this process: every batch, then the last step."""
        return self.start(full=full, queue=None)

    def start(
        self, *, full: bool = False, queue: PublishQueue | None = None, nightly: bool = False
    ) -> PublishSummary:
        """Plan the run, one batch per manifest shard, under the run lock. With a queue and more
        than one batch the batches go out through it (``take_batch`` does each); otherwise they
        are done here, then the last step. ``full`` renders every cadre again; ``nightly`` marks
        the scheduled run, whose last step is the publisher's heartbeat."""
        day = today(self.clock)
        run_id = f"{day.isoformat()}-{uuid.uuid4().hex[:12]}"
        manifest, shards, batches = plan(self, run_id, day, full)
        summary = PublishSummary(day, full, batches=len(batches))
        if not self.runs.acquire(run_id, len(batches), full=full, nightly=nightly):
            summary.busy = True
            return summary
        try:
            if not manifest.shards:
                split(self, manifest, shards)
            if queue is not None and len(batches) > 1:
                queue.send([b.message() for b in batches])
                return summary
            for batch in batches:
                summary.add(ShardPublisher(self).publish(batch, manifest.objects))
            summary.add(self._finish(day))
            summary.nightly_finished = nightly
        except BaseException:
            self.runs.release(run_id)
            raise
        self._follow(summary, self.runs.release(run_id), queue)
        return summary

    def take_batch(self, message: dict[str, Any], queue: PublishQueue | None = None) -> PublishSummary:
        """One batch from the queue; the batch that finds every batch done does the last step."""
        batch = Batch.from_message(message)
        stored = self.site.get_json(keys.MANIFEST)
        shared = Manifest.model_validate(stored).objects if stored else {}
        summary = PublishSummary(batch.day, batch.full, batches=1)
        summary.add(ShardPublisher(self).publish(batch, shared))
        state = self.runs.batch_done(batch.run_id, batch.number)
        if state is not None and state.complete:
            # Also when this is a redelivery of a counted batch: the last step may have died
            # half-way; it writes only what differs, so doing it twice is safe.
            summary.add(self._finish(batch.day))
            summary.nightly_finished = state.nightly
            self._follow(summary, self.runs.release(batch.run_id), queue)
        return summary

    def _follow(self, summary: PublishSummary, pending: Pending | None, queue: PublishQueue | None) -> None:
        """Start the run asked for while this one ran; a nightly one that finished here counts."""
        if pending is not None:
            following = self.start(full=pending.full, queue=queue, nightly=pending.nightly)
            summary.nightly_finished = summary.nightly_finished or following.nightly_finished

    def _finish(self, day: date) -> BatchResult:
        """The last step: pages shared by the whole site, the day's checkpoint before the pages that
        list it, pages that went out with links as text whole again, and the manifest last."""
        run = self._start(day)
        self._figures(run.manifest, run.day, run.units)
        by_unit: dict[str, list[Cadre]] = {}
        for cadre in run.cadres:  # once: a province has thousands of units and 100,000 cadres
            by_unit.setdefault(cadre.unit_id, []).append(cadre)
        for unit in run.units.values():
            run.site.page(
                render.render_unit(self._unit_page(unit, by_unit.get(unit.unit_id, []), run.manifest))
            )
        notices = self._publish_notices(run)
        rounds = self._publish_audits(run)
        checkpoint = self._checkpoint(run)
        for n, part in checkpoints.shards_to_save(run.manifest.shards, run.shards, run.proved, run.site):
            self.put_json(keys.manifest_shard(n), part.model_dump_json().encode())
        run.site.page(render.render_ledger(self._ledger_page(run.manifest)))
        run.site.page(render.render_home(self._home_page(run, notices, rounds, checkpoint)))
        run.site.finish()
        # The proofs' hashes are kept in their cadres' shards (saved above), not here: the main
        # manifest would grow with the cadres (10 MB in a province).
        run.manifest.objects = {k: v for k, v in run.site.objects().items() if keys.cadre_of(k) is None}
        self.put_json(keys.MANIFEST, run.manifest.model_dump_json(exclude={"cadres"}).encode())
        return BatchResult(written=run.site.changed, unchanged=run.site.unchanged)

    def _start(self, day: date) -> _Run:
        """The last step's view: the manifest, with every cadre's state read from the shards."""
        stored = self.site.get_json(keys.MANIFEST)
        manifest = Manifest.model_validate(stored) if stored else Manifest()
        shards = {}
        for n in range(manifest.shards):
            part = self.site.get_json(keys.manifest_shard(n))
            if part is not None:
                shards[n] = ShardManifest.model_validate(part)
                manifest.cadres.update(shards[n].cadres)
        return _Run(
            day=day,
            manifest=manifest,
            site=SiteWriter(
                self.site,
                {**manifest.objects, **checkpoints.proof_hashes(shards)},
                promised=CadrePages(manifest.cadres),
            ),
            cadres=sorted(self.roster.list_cadres(), key=lambda c: c.cadre_id),
            units={u.unit_id: u for u in self.roster.list_units()},
            shards=shards,
        )

    def put_json(self, key: str, body: bytes) -> None:
        self.site.put(key, body, JSON, hashlib.sha256(body).hexdigest())

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
                if c.unit_id == unit.unit_id and _public(manifest, c.cadre_id)
            ],
            figures=figures[-MONTHS_OF_FIGURES:],
        )

    # --- notices ------------------------------------------------------------------------------
    def _publish_notices(self, run: _Run) -> list[pg.NoticeView]:
        views = [self._notice_view(n, run) for n in self.notices.all()]
        for notice in views:
            run.site.page(render.render_notice(notice, self.district))
        run.site.page(render.render_notices(views, self.district))
        return views

    def _notice_view(self, n: Notice, run: _Run) -> pg.NoticeView:
        cadre = next((c for c in run.cadres if c.cadre_id == n.candidate_id), None)
        # The candidate's record of the 12 months before the notice (fixed once it has started).
        last = min(n.end, run.day)
        first = n.start - timedelta(days=365)
        state = run.manifest.cadres.get(n.candidate_id, CadreState())
        unit = run.units.get(n.unit_id)
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
            state=n.state(run.day),
            feedback_url=f"{self.feedback_url}/feedback/{n.notice_id}",
            # A departed candidate's withdrawn log: the notice stays (it is about the promotion), its
            # links to the log give way to the withdrawal's notice (docs/decisions.md, 30).
            months=[] if state.withdrawn else [m for m in state.months if m >= first.strftime("%Y-%m")],
            withdrawn=bool(state.withdrawn),
            on_time_rate=self._on_time_rate(n.candidate_id, first, last),
            verdicts=dict(
                Counter(
                    r.verdict
                    for r in self.reviews.of_cadre(n.candidate_id, first, last)
                    if r.verdict is not None
                )
            ),
            findings=dict(
                Counter(
                    f.result for f in self.audits.findings_of_cadre(n.candidate_id) if first <= f.day <= last
                )
            ),
        )

    def _on_time_rate(self, cadre_id: str, first: date, last: date) -> str:
        """Of the working days owed in [first, last]: the share saved on time."""
        on_time = late = 0
        for view in self.journal.views_between(cadre_id, "ENTRY", first.isoformat(), last.isoformat()):
            if not self.calendar.is_working(date.fromisoformat(str(view["period"]))):
                continue
            late, on_time = (late + 1, on_time) if view.get("late") else (late, on_time + 1)
        missing = sum(
            1
            for r in self.compliance.missing_of(cadre_id, "entry")
            if first <= r.due <= last and r.status == "missing"
        )
        return _rate(on_time, on_time + late + missing)

    # --- audits -------------------------------------------------------------------------------
    def _publish_audits(self, run: _Run) -> list[pg.AuditRoundView]:
        rounds = [self._round_view(r, run) for r in self.audits.rounds()]
        for audit in rounds:
            run.site.page(render.render_audit(audit, self.district))
        run.site.page(render.render_audits(rounds, self.district))
        return rounds

    def _round_view(self, r: AuditRound, run: _Run) -> pg.AuditRoundView:
        """A round as its page shows it, its published files mirrored from the ledger bucket first."""
        rows: list[pg.AuditSampleRow] = []
        for name in ("commitment", "snapshot", "sample", "reveal") if r.state == "drawn" else ("commitment",):
            published = self.ledger.get_json(keys.audit_file(r.round_id, name))
            if published is None:
                continue
            run.site.json(keys.audit_file(r.round_id, name), published)
            if name == "sample":
                rows += self._sample_rows(published, run)
        return pg.AuditRoundView(
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

    @staticmethod
    def _sample_rows(sample: dict[str, Any], run: _Run) -> list[pg.AuditSampleRow]:
        names = {c.cadre_id: c for c in run.cadres}
        rows = []
        for c in sample.get("cadres", []):
            who = names.get(c["cadre_id"])
            rows.append(
                pg.AuditSampleRow(
                    cadre=pg.CadreRef(
                        cadre_id=c["cadre_id"],
                        name=who.name if who else "",
                        title=(who.title or "") if who else "",
                    ),
                    unit_name=run.units[c["unit_id"]].name if c.get("unit_id") in run.units else "",
                    entries=[date.fromisoformat(d) for d in c.get("entries", [])],
                    withdrawn=bool(run.manifest.cadres.get(c["cadre_id"], CadreState()).withdrawn),
                )
            )
        return rows

    # --- tamper evidence ----------------------------------------------------------------------
    def _checkpoint(self, run: _Run) -> pg.CheckpointRef:
        """The day's signed checkpoint (root, count, the previous day's root; no leaves), kept as it
        is when a run of the same day finds the same root; the inclusion proofs of the cadres whose
        leaf changed; the index, the latest pointer and the key that verifies."""
        day = run.day.isoformat()
        leaves = checkpoints.leaves(run.manifest)
        root = tamper.merkle_root(leaves)
        stored = self.site.get_json(keys.checkpoint(day))
        rewritten = stored is None or stored.get("root") != root
        if rewritten:
            previous = checkpoints.previous_link(self.site, run.manifest, day)
            checkpoint = tamper.make_checkpoint_v2(day, iso_now(self.clock), leaves, self.signer, previous)
            self.ledger.put_json(
                keys.ledger_checkpoint(day), checkpoint.model_dump(mode="json", exclude_none=True)
            )
        else:
            checkpoint = tamper.Checkpoint.model_validate(stored)  # the same day, nothing new: keep it
        run.site.json(keys.checkpoint(day), checkpoint.model_dump(mode="json", exclude_none=True))
        run.proved = checkpoints.write_proofs(run.site, run.manifest, leaves, checkpoint, rewritten=rewritten)
        if day not in run.manifest.checkpoints:
            run.manifest.checkpoints.append(day)
        run.site.json(keys.CHECKPOINT_INDEX, {"checkpoints": run.manifest.checkpoints})
        run.site.json(keys.LATEST_CHECKPOINT, {"date": day, "root": checkpoint.root})
        checkpoints.publish_key(run.site, self.signer.public_key_pem())
        return pg.CheckpointRef(
            date=checkpoint.date,
            root=checkpoint.root,
            leaves=checkpoint.size,
            signature_algorithm=checkpoint.signature_algorithm,
        )

    def _ledger_page(self, manifest: Manifest) -> pg.LedgerPage:
        refs = []
        for d in sorted(manifest.checkpoints, reverse=True)[:60]:
            stored = self.site.get_json(keys.checkpoint(d))
            if stored:
                refs.append(
                    pg.CheckpointRef(
                        date=d,
                        root=stored["root"],
                        leaves=tamper.Checkpoint.model_validate(stored).size,
                        signature_algorithm=stored["signature_algorithm"],
                    )
                )
        return pg.LedgerPage(
            district=self.district,
            checkpoints=refs,
            key_id=self.signer.key_id,
            signature_algorithm=self.signer.algorithm,
        )

    # --- home ---------------------------------------------------------------------------------
    def _home_page(
        self,
        run: _Run,
        notices: list[pg.NoticeView],
        rounds: list[pg.AuditRoundView],
        checkpoint: pg.CheckpointRef,
    ) -> pg.HomePage:
        active = Counter(c.unit_id for c in run.cadres if c.active_on(run.day))
        return pg.HomePage(
            district=self.district,
            generated_on=run.day,
            units=[
                pg.UnitRef(
                    unit_id=u.unit_id,
                    name=u.name,
                    category=u.category or "",
                    members=active[u.unit_id],
                )
                for u in sorted(run.units.values(), key=lambda u: u.unit_id)
            ],
            notices=[v for v in notices if v.state == "open"],
            rounds=rounds[:5],
            checkpoint=checkpoint,
        )


def _public(manifest: Manifest, cadre_id: str) -> bool:
    """Whether the cadre has pages on the site that show their log (published, not withdrawn)."""
    state = manifest.cadres.get(cadre_id)
    return state is not None and not state.withdrawn


def _rate(part: int, whole: int) -> str:
    if whole == 0:
        return "—"
    tenths = (part * 1000 * 2 + whole) // (whole * 2)  # round half up, in tenths of a percent
    return f"{tenths // 10}.{tenths % 10}%"
