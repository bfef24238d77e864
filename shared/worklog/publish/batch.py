"""One batch of a publish run: the cadres of one manifest shard, their pages and the shard.

A batch renders each of its cadres whose chain moved, whose newest revisions were waiting for the
publication delay, or whose name, title or unit changed: the cadre's ledger, pages and index; and
it withdraws a departed cadre whose time on the site has passed (``worklog.publish.departures``). A
cadre's chain is read from where the last publish left it: the revisions already published come
from its ledger file on the site (checked against the shard's seq and head), only the later ones
from the journal. The shard's manifest is written last: a batch that stops half-way is done again
whole by its redelivery or the next run (the same bytes where it got that far), and a batch done
twice finds its cadres rendered and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Container
from dataclasses import field
from datetime import date
from typing import TYPE_CHECKING, Any

from worklog.models.roster import Cadre, Unit
from worklog.publish import keys, render, tamper
from worklog.publish import pages as pg
from worklog.publish.cadre_log import CadreLog, public_revisions
from worklog.publish.departures import withdraw
from worklog.publish.manifest import CadreState, Manifest, ShardManifest, shard_count, shard_of
from worklog.publish.policy import is_withdrawn
from worklog.publish.site import JSON, SiteWriter
from worklog.records import datarecord
from worklog.settings import get_settings

if TYPE_CHECKING:
    from worklog.publish.publisher import Publisher


@datarecord(frozen=True)
class Batch:
    """What a batch is asked to do: its shard's cadres on the roster, with their chain heads."""

    run_id: str
    number: int
    shard: int
    day: date
    full: bool
    heads: dict[str, int]  # cadre id -> chain head (0: nothing saved yet)

    def message(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "batch": self.number,
            "shard": self.shard,
            "date": self.day.isoformat(),
            "full": self.full,
            "cadres": sorted(self.heads.items()),
        }

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> Batch:
        return cls(
            run_id=str(body["run"]),
            number=int(body["batch"]),
            shard=int(body["shard"]),
            day=date.fromisoformat(str(body["date"])),
            full=bool(body.get("full")),
            heads={str(c): int(s) for c, s in body["cadres"]},
        )


@datarecord
class BatchResult:
    cadres_rendered: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0


@datarecord
class PublishSummary:
    day: date
    full: bool
    cadres_rendered: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    batches: int = 0  # handed out through the queue, or done here
    busy: bool = False  # another run held the lock: this one is noted and follows it
    nightly_finished: bool = False  # a nightly run's last step was done in this invocation

    def add(self, result: BatchResult) -> None:
        self.cadres_rendered += result.cadres_rendered
        self.written += result.written
        self.unchanged += result.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "full": self.full,
            "batches": self.batches,
            "busy": self.busy,
            "nightly_finished": self.nightly_finished,
            "cadres_rendered": self.cadres_rendered,
            "objects_written": len(self.written),
            "objects_unchanged": self.unchanged,
            "written": self.written[:50],
        }


class CadrePages(Container[str]):
    """The cadre pages that exist once every batch is done: each published cadre's index and months."""

    def __init__(self, cadres: dict[str, CadreState]) -> None:
        self.cadres = cadres

    def __contains__(self, key: object) -> bool:
        cadre_id = keys.cadre_of(key) if isinstance(key, str) else None
        state = self.cadres.get(cadre_id) if cadre_id else None
        if state is None or not state.months:
            return False
        assert isinstance(key, str)
        return key == keys.cadre_index(cadre_id or "") or key.rsplit("/", 1)[-1][:-5] in state.months


def shared_pages(units: dict[str, Unit]) -> set[str]:
    """The pages the run's last step writes whatever changed (a batch may link to them)."""
    return {keys.HOME, keys.NOTICES, keys.AUDITS, keys.LEDGER, *(keys.unit(u) for u in units)}


