"""The morning run: one digest per person per working morning, done things dropped, nothing on rest
days, a second run of a morning sends nobody a second digest, and its AWS requests."""

from __future__ import annotations

from collections import Counter
from datetime import date
from math import ceil

from infra.counting import counting
from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.audit_support import ENTRY
from tests.integration.notify_support import FakeDeliverer, inbox_items, missing_event
from worklog.calendar import WorkingCalendar
from worklog.models.notifications import Notice
from worklog.models.roster import Cadre, Unit
from worklog.notify.intake import Intake
from worklog.notify.morning import MorningRun, morning_requests
from worklog.notify.repository import OutboxRepository
from worklog.roster.repository import RosterRepository

CAL = WorkingCalendar()
TUESDAY, WEDNESDAY = date(2026, 11, 24), date(2026, 11, 25)


def remind(*cadres: str, day: date = TUESDAY, of: date | None = None) -> None:
    """Reminders taken in at 22:00 on ``day``, of the entry of ``of`` (default: that day)."""
    set_clock(day.year, day.month, day.day, 22)
    intake = Intake(calendar=CAL, sender=FakeDeliverer())
    for cadre in cadres:
        intake.take("EntryMissing", missing_event(cadre, of or day))


def run(sender: FakeDeliverer, day: date = WEDNESDAY, page_items: int | None = None) -> MorningRun:
    set_clock(day.year, day.month, day.day, 8, 30)
    return MorningRun(calendar=CAL, sender=sender, page_items=page_items)


def test_an_entry_saved_before_the_morning_is_not_in_it_and_its_only_reminder_makes_no_digest(
    stack: InProcessStack,
) -> None:
    # Given reminders on Tuesday night for c0001 and c0002 (both for Tuesday's entry; c0002 also a plan)
    remind("c0001", "c0002")
    Intake(calendar=CAL, sender=FakeDeliverer()).take(
        "EntryMissing", missing_event("c0002", TUESDAY, kind="plan", period="2026-11")
    )
    # and c0001 writes Tuesday's entry at 07:00 on Wednesday
    set_clock(2026, 11, 25, 7)
    assert stack.call("entries", "PUT", "/entries/2026-11-24", ENTRY, as_="c0001").status in (200, 201)
    # When the morning runs
    sender = FakeDeliverer()
    summary = run(sender).run(WEDNESDAY)
    # Then c0001 gets no digest at all; c0002 one with both lines
    assert [job[0].cadre_id for job in sender.sent] == ["c0002"]
    assert (summary.digests, summary.done) == (1, 1)
    assert inbox_items("c0001") == []
    [digest] = inbox_items("c0002")
    assert [line["notice_id"].split("#")[-1] for line in digest["lines"]] == ["2026-11-24", "2026-11"]
    assert digest["delivery"]["status"] == "sent" and digest["gsi1pk"] == "SENT#2026-11-25"


def test_a_rest_day_sends_nothing_and_says_so(stack: InProcessStack) -> None:
    remind("c0001", day=date(2026, 11, 27))  # Friday night: Monday's morning
    sender = FakeDeliverer()
    summary = run(sender, day=date(2026, 11, 28)).run(date(2026, 11, 28))
    assert summary.rest_day and "不是工作日" in summary.note
    assert sender.sent == [] and not OutboxRepository().run_started(date(2026, 11, 28))


def test_a_second_run_of_the_same_morning_sends_nobody_a_second_digest(stack: InProcessStack) -> None:
    remind("c0001", "c0002")
    first_sender, second_sender = FakeDeliverer(), FakeDeliverer()
    run(first_sender).run(WEDNESDAY)
    again = run(second_sender).run(WEDNESDAY)
    assert again.resumed and again.already_digested == 2 and second_sender.sent == []
    assert len(first_sender.sent) == 2
    assert [len(inbox_items(c)) for c in ("c0001", "c0002")] == [1, 1]


def test_a_persons_notices_across_page_boundaries_make_one_digest(stack: InProcessStack) -> None:
    # Given three notices for c0001 and two for c0002, read one item a page
    outbox = OutboxRepository()
    notices = [
        Notice(
            notice_id=f"review_assigned/{person}/{week}",
            person_id=person,
            kind="review_assigned",
            title=f"审阅 {week}",
            link="/review",
            event_type="ReviewAssigned",
            received_at="2026-11-24T22:00:00.000+08:00",
        )
        for person, weeks in (
            ("c0001", ("2026-11-02", "2026-11-09", "2026-11-16")),
            ("c0002", ("2026-11-09", "2026-11-16")),
        )
        for week in weeks
    ]
    assert outbox.put_notices(WEDNESDAY, notices) == 5
    sender = FakeDeliverer()
    summary = run(sender, page_items=1).run(WEDNESDAY)
    assert summary.pages >= 5
    lines = {job[0].cadre_id: job[2].text.count("审阅 2026") for job in sender.sent}
    assert lines == {"c0001": 3, "c0002": 2}


def test_the_morning_run_makes_the_requests_of_its_lower_bound(stack: InProcessStack) -> None:
    # Given 130 cadres reminded of Tuesday's entry (two notices each for the first 10)
    people = [f"n{i:04d}" for i in range(130)]
    RosterRepository().bulk_put(
        [Unit(unit_id="jyj", name="区教育局")],
        [Cadre(cadre_id=p, name="测试", unit_id="jyj") for p in people],
    )
    remind(*people)
    remind(*people[:10], of=date(2026, 11, 23))  # and of Monday's entry
    notices, page_items = 140, 40
    sender = FakeDeliverer()
    morning = run(sender, page_items=page_items)
    # When the morning runs
    with counting() as seen:
        summary = morning.run(WEDNESDAY)
    # Then its requests are exactly those of the lower bound: the notices' pages, one by_day query
    # per period, profiles and preferences by the hundred, digests written twice by 25, the marker
    assert summary.digests == 130 and summary.notices == notices
    expected = morning_requests(notice_pages=ceil(notices / page_items), persons=130, period_pages=2)
    assert Counter(seen) == Counter(expected)


def test_each_send_names_its_digests_key_so_a_retried_send_records_its_delivery_on_it(
    stack: InProcessStack,
) -> None:
    # Given a reminder for Wednesday's morning, and that morning's run started at 08:30 and cut short
    remind("c0001")
    sender = FakeDeliverer()
    morning = run(sender)
    OutboxRepository().start_run(WEDNESDAY, "2026-11-25T08:30:00.000+08:00")
    # When the run is resumed at 08:40
    set_clock(2026, 11, 25, 8, 40)
    morning.run(WEDNESDAY)
    # Then the send was handed the digest's own time: with its id, the digest's key in the outbox
    [(_, _, message, at)] = sender.sent
    [digest] = inbox_items("c0001")
    assert digest["sk"] == f"MSG#{at}#{message.digest_id}"
