"""Rebuilding the tables from the archive alone (``python -m worklog.cli restore --into ...``).

The nights are read oldest first, each from the first version of its object (the one the archiver
wrote: Object Lock keeps it, whatever was written over it later). Revisions are immutable, so each
is written once; a view or a head is the last night's. The items are the tables' own (the archive
holds them as stored), written into new, empty tables only: a restore never overwrites anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.errors import Conflict
from worklog.journal.repository import JournalRepository
from worklog.messages import ARCHIVE


@dataclass
class RestoreSummary:
    nights: int = 0
    revisions: int = 0
    items: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"nights": self.nights, "revisions": self.revisions, "items": self.items}


def archived_items(
    store: ArchiveStore, last: date | None = None
) -> tuple[dict[str, dict[tuple[str, str], Any]], int]:
    """Per table, the items the archive holds (by key), and the number of nights read."""
    first = store.first_versions(nights.NIGHTS)
    tables: dict[str, dict[tuple[str, str], Any]] = {}
    count = 0
    for day in store.nights_after(""):
        if last is not None and day > last:
            break
        key = nights.night_key(day)
        body = store.get_bytes(key, first.get(key))
        count += 1
        for entry in nights.decode(body or b""):
            items = tables.setdefault(str(entry["table"]), {})
            item = entry["item"]
            at = (str(item["pk"]), str(item["sk"]))
            if entry["kind"] == "revision":
                items.setdefault(at, item)  # written once: the first archived stands
            else:
                items[at] = item  # a view or a head: the latest night's
    return tables, count


def restore(store: ArchiveStore, journal: JournalRepository, *, last: date | None = None) -> RestoreSummary:
    """The journal table rebuilt into ``journal`` (a new, empty table) from the archive."""
    if not journal.is_empty():
        raise Conflict(ARCHIVE["table_not_empty"].format(table=journal.table), code="table_not_empty")
    tables, count = archived_items(store, last)
    items = list(tables.get(nights.JOURNAL, {}).values())
    journal.put_items(items)
    revisions = sum(1 for i in items if str(i["sk"]).startswith("REV#"))
    return RestoreSummary(nights=count, revisions=revisions, items=len(items))
