"""Random audits (双随机) under moto: the quarterly run's commit and draw, verification of the
published files, spot-checks, inspectors' reads and findings, and quarterly evaluations."""

from __future__ import annotations

import io
import json
import threading
from datetime import date
from typing import Any

import boto3
import pytest
from openpyxl import load_workbook

from infra.inprocess import InProcessStack
from tests.conftest import CADRES, Published, set_clock
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)
from worklog.audit.repository import AuditRepository
from worklog.audit.verify import from_ledger, verify_round
from worklog.cli import main as cli
from worklog.compliance.repository import ComplianceRepository
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

ENTRY = {"items": [{"content": "督导检查校园安全工作", "status": "done"}]}
INSPECTORS = [
    Cadre(
        cadre_id="d0001",
        name="钱峰",
        unit_id="jw",
        title="纪检监察员",
        roles=["cadre", "discipline_inspector"],
    ),
    Cadre(
        cadre_id="d0002",
        name="吴敏",
        unit_id="jw",
        title="纪检监察员",
        roles=["cadre", "discipline_inspector"],
    ),
    Cadre(
        cadre_id="d0003",
        name="郑洁",
        unit_id="jw",
        title="纪检监察员",
        roles=["cadre", "discipline_inspector"],
    ),
    # Stationed in the education bureau and the Org Dept (派驻纪检组): never inspect their own unit.
    Cadre(
        cadre_id="d0004",
        name="冯立",
        unit_id="jyj",
        title="派驻纪检组长",
        roles=["cadre", "discipline_inspector"],
    ),
    Cadre(
        cadre_id="d0005",
        name="蒋华",
        unit_id="zzb",
        title="派驻纪检组长",
        roles=["cadre", "discipline_inspector"],
    ),
]


def body(response: Any) -> Any:
    return json.loads(response.body)


@pytest.fixture
def audited(stack: InProcessStack) -> InProcessStack:
    """The small roster plus four discipline inspectors, and a few entries in 2026-Q3."""
    roster = RosterRepository()
    roster.put_unit(Unit(unit_id="jw", name="区纪委监委", category="党委工作机关"))
    for inspector in INSPECTORS:
        roster.put_row(inspector)
    for day in ("2026-09-09", "2026-09-10", "2026-09-11"):
        set_clock(2026, 9, int(day[-2:]), 18)
        for who in ("c0001", "c0002", "c0003", "c0010"):
            assert stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_=who).status in (200, 201)
    set_clock(2026, 10, 8, 9)  # the first working day of 2026-Q4
    return stack