def plan(p: Publisher, run_id: str, day: date, full: bool) -> tuple[Manifest, int, list[Batch]]:
    """The stored manifest, its number of shards, and a batch per shard of the roster's cadres
    with their chain heads (BatchGetItem, 100 a request)."""
    stored = p.site.get_json(keys.MANIFEST)
    manifest = Manifest.model_validate(stored) if stored else Manifest()
    ids = sorted(c.cadre_id for c in p.roster.list_cadres())
    shards = manifest.shards or shard_count(len(ids), get_settings().publish_shard_cadres)
    heads = p.journal.head_seqs(ids)
    by_shard: dict[int, dict[str, int]] = defaultdict(dict)
    for cadre_id in ids:
        by_shard[shard_of(cadre_id, shards)][cadre_id] = heads.get(cadre_id, 0)
    batches = [
        Batch(run_id, n, shard, day, full, by_shard[shard]) for n, shard in enumerate(sorted(by_shard))
    ]
    return manifest, shards, batches


def split(p: Publisher, manifest: Manifest, shards: int) -> None:
    """Split a manifest that holds every cadre (or none yet) into ``shards`` shards."""
    parts = [ShardManifest() for _ in range(shards)]
    for cadre_id, state in manifest.cadres.items():
        parts[shard_of(cadre_id, shards)].cadres[cadre_id] = state
    shared: dict[str, str] = {}
    for key, digest in manifest.objects.items():
        owner = keys.cadre_of(key)
        if owner is None:
            shared[key] = digest
        else:
            parts[shard_of(owner, shards)].objects[key] = digest
    for n, part in enumerate(parts):
        if part.cadres or part.objects:
            p.put_json(keys.manifest_shard(n), part.model_dump_json().encode())
    manifest.shards, manifest.cadres, manifest.objects = shards, {}, shared
    p.put_json(keys.MANIFEST, manifest.model_dump_json(exclude={"cadres"}).encode())


