"""The access table (worklog.access): who may read whose log, on which days, for what purpose, and
through which door; nobody acts on themselves. Pure: no AWS. Every cell is also exercised through
the HTTP handlers in tests/integration/test_access_table.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from worklog.access import (
    READ_RULES,
    SELF_REFUSALS,
    Access,
    Act,
    Door,
    ReadFacts,
    days_between,
    is_unit_head,
    read_access,
    read_table,
    readable,
    refuse_self,
    week_days,
)
from worklog.auth.principals import Principal
from worklog.errors import Forbidden
from worklog.models.roster import Cadre, Role, Unit

BUREAU = Unit(unit_id="jyj", name="区教育局", head_id="head")
LEADERS = Unit(unit_id="lead", name="区领导", head_id="sec")
TODAY = date(2026, 11, 24)
WEEK = date(2026, 11, 16)
NOVEMBER = days_between(date(2026, 11, 1), date(2026, 11, 20))


def cadre(cadre_id: str, unit_id: str = "jyj", *roles: Role, left_on: date | None = None) -> Cadre:
    return Cadre(
        cadre_id=cadre_id, name=f"干部{cadre_id}", unit_id=unit_id, roles=["cadre", *roles], left_on=left_on
    )


def principal(person: Cadre) -> Principal:
    return Principal(
        person.cadre_id, person.name, person.unit_id, person.title, frozenset(person.roles), person
    )


PLAIN = cadre("c1")
COLLEAGUE = cadre("c2")
DEPARTED = cadre("c3", left_on=date(2026, 10, 31))
HEAD = cadre("head", "jyj", "unit_head")
OTHER_HEAD = cadre("head2", "wjw", "unit_head")
LEADER = cadre("l1", "lead", "district_leader")
SECRETARY = cadre("sec", "lead", "district_leader", "unit_head")
ORG = cadre("o1", "zzb", "org_inspector")
DISCIPLINE = cadre("k1", "jwj", "discipline_inspector")
HR = cadre("h1", "rsj", "hr_evaluator")
ADMIN = cadre("a1", "zzb", "admin")


def facts(
    reader: Cadre,
    subject: Cadre,
    unit: Unit | None = BUREAU,
    *,
    days: frozenset[date] = NOVEMBER,
    review_weeks: frozenset[date] = frozenset(),
    sampled_days: frozenset[date] | None = None,
    vetting: bool = False,
) -> ReadFacts:
    return ReadFacts(
        reader=principal(reader),
        subject_id=subject.cadre_id,
        days=days,
        on=TODAY,
        subject=subject,
        subject_unit=unit,
        review_weeks=review_weeks,
        sampled_days=sampled_days,
        vetting=vetting,
    )


def entries(
    reader: Cadre,
    subject: Cadre,
    unit: Unit | None = BUREAU,
    *,
    days: frozenset[date] = NOVEMBER,
    review_weeks: frozenset[date] = frozenset(),
    vetting: bool = False,
) -> Access:
    f = facts(reader, subject, unit, days=days, review_weeks=review_weeks, vetting=vetting)
    return read_access(Door.CADRE_ENTRIES, f)


def refused(door: Door, f: ReadFacts) -> Forbidden:
    with pytest.raises(Forbidden) as raised:
        read_access(door, f)
    return raised.value


# --- GET /cadres/{id}/entries -----------------------------------------------------------------
def test_reading_ones_own_log_is_allowed_on_any_day_and_named_own() -> None:
    assert entries(PLAIN, PLAIN) == "own"


def test_a_plain_cadre_may_not_read_a_colleague_or_their_unit_head() -> None:
    assert refused(Door.CADRE_ENTRIES, facts(COLLEAGUE, PLAIN)).code == "read_forbidden"
    assert refused(Door.CADRE_ENTRIES, facts(PLAIN, HEAD)).code == "read_forbidden"


def test_the_assigned_reviewer_reads_the_days_of_their_week() -> None:
    assert entries(LEADER, PLAIN, days=week_days(WEEK), review_weeks=frozenset({WEEK})) == "review"


def test_the_assigned_reviewer_reads_several_assigned_weeks_at_once() -> None:
    two = frozenset({date(2026, 11, 9), WEEK})
    span = days_between(date(2026, 11, 9), date(2026, 11, 22))
    assert entries(LEADER, PLAIN, days=span, review_weeks=two) == "review"


def test_a_reviewer_may_not_read_beyond_the_weeks_assigned_to_them() -> None:
    # Given one assigned week, When the reviewer asks for a range that only overlaps it
    error = refused(Door.CADRE_ENTRIES, facts(LEADER, PLAIN, review_weeks=frozenset({WEEK})))
    # Then it is refused, and the message names the weeks they may read
    assert error.code == "read_forbidden" and "2026-11-16至2026-11-22" in error.message


def test_review_is_the_purpose_even_when_the_reviewer_also_heads_the_unit() -> None:
    assert entries(HEAD, PLAIN, days=week_days(WEEK), review_weeks=frozenset({WEEK})) == "review"


def test_a_unit_head_reads_beyond_the_review_week_as_unit_head() -> None:
    assert entries(HEAD, PLAIN, review_weeks=frozenset({WEEK})) == "unit_head"


def test_the_unit_head_reads_current_members_of_their_unit() -> None:
    assert entries(HEAD, PLAIN) == "unit_head"


def test_the_unit_head_may_not_read_a_member_who_has_left() -> None:
    assert refused(Door.CADRE_ENTRIES, facts(HEAD, DEPARTED)).code == "read_forbidden"


def test_the_head_of_another_unit_may_not_read() -> None:
    assert refused(Door.CADRE_ENTRIES, facts(OTHER_HEAD, PLAIN)).code == "read_forbidden"


def test_the_units_named_head_decides_over_a_unit_head_role() -> None:
    deputy_with_role = cadre("dep", "jyj", "unit_head")
    assert refused(Door.CADRE_ENTRIES, facts(deputy_with_role, PLAIN)).code == "read_forbidden"


def test_without_a_named_head_a_unit_head_of_the_same_unit_reads() -> None:
    assert entries(HEAD, PLAIN, Unit(unit_id="jyj", name="区教育局")) == "unit_head"


def test_district_leaders_read_unit_heads_in_post() -> None:
    assert entries(LEADER, HEAD) == "district_leader"


def test_a_unit_head_is_known_by_the_unit_even_without_the_role() -> None:
    named_only = cadre("head")  # the unit names them head; the roster row lacks the role
    assert is_unit_head(named_only, BUREAU)
    assert entries(LEADER, named_only) == "district_leader"


def test_district_leaders_do_not_read_plain_cadres_or_departed_heads() -> None:
    assert refused(Door.CADRE_ENTRIES, facts(LEADER, PLAIN)).code == "read_forbidden"
    gone = cadre("head", "jyj", "unit_head", left_on=date(2026, 11, 1))
    assert refused(Door.CADRE_ENTRIES, facts(LEADER, gone)).code == "read_forbidden"


def test_the_secretary_heads_the_leaders_unit_and_reads_the_leaders() -> None:
    assert entries(SECRETARY, LEADER, LEADERS) == "unit_head"


def test_the_org_dept_reads_a_candidate_under_an_open_vetting_notice() -> None:
    assert entries(ORG, PLAIN, vetting=True) == "vetting"


def test_the_org_dept_reads_nobody_without_an_open_notice() -> None:
    error = refused(Door.CADRE_ENTRIES, facts(ORG, PLAIN))
    assert error.code == "read_forbidden" and "公示" in error.message


@pytest.mark.parametrize("reader", [DISCIPLINE, HR, ADMIN, COLLEAGUE], ids=lambda c: c.roles[-1])
def test_only_the_org_dept_reads_for_vetting(reader: Cadre) -> None:
    assert refused(Door.CADRE_ENTRIES, facts(reader, PLAIN, vetting=True)).code == "read_forbidden"


@pytest.mark.parametrize("reader", [ORG, DISCIPLINE], ids=["org", "discipline"])
def test_inspectors_read_no_log_through_the_cadre_door_even_when_sampled(reader: Cadre) -> None:
    sampled = frozenset({date(2026, 11, 18)})
    f = facts(reader, PLAIN, days=sampled, sampled_days=sampled)
    assert refused(Door.CADRE_ENTRIES, f).code == "read_forbidden"


def test_hr_evaluators_read_no_log_text_and_are_told_why() -> None:
    error = refused(Door.CADRE_ENTRIES, facts(HR, PLAIN))
    assert error.code == "read_forbidden" and "考评表" in error.message


def test_an_admin_is_not_a_reader_of_logs() -> None:
    assert refused(Door.CADRE_ENTRIES, facts(ADMIN, PLAIN)).code == "read_forbidden"


# --- GET /reviews/{week}/{cadre} --------------------------------------------------------------
def test_the_review_door_serves_the_assigned_week_for_review() -> None:
    f = facts(HEAD, PLAIN, days=week_days(WEEK), review_weeks=frozenset({WEEK}))
    assert read_access(Door.REVIEW, f) == "review"


def test_the_review_door_refuses_ones_own_week_even_if_assigned() -> None:
    f = facts(HEAD, HEAD, days=week_days(WEEK), review_weeks=frozenset({WEEK}))
    assert refused(Door.REVIEW, f).code == "self_review"


def test_the_review_door_refuses_a_week_not_assigned_to_the_reader() -> None:
    assert refused(Door.REVIEW, facts(HEAD, PLAIN, days=week_days(WEEK))).code == "not_your_review"


# --- GET /audits/{round}/cadres/{cadre}/entries -----------------------------------------------
SAMPLE = frozenset({date(2026, 11, 18), date(2026, 11, 19)})


@pytest.mark.parametrize("reader", [ORG, DISCIPLINE], ids=["org", "discipline"])
def test_an_assigned_inspector_reads_the_sampled_days(reader: Cadre) -> None:
    assert read_access(Door.AUDIT, facts(reader, PLAIN, days=SAMPLE, sampled_days=SAMPLE)) == "inspector"


def test_an_inspector_reads_no_day_outside_the_sample() -> None:
    f = facts(DISCIPLINE, PLAIN, days=SAMPLE | {date(2026, 11, 20)}, sampled_days=SAMPLE)
    assert refused(Door.AUDIT, f).code == "not_assigned"


def test_an_inspector_without_an_assignment_reads_nothing() -> None:
    assert refused(Door.AUDIT, facts(DISCIPLINE, PLAIN, days=SAMPLE)).code == "not_assigned"


@pytest.mark.parametrize("reader", [HR, ADMIN, HEAD], ids=["hr", "admin", "unit_head"])
def test_an_assignment_is_no_key_for_someone_who_is_not_an_inspector(reader: Cadre) -> None:
    assert refused(Door.AUDIT, facts(reader, PLAIN, days=SAMPLE, sampled_days=SAMPLE)).code == "not_assigned"


def test_an_inspector_never_reads_their_own_log_as_sampled() -> None:
    f = facts(DISCIPLINE, DISCIPLINE, days=SAMPLE, sampled_days=SAMPLE)
    assert refused(Door.AUDIT, f).code == "self_inspection"


# --- nobody acts on themselves ------------------------------------------------------------------
@pytest.mark.parametrize("act", list(Act))
def test_every_act_on_oneself_is_refused_with_its_own_code(act: Act) -> None:
    with pytest.raises(Forbidden) as raised:
        refuse_self(act, "c1", "c1")
    assert raised.value.status == 403 and raised.value.code == SELF_REFUSALS[act][0]
    assert "本人" in raised.value.message
    refuse_self(act, "c1", "c2")  # on someone else: no objection from this rule


def test_every_self_refusal_has_a_distinct_code() -> None:
    codes = [code for code, _ in SELF_REFUSALS.values()]
    assert len(set(codes)) == len(codes) == len(Act)


# --- the unit export: the same rows, cadre by cadre ------------------------------------------------
@pytest.mark.parametrize(
    ("reader", "subject", "unit", "vetting", "purpose"),
    [
        (HEAD, PLAIN, BUREAU, False, "unit_head"),
        (HEAD, HEAD, BUREAU, False, "own"),
        (HEAD, DEPARTED, BUREAU, False, None),
        (OTHER_HEAD, PLAIN, BUREAU, False, None),
        (LEADER, HEAD, BUREAU, False, "district_leader"),
        (LEADER, PLAIN, BUREAU, False, None),
        (ORG, PLAIN, BUREAU, True, "vetting"),
        (ORG, PLAIN, BUREAU, False, None),
        (DISCIPLINE, PLAIN, BUREAU, False, None),
        (HR, PLAIN, BUREAU, False, None),
        (ADMIN, PLAIN, BUREAU, False, None),
        (COLLEAGUE, PLAIN, BUREAU, False, None),
    ],
)
def test_the_unit_export_reads_each_cadre_as_the_cadre_door_would(
    reader: Cadre, subject: Cadre, unit: Unit, vetting: bool, purpose: str | None
) -> None:
    f = facts(reader, subject, unit, vetting=vetting)

    assert readable(Door.UNIT_EXPORT, f) == purpose
    if purpose is None:
        refused(Door.CADRE_ENTRIES, f)
    else:
        assert read_access(Door.CADRE_ENTRIES, f) == purpose


def test_a_reviewers_weeks_open_no_unit_export() -> None:
    f = facts(LEADER, PLAIN, review_weeks=frozenset({WEEK}), days=week_days(WEEK))

    assert read_access(Door.CADRE_ENTRIES, f) == "review"
    assert readable(Door.UNIT_EXPORT, f) is None


# --- the table in the docs ------------------------------------------------------------------------
def test_the_docs_show_the_table_the_code_applies() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "access.md").read_text(encoding="utf-8")
    assert read_table() in docs


def test_every_rule_has_a_distinct_key() -> None:
    keys = [r.key for r in READ_RULES]
    assert len(set(keys)) == len(keys)
