"""Done by morning: a reminder of an entry, plan or summary that has been saved since is not told.

The journal's by_day partitions (``DAY#<date>``, ``PLAN#<month>``, ``SUMMARY#<half>``) say who
saved what for a period: one Query (its pages) per distinct period, never one per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from worklog.models.notifications import Notice

PARTITIONS = {"entry": "DAY#{period}", "plan": "PLAN#{period}", "summary": "SUMMARY#{period}"}


class Submissions(Protocol):
    """What is read of the journal (worklog.journal.repository.JournalRepository)."""

    def submissions(self, partition: str) -> Iterator[dict[str, Any]]: ...


def partition_of(notice: Notice) -> str | None:
    """The by_day partition that would hold what an entry_missing notice asks for."""
    if notice.kind != "entry_missing" or notice.about.get("kind") not in PARTITIONS:
        return None
    return PARTITIONS[notice.about["kind"]].format(period=notice.about["period"])


class DoneCheck:
    """Drops the done reminders; each partition is read once per instance (one morning run)."""

    def __init__(self, journal: Submissions) -> None:
        self.journal = journal
        self._saved: dict[str, set[str]] = {}
        self.queries = 0

    def saved(self, partition: str) -> set[str]:
        if partition not in self._saved:
            self.queries += 1
            self._saved[partition] = {i["cadre_id"] for i in self.journal.submissions(partition)}
        return self._saved[partition]

    def still_owed(self, notices: Iterable[Notice]) -> list[Notice]:
        kept = []
        for notice in notices:
            partition = partition_of(notice)
            owner = notice.about.get("cadre_id", notice.person_id)
            if partition is None or owner not in self.saved(partition):
                kept.append(notice)
        return kept


def still_owed(notices: list[Notice], journal: Submissions) -> list[Notice]:
    """``notices`` without the entry_missing ones whose entry, plan or summary exists now."""
    return DoneCheck(journal).still_owed(notices)