def run(stack: InProcessStack, day: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("audit-sampling", {"date": day})
    return result


def test_only_the_first_working_day_of_a_quarter_runs(audited: InProcessStack, events: Published) -> None:
    assert run(audited, "2026-10-07")["ran"] is False  # National Day holiday
    assert run(audited, "2026-10-09")["ran"] is False
    assert events == []


def test_the_quarterly_run_commits_then_draws_and_commits_the_next_quarter(
    audited: InProcessStack, events: Published
) -> None:
    result = run(audited, "2026-10-08")
    assert result["drawn"] == "2026-Q3" and result["committed"] == "2026-Q4"
    kinds = [kind for kind, _ in events]
    # The commitment of the drawn quarter is published before its draw.
    assert kinds == ["AuditCommitted", "AuditDrawn", "AuditCommitted"]
    drawn = AuditRepository().get_round("2026-Q3")
    assert drawn is not None and drawn.state == "drawn" and drawn.sampled
    assignments = AuditRepository().round_assignments("2026-Q3")
    by_cadre: dict[str, list[str]] = {}
    for a in assignments:
        by_cadre.setdefault(a.cadre_id, []).append(a.inspector_id)
        inspector = next(i for i in INSPECTORS if i.cadre_id == a.inspector_id)
        assert inspector.unit_id != a.unit_id and a.inspector_id != a.cadre_id
    assert all(len(set(v)) >= 2 for v in by_cadre.values())
    # Every unit with cadres in post is in the sample (jyj, zzb, jw).
    assert {a.unit_id for a in assignments} == {"jyj", "zzb", "jw"}
    assert verify_round("2026-Q3", from_ledger()) == []

    again = run(audited, "2026-10-08")
    assert again["already_drawn"] is True and again["drawn"] is None
    assert [kind for kind, _ in events].count("AuditDrawn") == 1


def test_the_verify_command_detects_a_tampered_sample_or_snapshot(
    audited: InProcessStack, events: Published, capsys: pytest.CaptureFixture[str]
) -> None:
    run(audited, "2026-10-08")
    assert cli(["verify-audit", "2026-Q3"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True

    s3, bucket = boto3.client("s3"), audited.stack.names["LedgerBucket"]
    for name, tamper in (
        ("sample", lambda v: {**v, "cadres": v["cadres"][1:]}),
        ("snapshot", lambda v: {**v, "rate_percent": 50}),
    ):
        key = f"audits/2026-Q3/{name}.json"
        original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(tamper(json.loads(original))).encode())
        assert cli(["verify-audit", "2026-Q3"]) == 1
        assert json.loads(capsys.readouterr().out)["problems"]
        s3.put_object(Bucket=bucket, Key=key, Body=original)
    assert cli(["verify-audit", "2026-Q3"]) == 0


def test_a_spot_check_is_the_org_depts_and_its_size_is_bounded(
    audited: InProcessStack, events: Published
) -> None:
    set_clock(2026, 11, 20, 10)
    request = {"size": 2, "reason": "年底前随机抽查"}
    created = audited.call("cases", "POST", "/audits", request, as_="c0010")
    assert created.status == 201
    spot = body(created)
    assert spot["round_id"] == "SPOT-2026-11-20-01" and spot["state"] == "drawn" and spot["seed"]
    assert spot["sampled"] == 2 and spot["quarter"] == "2026-Q4"
    assert verify_round(spot["round_id"], from_ledger()) == []
    assert audited.call("cases", "POST", "/audits", request, as_="c0001").status == 403
    for size in (0, 201, "3"):
        bad = audited.call("cases", "POST", "/audits", {"size": size, "reason": "抽查"}, as_="c0010")
        assert bad.status == 422, size
    assert audited.call("cases", "POST", "/audits", {"reason": "抽查"}, as_="c0010").status == 422
    listed = body(audited.call("cases", "GET", "/audits", as_="c0001"))["rounds"]
    assert [r["round_id"] for r in listed] == ["SPOT-2026-11-20-01"]


# --- spot-checks are limited, and each draw stands on the ledger with its reason -------------------
SECOND_ORG = Cadre(
    cadre_id="c0011", name="陈立", unit_id="zzb", title="干部监督科科长", roles=["cadre", "org_inspector"]
)


def spot(stack: InProcessStack, who: str = "c0010", reason: str = "年底前随机抽查", size: int = 1) -> Any:
    return stack.call("cases", "POST", "/audits", {"size": size, "reason": reason}, as_=who)


def spot_rounds() -> list[str]:
    return sorted(r.round_id for r in AuditRepository().rounds() if r.kind == "spot")


def test_an_inspector_draws_at_most_two_spot_checks_a_shanghai_day(
    audited: InProcessStack, events: Published
) -> None:
    RosterRepository().put_row(SECOND_ORG)
    # Given 2026-11-20 10:00 in Shanghai and two spot-checks drawn by c0010
    set_clock(2026, 11, 20, 10)
    assert [spot(audited).status, spot(audited, reason="复查").status] == [201, 201]
    # When c0010 asks for a third the same day (late in the evening)
    set_clock(2026, 11, 20, 23, 59)
    third = spot(audited, reason="再抽一次")
    # Then it is 429 spot_check_limit, and no round, commitment or draw was made
    assert third.status == 429 and body(third)["code"] == "spot_check_limit"
    assert "2026-11-20" in body(third)["message"] and "2 次" in body(third)["message"]
    assert spot_rounds() == ["SPOT-2026-11-20-01", "SPOT-2026-11-20-02"]
    assert [kind for kind, _ in events].count("AuditDrawn") == 2
    # And another Org Dept inspector is not held to c0010's count
    assert spot(audited, who="c0011").status == 201
    # And on the next Shanghai day (00:30, still the 20th in UTC) c0010 may draw again
    set_clock(2026, 11, 21, 0, 30)
    assert spot(audited).status == 201
    assert spot_rounds()[-1] == "SPOT-2026-11-21-01"


def test_the_cap_holds_when_draws_race(audited: InProcessStack) -> None:
    from worklog.audit.rounds import Rounds

    # Given six spot-check rounds of one requester and day written at the same moment
    desk = Rounds()
    rounds = [
        desk.new_round(
            f"SPOT-2026-11-20-R{i}", "spot", "2026-Q4", date(2026, 10, 1), date(2026, 11, 19), "c0010"
        )
        for i in range(6)
    ]
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda r=r: results.append(AuditRepository().create_spot_round(r, "2026-11-20", 2))
        )
        for r in rounds
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then exactly two were created and the others refused whole
    assert sorted(results) == ["cap"] * 4 + ["created"] * 2
    assert len(spot_rounds()) == 2


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_spot_check_needs_a_reason(audited: InProcessStack, reason: str | None) -> None:
    set_clock(2026, 11, 20, 10)
    request: dict[str, Any] = {"size": 1} if reason is None else {"size": 1, "reason": reason}
    resp = audited.call("cases", "POST", "/audits", request, as_="c0010")
    assert resp.status == 422 and body(resp)["details"][0]["loc"][-1] == "reason"
    assert spot_rounds() == []


def test_each_draw_publishes_who_asked_and_why_before_and_with_the_draw(
    audited: InProcessStack, events: Published
) -> None:
    set_clock(2026, 11, 20, 10)
    round_id = body(spot(audited, reason="群众反映，抽查核实（联系人13900001111）", size=2))["round_id"]
    ledger = from_ledger()
    commitment = ledger(f"audits/{round_id}/commitment.json")
    reveal = ledger(f"audits/{round_id}/reveal.json")
    # The commitment (published before the draw) names the requester, the reason and the request
    assert commitment["requested_by"] == "c0010" and commitment["size"] == 2 and commitment["unit_id"] is None
    assert commitment["reason"] == "群众反映，抽查核实（联系人139****1111）"  # masked like any public text
    # The reveal repeats it and says who had it drawn and why
    assert (reveal["reason"], reveal["drawn_by"]) == (commitment["reason"], "c0010")
    assert reveal["draw_reason"] == commitment["reason"]
    assert verify_round(round_id, ledger) == []


def test_a_quarter_drawn_on_demand_is_never_drawn_again_by_either_path(
    audited: InProcessStack, events: Published
) -> None:
    # Given 2026-Q3 never committed, drawn on demand by the Org Dept with a reason
    first = audited.call(
        "cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "季度抽查提前进行"}, as_="c0010"
    )
    assert first.status == 201
    drawn = AuditRepository().get_round("2026-Q3")
    assert drawn is not None
    ledger = from_ledger()
    assert ledger("audits/2026-Q3/commitment.json")["reason"] == "季度抽查提前进行"
    assert ledger("audits/2026-Q3/reveal.json")["drawn_by"] == "c0010"
    # When it is asked for again on demand, by anyone, or the quarterly run comes
    for who in ("c0010", "d0001"):
        again = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "重抽"}, as_=who)
        assert again.status == 409 and body(again)["code"] == "already_drawn"
    assert run(audited, "2026-10-08")["already_drawn"] is True
    # Then the round keeps its one seed and sample
    after = AuditRepository().get_round("2026-Q3")
    assert after is not None and (after.seed, after.drawn_at) == (drawn.seed, drawn.drawn_at)
    assert [kind for kind, _ in events].count("AuditDrawn") == 1


