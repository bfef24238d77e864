"""Random audits (双随机) under moto: a round's sample through the API, and who may see it."""

from __future__ import annotations

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from tests.integration.audit_support import (
    ENTRY,
    INSPECTORS,
    NAMES,
    UNIT_NAMES,
    body,
    run,
    sample,
)
from worklog.audit.repository import AuditRepository


def test_the_org_dept_sees_a_drawn_rounds_whole_sample_with_every_check_pending(
    audited: InProcessStack, events: Published
) -> None:
    # Given the quarterly run drew 2026-Q3
    run(audited, "2026-10-08")
    # When the Org Dept asks for its sample
    got = sample(audited, "2026-Q3", as_="c0010")
    # Then every sampled cadre comes with name, unit, sampled days and inspectors, all pending
    assert got.status == 200
    out = body(got)
    assignments = AuditRepository().round_assignments("2026-Q3")
    expected = {(a.cadre_id, a.inspector_id): [d.isoformat() for d in a.entries] for a in assignments}
    listed = {
        (c["cadre_id"], i["inspector_id"]): [k["day"] for k in i["checks"]]
        for c in out["cadres"]
        for i in c["inspectors"]
    }
    assert listed == expected
    for c in out["cadres"]:
        assert c["name"] == NAMES[c["cadre_id"]] and c["unit_name"] == UNIT_NAMES[c["unit_id"]]
        assert c["days"] == sorted({d for i in c["inspectors"] for d in (k["day"] for k in i["checks"])})
        for i in c["inspectors"]:
            assert i["name"] == NAMES[i["inspector_id"]] and i["unit_id"] != c["unit_id"]
            assert {(k["result"], k["result_text"]) for k in i["checks"]} <= {("pending", "待核查")}
    checks = sum(len(days) for days in expected.values())
    assert out["progress"] == {
        "cadres": len({a.cadre_id for a in assignments}),
        "inspectors": len({a.inspector_id for a in assignments}),
        "checks": checks,
        "recorded": 0,
        "pending": checks,
        "results": {"verified": 0, "discrepancy": 0, "falsified": 0},
    }
    assert out["round"]["round_id"] == "2026-Q3" and out["round"]["state"] == "drawn"
    # And no log text is in it
    assert ENTRY["items"][0]["content"] not in got.body.decode()


def test_the_sample_shows_each_finding_as_recorded_and_counts_progress(
    audited: InProcessStack, events: Published
) -> None:
    # Every cadre in post logged the sampled days, so whoever the (random) draw picks has days to check.
    for day in ("2026-09-09", "2026-09-10", "2026-09-11"):
        set_clock(2026, 9, int(day[-2:]), 18)
        for who in ("c0004", *(i.cadre_id for i in INSPECTORS)):
            assert audited.call("entries", "PUT", f"/entries/{day}", ENTRY, as_=who).status in (200, 201)
    set_clock(2026, 10, 8, 9)
    run(audited, "2026-10-08")
    a = next(x for x in AuditRepository().round_assignments("2026-Q3") if x.entries)
    day = a.entries[0].isoformat()
    note = "与会议纪要核对一致，另见档案"
    target = f"/audits/2026-Q3/findings/{a.cadre_id}/{day}"
    assert (
        audited.call("cases", "PUT", target, {"result": "verified", "note": note}, as_=a.inspector_id).status
        == 201
    )

    got = sample(audited, "2026-Q3", as_="d0002")  # the Discipline Commission

    assert got.status == 200
    out = body(got)
    cadre = next(c for c in out["cadres"] if c["cadre_id"] == a.cadre_id)
    mine = next(i for i in cadre["inspectors"] if i["inspector_id"] == a.inspector_id)
    recorded = next(k for k in mine["checks"] if k["day"] == day)
    assert (recorded["result"], recorded["result_text"]) == ("verified", "属实") and recorded["recorded_at"]
    results = [k["result"] for c in out["cadres"] for i in c["inspectors"] for k in i["checks"]]
    assert results.count("verified") == 1 and set(results) == {"verified", "pending"}
    progress = out["progress"]
    assert progress["recorded"] == 1 and progress["pending"] == progress["checks"] - 1
    assert progress["results"] == {"verified": 1, "discrepancy": 0, "falsified": 0}
    assert note not in got.body.decode()  # the inspector's note stays in the finding itself


def test_only_the_org_dept_and_the_commission_see_a_sample(
    audited: InProcessStack, events: Published
) -> None:
    run(audited, "2026-10-08")
    for reader in ("c0001", "c0002", "c0003"):  # a cadre, a unit head, an admin
        refused = sample(audited, "2026-Q3", as_=reader)
        assert refused.status == 403 and body(refused)["code"] == "forbidden"
    assert sample(audited, "2026-Q3", as_="c0010").status == 200  # Org Dept
    assert sample(audited, "2026-Q3", as_="d0001").status == 200  # Discipline Commission
    assert audited.call("cases", "GET", "/audits/2026-Q3/sample").status == 401


def test_a_round_not_drawn_yet_has_no_sample_and_an_unknown_round_is_not_found(
    audited: InProcessStack, events: Published
) -> None:
    run(audited, "2026-10-08")  # 2026-Q4 is committed, not drawn
    pending = sample(audited, "2026-Q4", as_="c0010")
    assert pending.status == 409 and body(pending)["code"] == "not_drawn"
    missing = sample(audited, "2025-Q1", as_="c0010")
    assert missing.status == 404 and body(missing)["code"] == "not_found"
