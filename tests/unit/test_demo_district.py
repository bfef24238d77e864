"""The demo district and its journal: deterministic, realistic in shape, never in the future."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from infra.demo.district import DemoDistrict, generate_district
from infra.demo.journal import DemoRecord, generate_journal
from worklog.models.entries import EntryIn, PlanIn, SummaryIn
from worklog.models.roster import Cadre

TODAY = date(2026, 11, 20)  # a Friday; three weeks back reaches into October


def weekdays(day: date) -> bool:
    return day.weekday() < 5


WINDOW = [TODAY - timedelta(days=back) for back in range(21, 0, -1)]
WORKING_DAYS = [d for d in WINDOW if weekdays(d)]


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(2016, today=TODAY)


@pytest.fixture(scope="module")
def journal(district: DemoDistrict) -> list[DemoRecord]:
    return generate_journal(district, TODAY, is_working=weekdays)


@pytest.fixture(scope="module")
def part(district: DemoDistrict) -> DemoDistrict:
    """All units, a quarter of the cadres: for the variations, to keep the suite quick."""
    return DemoDistrict(units=district.units, cadres=district.cadres[::4])


def by_cadre(records: list[DemoRecord]) -> dict[str, list[DemoRecord]]:
    grouped: dict[str, list[DemoRecord]] = defaultdict(list)
    for record in records:
        grouped[record.cadre_id].append(record)
    return grouped


def entry_day(record: DemoRecord) -> date:
    return date.fromisoformat(record.period)


# --- the district ----------------------------------------------------------------------------------
def test_the_same_seed_gives_an_identical_district() -> None:
    assert generate_district(7, today=TODAY) == generate_district(7, today=TODAY)


def test_a_different_seed_gives_different_people() -> None:
    names = [c.name for c in generate_district(1).cadres]
    assert names != [c.name for c in generate_district(2).cadres]


def test_the_district_has_about_sixty_units_and_eight_hundred_cadres(district: DemoDistrict) -> None:
    assert 55 <= len(district.units) <= 70
    assert 760 <= len(district.cadres) <= 840


def test_unit_ids_are_short_ascii_slugs_and_the_streets_are_about_sixteen(district: DemoDistrict) -> None:
    assert all(re.fullmatch(r"[a-z][a-z0-9-]{1,19}", u.unit_id) for u in district.units)
    streets = [u for u in district.units if u.unit_id.startswith("st-")]
    assert 14 <= len(streets) <= 18
    assert all(u.name.endswith("街道办事处") for u in streets)
    assert district.unit("st-chunxilu") is not None


def test_the_usual_bureaus_and_oversight_units_exist(district: DemoDistrict) -> None:
    names = {u.name for u in district.units}
    for name in ("区发展和改革局", "区教育局", "区财政局", "区人力资源和社会保障局", "区卫生健康局"):
        assert name in names
    for name in ("区市场监督管理局", "区纪委监委", "区委组织部", "区领导"):
        assert name in names


def test_cadre_ids_and_names_are_unique(district: DemoDistrict) -> None:
    ids = [c.cadre_id for c in district.cadres]
    names = [c.name for c in district.cadres]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    assert ids[:2] == ["c0001", "c0002"]
    assert all(re.fullmatch(r"c\d{4}", i) for i in ids)


def test_names_are_chinese_names_of_two_or_three_characters(district: DemoDistrict) -> None:
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", c.name) for c in district.cadres)


def test_every_unit_has_exactly_one_head_who_belongs_to_it(district: DemoDistrict) -> None:
    heads = defaultdict(list)
    for cadre in district.cadres:
        if "unit_head" in cadre.roles:
            heads[cadre.unit_id].append(cadre.cadre_id)
    for unit in district.units:
        assert heads[unit.unit_id] == [unit.head_id]


def test_every_unit_has_members_and_every_cadre_a_known_unit(district: DemoDistrict) -> None:
    members = Counter(c.unit_id for c in district.cadres)
    assert set(members) == {u.unit_id for u in district.units}
    assert min(members.values()) >= 5


def test_every_cadre_has_the_cadre_role_a_title_and_a_rank(district: DemoDistrict) -> None:
    for cadre in district.cadres:
        assert cadre.roles[0] == "cadre"
        assert cadre.title and cadre.rank


def test_oversight_roles_sit_in_their_units(district: DemoDistrict) -> None:
    holders: dict[str, list[str]] = defaultdict(list)
    for cadre in district.cadres:
        for role in cadre.roles:
            holders[role].append(cadre.unit_id)
    assert Counter(holders["district_leader"]) == {"leaders": 8}
    assert Counter(holders["org_inspector"]) == {"zzb": 6}
    assert Counter(holders["discipline_inspector"]) == {"jw": 10, "zfb": 1, "fgj": 1}
    assert Counter(holders["hr_evaluator"]) == {"rsj": 4}
    assert Counter(holders["admin"]) == {"zzb": 2}


def test_titles_match_the_kind_of_unit(district: DemoDistrict) -> None:
    heads = {c.cadre_id: c for c in district.cadres if "unit_head" in c.roles}
    titles = {u.unit_id: heads[u.head_id].title for u in district.units if u.head_id}
    assert titles["fgj"] == "党组书记、局长"
    assert titles["st-chunxilu"] == "街道党工委书记"
    assert titles["leaders"] == "区委书记"
    ranks = Counter(c.rank for c in district.cadres)
    assert {"正处级", "副处级", "调研员", "副调研员"} <= set(ranks)


def test_some_cadres_joined_this_year_and_nobody_after_today(district: DemoDistrict) -> None:
    joined = [c.joined_on for c in district.cadres if c.joined_on]
    this_year = [d for d in joined if d.year == TODAY.year]
    assert 10 <= len(this_year) <= 80
    assert max(joined) <= TODAY


# --- how the district's cadres are reached ---------------------------------------------------------
def test_most_cadres_have_a_mobile_many_an_email_some_messenger_ids_and_a_few_none(
    district: DemoDistrict,
) -> None:
    count = len(district.cadres)
    with_mobile = [c for c in district.cadres if c.mobile]
    with_email = [c for c in district.cadres if c.email]
    wecom = [c for c in district.cadres if c.wecom_user_id]
    dingtalk = [c for c in district.cadres if c.dingtalk_user_id]
    unreachable = [
        c for c in district.cadres if not (c.mobile or c.email or c.wecom_user_id or c.dingtalk_user_id)
    ]
    assert 0.75 * count <= len(with_mobile) <= 0.95 * count
    assert 0.4 * count <= len(with_email) <= 0.8 * count
    assert 0.15 * count <= len(wecom) <= 0.5 * count
    assert 0.1 * count <= len(dingtalk) <= 0.4 * count
    assert 5 <= len(unreachable) <= 0.1 * count  # inbox only


def test_demo_contact_details_are_fictional_unique_and_valid_roster_values(district: DemoDistrict) -> None:
    mobiles = [c.mobile for c in district.cadres if c.mobile]
    emails = [c.email for c in district.cadres if c.email]
    assert all(re.fullmatch(r"1390000\d{4}", m) for m in mobiles)  # one reserved-looking block
    assert all(e.endswith(".example.gov.cn") for e in emails)  # a reserved example domain
    assert len(set(mobiles)) == len(mobiles) and len(set(emails)) == len(emails)
    for cadre in district.cadres:  # what the roster's own model accepts
        assert Cadre.model_validate(cadre.model_dump()) == cadre


def test_preferred_channels_are_a_mix_and_each_can_reach_its_cadre(district: DemoDistrict) -> None:
    needs = {"sms": "mobile", "email": "email", "wecom": "wecom_user_id", "dingtalk": "dingtalk_user_id"}
    preferred = Counter(c.preferred_channel for c in district.cadres)
    assert set(preferred) == {None, "sms", "email", "wecom", "dingtalk"}
    assert all(n >= 10 for n in preferred.values())
    for cadre in district.cadres:
        if cadre.preferred_channel:
            assert getattr(cadre, needs[cadre.preferred_channel])


def test_the_same_seed_gives_the_same_contact_details_and_another_seed_others() -> None:
    def reach(d: DemoDistrict) -> list[tuple[str | None, ...]]:
        return [
            (c.mobile, c.email, c.wecom_user_id, c.dingtalk_user_id, c.preferred_channel) for c in d.cadres
        ]

    assert reach(generate_district(7, today=TODAY)) == reach(generate_district(7, today=TODAY))
    assert reach(generate_district(7, today=TODAY)) != reach(generate_district(8, today=TODAY))


# The first cadres of seed 2016 as the district drew them before it had contact details.
FIRST_CADRES_OF_2016 = [("c0001", "程辉"), ("c0002", "薛杰勇"), ("c0003", "杨桂娟")]


def test_contact_details_leave_the_rest_of_the_district_as_it_was(district: DemoDistrict) -> None:
    # The details come from a generator of their own: names, posts and dates are drawn as before
    assert [(c.cadre_id, c.name) for c in district.cadres[:3]] == FIRST_CADRES_OF_2016


# --- the journal -----------------------------------------------------------------------------------
def test_the_same_inputs_give_the_same_journal(part: DemoDistrict) -> None:
    assert generate_journal(part, TODAY, is_working=weekdays) == generate_journal(
        part, TODAY, is_working=weekdays
    )


def test_a_cadres_journal_does_not_depend_on_the_rest_of_the_roster(
    part: DemoDistrict, journal: list[DemoRecord]
) -> None:
    ids = {c.cadre_id for c in part.cadres}
    assert generate_journal(part, TODAY, is_working=weekdays) == [r for r in journal if r.cadre_id in ids]


def test_a_different_seed_gives_a_different_journal(part: DemoDistrict, journal: list[DemoRecord]) -> None:
    ids = {c.cadre_id for c in part.cadres}
    other = generate_journal(part, TODAY, seed=1, is_working=weekdays)
    assert other != [r for r in journal if r.cadre_id in ids]


def test_nothing_is_saved_on_or_after_today(journal: list[DemoRecord]) -> None:
    zone = journal[0].saved_at.tzinfo
    start_of_today = datetime.combine(TODAY, datetime.min.time(), tzinfo=zone)
    assert max(r.saved_at for r in journal) < start_of_today


def test_saved_at_is_aware_shanghai_time(journal: list[DemoRecord]) -> None:
    assert {r.saved_at.utcoffset() for r in journal} == {timedelta(hours=8)}


def test_each_cadres_records_are_grouped_and_in_strictly_increasing_order(journal: list[DemoRecord]) -> None:
    order = [
        cid for i, cid in enumerate(r.cadre_id for r in journal) if i == 0 or journal[i - 1].cadre_id != cid
    ]
    assert len(order) == len(set(order))  # one contiguous run per cadre
    for records in by_cadre(journal).values():
        times = [r.saved_at for r in records]
        assert all(a < b for a, b in itertools.pairwise(times))


def test_records_are_written_by_the_cadre_themselves(journal: list[DemoRecord]) -> None:
    assert all(r.author == r.cadre_id for r in journal)


def test_entries_are_only_for_working_days_in_the_three_weeks_before_today(journal: list[DemoRecord]) -> None:
    days = {entry_day(r) for r in journal if r.kind == "entry"}
    assert all(weekdays(d) for d in days)
    assert min(days) >= WINDOW[0]
    assert max(days) < TODAY


def test_days_the_calendar_marks_as_holidays_get_no_entries(part: DemoDistrict) -> None:
    holiday = date(2026, 11, 11)
    records = generate_journal(part, TODAY, is_working=lambda d: weekdays(d) and d != holiday)
    assert holiday not in {entry_day(r) for r in records if r.kind == "entry"}


def test_every_body_is_one_the_api_would_accept(journal: list[DemoRecord]) -> None:
    for record in journal:
        if record.kind == "entry":
            entry = EntryIn.model_validate(record.body)
            assert 1 <= len(entry.items) <= 6
            assert {i.status for i in entry.items} <= {"done", "in_progress", "not_done"}
        elif record.kind == "plan":
            PlanIn.model_validate(record.body)
        elif record.kind == "summary":
            SummaryIn.model_validate(record.body)


def test_entry_items_use_the_api_keys_only(journal: list[DemoRecord]) -> None:
    for record in journal:
        if record.kind == "entry":
            assert set(record.body) <= {"items", "mistakes", "reflections"}
            for item in record.body["items"]:
                assert set(item) <= {"content", "status", "plan_item_id", "internal"}
                assert item.get("internal", True) is True  # present only when it is internal


def test_plan_item_references_exist_in_a_plan_of_that_month_saved_before(journal: list[DemoRecord]) -> None:
    references = 0
    for records in by_cadre(journal).values():
        plans: dict[str, set[str]] = {}
        for record in records:  # chronological: a plan is known once it has been saved
            if record.kind == "plan":
                plans[record.period] = {i["id"] for i in record.body["items"]}
            elif record.kind == "entry":
                for item in record.body["items"]:
                    if "plan_item_id" in item:
                        references += 1
                        assert item["plan_item_id"] in plans.get(record.period[:7], set())
    assert references > 1000


def test_every_month_the_window_touches_has_plans(journal: list[DemoRecord], district: DemoDistrict) -> None:
    plans = Counter(r.period for r in journal if r.kind == "plan")
    assert set(plans) == {"2026-10", "2026-11"}
    assert plans["2026-11"] >= 0.95 * len(district.cadres)


def test_no_plan_is_saved_before_its_working_day_comes(part: DemoDistrict) -> None:
    # Given today is the first working day of December, no December plan can exist yet
    records = generate_journal(part, date(2026, 12, 1), is_working=weekdays)
    assert "2026-12" not in {r.period for r in records if r.kind == "plan"}


def test_a_window_reaching_into_july_has_half_year_summaries(part: DemoDistrict) -> None:
    records = generate_journal(part, date(2026, 7, 24), is_working=weekdays)
    summaries = [r for r in records if r.kind == "summary"]
    assert {r.period for r in summaries} == {"2026-H1"}
    assert len(summaries) >= 0.9 * len(part.cadres)
    for summary in summaries:
        SummaryIn.model_validate(summary.body)
    assert all(r.saved_at.month == 7 for r in summaries)


def test_most_cadres_log_every_working_day_on_time(journal: list[DemoRecord], district: DemoDistrict) -> None:
    grouped = by_cadre(journal)
    punctual = 0
    for cadre in district.cadres:
        firsts = {
            entry_day(r): r.saved_at.date() for r in reversed(grouped[cadre.cadre_id]) if r.kind == "entry"
        }
        if all(firsts.get(d) == d for d in WORKING_DAYS):
            punctual += 1
    assert 0.78 <= punctual / len(district.cadres) <= 0.92


def test_late_entries_are_saved_one_to_five_days_after_their_day(journal: list[DemoRecord]) -> None:
    first_saves: dict[tuple[str, str], DemoRecord] = {}
    for record in journal:
        if record.kind == "entry":
            first_saves.setdefault((record.cadre_id, record.period), record)
    delays = Counter((r.saved_at.date() - entry_day(r)).days for r in first_saves.values())
    assert delays[0] > 0.95 * sum(delays.values())
    assert set(delays) - {0} and set(delays) <= {0, 1, 2, 3, 4, 5}


def test_on_time_entries_are_saved_in_the_evening(journal: list[DemoRecord]) -> None:
    on_time = [
        r for r in journal if r.kind == "entry" and r.reason is None and r.saved_at.date() == entry_day(r)
    ]
    assert all(17 <= r.saved_at.hour <= 22 for r in on_time)


def test_a_few_entries_have_a_second_revision_with_a_reason_the_next_day(journal: list[DemoRecord]) -> None:
    saves: dict[tuple[str, str], list[DemoRecord]] = defaultdict(list)
    for record in journal:
        if record.kind == "entry":
            saves[(record.cadre_id, record.period)].append(record)
    revised = [s for s in saves.values() if len(s) > 1]
    assert 0 < len(revised) < 0.05 * len(saves)
    for first, second in revised:
        assert first.reason is None and second.reason
        assert second.saved_at.date() == first.saved_at.date() + timedelta(days=1)
        assert (second.saved_at.date() - entry_day(second)).days <= 7
        assert second.body != first.body


def test_a_handful_take_two_or_three_days_of_leave_and_log_nothing_then(journal: list[DemoRecord]) -> None:
    leaves = [r for r in journal if r.kind == "leave"]
    assert 5 <= len(leaves) <= 40
    entries = {(r.cadre_id, r.period) for r in journal if r.kind == "entry"}
    for leave in leaves:
        first, last = (date.fromisoformat(p) for p in leave.period.split(".."))
        assert leave.body["from"] == first.isoformat() and leave.body["to"] == last.isoformat()
        assert leave.body["kind"] in {"annual", "sick", "business_trip", "training"}
        on_leave = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        assert 2 <= len([d for d in on_leave if weekdays(d)]) <= 3
        assert not any((leave.cadre_id, d.isoformat()) in entries for d in on_leave)
        assert leave.saved_at.date() <= first


def test_a_few_cadres_have_working_days_without_an_entry(
    journal: list[DemoRecord], district: DemoDistrict
) -> None:
    grouped = by_cadre(journal)
    with_gaps = 0
    for cadre in district.cadres:
        records = grouped[cadre.cadre_id]
        on_leave = any(r.kind == "leave" for r in records)
        there_all_along = cadre.joined_on is not None and cadre.joined_on <= WORKING_DAYS[0]
        logged = {entry_day(r) for r in records if r.kind == "entry"}
        if there_all_along and not on_leave and set(WORKING_DAYS) - logged:
            with_gaps += 1
    assert 0.03 * len(district.cadres) <= with_gaps <= 0.15 * len(district.cadres)


def test_newcomers_log_from_the_day_they_joined(journal: list[DemoRecord], district: DemoDistrict) -> None:
    grouped = by_cadre(journal)
    newcomers = [c for c in district.cadres if c.joined_on and c.joined_on > TODAY - timedelta(weeks=3)]
    assert newcomers
    for cadre in newcomers:
        assert cadre.joined_on is not None
        assert all(entry_day(r) >= cadre.joined_on for r in grouped[cadre.cadre_id] if r.kind == "entry")


def test_items_read_like_the_units_work(journal: list[DemoRecord], district: DemoDistrict) -> None:
    units = {c.cadre_id: c.unit_id for c in district.cadres}
    street_text = " ".join(
        i["content"] for r in journal if r.kind == "entry" and units[r.cadre_id].startswith("st-")
        for i in r.body["items"]
    )  # fmt: skip
    for phrase in ("走访", "安全生产检查", "信访"):
        assert phrase in street_text
    items = [i for r in journal if r.kind == "entry" for i in r.body["items"]]
    assert any(i.get("internal") for i in items)
    assert any("mistakes" in r.body for r in journal if r.kind == "entry")
    assert any("reflections" in r.body for r in journal if r.kind == "entry")
    assert any("联系电话" in i["content"] for i in items)  # personal data for the public pages to mask


def test_a_cadres_items_are_not_copy_pasted_from_day_to_day(journal: list[DemoRecord]) -> None:
    texts: dict[str, list[str]] = defaultdict(list)
    for record in journal:
        if record.kind == "entry" and record.reason is None:
            texts[record.cadre_id].extend(i["content"] for i in record.body["items"])
    distinct = [len(set(t)) / len(t) for t in texts.values()]
    assert min(distinct) >= 0.8
    assert sum(distinct) / len(distinct) >= 0.95