def test_a_quarter_committed_by_the_run_is_drawn_on_demand_with_its_committed_seed(
    audited: InProcessStack, events: Published
) -> None:
    # Given 2026-Q4 committed by the quarterly run of 2026-10-08, before any of its logs
    run(audited, "2026-10-08")
    committed = AuditRepository().get_round("2026-Q4")
    assert committed is not None and committed.state == "committed"
    # When the Org Dept draws it on demand once the quarter has ended
    set_clock(2027, 1, 2, 10)
    resp = audited.call(
        "cases", "POST", "/audits", {"quarter": "2026-Q4", "reason": "年终考核需要"}, as_="c0010"
    )
    # Then the committed seed is the one drawn, and the reveal says who had it drawn and why
    assert resp.status == 201 and body(resp)["seed"] == committed.seed
    reveal = from_ledger()("audits/2026-Q4/reveal.json")
    assert (reveal["requested_by"], reveal["reason"]) == ("system", "")
    assert (reveal["drawn_by"], reveal["draw_reason"]) == ("c0010", "年终考核需要")
    assert body(resp)["draw_reason"] == "年终考核需要"


def test_a_quarter_already_drawn_cannot_be_drawn_again(audited: InProcessStack, events: Published) -> None:
    run(audited, "2026-10-08")
    again = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "重抽"}, as_="c0010")
    assert again.status == 409 and body(again)["code"] == "already_drawn"
    not_over = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q4", "reason": "抽"}, as_="c0010")
    assert not_over.status == 422


