"""The morning run (docs/notifications.md, "The flow" 2): one digest per person per working morning.

It reads the morning's notices in pages (ordered by person: one person's notices may run over a
page's end, so the last person of a page waits for the next page), drops the done ones, and takes
people in batches of 100: their roster profiles and preferences (one BatchGetItem each), their
digests written to the inbox (BatchWriteItem), sent, and written again with their deliveries.
A run marker makes a second run of the same morning a resumption that skips the people who already
have their digest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, field
from datetime import date
from math import ceil
from typing import Any, Protocol

from worklog.clock import Clock, iso_now, system_clock
from worklog.journal.repository import JournalRepository
from worklog.messages import NOTIFY
from worklog.models.notifications import Delivery, Message, Notice, Preferences
from worklog.models.roster import Cadre
from worklog.notify.digest import compose
from worklog.notify.done import DoneCheck, Submissions
from worklog.notify.repository import OutboxRepository
from worklog.notify.slots import WorkingDays
from worklog.notify.wiring import default_sender
from worklog.observability import logger
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository
from worklog.schedules import current_calendar
from worklog.settings import Settings, get_settings

# People per batch: one BatchGetItem of profiles (100 keys), one of preferences, four BatchWriteItem
# requests (25 items each) per write of their digests.
PEOPLE_BATCH = 100
BATCH_WRITE = 25

Job = tuple[Cadre, Preferences, Message, str]


class Deliverer(Protocol):
    """What sends a message through a person's channel (worklog.notify.sender.Sender)."""

    def deliver(self, person: Cadre, prefs: Preferences, message: Message, at: str) -> Delivery: ...
    def deliver_many(self, jobs: list[Job]) -> list[Delivery]: ...


class Profiles(Protocol):
    def get_cadres(self, cadre_ids: Iterable[str]) -> dict[str, Cadre]: ...


def production_sender() -> Deliverer:
    """The channels' Sender (worklog.notify.wiring is the one module that names it)."""
    return default_sender()


def morning_requests(*, notice_pages: int, persons: int, period_pages: int) -> dict[str, int]:
    """The AWS requests a morning run needs at least, by operation: the notices' pages and the
    by_day pages of the periods reminded of (Query), profiles and preferences (BatchGetItem, 100
    a request), the digests written twice (BatchWriteItem, 25 a request), the run marker (PutItem,
    then UpdateItem). Sends are the channels' own requests, one per digest sent."""
    return {
        "Query": notice_pages + period_pages,
        "BatchGetItem": 2 * ceil(persons / PEOPLE_BATCH),
        "BatchWriteItem": 2 * ceil(persons / BATCH_WRITE),
        "PutItem": 1,
        "UpdateItem": 1,
    }


def morning_lower_bound(*, notice_pages: int, persons: int, period_pages: int, sends: int = 0) -> int:
    """The lower bound of a morning run's requests (the bench holds a run to 1.2 times it)."""
    counts = morning_requests(notice_pages=notice_pages, persons=persons, period_pages=period_pages)
    return sum(counts.values()) + sends


@datarecord
class MorningSummary:
    day: date
    rest_day: bool = False
    note: str = ""
    resumed: bool = False
    pages: int = 0
    notices: int = 0
    done: int = 0
    digests: int = 0
    already_digested: int = 0
    not_in_post: int = 0
    period_queries: int = 0
    deliveries: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "day": self.day.isoformat(), "deliveries": dict(self.deliveries)}


def by_person(pages: Iterable[list[Notice]], summary: MorningSummary) -> Iterator[list[Notice]]:
    """Each person's notices together, across page boundaries (pages are ordered by person)."""
    carry: list[Notice] = []
    for page in pages:
        summary.pages += 1
        summary.notices += len(page)
        for notice in page:
            if carry and carry[0].person_id != notice.person_id:
                yield carry
                carry = []
            carry.append(notice)
    if carry:
        yield carry


class MorningRun:
    """Send the morning's digests. Dependencies are keyword arguments (None: the production ones)."""

    def __init__(
        self,
        *,
        outbox: OutboxRepository | None = None,
        roster: Profiles | None = None,
        journal: Submissions | None = None,
        calendar: WorkingDays | None = None,
        sender: Deliverer | None = None,
        clock: Clock | None = None,
        settings: Settings | None = None,
        page_items: int | None = None,
    ) -> None:
        self.outbox = outbox or OutboxRepository()
        self.roster: Profiles = roster or RosterRepository()
        self.journal: Submissions = journal or JournalRepository()
        self._calendar = calendar
        self.sender = sender if sender is not None else production_sender()
        self.clock = clock or system_clock
        self.settings = settings or get_settings()
        self.page_items = page_items

    def run(self, day: date) -> MorningSummary:
        calendar = self._calendar or current_calendar()
        if not calendar.is_working(day):
            note = NOTIFY["rest_day"].format(day=day.isoformat())
            logger.info("morning run: rest day", extra={"day": day.isoformat()})
            return MorningSummary(day, rest_day=True, note=note)
        state = self.outbox.start_run(day, iso_now(self.clock))
        summary = MorningSummary(day, resumed=state.resumed)
        skip = self.outbox.digested(day) if state.resumed else set()
        done = DoneCheck(self.journal)
        batch: list[list[Notice]] = []
        for notices in by_person(self.outbox.morning_pages(day, self.page_items), summary):
            if notices[0].person_id in skip:
                summary.already_digested += 1
                continue
            owed = done.still_owed(notices)
            summary.done += len(notices) - len(owed)
            if owed:
                batch.append(owed)
            if len(batch) == PEOPLE_BATCH:
                self._send(day, state.started_at, batch, summary)
                batch = []
        if batch:
            self._send(day, state.started_at, batch, summary)
        summary.period_queries = done.queries
        self.outbox.finish_run(day, iso_now(self.clock), self._counts(summary))
        logger.info("morning run", extra=summary.as_dict())
        return summary

    def _send(self, day: date, at: str, batch: list[list[Notice]], summary: MorningSummary) -> None:
        """One batch of people: profiles, preferences, digests to the inbox, sends, deliveries."""
        cadres = self.roster.get_cadres(n[0].person_id for n in batch)
        present = [
            (cadres[n[0].person_id], n) for n in batch if self._in_post(cadres.get(n[0].person_id), day)
        ]
        summary.not_in_post += len(batch) - len(present)
        if not present:
            return
        prefs = self.outbox.preferences_of(c.cadre_id for c, _ in present)
        made = [
            (
                cadre,
                compose(
                    cadre,
                    notices,
                    at=at,
                    morning=day,
                    settings=self.settings.notify,
                    app_url=self.settings.app_url,
                ),
            )
            for cadre, notices in present
        ]
        self.outbox.put_digests([digest for _, (digest, _) in made])
        # Each send is keyed by its digest's time: a send that fails into the retry queue records
        # its delivery on that very digest later.
        deliveries = self.sender.deliver_many([(c, prefs[c.cadre_id], m, at) for c, (_, m) in made])
        self.outbox.put_digests(
            [d.model_copy(update={"delivery": dl}) for (_, (d, _)), dl in zip(made, deliveries, strict=True)]
        )
        summary.digests += len(made)
        summary.deliveries.update(dl.status for dl in deliveries)

    @staticmethod
    def _in_post(cadre: Cadre | None, day: date) -> bool:
        return cadre is not None and cadre.active_on(day)

    @staticmethod
    def _counts(summary: MorningSummary) -> dict[str, int]:
        return {"digests": summary.digests, "notices": summary.notices, "done": summary.done}