class ShardPublisher:
    """Publishes one batch with the publisher's records, policy and site bucket."""

    def __init__(self, publisher: Publisher) -> None:
        self.p = publisher

    def publish(self, batch: Batch, shared: dict[str, str]) -> BatchResult:
        """``shared``: the objects of the site's shared pages, as the main manifest records them."""
        stored = self.p.site.get_json(keys.manifest_shard(batch.shard))
        shard = ShardManifest.model_validate(stored) if stored else ShardManifest()
        units = {u.unit_id: u for u in self.p.roster.list_units()}
        site = SiteWriter(self.p.site, shard.objects, promised={*shared, *shared_pages(units)})
        cadres = self.p.roster.get_cadres(list(batch.heads))
        result = BatchResult()
        for cadre_id in sorted(cadres):
            cadre = cadres[cadre_id]
            if self._cadre(batch, cadre, units.get(cadre.unit_id), shard, site):
                result.cadres_rendered += 1
        site.finish()
        shard.objects = site.objects()
        body = shard.model_dump_json().encode()
        self.p.site.put(keys.manifest_shard(batch.shard), body, JSON, hashlib.sha256(body).hexdigest())
        result.written, result.unchanged = site.changed, site.unchanged
        return result

    def _cadre(
        self, batch: Batch, cadre: Cadre, unit: Unit | None, shard: ShardManifest, site: SiteWriter
    ) -> bool:
        state = shard.cadres.get(cadre.cadre_id, CadreState())
        if is_withdrawn(cadre.left_on, batch.day, self.p.policy):
            # Checked every night from the roster row the batch reads anyway: the clock alone withdraws.
            if state.withdrawn and not batch.full:
                return False
            pages: dict[str, str] = {}
            if not state.withdrawn and state.seq == 0 and batch.heads.get(cadre.cadre_id, 0):
                state, pages = self._unrecorded(batch, cadre, unit)
            shard.cadres[cadre.cadre_id] = withdraw(
                site, {**shard.objects, **pages}, cadre.cadre_id, state, batch.day, self.p.district
            )
            return True
        seq = batch.heads.get(cadre.cadre_id, 0)
        profile = [cadre.name, cadre.title or "", cadre.unit_id, unit.name if unit else ""]
        fresh = not batch.full and not state.withdrawn  # a cadre back in post is rendered whole again
        if fresh and state.seen_seq == seq and state.seq == seq and state.profile == profile:
            return False  # nothing new, nothing waiting for the publication delay, same profile
        published = self._revisions(cadre.cadre_id, state, seq, batch)
        log = CadreLog(self.p.district, self.p.calendar, cadre, unit, published)
        site.json(keys.cadre_ledger(cadre.cadre_id), log.ledger.model_dump(mode="json"))
        for history in log.revisions_pages():
            site.page(render.render_revisions(history))
        for month in log.months:
            site.page(render.render_cadre_month(log.month_page(month)))
        state = CadreState(seen_seq=seq, seq=log.seq, head=log.head, months=log.months, profile=profile)
        shard.cadres[cadre.cadre_id] = state
        if state.months:
            site.page(render.render_cadre_index(self._index(cadre, unit, state)))
        return True

    def _unrecorded(self, batch: Batch, cadre: Cadre, unit: Unit | None) -> tuple[CadreState, dict[str, str]]:
        """A cadre to withdraw whom the shard does not record as published (a shard rebuilt, a roster
        imported with departures): their public chain from the journal, for the leaf the checkpoints
        keep, and the pages it would have (any the bucket still holds get the notice too)."""
        seq = batch.heads.get(cadre.cadre_id, 0)
        published = self._revisions(cadre.cadre_id, CadreState(), seq, batch)
        log = CadreLog(self.p.district, self.p.calendar, cadre, unit, published)
        pages = [keys.cadre_index(cadre.cadre_id), *(keys.cadre_month(cadre.cadre_id, m) for m in log.months)]
        pages += [keys.revisions(cadre.cadre_id, h.period_key) for h in log.revisions_pages()]
        state = CadreState(seen_seq=seq, seq=log.seq, head=log.head, months=log.months)
        return state, dict.fromkeys(pages if log.seq else [], "")

    def _revisions(
        self, cadre_id: str, state: CadreState, seq: int, batch: Batch
    ) -> list[tamper.PublishedRevision]:
        """The cadre's public revisions: those already published from its ledger file, the later
        ones from the journal (the whole chain on a full run, or when the file does not match)."""
        before = self._published(cadre_id, state) if not batch.full and not state.withdrawn else None
        if before is None:
            chain = self.p.journal.all_revisions(cadre_id)
            return public_revisions(chain, batch.day, self.p.policy)
        if seq <= state.seq:
            return before
        after = self.p.journal.revisions_after(cadre_id, state.seq)
        return before + public_revisions(after, batch.day, self.p.policy, after=state.seq)

    def _published(self, cadre_id: str, state: CadreState) -> list[tamper.PublishedRevision] | None:
        if state.seq == 0:
            return []
        stored = self.p.site.get_json(keys.cadre_ledger(cadre_id))
        if not isinstance(stored, dict) or "withdrawn" in stored:
            return None
        ledger = tamper.CadreLedger.model_validate(stored)
        if len(ledger.revisions) != state.seq or not ledger.heads or ledger.heads[-1] != state.head:
            return None
        return ledger.revisions

    def _index(self, cadre: Cadre, unit: Unit | None, state: CadreState) -> pg.CadreIndexPage:
        return pg.CadreIndexPage(
            district=self.p.district,
            cadre=pg.CadreRef(cadre_id=cadre.cadre_id, name=cadre.name, title=cadre.title or ""),
            unit_id=unit.unit_id if unit else "",
            unit_name=unit.name if unit else "",
            months=state.months,
            seq=state.seq,
            head=state.head,
        )
