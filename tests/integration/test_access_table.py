"""Every cell of the access table (docs/access.md), through the HTTP handlers under moto.

Given a district on Tuesday 2026-11-24:

- jyj (区教育局): head c0002; c0001 and c0005; c0004 left on 2026-10-31.
- zzb (区委组织部): head c0010 (also Org Dept); o0002 (Org Dept); c0003 (admin).
- lead (区领导): d0001 (district leader, heads the unit) and d0002 (district leader).
- jwj (区纪委监委): head k0001 and k0002, both discipline inspectors.
- rsj (区人社局): h0001, HR evaluator.  wsj (区卫健局): no head; w0001.

Weekly reviews: d0002 reviews w0001's weeks of 11-09 and 11-16; c0002 reviews c0001's week of 11-16;
d0001 holds a stored assignment of their own week (bad data: it must never serve).
An audit round R: k0002 has c0001's 11-18 and 11-19; o0002 has c0005's 11-19; stored assignments
also name k0002 on their own log, and the HR evaluator and a plain cadre on c0001's (never valid).
Vetting notices: c0001's is open (from 11-24), c0005's closed on 11-13, c0002's starts on 12-01.

Each cell is one read: an allowed read answers 200 with its purpose and appears once in the owner's
``/me/reads`` with that purpose and the days read (one's own reads are not recorded); a refused read
is 403 with its code and leaves no read record.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.inprocess import InProcessStack, in_process
from tests.conftest import CADRES, UNITS, set_clock
from worklog.audit.repository import AuditRepository
from worklog.clock import SHANGHAI, system_clock
from worklog.compliance.review_repository import ReviewRepository
from worklog.models.audits import AuditAssignment
from worklog.models.reviews import StoredReview
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

ROUND = "SPOT-2026-11-23-01"
DEPARTED = {"c0004"}  # left on 2026-10-31 (tests/conftest.py)
ENTRY = {"items": [{"content": "督导检查校园安全工作", "status": "done"}]}
EXTRA: list[tuple[Cadre, Unit | None]] = [
    (Cadre(cadre_id="c0005", name="钱芳", unit_id="jyj"), None),
    (Cadre(cadre_id="o0002", name="吴组", unit_id="zzb", roles=["cadre", "org_inspector"]), None),
    (
        Cadre(
            cadre_id="d0001", name="陈书记", unit_id="lead", roles=["cadre", "district_leader", "unit_head"]
        ),
        Unit(unit_id="lead", name="区领导", head_id="d0001"),
    ),
    (Cadre(cadre_id="d0002", name="林区长", unit_id="lead", roles=["cadre", "district_leader"]), None),
    (
        Cadre(
            cadre_id="k0001",
            name="马书记",
            unit_id="jwj",
            roles=["cadre", "unit_head", "discipline_inspector"],
        ),
        Unit(unit_id="jwj", name="区纪委监委", head_id="k0001"),
    ),
    (Cadre(cadre_id="k0002", name="钱峰", unit_id="jwj", roles=["cadre", "discipline_inspector"]), None),
    (
        Cadre(cadre_id="h0001", name="何考", unit_id="rsj", roles=["cadre", "hr_evaluator"]),
        Unit(unit_id="rsj", name="区人社局"),
    ),
    (Cadre(cadre_id="w0001", name="吴卫", unit_id="wsj"), Unit(unit_id="wsj", name="区卫健局")),
]
ENTRIES = {
    "c0001": ["2026-11-18", "2026-11-19", "2026-11-20"],
    "c0005": ["2026-11-19"],
    "d0001": ["2026-11-17"],
    "k0002": ["2026-11-19"],
    "w0001": ["2026-11-17", "2026-11-20"],
}


def stored_review(reviewer: str, cadre: str, unit: str, monday: str) -> StoredReview:
    start = date.fromisoformat(monday)
    return StoredReview(
        assignment_id=f"{monday}#{cadre}",
        reviewer_id=reviewer,
        cadre_id=cadre,
        unit_id=unit,
        week_start=start,
        week_end=date.fromordinal(start.toordinal() + 6),
        due=date.fromordinal(start.toordinal() + 13),
        assigned_at=f"{date.fromordinal(start.toordinal() + 7)}T08:00:00.000+08:00",
    )


def audit_assignment(inspector: str, cadre: str, unit: str, *days: str) -> AuditAssignment:
    return AuditAssignment(
        round_id=ROUND,
        inspector_id=inspector,
        cadre_id=cadre,
        unit_id=unit,
        quarter="2026-Q4",
        entries=[date.fromisoformat(d) for d in days],
        assigned_at="2026-11-23T09:00:00.000+08:00",
    )


def open_notice(stack: InProcessStack, candidate: str, start: str) -> None:
    notice = {"candidate_id": candidate, "current_post": "副局长", "proposed_post": "局长", "start": start}
    resp = stack.call("admin", "POST", "/admin/notices", notice, as_="c0010")
    assert resp.status == 201, resp.body


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessStack]:
    """The district above, built once: the cells only read (their read records are told apart by
    comparing the owner's read log before and after)."""
    with in_process(Path(tmp_path_factory.mktemp("access"))) as stack:
        roster = RosterRepository()
        heads = {u.head_id: u for u in UNITS}
        for cadre in CADRES:
            roster.put_row(cadre, heads.get(cadre.cadre_id))
        for cadre, unit in EXTRA:
            roster.put_row(cadre, unit)

        set_clock(2026, 11, 9, 10)
        open_notice(stack, "c0005", "2026-11-09")
        set_clock(2026, 11, 20, 18)
        for who, days in ENTRIES.items():
            for day in days:
                assert stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_=who).status == 201
        set_clock(2026, 11, 24, 10)
        open_notice(stack, "c0001", "2026-11-24")
        open_notice(stack, "c0002", "2026-12-01")

        ReviewRepository().put_new(
            [
                stored_review("d0002", "w0001", "wsj", "2026-11-09"),
                stored_review("d0002", "w0001", "wsj", "2026-11-16"),
                stored_review("c0002", "c0001", "jyj", "2026-11-16"),
                stored_review("d0001", "d0001", "lead", "2026-11-16"),
            ]
        )
        AuditRepository().put_assignments(
            [
                audit_assignment("k0002", "c0001", "jyj", "2026-11-18", "2026-11-19"),
                audit_assignment("o0002", "c0005", "jyj", "2026-11-19"),
                audit_assignment("k0002", "k0002", "jwj", "2026-11-19"),
                audit_assignment("h0001", "c0001", "jyj", "2026-11-18"),
                audit_assignment("c0005", "c0001", "jyj", "2026-11-18"),
            ]
        )
        yield stack


