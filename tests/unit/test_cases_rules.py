"""Who may see and act on a case, and what each move writes: the cases use cases over in-memory fakes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pytest

from worklog.access import holds_case
from worklog.auth.principals import Principal
from worklog.clock import SHANGHAI, FixedClock
from worklog.compliance import cases
from worklog.compliance.cases import CaseService
from worklog.compliance.ladder import InvalidTransition, open_case
from worklog.errors import Conflict, Forbidden, NotFound, ValidationFailed
from worklog.models.cases import Case, CaseKind, CaseState, Subject, TalkIn
from worklog.models.roster import Cadre

NOW = FixedClock(datetime(2026, 11, 20, 18, 0, tzinfo=SHANGHAI))
OPENED_AT = "2026-11-18T02:00:00.000+08:00"


class FakeCases:
    """Same contract as ComplianceRepository's case methods, including the version condition."""

    def __init__(self, *stored: Case) -> None:
        self.cases: dict[str, Case] = {c.case_id: c for c in stored}
        self.saves = 0

    def open_case(self, case: Case) -> bool:
        if case.case_id in self.cases:
            return False
        self.cases[case.case_id] = case
        return True

    def get_case(self, case_id: str) -> Case | None:
        return self.cases.get(case_id)

    def save_case(self, case: Case, *, previous_version: int) -> None:
        if len(self.cases[case.case_id].history) != previous_version:
            raise Conflict("moved", code="concurrent_update")
        self.cases[case.case_id] = case
        self.saves += 1

    def cases_owned_by(self, role: str, unit_id: str | None = None) -> list[Case]:
        return [
            c
            for c in self.cases.values()
            if c.owner_role == role and (c.owner_unit_id or "*") == (unit_id or "*")
        ]

    def cases_of(self, cadre_id: str) -> list[Case]:
        return [c for c in self.cases.values() if c.cadre_id == cadre_id]


class FakeBus:
    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int:
        if self.down:
            raise RuntimeError("bus unavailable")
        self.events.extend((detail_type, dict(d)) for d in details)
        return 1


def service(store: FakeCases, bus: FakeBus | None = None) -> CaseService:
    """The use cases over the fakes, on the server clock of NOW."""
    return CaseService(cases=store, bus=bus or FakeBus(), clock=NOW)


def person(cadre_id: str, unit_id: str, *roles: str) -> Principal:
    cadre = Cadre.model_validate(
        {"cadre_id": cadre_id, "name": "测试", "unit_id": unit_id, "roles": ["cadre", *roles]}
    )
    return Principal(cadre_id, cadre.name, unit_id, "", frozenset(cadre.roles), cadre)


PEOPLE = {
    "head_of_jyj": person("h01", "jyj", "unit_head"),
    "head_of_zzb": person("h02", "zzb", "unit_head"),
    "district_leader": person("d01", "qw", "district_leader"),
    "discipline_inspector": person("j01", "jw", "discipline_inspector"),
    "org_inspector": person("o01", "zzb", "org_inspector"),
    "subject": person("c0001", "jyj"),
    "colleague": person("c0005", "jyj"),
    "admin": person("a01", "zzb", "admin"),
}


def talk_case(cadre_id: str = "c0001", opened_on: date = date(2026, 11, 18), unit: str = "jyj") -> Case:
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.LOGGING,
        cadre_id,
        opened_on=opened_on,
        at=f"{opened_on.isoformat()}T02:00:00.000+08:00",
        reason="近10个工作日内3次未按时填写",
        evidence=[f"{cadre_id}/entry/2026-11-16", f"{cadre_id}/entry/2026-11-17"],
        owner_unit_id=unit,
    )


def reviewer_case() -> Case:
    return open_case(
        CaseKind.REMINDER_TALK,
        Subject.REVIEWING,
        "h01",
        opened_on=date(2026, 11, 16),
        at=OPENED_AT,
        reason="审阅逾期",
    )


def accountability_case(cadre_id: str = "c0001") -> Case:
    return open_case(
        CaseKind.ACCOUNTABILITY,
        Subject.LOGGING,
        cadre_id,
        opened_on=date(2026, 11, 19),
        at=OPENED_AT,
        reason="涉嫌造假",
    )


# --- who may act, who may see ------------------------------------------------------------------

MAY_ACT = {
    "unit_talk": {"head_of_jyj"},
    "reviewer_talk": {"district_leader"},
    "accountability": {"discipline_inspector", "org_inspector"},
}
CASES = {"unit_talk": talk_case, "reviewer_talk": reviewer_case, "accountability": accountability_case}


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_only_the_holders_act_and_only_they_and_the_subject_see(kind: str, who: str) -> None:
    case = CASES[kind]()
    principal = PEOPLE[who]
    assert cases.may_act(principal, case) == (who in MAY_ACT[kind])
    about_them = principal.cadre_id == case.cadre_id
    assert cases.may_see(principal, case) == (who in MAY_ACT[kind] or about_them)


