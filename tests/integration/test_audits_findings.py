"""Random audits (双随机) under moto: inspectors' reads of their sample and the plans beside it, and
the findings they record."""

from __future__ import annotations

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from tests.integration.audit_support import (
    ENTRY,
    INSPECTORS,
    NAMES,
    UNIT_NAMES,
    body,
    spot_of_c0001,
)
from tests.integration.idempotency_support import (
    granted_on_idempotency_table,
    idempotency_requests,
    keyed,
    sent_twice,
)
from worklog.audit.repository import AuditRepository
from worklog.compliance.repository import ComplianceRepository


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


# --- what the inspector reads beside the sampled days --------------------------------------------


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