@dataclass(frozen=True)
class Cell:
    rule: str  # the row of the table (docs/access.md) this cell exercises
    reader: str
    owner: str
    target: str
    purpose: str | None = None  # allowed: the purpose answered and recorded
    span: tuple[str, str] | None = None  # allowed: the days recorded in the owner's read log
    code: str | None = None  # refused: the 403's code
    days: tuple[str, ...] | None = None  # allowed: the entry dates returned, when it matters

    @property
    def function(self) -> str:
        return "cases" if self.target.startswith("/audits/") else "reviews"


def cadre_door(owner: str, first: str, last: str) -> str:
    return f"/cadres/{owner}/entries?from={first}&to={last}"


def audit_door(owner: str) -> str:
    return f"/audits/{ROUND}/cadres/{owner}/entries"


NOV = ("2026-11-01", "2026-11-24")
WEEK = ("2026-11-16", "2026-11-22")

ALLOWED = [
    Cell("own", "c0001", "c0001", cadre_door("c0001", "2026-09-01", "2026-11-24"), "own"),
    Cell(
        "review",
        "d0002",
        "w0001",
        cadre_door("w0001", *WEEK),
        "review",
        WEEK,
        days=("2026-11-17", "2026-11-20"),
    ),
    Cell(
        "review",
        "d0002",
        "w0001",
        cadre_door("w0001", "2026-11-09", "2026-11-22"),
        "review",
        ("2026-11-09", "2026-11-22"),
    ),
    Cell("review", "c0002", "c0001", cadre_door("c0001", *WEEK), "review", WEEK),
    Cell("review_detail", "d0002", "w0001", "/reviews/2026-11-16/w0001", "review", WEEK),
    Cell("unit_head", "c0002", "c0001", cadre_door("c0001", *NOV), "unit_head", NOV),
    Cell("unit_head", "c0002", "c0005", cadre_door("c0005", *NOV), "unit_head", NOV),
    Cell("unit_head", "c0010", "c0003", cadre_door("c0003", *NOV), "unit_head", NOV),
    Cell("unit_head", "k0001", "k0002", cadre_door("k0002", *NOV), "unit_head", NOV),
    Cell("district_leader", "d0002", "c0002", cadre_door("c0002", *NOV), "district_leader", NOV),
    Cell("district_leader", "d0002", "k0001", cadre_door("k0001", *NOV), "district_leader", NOV),
    Cell("vetting", "o0002", "c0001", cadre_door("c0001", *NOV), "vetting", NOV),
    Cell("vetting", "c0010", "c0001", cadre_door("c0001", *NOV), "vetting", NOV),
    Cell(
        "inspector",
        "k0002",
        "c0001",
        audit_door("c0001"),
        "inspector",
        ("2026-11-18", "2026-11-19"),
        days=("2026-11-18", "2026-11-19"),
    ),
    Cell("inspector", "o0002", "c0005", audit_door("c0005"), "inspector", ("2026-11-19", "2026-11-19")),
]