def test_the_head_of_a_unit_holds_only_their_own_units_talks() -> None:
    assert cases.may_act(PEOPLE["head_of_jyj"], talk_case(unit="jyj"))
    assert not cases.may_see(PEOPLE["head_of_jyj"], talk_case(unit="zzb"))
    assert not cases.may_see(PEOPLE["head_of_zzb"], talk_case(unit="jyj"))


def test_a_holder_never_acts_on_a_case_about_themselves() -> None:
    org_inspector = PEOPLE["org_inspector"]
    own = accountability_case(cadre_id=org_inspector.cadre_id)
    assert holds_case(org_inspector, own) and cases.may_see(org_inspector, own)
    assert not cases.may_act(org_inspector, own)


# --- listing -----------------------------------------------------------------------------------


def test_a_unit_head_lists_their_units_cases_and_cases_about_them_newest_first() -> None:
    about_head = accountability_case(cadre_id="h01")
    older = talk_case("c0001", date(2026, 11, 10))
    newer = talk_case("c0005", date(2026, 11, 18))
    store = FakeCases(older, newer, talk_case("z0001", unit="zzb"), about_head, reviewer_case())
    listed = service(store).list_cases(PEOPLE["head_of_jyj"])
    assert [c.case_id for c in listed] == [
        about_head.case_id,
        newer.case_id,
        reviewer_case().case_id,
        older.case_id,
    ]


def test_an_inspector_of_both_kinds_sees_each_accountability_case_once() -> None:
    both = person("x01", "jw", "discipline_inspector", "org_inspector")
    store = FakeCases(accountability_case("c0001"), accountability_case("c0005"), talk_case())
    assert [c.cadre_id for c in service(store).list_cases(both)] == ["c0005", "c0001"]


def test_the_list_narrows_by_state_and_by_role() -> None:
    head = PEOPLE["head_of_jyj"]
    closed = service(FakeCases(talk_case("c0005"))).close_case(head, "RT-LOG-c0005-2026-11-18", "已整改")
    store = FakeCases(talk_case("c0001"), closed, accountability_case("h01"))
    assert [c.cadre_id for c in service(store).list_cases(head, state=CaseState.CLOSED)] == ["c0005"]
    assert {c.cadre_id for c in service(store).list_cases(head, role="unit_head")} == {"c0001", "c0005"}
    assert [c.cadre_id for c in service(store).list_cases(head, role="cadre")] == ["h01"]


def test_narrowing_to_a_role_one_does_not_have_is_403() -> None:
    with pytest.raises(Forbidden):
        service(FakeCases()).list_cases(PEOPLE["head_of_jyj"], role="district_leader")


def test_a_cadre_with_no_cases_lists_nothing() -> None:
    assert service(FakeCases(talk_case(), accountability_case())).list_cases(PEOPLE["colleague"]) == []


# --- reading and acting ------------------------------------------------------------------------


def test_an_unknown_case_is_404_and_a_strangers_case_is_403() -> None:
    store = FakeCases(talk_case())
    with pytest.raises(NotFound):
        service(store).get_case(PEOPLE["head_of_jyj"], "RT-LOG-c9999-2026-11-18")
    with pytest.raises(Forbidden) as raised:
        service(store).get_case(PEOPLE["head_of_zzb"], talk_case().case_id)
    assert raised.value.code == "case_forbidden"


TALK = TalkIn(talk_date=date(2026, 11, 20), said="要求按时填写工作日志", response="接受批评，立即补填")


def test_the_holder_records_a_talk_stamped_with_the_server_clock() -> None:
    store = FakeCases(talk_case())
    talked = service(store).record_talk(PEOPLE["head_of_jyj"], talk_case().case_id, TALK)
    assert talked.state is CaseState.TALK_RECORDED
    last = talked.history[-1]
    assert (last.by, last.at) == ("h01", "2026-11-20T18:00:00.000+08:00")
    assert last.details["said"] == "要求按时填写工作日志"
    assert store.get_case(talked.case_id) == talked


def test_the_subject_may_not_act_on_their_case() -> None:
    store = FakeCases(talk_case())
    for move in (
        lambda: service(store).record_talk(PEOPLE["subject"], talk_case().case_id, TALK),
        lambda: service(store).close_case(PEOPLE["subject"], talk_case().case_id, "自行办结"),
        lambda: service(store, FakeBus()).escalate_case(PEOPLE["subject"], talk_case().case_id, "升级"),
    ):
        with pytest.raises(Forbidden) as raised:
            move()
        assert raised.value.code == "own_case"
    assert store.saves == 0


def test_a_talk_dated_in_the_future_is_rejected_and_writes_nothing() -> None:
    store = FakeCases(talk_case())
    future = TalkIn(talk_date=date(2026, 11, 21), said="谈话", response="")
    with pytest.raises(ValidationFailed):
        service(store).record_talk(PEOPLE["head_of_jyj"], talk_case().case_id, future)
    assert store.saves == 0


