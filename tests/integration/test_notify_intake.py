"""Intake: events become notices under their morning; a replay stores nothing new; an urgent notice
goes out at once in daytime, once, and waits for the morning at night."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.notify_support import FakeDeliverer, inbox_items, missing_event
from worklog.calendar import WorkingCalendar
from worklog.notify.intake import Intake
from worklog.notify.repository import OutboxRepository

CAL = WorkingCalendar()


def accountability(cadre_id: str = "c0001") -> dict[str, object]:
    return {
        "case_id": f"AC-LOG-{cadre_id}-2026-11-24",
        "kind": "accountability",
        "subject": "logging",
        "cadre_id": cadre_id,
        "owner_role": "discipline_inspector",
        "owner_unit_id": None,
        "opened_on": "2026-11-24",
        "due": "2026-12-08",
        "reason": "连续缺记",
        "evidence": [],
    }


def test_a_missing_entry_waits_for_the_next_working_morning_and_a_replay_stores_nothing_new(
    stack: InProcessStack,
) -> None:
    # Given Tuesday 2026-11-24 at 22:00
    set_clock(2026, 11, 24, 22)
    intake = Intake(calendar=CAL, sender=FakeDeliverer())
    event = missing_event("c0001", date(2026, 11, 24))
    # When the nightly check's event is taken in, then taken in again
    first = intake.take("EntryMissing", event, "e-1")
    again = intake.take("EntryMissing", event, "e-1")
    # Then it waits for Wednesday's morning, stored once
    assert (first.morning, first.stored) == (date(2026, 11, 25), 1)
    assert (again.morning, again.stored) == (date(2026, 11, 25), 0)
    pages = list(OutboxRepository().morning_pages(date(2026, 11, 25)))
    assert [n.notice_id for page in pages for n in page] == ["entry_missing/" + event["reminder_id"]]


def test_an_event_after_the_mornings_run_started_waits_for_the_next_morning(stack: InProcessStack) -> None:
    set_clock(2026, 11, 25, 8, 0)
    OutboxRepository().start_run(date(2026, 11, 25), "2026-11-25T08:00:00.000+08:00")
    summary = Intake(calendar=CAL, sender=FakeDeliverer()).take(
        "EntryMissing", missing_event("c0001", date(2026, 11, 24))
    )
    assert summary.morning == date(2026, 11, 26)


def test_an_event_replayed_after_its_morning_was_sent_is_not_filed_again_under_a_later_morning(
    stack: InProcessStack,
) -> None:
    # Given a reminder taken in at night, and its morning's run started
    set_clock(2026, 11, 24, 22)
    event = missing_event("c0001", date(2026, 11, 24))
    Intake(calendar=CAL, sender=FakeDeliverer()).take("EntryMissing", event, "e-1")
    set_clock(2026, 11, 25, 9)
    OutboxRepository().start_run(date(2026, 11, 25), "2026-11-25T08:30:00.000+08:00")
    # When the same event is replayed after that morning
    again = Intake(calendar=CAL, sender=FakeDeliverer()).take("EntryMissing", event, "e-1")
    # Then it would go with Thursday's morning, but nothing is stored: the reminder was taken before
    assert (again.morning, again.stored) == (date(2026, 11, 26), 0)
    assert [n for page in OutboxRepository().morning_pages(date(2026, 11, 26)) for n in page] == []


def test_an_accountability_case_reaches_its_cadre_at_once_in_daytime_and_only_once(
    stack: InProcessStack,
) -> None:
    # Given Sunday afternoon (a rest day: urgent notices still go out)
    set_clock(2026, 11, 29, 15)
    sender = FakeDeliverer()
    intake = Intake(calendar=CAL, sender=sender)
    # When the case's event arrives twice
    first = intake.take("AccountabilityCaseOpened", accountability())
    again = intake.take("AccountabilityCaseOpened", accountability())
    # Then the cadre is told once, at once; the holders' notices wait for Monday's digest
    assert first.urgent_sent == ["accountability_opened/AC-LOG-c0001-2026-11-24/c0001"]
    assert again.urgent_sent == [] and again.urgent_already_sent == 1
    assert [job[0].cadre_id for job in sender.sent] == ["c0001"]
    [item] = inbox_items("c0001")
    assert item["urgent"] and item["delivery"]["status"] == "sent" and item["delivery"]["message_id"] == "m-1"
    waiting = [n for page in OutboxRepository().morning_pages(date(2026, 11, 30)) for n in page]
    assert [n.person_id for n in waiting] == ["c0010"]  # the org inspector of the small roster
    assert first.stored == 1 and again.stored == 0


def test_at_night_an_urgent_notice_waits_for_the_morning(stack: InProcessStack) -> None:
    set_clock(2026, 11, 24, 23)
    sender = FakeDeliverer()
    summary = Intake(calendar=CAL, sender=sender).take("AccountabilityCaseOpened", accountability())
    assert summary.urgent_sent == [] and sender.sent == []
    waiting = {n.person_id: n for page in OutboxRepository().morning_pages(date(2026, 11, 25)) for n in page}
    assert waiting["c0001"].urgent


def test_nobody_who_has_left_is_given_a_notice(stack: InProcessStack) -> None:
    # c0004 left on 2026-10-31
    set_clock(2026, 11, 24, 22)
    summary = Intake(calendar=CAL, sender=FakeDeliverer()).take(
        "EntryMissing", missing_event("c0004", date(2026, 11, 24))
    )
    assert summary.notices == 0 and summary.stored == 0


class StoppingDeliverer(FakeDeliverer):
    """Stops the invocation in the middle of a send, as a Lambda timing out would."""

    def deliver(self, *args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("the invocation ended")


def test_an_urgent_send_cut_short_is_resumed_by_a_later_replay_and_its_digest_keeps_its_key(
    stack: InProcessStack,
) -> None:
    # Given an urgent notice whose send was cut short after its claim and its digest
    set_clock(2026, 11, 29, 15)
    with pytest.raises(TimeoutError):
        Intake(calendar=CAL, sender=StoppingDeliverer()).take("AccountabilityCaseOpened", accountability())
    # When the event is redelivered at once (the first send may still be under way), then later
    soon = Intake(calendar=CAL, sender=FakeDeliverer()).take("AccountabilityCaseOpened", accountability())
    set_clock(2026, 11, 29, 15, 30)
    sender = FakeDeliverer()
    later = Intake(calendar=CAL, sender=sender).take("AccountabilityCaseOpened", accountability())
    # Then the redelivery at once sends nothing, the later one finishes the send, once, in the one digest
    assert soon.urgent_sent == [] and soon.urgent_already_sent == 1
    assert later.urgent_sent == ["accountability_opened/AC-LOG-c0001-2026-11-24/c0001"]
    [item] = inbox_items("c0001")
    assert item["delivery"]["status"] == "sent" and item["at"].startswith("2026-11-29T15:00")
    # And a replay after that sends nothing more
    again = Intake(calendar=CAL, sender=FakeDeliverer()).take("AccountabilityCaseOpened", accountability())
    assert again.urgent_sent == [] and again.urgent_already_sent == 1
