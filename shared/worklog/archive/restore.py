"""Rebuilding the journal and compliance tables from the archive alone (``python -m worklog.cli
restore --into ...``).

The nights are read oldest first, each from the first version of its object (the one the archiver
wrote: Object Lock keeps it, whatever was written over it later). Revisions are immutable, so each
is written once; a view or a head is the last night's. The items are the tables' own (the archive
holds them as stored), written into new, empty tables only: a restore never overwrites anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.compliance.repository import ComplianceRepository
from worklog.errors import Conflict
from worklog.journal.repository import JournalRepository
from worklog.messages import ARCHIVE
from worklog.records import datarecord


@datarecord
class RestoreSummary:
    table: str
    items: int = 0
    revisions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "items": self.items, "revisions": self.revisions}


def archived_items(store: ArchiveStore, last: date | None = None) -> tuple[dict[str, dict[str, Any]], int]:
    """Per table, the items the archive holds (by key), and the number of nights read."""
    first = store.first_versions(nights.NIGHTS)
    tables: dict[str, dict[str, Any]] = {}
    count = 0
    for day in store.nights_after(""):
        if last is not None and day > last:
            break
        key = nights.night_key(day)
        body = store.get_bytes(key, first.get(key))
        count += 1
        for entry in nights.decode(body or b""):
            if entry["table"] not in (nights.JOURNAL, nights.COMPLIANCE):
                continue  # role changes and the site's proofs are kept for the record, not restored
            items = tables.setdefault(str(entry["table"]), {})
            at = nights.item_key(entry["item"])
            if entry["kind"] == "revision":
                items.setdefault(at, entry["item"])  # written once: the first archived stands
            else:
                items[at] = entry["item"]  # a view, a head, a compliance item: the latest night's
    return tables, count


def restore(
    store: ArchiveStore,
    *,
    journal: JournalRepository | None = None,
    compliance: ComplianceRepository | None = None,
    last: date | None = None,
) -> list[RestoreSummary]:
    """The journal and compliance tables rebuilt into the given new, empty tables from the archive
    (nothing is written unless every one of them is empty)."""
    for target in (journal, compliance):
        if target is not None and not target.is_empty():
            raise Conflict(ARCHIVE["table_not_empty"].format(table=target.table), code="table_not_empty")
    tables, _ = archived_items(store, last)
    done = []
    if journal is not None:
        items = list(tables.get(nights.JOURNAL, {}).values())
        journal.put_items(items)
        revisions = sum(1 for i in items if str(i["sk"]).startswith("REV#"))
        done.append(RestoreSummary(journal.table, len(items), revisions))
    if compliance is not None:
        stored = [nights.stored_attributes(i) for i in tables.get(nights.COMPLIANCE, {}).values()]
        compliance.put_stored_items(stored)
        done.append(RestoreSummary(compliance.table, len(stored)))
    return done