def test_a_move_on_a_case_someone_else_moved_meanwhile_is_a_conflict() -> None:
    class MovedMeanwhile(FakeCases):
        def get_case(self, case_id: str) -> Case | None:
            read = super().get_case(case_id)
            if read is not None:  # another owner closes it between our read and our save
                self.cases[case_id] = cases.ladder.close(read, at=OPENED_AT, by="h09", reason="已整改")
            return read

    store = MovedMeanwhile(talk_case())
    with pytest.raises(Conflict) as raised:
        service(store).record_talk(PEOPLE["head_of_jyj"], talk_case().case_id, TALK)
    assert raised.value.status == 409 and store.cases[talk_case().case_id].state is CaseState.CLOSED


def test_inspectors_close_accountability_cases_and_unit_heads_cannot() -> None:
    store = FakeCases(accountability_case())
    with pytest.raises(Forbidden):
        service(store).close_case(PEOPLE["head_of_jyj"], accountability_case().case_id, "办结")
    closed = service(store).close_case(PEOPLE["org_inspector"], accountability_case().case_id, " 已问责 ")
    assert closed.state is CaseState.CLOSED and closed.history[-1].note == "已问责"


# --- escalation --------------------------------------------------------------------------------


def test_escalation_opens_an_accountability_case_with_the_evidence_and_announces_it() -> None:
    store, bus = FakeCases(talk_case()), FakeBus()
    done = service(store, bus).escalate_case(PEOPLE["head_of_jyj"], talk_case().case_id, "谈话后仍多次缺报")
    assert done.case.state is CaseState.ESCALATED and done.published
    opened = done.opened
    assert opened.case_id == "AC-LOG-c0001-2026-11-20"
    assert (opened.kind, opened.owner_role, opened.owner_unit_id) == (
        CaseKind.ACCOUNTABILITY,
        "discipline_inspector",
        None,
    )
    assert opened.evidence == [*talk_case().evidence, f"CASE#{talk_case().case_id}"]
    assert talk_case().case_id in opened.reason and "谈话后仍多次缺报" in opened.reason
    assert opened.history[0].by == "h01"
    assert store.get_case(opened.case_id) == opened
    assert store.get_case(talk_case().case_id) == done.case
    [(detail_type, detail)] = bus.events
    assert detail_type == "AccountabilityCaseOpened"
    assert detail["case_id"] == opened.case_id and detail["escalated_from"] == talk_case().case_id
    assert detail["cadre_id"] == "c0001" and detail["escalated_by"] == "h01"


def test_escalation_joins_an_accountability_case_opened_the_same_day() -> None:
    same_day = open_case(
        CaseKind.ACCOUNTABILITY,
        Subject.LOGGING,
        "c0001",
        opened_on=date(2026, 11, 20),
        at=OPENED_AT,
        reason="审阅发现涉嫌造假",
    )
    store = FakeCases(talk_case(), same_day)
    done = service(store, FakeBus()).escalate_case(PEOPLE["head_of_jyj"], talk_case().case_id, "升级")
    assert done.opened.case_id == same_day.case_id and done.opened.reason == "审阅发现涉嫌造假"
    assert [e.action for e in done.opened.history] == ["opened", "evidence_added"]
    assert f"CASE#{talk_case().case_id}" in done.opened.evidence
    assert len(store.cases) == 2


def test_an_escalation_retried_after_a_failure_completes_without_a_second_case() -> None:
    class FailsOnce(FakeCases):
        failed = False

        def save_case(self, case: Case, *, previous_version: int) -> None:
            if case.kind is CaseKind.REMINDER_TALK and not self.failed:
                self.failed = True
                raise RuntimeError("lost connection")
            super().save_case(case, previous_version=previous_version)

    store, bus = FailsOnce(talk_case()), FakeBus()
    with pytest.raises(RuntimeError):
        service(store, bus).escalate_case(PEOPLE["head_of_jyj"], talk_case().case_id, "升级")
    done = service(store, bus).escalate_case(PEOPLE["head_of_jyj"], talk_case().case_id, "升级")
    assert done.case.state is CaseState.ESCALATED
    assert [e.action for e in done.opened.history] == ["opened"]
    assert len(store.cases) == 2 and len(bus.events) == 1


def test_an_escalation_stands_when_the_bus_is_down() -> None:
    store = FakeCases(talk_case())
    done = service(store, FakeBus(down=True)).escalate_case(
        PEOPLE["head_of_jyj"], talk_case().case_id, "升级"
    )
    assert not done.published
    assert store.get_case(talk_case().case_id).state is CaseState.ESCALATED  # type: ignore[union-attr]


def test_an_accountability_case_cannot_be_escalated_and_nothing_is_written() -> None:
    store, bus = FakeCases(accountability_case()), FakeBus()
    with pytest.raises(InvalidTransition):
        service(store, bus).escalate_case(
            PEOPLE["discipline_inspector"], accountability_case().case_id, "再升级"
        )
    assert len(store.cases) == 1 and store.saves == 0 and bus.events == []


def test_a_reviewers_case_is_escalated_by_a_district_leader() -> None:
    store = FakeCases(reviewer_case())
    done = service(store, FakeBus()).escalate_case(PEOPLE["district_leader"], reviewer_case().case_id, "升级")
    assert done.opened.case_id == "AC-REV-h01-2026-11-20" and done.opened.subject is Subject.REVIEWING
