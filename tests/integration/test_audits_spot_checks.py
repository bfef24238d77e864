"""Random audits (双随机) under moto: spot-checks by the Org Dept, their daily limit, and each draw
on the ledger with who asked for it and why."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from tests.integration.audit_support import (
    body,
    spot,
    spot_rounds,
)
from worklog.audit.repository import AuditRepository
from worklog.audit.rounds import Rounds
from worklog.audit.verify import from_ledger, verify_round
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository


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
