"""Weekly review assignment: unit heads read their cadres' logs, district leaders read the heads'."""

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worklog.compliance.assignment import Assignment, assign_week, unit_reviewer, week_of
from worklog.models.roster import Cadre, Role, Unit

MONDAY = date(2026, 11, 16)
NEXT_MONDAY = MONDAY + timedelta(days=7)


def person(
    cadre_id: str,
    unit_id: str,
    *roles: Role,
    joined_on: date | None = None,
    left_on: date | None = None,
) -> Cadre:
    return Cadre(
        cadre_id=cadre_id,
        name=f"干部{cadre_id}",
        unit_id=unit_id,
        roles=["cadre", *roles],
        joined_on=joined_on,
        left_on=left_on,
    )


def unit(unit_id: str, head_id: str | None) -> Unit:
    return Unit(unit_id=unit_id, name=f"单位{unit_id}", head_id=head_id)


def district() -> tuple[list[Cadre], dict[str, Unit]]:
    """Three bureaus with a head and two cadres each; a leaders' unit: the secretary and 3 leaders."""
    cadres = [person("sec", "lead", "district_leader", "unit_head")]
    cadres += [person(f"l{n}", "lead", "district_leader") for n in (1, 2, 3)]
    units = {"lead": unit("lead", "sec")}
    for b in ("a", "b", "c"):
        cadres.append(person(f"h{b}", b, "unit_head"))
        cadres += [person(f"{b}{n}", b) for n in (1, 2)]
        units[b] = unit(b, f"h{b}")
    return cadres, units


def reviewers(assignments: Sequence[Assignment]) -> dict[str, str]:
    return {a.cadre_id: a.reviewer_id for a in assignments}


def test_a_week_runs_monday_to_sunday() -> None:
    assert week_of(date(2026, 11, 20)) == (MONDAY, date(2026, 11, 22))
    assert week_of(MONDAY) == (MONDAY, date(2026, 11, 22))
    assert week_of(date(2026, 11, 22)) == (MONDAY, date(2026, 11, 22))


def test_a_review_week_must_start_on_a_monday() -> None:
    cadres, units = district()
    with pytest.raises(ValueError):
        assign_week(date(2026, 11, 17), cadres, units)


def test_cadres_are_reviewed_by_the_head_of_their_unit() -> None:
    cadres, units = district()
    assignments, problems = assign_week(MONDAY, cadres, units)
    got = reviewers(assignments)
    assert problems == []
    assert (got["a1"], got["a2"], got["b1"], got["c2"]) == ("ha", "ha", "hb", "hc")


def test_district_leaders_are_reviewed_by_the_secretary_and_the_secretary_by_another_leader() -> None:
    cadres, units = district()
    got = reviewers(assign_week(MONDAY, cadres, units)[0])
    assert (got["l1"], got["l2"], got["l3"]) == ("sec", "sec", "sec")
    assert got["sec"] in {"l1", "l2", "l3"}


def test_every_active_cadre_gets_exactly_one_reviewer() -> None:
    cadres, units = district()
    assignments, _ = assign_week(MONDAY, cadres, units)
    assert sorted(a.cadre_id for a in assignments) == sorted(c.cadre_id for c in cadres)


def test_unit_heads_go_to_district_leaders_balanced_within_one() -> None:
    cadres, units = district()
    got = reviewers(assign_week(MONDAY, cadres, units)[0])
    heads = ["ha", "hb", "hc", "sec"]
    load = Counter(got[h] for h in heads)
    assert set(load) <= {"sec", "l1", "l2", "l3"}
    counts = [load[leader] for leader in ("sec", "l1", "l2", "l3")]
    assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("weeks", range(6))
def test_leaders_who_head_bureaus_review_each_other_one_each(weeks: int) -> None:
    # Given three district leaders who each head a bureau (dealt round-robin, someone draws their own log)
    cadres = [person(f"l{n}", f"u{n}", "district_leader", "unit_head") for n in (1, 2, 3)]
    units = {f"u{n}": unit(f"u{n}", f"l{n}") for n in (1, 2, 3)}
    # When the week is assigned
    got = reviewers(assign_week(MONDAY + timedelta(weeks=weeks), cadres, units)[0])
    # Then nobody reviews themselves and each leader reviews exactly one other
    assert all(reviewer != cadre_id for cadre_id, reviewer in got.items())
    assert sorted(got.values()) == ["l1", "l2", "l3"]


