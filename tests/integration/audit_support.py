"""Helpers for the random-audit tests: the discipline inspectors beside the small roster, the
quarterly run, spot-checks and a round's sample through the API (the `audited` stack is a fixture in
conftest.py)."""

from __future__ import annotations

import json
from typing import Any

from infra.inprocess import InProcessStack
from tests.conftest import CADRES
from worklog.audit.repository import AuditRepository
from worklog.models.roster import Cadre

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


def run(stack: InProcessStack, day: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("audit-sampling", {"date": day})
    return result


def spot(stack: InProcessStack, who: str = "c0010", reason: str = "年底前随机抽查", size: int = 1) -> Any:
    return stack.call("cases", "POST", "/audits", {"size": size, "reason": reason}, as_=who)


def spot_rounds() -> list[str]:
    return sorted(r.round_id for r in AuditRepository().rounds() if r.kind == "spot")


NAMES = {c.cadre_id: c.name for c in [*CADRES, *INSPECTORS]}
UNIT_NAMES = {"jyj": "区教育局", "zzb": "区委组织部", "jw": "区纪委监委"}


def sample(stack: InProcessStack, round_id: str, as_: str) -> Any:
    return stack.call("cases", "GET", f"/audits/{round_id}/sample", as_=as_)


def spot_of_c0001(stack: InProcessStack) -> tuple[str, str]:
    """A spot-check of everyone in post (c0001 is certainly in it): the round and one inspector of
    c0001's."""
    spot = body(stack.call("cases", "POST", "/audits", {"size": 200, "reason": "全员抽查"}, as_="c0010"))
    a = next(a for a in AuditRepository().round_assignments(spot["round_id"]) if a.cadre_id == "c0001")
    return spot["round_id"], a.inspector_id