def test_inspectors_read_their_sample_and_record_findings(audited: InProcessStack, events: Published) -> None:
    set_clock(2026, 11, 20, 10)
    for day in ("2026-11-18", "2026-11-19"):
        audited.call("entries", "PUT", f"/entries/{day}", ENTRY, as_="c0001")
    # A spot-check of everyone in post: c0001 is certainly in it, with both entries.
    spot = body(audited.call("cases", "POST", "/audits", {"size": 200, "reason": "全员抽查"}, as_="c0010"))
    round_id = spot["round_id"]
    assignment = next(a for a in AuditRepository().round_assignments(round_id) if a.cadre_id == "c0001")
    inspector, cadre = assignment.inspector_id, assignment.cadre_id
    assert [d.isoformat() for d in assignment.entries] == ["2026-11-18", "2026-11-19"]
    mine = body(audited.call("cases", "GET", "/me/audits", as_=inspector))["assignments"]
    assert {(a["round_id"], a["cadre_id"]) for a in mine} >= {(round_id, cadre)}

    read = audited.call("cases", "GET", f"/audits/{round_id}/cadres/{cadre}/entries", as_=inspector)
    assert read.status == 200
    assert [e["date"] for e in body(read)["entries"]] == ["2026-11-18", "2026-11-19"]
    reads = audited.call("reviews", "GET", "/me/reads?from=2026-11-01&to=2026-11-30", as_=cadre)
    assert any(r["reader_id"] == inspector and r["purpose"] == "inspector" for r in body(reads)["reads"])
    refused = audited.call("cases", "GET", f"/audits/{round_id}/cadres/{cadre}/entries", as_="c0002")
    assert refused.status == 403

    target = f"/audits/{round_id}/findings/{cadre}/2026-11-19"
    finding = {"result": "falsified", "note": "会议记录显示当天未召开该会议", "evidence_ref": "JW-2026-017"}
    assert audited.call("cases", "PUT", target, finding, as_="c0001").status == 403
    outside = f"/audits/{round_id}/findings/{cadre}/2026-11-17"
    assert audited.call("cases", "PUT", outside, finding, as_=inspector).status == 403
    assert audited.call("cases", "PUT", target, {**finding, "result": "fake"}, as_=inspector).status == 422

    recorded = audited.call("cases", "PUT", target, finding, as_=inspector)
    assert recorded.status == 201
    case_id = body(recorded)["case_id"]
    case = ComplianceRepository().get_case(case_id)
    assert case is not None and case.kind == "accountability" and case.owner_role == "discipline_inspector"
    assert any(kind == "AccountabilityCaseOpened" for kind, _ in events)
    dossier = body(audited.call("cases", "GET", f"/cases/{case_id}/dossier", as_=inspector))
    assert dossier["case"]["case_id"] == case_id
    [evidence] = dossier["evidence"]
    assert (
        evidence["kind"] == "finding" and "造假" in evidence["summary"] and evidence["date"] == "2026-11-19"
    )
    assert audited.call("cases", "PUT", target, finding, as_=inspector).status == 409
    # A finding already recorded on a day refuses a second one before any case could open.
    other_day = f"/audits/{round_id}/findings/{cadre}/2026-11-18"
    verified = {"result": "verified", "note": "与会议纪要一致"}
    assert audited.call("cases", "PUT", other_day, verified, as_=inspector).status == 201
    opened = [kind for kind, _ in events].count("AccountabilityCaseOpened")
    assert audited.call("cases", "PUT", other_day, finding, as_=inspector).status == 409
    assert [kind for kind, _ in events].count("AccountabilityCaseOpened") == opened


