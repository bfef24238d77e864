"""单位概况: per-unit figures of closed months, through the reviews function's HTTP routes.

Given the test district (jyj: head c0002, c0001, c0004 who left on 2026-10-31; zzb: head c0010 of the
Org Dept, c0003 admin) plus a district leader (d0001, unit lead), and October 2026 as the nightly
check and the weekly reviews left it:

- c0001 saved 10-12 and 10-13 on time and 10-14 late (on 10-16); c0002 saved 10-12 on time;
- the nightly check ran for 10-12, 10-13, 10-14 and 10-16, each the same night (the run of 10-16
  also marks 10-14 late_submitted);
- reviews of the week of 10-12: c0001 perfunctory, c0004 not reviewed, c0003 (zzb) adequate; a review
  of the week of 2026-09-28 (a September week) is not October's.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog.compliance.review_repository import ReviewRepository
from worklog.models.reviews import StoredReview
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

ENTRY = {"items": [{"content": "召开专题会议，研究部署冬季安全生产工作", "status": "done"}]}
NAMES_AND_IDS = ("c0001", "c0002", "c0004", "李明", "王强", "孙涛")


def review(reviewer: str, cadre: str, unit: str, monday: str) -> StoredReview:
    start = date.fromisoformat(monday)
    return StoredReview(
        assignment_id=f"{monday}#{cadre}",
        reviewer_id=reviewer,
        cadre_id=cadre,
        unit_id=unit,
        week_start=start,
        week_end=start + timedelta(days=6),
        due=start + timedelta(days=13),
        assigned_at=f"{start + timedelta(days=7)}T08:00:00.000+08:00",
    )


def save(stack: InProcessStack, who: str, day: str) -> None:
    assert stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_=who).status == 201


def check(stack: InProcessStack, day: str) -> None:
    stack.invoke("missing-entry-check", {"date": day})


@pytest.fixture
def october(stack: InProcessStack) -> InProcessStack:
    RosterRepository().put_row(
        Cadre(cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader"]),
        Unit(unit_id="lead", name="区领导"),
    )
    set_clock(2026, 10, 12, 18)
    save(stack, "c0001", "2026-10-12")
    save(stack, "c0002", "2026-10-12")
    check(stack, "2026-10-12")
    set_clock(2026, 10, 13, 18)
    save(stack, "c0001", "2026-10-13")
    check(stack, "2026-10-13")
    set_clock(2026, 10, 14, 23)
    check(stack, "2026-10-14")
    set_clock(2026, 10, 16, 18)
    save(stack, "c0001", "2026-10-14")  # late: 补记
    check(stack, "2026-10-16")

    reviews = ReviewRepository()
    stored = reviews.put_new(
        [
            review("c0002", "c0001", "jyj", "2026-10-12"),
            review("c0002", "c0004", "jyj", "2026-10-12"),
            review("c0010", "c0003", "zzb", "2026-10-12"),
            review("c0002", "c0001", "jyj", "2026-09-28"),
        ]
    )
    verdicts = {"c0001": "perfunctory", "c0003": "adequate"}
    for r in stored:
        if r.cadre_id in verdicts:
            at = "2026-10-20T09:00:00.000+08:00"
            reviews.record_verdict(r, verdict=verdicts[r.cadre_id], comment="意见", at=at, late=False)
    set_clock(2026, 11, 20, 18)
    return stack


def get(stack: InProcessStack, target: str, who: str) -> tuple[int, Any]:
    resp = stack.call("reviews", "GET", target, as_=who)
    return resp.status, json.loads(resp.body)


JYJ_OCTOBER = {
    "month": "2026-10",
    "owed": 12,
    "on_time": 3,
    "late": 1,
    "missing": 8,  # c0001 on 10-16; c0002 on 10-13, 10-14, 10-16; c0004 on all four days
    "weeks_assigned": 2,
    "weeks_reviewed": 1,
    "perfunctory": 1,
}


def test_a_unit_head_sees_their_units_closed_month_counted_from_the_check_and_the_reviews(
    october: InProcessStack,
) -> None:
    status, out = get(october, "/units/jyj/figures?from=2026-10&to=2026-10", "c0002")

    assert status == 200, out
    assert (out["unit_id"], out["unit_name"], out["closed_through"]) == ("jyj", "区教育局", "2026-10")
    assert out["months"] == [JYJ_OCTOBER]


def test_the_figures_name_no_cadre(october: InProcessStack) -> None:
    for target, who in (("/units/jyj/figures", "c0002"), ("/units/figures?month=2026-10", "c0010")):
        resp = october.call("reviews", "GET", target, as_=who)
        assert resp.status == 200
        text = resp.body.decode("utf-8")
        assert not [n for n in NAMES_AND_IDS if n in text]


def test_the_org_dept_and_district_leaders_see_every_unit_in_roster_order(october: InProcessStack) -> None:
    for who in ("c0010", "d0001"):
        status, out = get(october, "/units/figures?month=2026-10", who)

        assert status == 200, out
        assert [u["unit_id"] for u in out["units"]] == ["jyj", "lead", "zzb"]
        jyj, lead, zzb = (u["figures"] for u in out["units"])
        assert jyj == JYJ_OCTOBER
        assert (lead["on_time"], lead["late"], lead["missing"], lead["weeks_assigned"]) == (0, 0, 4, 0)
        assert (zzb["on_time"], zzb["late"], zzb["missing"]) == (0, 0, 8)
        assert (zzb["weeks_assigned"], zzb["weeks_reviewed"], zzb["perfunctory"]) == (1, 1, 0)
        # Any one unit too.
        assert get(october, "/units/zzb/figures?from=2026-10&to=2026-10", who)[0] == 200


def test_without_a_month_the_latest_closed_month_is_shown(october: InProcessStack) -> None:
    status, out = get(october, "/units/figures", "c0010")
    assert status == 200 and out["month"] == out["closed_through"] == "2026-10"

    status, out = get(october, "/units/jyj/figures", "c0002")
    assert status == 200
    assert [m["month"] for m in out["months"]] == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("c0002", "/units/zzb/figures"),  # a unit head, another unit
        ("c0002", "/units/figures"),  # a unit head, every unit
        ("c0001", "/units/jyj/figures"),  # a plain cadre, their own unit
        ("c0003", "/units/zzb/figures"),  # an admin
        ("c0003", "/units/figures"),
    ],
)
def test_anyone_else_is_refused_in_words(october: InProcessStack, who: str, target: str) -> None:
    status, out = get(october, target, who)

    assert status == 403
    assert out["code"] == "forbidden" and "单位" in out["message"]


def test_a_month_is_counted_only_once_every_day_of_it_is_locked(stack: InProcessStack) -> None:
    # October's last day is open for late entries through 11-07.
    set_clock(2026, 11, 7, 23, 59)
    status, out = get(stack, "/units/figures?month=2026-10", "c0010")
    assert status == 422
    assert out["details"][0]["type"] == "month_not_closed" and "2026年9月" in out["message"]
    assert get(stack, "/units/jyj/figures?to=2026-10", "c0002")[0] == 422

    set_clock(2026, 11, 8, 0, 1)
    assert get(stack, "/units/figures?month=2026-10", "c0010")[0] == 200
    assert get(stack, "/units/jyj/figures?to=2026-10", "c0002")[0] == 200


def test_a_bad_range_is_refused(october: InProcessStack) -> None:
    reversed_ = get(october, "/units/jyj/figures?from=2026-10&to=2026-09", "c0002")
    too_wide = get(october, "/units/jyj/figures?from=2025-10&to=2026-10", "c0002")
    malformed = get(october, "/units/jyj/figures?from=2026-13", "c0002")

    assert reversed_[0] == 422 and reversed_[1]["details"][0]["type"] == "range_reversed"
    assert too_wide[0] == 422 and too_wide[1]["details"][0]["type"] == "range_too_wide"
    assert malformed[0] == 422
    assert get(october, "/units/jyj/figures?from=2025-11&to=2026-10", "c0002")[0] == 200


def test_an_unknown_unit_is_404(october: InProcessStack) -> None:
    status, out = get(october, "/units/nowhere/figures", "c0010")
    assert status == 404 and out["code"] == "unknown_unit"


def test_every_signed_in_cadre_can_list_the_units_by_name_in_roster_order(october: InProcessStack) -> None:
    status, out = get(october, "/units/roster", "c0001")

    assert status == 200
    assert [(u["unit_id"], u["name"]) for u in out["units"]] == [
        ("jyj", "区教育局"),
        ("lead", "区领导"),
        ("zzb", "区委组织部"),
    ]
