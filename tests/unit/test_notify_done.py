"""Done by morning: a reminded entry, plan or summary saved since is dropped, one journal query per
period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

from worklog.models.notifications import Notice
from worklog.notify.done import DoneCheck, still_owed


class FakeJournal:
    def __init__(self, saved: dict[str, list[str]]) -> None:
        self.saved = saved
        self.asked: Counter[str] = Counter()

    def submissions(self, partition: str) -> Iterator[dict[str, Any]]:
        self.asked[partition] += 1
        return iter([{"cadre_id": c} for c in self.saved.get(partition, [])])


def missing(person: str, kind: str, period: str) -> Notice:
    return Notice(
        notice_id=f"entry_missing/{person}/{kind}/{period}",
        person_id=person,
        kind="entry_missing",
        title="t",
        due=date(2026, 11, 24),
        link="/x",
        about={"cadre_id": person, "kind": kind, "period": period},
        event_type="EntryMissing",
        received_at="2026-11-24T22:00:00.000+08:00",
    )


def review(person: str) -> Notice:
    return Notice(
        notice_id=f"review_assigned/{person}/2026-11-16",
        person_id=person,
        kind="review_assigned",
        title="t",
        link="/review",
        event_type="ReviewAssigned",
        received_at="2026-11-24T22:00:00.000+08:00",
    )


def test_a_reminded_entry_saved_since_is_dropped_and_the_rest_kept() -> None:
    journal = FakeJournal({"DAY#2026-11-24": ["c1"], "PLAN#2026-11": ["c2"]})
    notices = [
        missing("c1", "entry", "2026-11-24"),
        missing("c2", "entry", "2026-11-24"),
        missing("c2", "plan", "2026-11"),
        missing("c3", "summary", "2026-H2"),
        review("c1"),
    ]
    kept = still_owed(notices, journal)
    assert [n.notice_id for n in kept] == [
        "entry_missing/c2/entry/2026-11-24",
        "entry_missing/c3/summary/2026-H2",
        "review_assigned/c1/2026-11-16",
    ]


def test_each_period_is_asked_once_however_many_people_and_pages() -> None:
    journal = FakeJournal({})
    check = DoneCheck(journal)
    for page in range(3):
        check.still_owed([missing(f"c{page}{i}", "entry", "2026-11-24") for i in range(50)])
    check.still_owed([missing("c9", "plan", "2026-11")])
    assert journal.asked == Counter({"DAY#2026-11-24": 1, "PLAN#2026-11": 1})
    assert check.queries == 2
