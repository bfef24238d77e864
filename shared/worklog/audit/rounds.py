"""Audit rounds on the public ledger (docs/rules.md): commit a round's seed, then draw it.

A round goes through two published steps, each written to the ledger bucket before anything
depends on it:

1. **commit** — a fresh seed is stored privately with the round and only its SHA-256 is
   published (``audits/<round>/commitment.json``, event ``AuditCommitted``). The quarterly run
   commits the seed of the quarter that is starting, so the commitment precedes every log that
   the draw will weigh.
2. **draw** — the roster snapshot (candidates with their misses, adverse verdicts and entry dates;
   the discipline inspectors; who reviewed whom) is published first (``snapshot.json``), then the
   sample it gives with the seed (``sample.json``), then the seed itself (``reveal.json``), and the
   round becomes ``drawn`` (event ``AuditDrawn``). An interrupted draw re-run reuses the published
   snapshot, so it draws the same sample.

``python -m worklog.cli verify-audit`` recomputes a round from those files alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from worklog import messages
from worklog.access import FINDING_ROLE
from worklog.audit import sampling
from worklog.audit.ledger import LedgerStore
from worklog.audit.tables import AuditTables
from worklog.bus import EventBus
from worklog.clock import Clock, iso_now, system_clock
from worklog.errors import Conflict, NotFound
from worklog.models.audit_keys import ledger_key
from worklog.models.audits import AuditAssignment, AuditRound
from worklog.models.roster import Cadre
from worklog.periods import Quarter
from worklog.text import mask_personal_data

AUDIT_COMMITTED = "AuditCommitted"
AUDIT_DRAWN = "AuditDrawn"
ADVERSE = ("perfunctory", "suspected_falsification")


def quarter_of(label: str) -> Quarter:
    return Quarter(int(label[:4]), int(label[-1]))


class Rounds:
    """Commit and draw audit rounds. Repositories, ledger, bus, calendar and clock are injected; the
    defaults are the production ones (no client is created before it is used)."""

    def __init__(
        self,
        *,
        tables: AuditTables | None = None,
        ledger: LedgerStore | None = None,
        bus: EventBus | None = None,
        clock: Clock = system_clock,
    ) -> None:
        t = tables or AuditTables()
        self.tables = t
        self.audits, self.roster, self.journal = t.audits, t.roster, t.journal
        self.compliance, self.reviews, self.calendar = t.compliance, t.reviews, t.calendar
        self.ledger = ledger or LedgerStore()
        self.bus = bus or EventBus()
        self.clock = clock

    def commit(self, r: AuditRound) -> AuditRound:
        """Store the round (if new) and publish its seed's hash; returns the stored round."""
        if not self.audits.create_round(r):
            stored = self.audits.get_round(r.round_id)
            assert stored is not None
            r = stored
        if r.state == "committed":
            # Published again after an interruption: the same bytes.
            self.ledger.put_json(ledger_key(r.round_id, "commitment"), commitment(r))
            self.bus.publish(AUDIT_COMMITTED, [commitment(r)])
        return r

    def new_round(
        self, round_id: str, kind: str, quarter: str, first: date, last: date, by: str, **extra: Any
    ) -> AuditRound:
        seed = sampling.new_seed()
        return AuditRound.model_validate(
            {
                "round_id": round_id,
                "kind": kind,
                "quarter": quarter,
                "first": first,
                "last": last,
                "seed": seed,
                "seed_hash": sampling.seed_hash(seed),
                "committed_at": iso_now(self.clock),
                "requested_by": by,
                **extra,
            }
        )

    def draw(self, round_id: str, by: str = "system", reason: str = "") -> AuditRound:
        """Draw a committed round; ``by`` and ``reason`` (who had it drawn now, and why) are
        published with the seed."""
        r = self.audits.get_round(round_id)
        if r is None:
            raise NotFound(messages.AUDIT["no_round"], code="not_found")
        if r.state == "drawn":
            raise Conflict(messages.AUDIT["already_drawn"].format(round_id=round_id), code="already_drawn")
        snapshot = self.published_snapshot(r)
        sample = sampling.draw(r.seed, snapshot)
        at = iso_now(self.clock)
        self.audits.put_assignments(assignments_of(r, snapshot, sample, at))
        self.ledger.put_json(ledger_key(round_id, "sample"), sample.model_dump(mode="json"))
        drawn = r.model_copy(
            update={
                "state": "drawn",
                "drawn_at": at,
                "snapshot_hash": sample.snapshot_hash,
                "algorithm": sample.algorithm,
                "version": sample.version,
                "sampled": len(sample.cadres),
                "drawn_by": by,
                "draw_reason": reason,
            }
        )
        self.ledger.put_json(ledger_key(round_id, "reveal"), reveal(drawn))
        if not self.audits.mark_drawn(drawn):
            raise Conflict(messages.AUDIT["already_drawn"].format(round_id=round_id), code="already_drawn")
        self.bus.publish(AUDIT_DRAWN, [{**reveal(drawn), "shortfalls": sample.shortfalls}])
        return drawn

    def published_snapshot(self, r: AuditRound) -> sampling.Snapshot:
        """The snapshot already on the ledger (an interrupted draw re-run draws the same sample),
        else one read from the tables now and published before anything depends on it."""
        stored = self.ledger.get_json(ledger_key(r.round_id, "snapshot"))
        if stored is not None:
            return sampling.Snapshot.model_validate(stored)
        snapshot = self.snapshot(r)
        self.ledger.put_json(ledger_key(r.round_id, "snapshot"), snapshot.model_dump(mode="json"))
        return snapshot

    def snapshot(self, r: AuditRound) -> sampling.Snapshot:
        """The published inputs of a draw, read from the tables: Queries by day and by week."""
        cadres = [c for c in self.roster.list_cadres() if in_post(c, r.first, r.last)]
        pool = [sampling.Inspector(cadre_id=c.cadre_id, unit_id=c.unit_id) for c in cadres if inspects(c)]
        if r.unit_id:
            cadres = [c for c in cadres if c.unit_id == r.unit_id]
        ids = {c.cadre_id for c in cadres}
        misses: Counter[str] = Counter()
        entries: dict[str, list[str]] = defaultdict(list)
        d = r.first
        while d <= r.last:
            if self.calendar.is_working(d):
                misses.update(m.cadre_id for m in self.compliance.missing_due_on(d) if m.cadre_id in ids)
            for item in self.journal.submissions_on(d):
                if item["cadre_id"] in ids:
                    entries[item["cadre_id"]].append(d.isoformat())
            d += timedelta(days=1)
        adverse: Counter[str] = Counter()
        conflicts: dict[str, set[str]] = defaultdict(set)
        week = r.first - timedelta(days=r.first.weekday())
        while week <= r.last:
            for review in self.reviews.week(week):
                if review.cadre_id in ids:
                    conflicts[review.cadre_id].add(review.reviewer_id)
                    if review.verdict in ADVERSE:
                        adverse[review.cadre_id] += 1
            week += timedelta(days=7)
        return sampling.Snapshot(
            round_id=r.round_id,
            quarter=r.quarter,
            candidates=[
                sampling.Candidate(
                    cadre_id=c.cadre_id,
                    unit_id=c.unit_id,
                    misses=misses[c.cadre_id],
                    adverse=adverse[c.cadre_id],
                    entries=sorted(entries[c.cadre_id]),
                )
                for c in sorted(cadres, key=lambda c: c.cadre_id)
            ],
            inspectors=sorted(pool, key=lambda i: i.cadre_id),
            conflicts={k: sorted(v) for k, v in sorted(conflicts.items())},
            size=r.size,
            stratified=r.kind == "quarterly" and not r.unit_id,
        )

    def quarter_round(self, q: Quarter) -> AuditRound:
        """A quarter's round: one id and one seed per quarter, committed by the system."""
        return self.new_round(q.label, "quarterly", q.label, q.first_day, q.last_day, "system")


