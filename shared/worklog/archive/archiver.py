"""The nightly archiver: every revision saved since the last night, whole and unmasked, appended to
the ledger bucket as one object per night (``worklog.archive.nights``), after the publisher; with
it the compliance items that are new or changed since (a Scan of the table, each item's digest
held against the one last archived) and the role changes after the last one archived.

Which cadres moved is the publisher's way: every cadre's HEAD (BatchGetItem, 100 a request), then
the revisions after the last archived seq (the by_seq index). Each moved cadre's night lines are
its new revisions, the current views of the periods they touched (built from the revision with the
journal's own ``view_item``) and its HEAD as read; a revision saved after the HEAD was read waits
for the next night, so a night never holds a revision its HEAD does not count.

Idempotent: a night's object is written once (never overwritten), then its index, then the
progress (each cadre's last archived seq). A run that finds tonight's object already there, or a
night the progress has not taken in (a crash between the object and the progress), takes that
night in from its object and writes nothing new.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.clock import Clock, system_clock, today
from worklog.compliance.repository import ComplianceRepository
from worklog.journal.records import revision_item, view_item
from worklog.journal.repository import JournalRepository
from worklog.publish import keys, tamper
from worklog.publish.site import SiteStore
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository


@datarecord
class ArchiveSummary:
    night: date
    written: bool = False  # tonight's object was written by this run
    cadres: int = 0
    revisions: int = 0
    lines: int = 0
    recovered: list[str] | None = None  # nights taken in from their objects (a crash, a re-run)

    def as_dict(self) -> dict[str, Any]:
        return {
            "night": self.night.isoformat(),
            "written": self.written,
            "cadres": self.cadres,
            "revisions": self.revisions,
            "lines": self.lines,
            "recovered": self.recovered or [],
        }


class Archiver:
    def __init__(
        self,
        *,
        store: ArchiveStore | None = None,
        journal: JournalRepository | None = None,
        roster: RosterRepository | None = None,
        compliance: ComplianceRepository | None = None,
        site: SiteStore | None = None,
        signer: tamper.Signer | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store or ArchiveStore()
        self.journal = journal or JournalRepository()
        self.roster = roster or RosterRepository()
        self.compliance = compliance or ComplianceRepository()
        self.site = site or SiteStore()
        self.signer = signer
        self.clock = clock

    def run(self, night: date | None = None) -> ArchiveSummary:
        # A night is named for the day it runs on; a later name would hide every night before it.
        day = min(night or today(self.clock), today(self.clock))
        summary = ArchiveSummary(day, recovered=[])
        progress = self.store.progress()
        moved = self._recover(progress, summary)
        if progress.night >= day.isoformat():
            if moved:
                self.store.put_progress(progress, self.clock.now())
            return summary  # tonight (or a later night) is archived already: nothing new
        lines = self._lines(progress, summary)
        body = nights.encode(lines)
        summary.written = self.store.put_night(day, body, self.clock.now())
        if not summary.written:  # another run wrote the night meanwhile: take in what it wrote
            body = self.store.get_bytes(nights.night_key(day)) or b""
            lines = list(nights.decode(body))
            summary.cadres = summary.revisions = summary.lines = 0
        self.store.put_index(nights.index_of(day, nights.night_key(day), body))
        progress.fold(day.isoformat(), lines)
        self.store.put_progress(progress, self.clock.now())
        self._keep_signing_key()
        return summary

    def _recover(self, progress: nights.Progress, summary: ArchiveSummary) -> bool:
        """Take in the nights written after the progress's last, from their objects (a crash
        between a night and the progress); an index that is missing is written."""
        moved = False
        for day in self.store.nights_after(progress.night):
            body = self.store.get_bytes(nights.night_key(day)) or b""
            if self.store.index(day) is None:
                self.store.put_index(nights.index_of(day, nights.night_key(day), body))
            if progress.fold(day.isoformat(), nights.decode(body)):
                moved = True
                assert summary.recovered is not None
                summary.recovered.append(day.isoformat())
        return moved

    def _lines(self, progress: nights.Progress, summary: ArchiveSummary) -> list[dict[str, Any]]:
        lines = self._journal_lines(progress, summary)
        lines += [
            nights.line(nights.COMPLIANCE, "item", item)
            for item in self.compliance.stored_items()
            # What the table forgets by itself (TTL: rate-limit windows, the day's sender secret,
            # which must not outlive its day) the archive does not keep either.
            if "expires_at" not in item
            and progress.compliance.get(nights.item_key(item)) != nights.item_digest(item)
        ]
        lines += [
            nights.line(nights.ROSTER, "role_change", item)
            for item in self.roster.role_changes_after(progress.role_changes)
        ]
        summary.lines = len(lines)
        return lines

    def _journal_lines(self, progress: nights.Progress, summary: ArchiveSummary) -> list[dict[str, Any]]:
        ids = sorted(c.cadre_id for c in self.roster.list_cadres())
        heads = self.journal.head_items(ids)
        lines: list[dict[str, Any]] = []
        for cadre_id in ids:
            head = heads.get(cadre_id)
            last = progress.seqs.get(cadre_id, 0)
            if head is None or int(head["head_seq"]) <= last:
                continue
            revisions = [
                r for r in self.journal.revisions_after(cadre_id, last) if r["seq"] <= head["head_seq"]
            ]
            if not revisions:
                continue
            lines += self._cadre_lines(cadre_id, revisions, head)
            summary.cadres += 1
            summary.revisions += len(revisions)
        return lines

    def _cadre_lines(
        self, cadre_id: str, revisions: list[dict[str, Any]], head: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A cadre's new revisions, the views of the periods they touched, and its HEAD."""
        lines = [nights.line(nights.JOURNAL, "revision", revision_item(r)) for r in revisions]
        latest = {f"{str(r['kind']).upper()}#{r['period']}": r for r in revisions}
        stored = self.journal.get_views(cadre_id, sorted(latest))
        for sk, record in sorted(latest.items()):
            view = stored.get(sk)
            if view is None:
                continue  # a view always follows its revision; none means nothing to restore it from
            rebuilt = view_item(
                record, first_saved_at=str(view["first_saved_at"]), unit_id=str(view["unit_id"])
            )
            lines.append(nights.line(nights.JOURNAL, "view", rebuilt))
        lines.append(nights.line(nights.JOURNAL, "head", head))
        proof = self.site.get_json(keys.cadre_proof(cadre_id))
        if proof is not None:  # the publisher's evidence of the cadre's public head, signed through the root
            lines.append(nights.line(nights.SITE, "proof", proof))
        return lines

    def _keep_signing_key(self) -> None:
        """The public key of the checkpoints, in the archive too: it verifies on its own."""
        signer = self.signer or tamper.make_signer()
        pem = signer.public_key_pem()
        self.store.put_key(tamper.key_fingerprint(pem), pem)