def test_a_finding_retried_with_its_idempotency_key_is_answered_as_the_first_and_recorded_once(
    audited: InProcessStack, events: Published
) -> None:
    """Given a falsified finding sent from the outbox with a key, its answer lost; When the outbox
    sends it again with the same key two minutes later; Then the retry gets the very first answer
    (201), there is one finding and one accountability case and one event; the same key with
    another finding is refused as a reused key; without a key a second finding is refused as
    before; the idempotency records are within the function's grants in template.yaml."""
    set_clock(2026, 11, 20, 10)
    for day in ("2026-11-18", "2026-11-19"):
        audited.call("entries", "PUT", f"/entries/{day}", ENTRY, as_="c0001")
    round_id, inspector = spot_of_c0001(audited)
    assignment = AuditRepository().assignment(inspector, round_id, "c0001")
    assert assignment is not None
    day = assignment.entries[-1]
    target = f"/audits/{round_id}/findings/c0001/{day.isoformat()}"
    finding = {"result": "falsified", "note": "会议记录显示当天未召开该会议", "evidence_ref": "JW-2026-017"}

    with idempotency_requests(audited) as asked:
        first, again = sent_twice(audited, "cases", "PUT", target, finding, inspector)

    assert first.status == 201 and again.status == 201 and body(again) == body(first)
    [stored] = AuditRepository().findings_of_round(round_id, "c0001")
    assert (stored.recorded_at, stored.case_id) == (body(first)["recorded_at"], body(first)["case_id"])
    assert [d["case_id"] for t, d in events if t == "AccountabilityCaseOpened"] == [stored.case_id]
    assert [c.case_id for c in ComplianceRepository().cases_of("c0001")] == [stored.case_id]
    assert asked and set(asked) <= granted_on_idempotency_table(audited, "CasesFunction")
    reused = keyed(audited, "cases", "PUT", target, {**finding, "result": "verified"}, inspector)
    assert reused.status == 409 and body(reused)["code"] == "idempotency_key_reused"
    unkeyed = audited.call("cases", "PUT", target, finding, as_=inspector)
    assert unkeyed.status == 409 and body(unkeyed)["code"] == "already_recorded"


def test_evaluations_and_the_unit_sheet(audited: InProcessStack, events: Published) -> None:
    set_clock(2026, 10, 15, 10)
    grade = {"grade": "good", "comment": "日志记录及时完整"}
    assert audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0001").status == 403
    assert (
        audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", {"grade": "A"}, as_="c0010").status == 422
    )
    assert audited.call("cases", "PUT", "/evaluations/2026-Q3/nobody", grade, as_="c0010").status == 404
    saved = audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0010")
    assert saved.status == 200 and body(saved)["grade_text"] == "良好"

    sheet = audited.call("cases", "GET", "/evaluations/2026-Q3/units/jyj/sheet", as_="c0010")
    assert sheet.status == 200 and sheet.header(
        "content-type",
    ).startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(sheet.body))
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=4)]
    first = next(r for r in rows if r[1] == "李明")
    assert first[3] > 60 and first[4] == 3 and first[11] == "良好"
    assert audited.call("cases", "GET", "/evaluations/2026-Q3/units/jyj/sheet", as_="c0001").status == 403


# --- a round's sample, through the API ------------------------------------------------------------
NAMES = {c.cadre_id: c.name for c in [*CADRES, *INSPECTORS]}
UNIT_NAMES = {"jyj": "区教育局", "zzb": "区委组织部", "jw": "区纪委监委"}


def sample(stack: InProcessStack, round_id: str, as_: str) -> Any:
    return stack.call("cases", "GET", f"/audits/{round_id}/sample", as_=as_)


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