def assignments_of(
    r: AuditRound, snapshot: sampling.Snapshot, sample: sampling.Sample, at: str
) -> list[AuditAssignment]:
    """One assignment per sampled cadre and inspector drawn for them."""
    units = {c.cadre_id: c.unit_id for c in snapshot.candidates}
    return [
        AuditAssignment(
            round_id=r.round_id,
            inspector_id=inspector,
            cadre_id=c.cadre_id,
            unit_id=units[c.cadre_id],
            quarter=r.quarter,
            entries=[date.fromisoformat(d) for d in c.entries],
            assigned_at=at,
        )
        for c in sample.cadres
        for inspector in c.inspectors
    ]


def commitment(r: AuditRound) -> dict[str, Any]:
    """What is published before the draw: the seed's hash, and who asked for the round and why (a
    spot-check's size and unit too), so every draw stands on the public ledger with its reason."""
    spot = {"size": r.size, "unit_id": r.unit_id} if r.kind == "spot" else {}
    return {
        "round_id": r.round_id,
        "kind": r.kind,
        "quarter": r.quarter,
        "first": r.first.isoformat(),
        "last": r.last.isoformat(),
        "seed_hash": r.seed_hash,
        "committed_at": r.committed_at,
        "algorithm": sampling.ALGORITHM,
        "version": sampling.VERSION,
        "requested_by": r.requested_by,
        "reason": mask_personal_data(r.reason),  # public: a phone number in it is masked like in logs
        **spot,
    }


def reveal(r: AuditRound) -> dict[str, Any]:
    return {
        **commitment(r),
        "seed": r.seed,
        "snapshot_hash": r.snapshot_hash,
        "drawn_at": r.drawn_at,
        "sampled": r.sampled,
        "drawn_by": r.drawn_by,
        "draw_reason": None if r.draw_reason is None else mask_personal_data(r.draw_reason),
    }


def in_post(cadre: Cadre, first: date, last: date) -> bool:
    return cadre.active_on(first) or cadre.active_on(last)


def inspects(cadre: Cadre) -> bool:
    return FINDING_ROLE in cadre.roles