def test_the_assignment_carries_the_week_and_is_due_the_following_sunday() -> None:
    cadres, units = district()
    a = next(a for a in assign_week(MONDAY, cadres, units)[0] if a.cadre_id == "a1")
    assert a == Assignment("2026-11-16#a1", "ha", "a1", "a", MONDAY, date(2026, 11, 22), date(2026, 11, 29))


def test_same_inputs_give_the_same_output() -> None:
    cadres, units = district()
    assert assign_week(MONDAY, cadres, units) == assign_week(MONDAY, list(reversed(cadres)), units)


def test_the_leaders_rotation_moves_with_the_week() -> None:
    cadres, units = district()
    heads = ["ha", "hb", "hc", "sec"]
    weeks = [MONDAY + timedelta(weeks=n) for n in range(4)]
    rotations = [tuple(reviewers(assign_week(w, cadres, units)[0])[h] for h in heads) for w in weeks]
    assert len(set(rotations)) == 4


def test_a_seed_shifts_the_rotation_reproducibly() -> None:
    cadres, units = district()
    seeded = [assign_week(MONDAY + timedelta(weeks=n), cadres, units, seed="区2026") for n in range(4)]
    assert seeded[0] == assign_week(MONDAY, cadres, units, seed="区2026")
    plain = [assign_week(MONDAY + timedelta(weeks=n), cadres, units) for n in range(4)]
    assert seeded != plain


def test_a_cadre_who_left_before_the_week_is_not_assigned() -> None:
    cadres, units = district()
    cadres.append(person("a3", "a", left_on=MONDAY - timedelta(days=1)))
    assert "a3" not in reviewers(assign_week(MONDAY, cadres, units)[0])


def test_a_cadre_who_left_mid_week_is_still_reviewed_for_that_week() -> None:
    cadres, units = district()
    cadres.append(person("a3", "a", left_on=MONDAY + timedelta(days=2)))
    assert reviewers(assign_week(MONDAY, cadres, units)[0])["a3"] == "ha"


def test_a_cadre_who_joins_on_sunday_is_reviewed_for_that_week() -> None:
    cadres, units = district()
    cadres.append(person("a3", "a", joined_on=date(2026, 11, 22)))
    assert reviewers(assign_week(MONDAY, cadres, units)[0])["a3"] == "ha"


def test_cadres_whose_head_has_left_go_to_the_district_leaders() -> None:
    cadres, units = district()
    cadres = [
        person("ha", "a", "unit_head", left_on=date(2026, 11, 20)) if c.cadre_id == "ha" else c
        for c in cadres
    ]
    got = reviewers(assign_week(MONDAY, cadres, units)[0])
    assert {got["a1"], got["a2"], got["ha"]} <= {"sec", "l1", "l2", "l3"}


def test_cadres_of_a_unit_without_a_head_go_to_the_district_leaders() -> None:
    cadres, units = district()
    units["a"] = unit("a", None)
    got = reviewers(assign_week(MONDAY, cadres, units)[0])
    assert got["a1"] in {"sec", "l1", "l2", "l3"}


def test_without_any_district_leader_the_heads_are_reported_as_problems() -> None:
    cadres = [person("ha", "a", "unit_head"), person("a1", "a")]
    assignments, problems = assign_week(MONDAY, cadres, {"a": unit("a", "ha")})
    assert reviewers(assignments) == {"a1": "ha"}
    assert [(p.cadre_id, p.unit_id, p.reason) for p in problems] == [("ha", "a", "no_leader")]
    assert "无人审阅" in problems[0].text


def test_a_sole_district_leader_cannot_review_their_own_log() -> None:
    cadres = [person("sec", "lead", "district_leader", "unit_head"), person("ha", "a", "unit_head")]
    units = {"lead": unit("lead", "sec"), "a": unit("a", "ha")}
    assignments, problems = assign_week(MONDAY, cadres, units)
    assert reviewers(assignments) == {"ha": "sec"}
    assert [(p.cadre_id, p.reason) for p in problems] == [("sec", "only_self")]
    assert "sec" in problems[0].text