# --- what the inspector reads beside the sampled days --------------------------------------------
def spot_of_c0001(stack: InProcessStack) -> tuple[str, str]:
    """A spot-check of everyone in post (c0001 is certainly in it): the round and one inspector of
    c0001's."""
    spot = body(stack.call("cases", "POST", "/audits", {"size": 200, "reason": "全员抽查"}, as_="c0010"))
    a = next(a for a in AuditRepository().round_assignments(spot["round_id"]) if a.cadre_id == "c0001")
    return spot["round_id"], a.inspector_id


def test_the_inspector_reads_the_sampled_days_beside_the_plans_of_their_months(
    audited: InProcessStack, events: Published
) -> None:
    # Given c0001 planned November and cited its first item on one of two logged days
    set_clock(2026, 11, 3, 10)
    plan = {
        "items": [{"content": "完成冬季校园安全大检查", "target": "全覆盖"}, {"content": "推进学校改扩建"}]
    }
    assert audited.call("entries", "PUT", "/plans/2026-11", plan, as_="c0001").status == 201
    set_clock(2026, 11, 18, 18)
    cited = {"items": [{"content": "检查三所学校的消防设施", "status": "done", "plan_item_id": "p1"}]}
    assert audited.call("entries", "PUT", "/entries/2026-11-18", cited, as_="c0001").status == 201
    set_clock(2026, 11, 19, 18)
    assert audited.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    set_clock(2026, 11, 20, 10)
    round_id, inspector = spot_of_c0001(audited)

    # When an inspector assigned to c0001 reads the sampled days
    read = audited.call("cases", "GET", f"/audits/{round_id}/cadres/c0001/entries", as_=inspector)

    # Then the plan items of the days' months come with them, each with the sampled days citing it
    assert read.status == 200
    out = body(read)
    assert [e["date"] for e in out["entries"]] == ["2026-11-18", "2026-11-19"]
    items = [(p["month"], p["id"], p["content"], p["target"], p["referenced_on"]) for p in out["plan_items"]]
    assert items == [
        ("2026-11", "p1", "完成冬季校园安全大检查", "全覆盖", ["2026-11-18"]),
        ("2026-11", "p2", "推进学校改扩建", None, []),
    ]
    # And the read is recorded for c0001, as any read through this door
    reads = body(audited.call("reviews", "GET", "/me/reads?from=2026-11-01&to=2026-11-30", as_="c0001"))
    assert any(r["reader_id"] == inspector and r["purpose"] == "inspector" for r in reads["reads"])


def test_a_refused_inspector_gets_neither_the_days_nor_the_plan(
    audited: InProcessStack, events: Published
) -> None:
    set_clock(2026, 11, 3, 10)
    plan = {"items": [{"content": "完成冬季校园安全大检查"}]}
    assert audited.call("entries", "PUT", "/plans/2026-11", plan, as_="c0001").status == 201
    set_clock(2026, 11, 19, 18)
    assert audited.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    set_clock(2026, 11, 20, 10)
    round_id, _ = spot_of_c0001(audited)
    outsider = next(
        i.cadre_id
        for i in INSPECTORS
        if not any(
            a.cadre_id == "c0001" and a.inspector_id == i.cadre_id
            for a in AuditRepository().round_assignments(round_id)
        )
    )

    refused = audited.call("cases", "GET", f"/audits/{round_id}/cadres/c0001/entries", as_=outsider)

    assert refused.status == 403 and body(refused)["code"] == "not_assigned"
    assert "完成冬季校园安全大检查" not in refused.body.decode()


def test_my_assignments_name_the_cadre_and_their_unit(audited: InProcessStack, events: Published) -> None:
    # Given a spot-check in which an inspector has c0001 (李明, 区教育局)
    set_clock(2026, 11, 19, 18)
    assert audited.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    set_clock(2026, 11, 20, 10)
    round_id, inspector = spot_of_c0001(audited)

    # When the inspector lists their assignments
    mine = body(audited.call("cases", "GET", "/me/audits", as_=inspector))["assignments"]

    # Then each names the cadre and the unit, as the roster has them
    got = next(a for a in mine if a["round_id"] == round_id and a["cadre_id"] == "c0001")
    assert (got["cadre_name"], got["unit_name"]) == ("李明", "区教育局")
    assert all(a["cadre_name"] == NAMES[a["cadre_id"]] for a in mine)
    assert all(a["unit_name"] == UNIT_NAMES[a["unit_id"]] for a in mine)
