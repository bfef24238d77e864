"""Fixtures shared by the integration tests and the e2e tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings

from infra.calls import recorder
from infra.inprocess import InProcessStack, in_process
from worklog.bus import EventBus
from worklog.clock import SHANGHAI, system_clock
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

# Time is never a test's verdict (benchmarks report it): no per-example deadline, and no failure
# because generating inputs was slow on a loaded machine.
settings.register_profile(
    "worklog", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("worklog")

# A small district: enough roles to exercise authorization.
UNITS = [
    Unit(unit_id="jyj", name="区教育局", category="政府工作部门", head_id="c0002"),
    Unit(unit_id="zzb", name="区委组织部", category="党委工作机关", head_id="c0010"),
]
CADRES = [
    Cadre(cadre_id="c0001", name="李明", unit_id="jyj", title="副局长", rank="副处级", roles=["cadre"]),
    Cadre(
        cadre_id="c0002",
        name="王强",
        unit_id="jyj",
        title="局长",
        rank="正处级",
        roles=["cadre", "unit_head"],
    ),
    Cadre(cadre_id="c0003", name="赵敏", unit_id="zzb", title="干部科科长", roles=["cadre", "admin"]),
    Cadre(
        cadre_id="c0004",
        name="孙涛",
        unit_id="jyj",
        title="调研员",
        roles=["cadre"],
        left_on=date(2026, 10, 31),
    ),
    Cadre(
        cadre_id="c0010",
        name="周静",
        unit_id="zzb",
        title="部长",
        roles=["cadre", "unit_head", "org_inspector"],
    ),
]


def set_clock(y: int, m: int, d: int, hh: int = 18, mm: int = 0) -> None:
    system_clock.set(datetime(y, m, d, hh, mm, tzinfo=SHANGHAI))


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[InProcessStack]:
    """Given the template's resources under moto, a small roster, and 2026-11-20 18:00 in Shanghai."""
    with in_process(tmp_path) as s:
        roster = RosterRepository()
        heads = {u.head_id: u for u in UNITS}
        for cadre in CADRES:
            roster.put_row(cadre, heads.get(cadre.cadre_id))
        set_clock(2026, 11, 20)
        yield s


Published = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    """Every event the functions publish, as (detail-type, detail); the bus itself is exercised
    end to end by the local runtime's tap (tests/e2e)."""
    published: Published = []

    def spy(self: EventBus, detail_type: str, details: Any) -> int:
        recorder.note("events:PutEvents EventBus")  # the call the spy stands in for (infra.calls)
        published.extend((detail_type, dict(d)) for d in details)
        return 1

    monkeypatch.setattr(EventBus, "publish", spy)
    yield published


def compliance_items(stack: InProcessStack) -> list[dict[str, Any]]:
    """Everything in the compliance table, sorted (test-only inspection)."""
    table = stack.stack.names["ComplianceTable"]
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