def test_the_unit_head_rule_in_isolation() -> None:
    units = {"a": unit("a", "ha")}
    assert unit_reviewer(person("a1", "a"), units, {"ha"}) == "ha"
    assert unit_reviewer(person("a1", "a"), units, set()) is None  # head not in post
    assert unit_reviewer(person("ha", "a", "unit_head"), units, {"ha"}) is None
    assert unit_reviewer(person("dep", "a", "unit_head"), units, {"ha"}) is None  # another head-ranked cadre
    assert unit_reviewer(person("x1", "x"), units, {"ha"}) is None  # unknown unit


# --- properties over random rosters ------------------------------------------------------------

UNIT_IDS = ["lead", "u1", "u2", "u3"]


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[Cadre], dict[str, Unit]]:
    size = draw(st.integers(min_value=1, max_value=25))
    cadres = []
    for n in range(size):
        roles: list[Role] = draw(
            st.lists(
                st.sampled_from(["district_leader", "unit_head", "org_inspector"]), unique=True, max_size=2
            )
        )
        joined = draw(st.none() | st.dates(min_value=MONDAY - timedelta(days=10), max_value=NEXT_MONDAY))
        left = draw(st.none() | st.dates(min_value=MONDAY - timedelta(days=10), max_value=NEXT_MONDAY))
        cadres.append(
            person(f"c{n:02d}", draw(st.sampled_from(UNIT_IDS)), *roles, joined_on=joined, left_on=left)
        )
    ids = [c.cadre_id for c in cadres]
    units = {u: unit(u, draw(st.none() | st.sampled_from([*ids, "ghost"]))) for u in UNIT_IDS}
    return cadres, units


@given(rosters(), st.integers(min_value=0, max_value=60), st.text(max_size=3))
def test_every_active_cadre_is_assigned_once_or_reported_and_nobody_reviews_themselves(
    roster: tuple[list[Cadre], dict[str, Unit]], weeks: int, seed: str
) -> None:
    cadres, units = roster
    week_start = MONDAY + timedelta(weeks=weeks)
    week = [week_start + timedelta(days=i) for i in range(7)]
    assignments, problems = assign_week(week_start, cadres, units, seed=seed)
    active = {c.cadre_id for c in cadres if any(c.active_on(d) for d in week)}
    assigned = [a.cadre_id for a in assignments]
    assert len(assigned) == len(set(assigned))
    assert set(assigned) <= active
    assert len(assigned) + len(problems) == len(active)
    assert all(a.reviewer_id != a.cadre_id for a in assignments)
    assert all(a.due == week_start + timedelta(days=13) for a in assignments)
    assert all(a.assignment_id == f"{week_start}#{a.cadre_id}" for a in assignments)


@given(rosters())
def test_reviewers_are_in_post_and_the_leaders_share_is_balanced_within_one(
    roster: tuple[list[Cadre], dict[str, Unit]],
) -> None:
    cadres, units = roster
    assignments, _ = assign_week(MONDAY, cadres, units)
    in_post = {c.cadre_id for c in cadres if c.active_on(NEXT_MONDAY)}
    leaders = {c.cadre_id for c in cadres if c.cadre_id in in_post and "district_leader" in c.roles}
    assert all(a.reviewer_id in in_post for a in assignments)
    by_id = {c.cadre_id: c for c in cadres}
    shared = [a for a in assignments if unit_reviewer(by_id[a.cadre_id], units, in_post) is None]
    assert all(a.reviewer_id in leaders for a in shared)
    if leaders:
        load = Counter(a.reviewer_id for a in shared)
        counts = [load[leader] for leader in leaders]
        assert max(counts) - min(counts) <= 1


@given(rosters(), st.integers(min_value=0, max_value=10))
def test_the_same_roster_and_week_always_give_the_same_assignments(
    roster: tuple[list[Cadre], dict[str, Unit]], weeks: int
) -> None:
    cadres, units = roster
    week_start = MONDAY + timedelta(weeks=weeks)
    assert assign_week(week_start, cadres, units) == assign_week(week_start, cadres[::-1], units)
