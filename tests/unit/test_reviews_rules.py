"""Review rules: when a verdict may be recorded, and opening cases once (who may read whose log is
tested in test_access.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from worklog.compliance.cases import CaseService
from worklog.compliance.ladder import open_case
from worklog.compliance.reviews import (
    AlreadyReviewed,
    check_verdict,
    evidence_key,
)
from worklog.errors import Forbidden
from worklog.models.cases import CaseKind, CaseState, Subject
from worklog.models.reviews import StoredReview, VerdictIn

# --- verdicts ---------------------------------------------------------------------------------
WEEK = date(2026, 11, 16)
DUE = date(2026, 11, 29)


def review(**changes: Any) -> StoredReview:
    values: dict[str, Any] = {
        "assignment_id": "2026-11-16#c1",
        "reviewer_id": "head",
        "cadre_id": "c1",
        "unit_id": "jyj",
        "week_start": WEEK,
        "week_end": date(2026, 11, 22),
        "due": DUE,
        "assigned_at": "2026-11-23T08:00:00.000+08:00",
    }
    return StoredReview(**{**values, **changes})


ADEQUATE = VerdictIn(verdict="adequate", comment="记录具体")


def test_the_assigned_reviewer_records_a_verdict_on_time() -> None:
    decision = check_verdict(review(), "head", ADEQUATE, DUE)
    assert not decision.replay and not decision.late


def test_someone_elses_assignment_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        check_verdict(review(), "head2", ADEQUATE, DUE)


def test_a_stored_assignment_of_ones_own_log_never_takes_a_verdict() -> None:
    # Given an assignment whose reviewer is the reviewee (bad data, or an old roster's doing)
    own = review(reviewer_id="c1")
    # When the reviewer records a verdict, Then it is refused as self-review
    with pytest.raises(Forbidden) as raised:
        check_verdict(own, "c1", ADEQUATE, DUE)
    assert raised.value.code == "self_review" and "本人" in raised.value.message


def test_a_verdict_after_the_due_date_is_late() -> None:
    assert check_verdict(review(), "head", ADEQUATE, date(2026, 11, 30)).late


def test_an_overdue_review_still_takes_a_verdict_marked_late() -> None:
    overdue = review(status="overdue", overdue_marked_at="2026-11-30T08:00:00.000+08:00")
    decision = check_verdict(overdue, "head", ADEQUATE, date(2026, 12, 1))
    assert not decision.replay and decision.late


def test_a_second_different_verdict_is_a_conflict() -> None:
    done = review(
        status="done", verdict="adequate", comment="记录具体", reviewed_at="2026-11-24T10:00:00+08:00"
    )
    with pytest.raises(AlreadyReviewed) as raised:
        check_verdict(done, "head", VerdictIn(verdict="perfunctory", comment="记录具体"), DUE)
    assert raised.value.status == 409 and raised.value.code == "already_reviewed"


def test_the_same_verdict_sent_again_is_a_replay() -> None:
    done = review(
        status="done", verdict="adequate", comment="记录具体", reviewed_at="2026-11-24T10:00:00+08:00"
    )
    assert check_verdict(done, "head", ADEQUATE, DUE).replay


def test_a_done_review_is_still_forbidden_to_others() -> None:
    done = review(
        status="done", verdict="adequate", comment="记录具体", reviewed_at="2026-11-24T10:00:00+08:00"
    )
    with pytest.raises(Forbidden):
        check_verdict(done, "head2", ADEQUATE, DUE)


@pytest.mark.parametrize(
    "body",
    [
        {"verdict": "good", "comment": "x"},
        {"verdict": "adequate", "comment": "   "},
        {"verdict": "adequate", "comment": "长" * 2001},
        {"verdict": "adequate"},
        {"verdict": "adequate", "comment": "x", "score": 5},
    ],
)
def test_malformed_verdicts_are_rejected(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        VerdictIn.model_validate(body)


def test_a_comment_is_trimmed_and_may_be_2000_characters() -> None:
    assert VerdictIn(verdict="perfunctory", comment=" " + "长" * 2000 + " ").comment == "长" * 2000


def test_a_review_is_cited_by_its_assignment_id() -> None:
    assert evidence_key(review()) == "review:2026-11-16#c1"


# --- opening cases once -----------------------------------------------------------------------
class FakeCases:
    def __init__(self) -> None:
        self.stored: dict[str, Any] = {}

    def open_case(self, case: Any) -> bool:
        if case.case_id in self.stored:
            return False
        self.stored[case.case_id] = case
        return True

    def get_case(self, case_id: str) -> Any:
        return self.stored.get(case_id)

    def save_case(self, case: Any, *, previous_version: int) -> None:
        assert len(self.stored[case.case_id].history) == previous_version
        self.stored[case.case_id] = case

    def cases_of(self, cadre_id: str) -> list[Any]:
        return [c for c in self.stored.values() if c.cadre_id == cadre_id]


class FakeBus:
    def __init__(self) -> None:
        self.published: list[tuple[str, list[dict[str, Any]]]] = []

    def publish(self, detail_type: str, details: Any) -> int:
        self.published.append((detail_type, list(details)))
        return 1


AT = "2026-11-24T10:00:00.000+08:00"


def talk(*evidence: str) -> Any:
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        "c1",
        opened_on=date(2026, 11, 24),
        at=AT,
        reason="原因",
        evidence=evidence,
    )


def desk() -> tuple[CaseService, FakeCases, FakeBus]:
    cases, bus = FakeCases(), FakeBus()
    return CaseService(cases=cases, bus=bus), cases, bus  # type: ignore[arg-type]


def test_a_new_case_is_stored_and_announced() -> None:
    d, cases, bus = desk()
    assert d.open(talk("review:a"), AT) == ("RT-LOG-c1-2026-11-24", True)
    assert list(cases.stored) == ["RT-LOG-c1-2026-11-24"]
    assert [t for t, _ in bus.published] == ["ReminderTalkOpened"]
    assert bus.published[0][1][0]["evidence"] == ["review:a"]


def test_the_same_case_again_is_neither_stored_nor_announced_twice() -> None:
    d, cases, bus = desk()
    d.open(talk("review:a"), AT)
    assert d.open(talk("review:a"), AT) == ("RT-LOG-c1-2026-11-24", False)
    assert len(bus.published) == 1 and len(cases.stored["RT-LOG-c1-2026-11-24"].history) == 1


def test_a_case_of_the_same_day_takes_new_evidence_instead() -> None:
    d, cases, bus = desk()
    d.open(talk("miss:c1/entry/2026-11-20"), AT)
    d.open(talk("review:a"), AT)
    stored = cases.stored["RT-LOG-c1-2026-11-24"]
    assert stored.evidence == ["miss:c1/entry/2026-11-20", "review:a"]
    assert stored.history[-1].action == "evidence_added" and len(bus.published) == 1


def test_a_closed_case_of_the_same_day_is_left_alone() -> None:
    d, cases, _ = desk()
    d.open(talk("miss:c1/entry/2026-11-20"), AT)
    closed = cases.stored["RT-LOG-c1-2026-11-24"].model_copy(update={"state": CaseState.CLOSED})
    cases.stored[closed.case_id] = closed
    assert d.open(talk("review:a"), AT) == (None, False)
    assert cases.stored[closed.case_id].evidence == ["miss:c1/entry/2026-11-20"]


def test_evidence_behind_cases_is_known_by_kind_and_subject() -> None:
    d, _, _ = desk()
    d.open(talk("review:a", "review:b"), AT)
    logging = d.cases_about("c1", CaseKind.REMINDER_TALK, Subject.LOGGING)
    assert d.citing(logging) == {"review:a": "RT-LOG-c1-2026-11-24", "review:b": "RT-LOG-c1-2026-11-24"}
    assert d.cases_about("c1", CaseKind.REMINDER_TALK, Subject.REVIEWING) == []


def test_a_talk_in_progress_takes_the_evidence_of_a_new_one() -> None:
    d, cases, bus = desk()
    d.open(talk("miss:c1/entry/2026-11-20"), AT)
    later = open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        "c1",
        opened_on=date(2026, 12, 8),
        at=AT,
        reason="原因",
        evidence=["review:a", "review:b"],
    )
    known = d.cases_about("c1", CaseKind.REMINDER_TALK, Subject.LOGGING)

    assert d.open(later, AT, known) == ("RT-LOG-c1-2026-11-24", False)
    assert list(cases.stored) == ["RT-LOG-c1-2026-11-24"] and len(bus.published) == 1
    assert cases.stored["RT-LOG-c1-2026-11-24"].evidence == [
        "miss:c1/entry/2026-11-20",
        "review:a",
        "review:b",
    ]


def test_after_a_talk_is_closed_a_new_one_opens() -> None:
    d, cases, bus = desk()
    d.open(talk("miss:c1/entry/2026-11-20"), AT)
    first = cases.stored["RT-LOG-c1-2026-11-24"]
    cases.stored[first.case_id] = first.model_copy(update={"state": CaseState.CLOSED})
    later = open_case(
        CaseKind.REMINDER_TALK, Subject.LOGGING, "c1", opened_on=date(2026, 12, 8), at=AT, reason="原因"
    )

    known = d.cases_about("c1", CaseKind.REMINDER_TALK, Subject.LOGGING)
    assert d.open(later, AT, known) == ("RT-LOG-c1-2026-12-08", True)
    assert len(bus.published) == 2