REFUSED = [
    Cell("anyone_else", "c0005", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("anyone_else", "c0001", "c0002", cadre_door("c0002", *NOV), code="read_forbidden"),
    Cell("anyone_else", "d0001", "w0001", cadre_door("w0001", *WEEK), code="read_forbidden"),
    Cell("anyone_else", "c0005", "c0001", audit_door("c0001"), code="not_assigned"),
    Cell("review", "d0002", "w0001", cadre_door("w0001", "2026-11-01", "2026-11-20"), code="read_forbidden"),
    Cell("review", "d0002", "w0001", cadre_door("w0001", "2026-11-23", "2026-11-24"), code="read_forbidden"),
    Cell("review_detail", "d0001", "w0001", "/reviews/2026-11-16/w0001", code="not_your_review"),
    Cell(
        "unit_head", "c0002", "c0004", cadre_door("c0004", "2026-10-01", "2026-10-31"), code="read_forbidden"
    ),
    Cell("unit_head", "c0002", "c0003", cadre_door("c0003", *NOV), code="read_forbidden"),
    Cell("district_leader", "d0002", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("vetting", "o0002", "c0005", cadre_door("c0005", *NOV), code="read_forbidden"),
    Cell("vetting", "o0002", "c0002", cadre_door("c0002", *NOV), code="read_forbidden"),
    Cell("vetting", "k0002", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("inspector", "k0001", "c0001", audit_door("c0001"), code="not_assigned"),
    Cell("inspector", "k0002", "c0005", audit_door("c0005"), code="not_assigned"),
    Cell(
        "inspector_elsewhere",
        "k0002",
        "c0001",
        cadre_door("c0001", "2026-11-18", "2026-11-19"),
        code="read_forbidden",
    ),
    Cell(
        "inspector_elsewhere",
        "o0002",
        "c0005",
        cadre_door("c0005", "2026-11-19", "2026-11-19"),
        code="read_forbidden",
    ),
    Cell("inspector_elsewhere", "k0001", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("hr_evaluator", "h0001", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("hr_evaluator", "h0001", "c0002", cadre_door("c0002", *NOV), code="read_forbidden"),
    Cell("hr_evaluator", "h0001", "c0001", audit_door("c0001"), code="not_assigned"),
    Cell("admin", "c0003", "c0001", cadre_door("c0001", *NOV), code="read_forbidden"),
    Cell("admin", "c0003", "c0010", cadre_door("c0010", *NOV), code="read_forbidden"),
    Cell("self_review", "d0001", "d0001", "/reviews/2026-11-16/d0001", code="self_review"),
    Cell("self_inspection", "k0002", "k0002", audit_door("k0002"), code="self_inspection"),
]


def cell_id(cell: Cell) -> str:
    days = f"[{cell.target.split('?')[1]}]" if "?" in cell.target else ""
    door = cell.target.split("/")[1]
    return f"{cell.rule}:{cell.reader}->{cell.owner}@{door}{days}"


def reads_of(stack: InProcessStack, owner: str) -> list[dict[str, Any]]:
    """The owner's /me/reads; a cadre who has left cannot sign in, so theirs is read from the store."""
    if owner in DEPARTED:
        found = ReviewRepository().reads_of(owner, date(2026, 9, 1), date(2026, 11, 30))
        return [r.model_dump(mode="json", exclude={"owner_cadre_id"}) for r in found]
    resp = stack.call("reviews", "GET", "/me/reads?from=2026-09-01&to=2026-11-30", as_=owner)
    assert resp.status == 200
    reads: list[dict[str, Any]] = json.loads(resp.body)["reads"]
    return reads


# Each cell reads at its own minute of the morning: a reader's two reads of one log within the same
# millisecond are one record by design, and the cells share one district.
_MINUTES = itertools.count()


def a_moment_of_the_morning() -> None:
    system_clock.set(datetime(2026, 11, 24, 10, tzinfo=SHANGHAI) + timedelta(minutes=next(_MINUTES)))


@pytest.mark.parametrize("cell", ALLOWED, ids=cell_id)
def test_an_allowed_read_is_served_and_shown_to_the_owner_with_its_purpose(
    world: InProcessStack, cell: Cell
) -> None:
    a_moment_of_the_morning()
    before = reads_of(world, cell.owner)

    resp = world.call(cell.function, "GET", cell.target, as_=cell.reader)

    assert resp.status == 200, resp.body
    out = json.loads(resp.body)
    if cell.rule == "review_detail":  # the assignment with the reviewee's week
        assert out["review"]["cadre_id"] == cell.owner and out["review"]["reviewer_id"] == cell.reader
    else:
        assert out["cadre_id"] == cell.owner and out["purpose"] == cell.purpose
    if cell.days is not None:
        assert tuple(e["date"] for e in out["entries"]) == cell.days
    after = reads_of(world, cell.owner)
    if cell.purpose == "own":
        assert after == before
        return
    new_records = [r for r in after if r not in before]
    assert len(after) == len(before) + 1 and len(new_records) == 1
    [new] = new_records
    assert (new["reader_id"], new["purpose"], (new["first"], new["last"])) == (
        cell.reader,
        cell.purpose,
        cell.span,
    )


@pytest.mark.parametrize("cell", REFUSED, ids=cell_id)
def test_a_refused_read_is_403_and_leaves_no_read_record(world: InProcessStack, cell: Cell) -> None:
    a_moment_of_the_morning()
    before = reads_of(world, cell.owner)

    resp = world.call(cell.function, "GET", cell.target, as_=cell.reader)

    assert resp.status == 403, resp.body
    error = json.loads(resp.body)
    assert error["code"] == cell.code and error["message"]
    assert "entries" not in error
    assert reads_of(world, cell.owner) == before


def test_every_row_of_the_table_has_an_allowed_or_refused_cell() -> None:
    from worklog.access import READ_RULES, REFUSALS

    rows = {r.key for r in READ_RULES} | {x.key for x in REFUSALS}
    exercised = {c.rule for c in ALLOWED + REFUSED}
    assert rows == exercised
    # Every rule that grants is also shown refusing what lies just outside it.
    refused = {c.rule for c in REFUSED}
    assert {r.key for r in READ_RULES if r.purpose != "own"} <= refused
