"""The demo's history loaded into the embedded AWS (infra.demo.loader), on a part of the demo district:
the leadership, the oversight units and four ordinary units. The records it leaves are those the
rules make: the nightly check re-run for a past day finds nothing new, every chain verifies, the
audit round recomputes from its published files, and the public site shows unit charts for the
closed months."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.demo import loader
from infra.demo.district import DemoDistrict
from infra.demo.loader import History
from infra.inprocess import InProcessStack, in_process
from worklog.clock import SHANGHAI, system_clock

TODAY = date(2026, 11, 30)  # a Monday; the history runs from 2026-07-01 (the start of 2026-Q3)
OVERSIGHT = ("leaders", "jw", "zzb", "rsj")


@dataclass
class Loaded:
    stack: InProcessStack
    district: DemoDistrict
    history: History
    journal: list[dict[str, Any]]  # every item of the journal table (it does not change)


def part_of(district: DemoDistrict) -> DemoDistrict:
    ordinary = [u.unit_id for u in district.units if u.unit_id not in OVERSIGHT][:4]
    keep = {*OVERSIGHT, *ordinary}
    return DemoDistrict(
        units=[u for u in district.units if u.unit_id in keep],
        cadres=[c for c in district.cadres if c.unit_id in keep],
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """Given part of the demo district, its history loaded as of the start of TODAY, and the site."""
    with in_process(Path(tmp_path_factory.mktemp("demo-history"))) as stack:
        system_clock.set(datetime(2026, 11, 30, 0, 20, tzinfo=SHANGHAI))
        district = part_of(loader.demo_district(TODAY))
        loader.load_roster(district)
        history = loader.load_history(district, TODAY)
        yield Loaded(stack, district, history, items(stack, "JournalTable"))


def items(stack: InProcessStack, table: str) -> list[dict[str, Any]]:
    from worklog.dynamo import from_item

    client = boto3.client("dynamodb")
    found, request = [], {"TableName": stack.stack.names[table]}
    while True:
        page = client.scan(**request)
        found += [from_item(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def compliance(stack: InProcessStack, prefix: str) -> list[dict[str, Any]]:
    return [i for i in items(stack, "ComplianceTable") if str(i["sk"]).startswith(prefix)]


def cases(stack: InProcessStack) -> list[dict[str, Any]]:
    import json

    return [json.loads(i["data"]) for i in compliance(stack, "CASE")]


# --- the journal -----------------------------------------------------------------------------------
def test_every_cadre_has_logs_for_the_three_closed_months(loaded: Loaded) -> None:
    months = Counter(
        (i["cadre_id"], str(i["period"])[:7])
        for i in loaded.journal
        if i.get("kind") == "entry" and "seq" not in i
    )
    for cadre in loaded.district.cadres:
        if cadre.active_on(date(2026, 8, 1)):
            assert all(months[(cadre.cadre_id, m)] >= 15 for m in ("2026-08", "2026-09", "2026-10"))


def test_every_chain_verifies(loaded: Loaded) -> None:
    from worklog.journal.repository import JournalRepository
    from worklog.journal.verification import verify_journal

    repo = JournalRepository()
    for cadre in loaded.district.cadres[::7]:
        report = verify_journal(repo, cadre.cadre_id)
        assert report.ok, (cadre.cadre_id, report.problems)
        if cadre.active_on(date(2026, 7, 1)):
            assert report.chain.length > 80  # five months of working days, and more


def test_the_last_half_years_summaries_are_there(loaded: Loaded) -> None:
    summaries = {i["cadre_id"] for i in loaded.journal if i.get("sk") == "SUMMARY#2026-H1"}
    assert len(summaries) >= 0.9 * len(loaded.district.cadres)


# --- the nightly check ----------------------------------------------------------------------------
@pytest.mark.parametrize("day", [date(2026, 7, 17), date(2026, 9, 15), date(2026, 11, 27)])
def test_rerunning_the_nightly_check_for_a_past_day_writes_nothing_new(loaded: Loaded, day: date) -> None:
    before = compliance(loaded.stack, "MISS#"), compliance(loaded.stack, "CASE")

    summary = loaded.stack.invoke("missing-entry-check", {"date": day.isoformat()})

    assert summary["owed"] > 0
    assert summary["new_missing"] == 0
    assert summary["talks_opened"] == [] and summary["accountability_opened"] == []
    assert (compliance(loaded.stack, "MISS#"), compliance(loaded.stack, "CASE")) == before


def test_misses_late_entries_and_their_records_agree(loaded: Loaded) -> None:
    missing = compliance(loaded.stack, "MISS#")
    statuses = Counter(r["status"] for r in missing if r["kind"] == "entry")
    assert statuses["missing"] > 0 and statuses["late_submitted"] > 0
    story = loaded.history.journal.storylines  # type: ignore[union-attr]
    missed = {(r["cadre_id"], r["period"]) for r in missing if r["status"] == "missing"}
    for cadre, days in story.missed.items():
        assert all((cadre, d.isoformat()) in missed for d in days)


# --- cases ----------------------------------------------------------------------------------------
def test_the_ladder_opened_talks_and_accountability_cases(loaded: Loaded) -> None:
    story = loaded.history.journal.storylines  # type: ignore[union-attr]
    found = cases(loaded.stack)
    by_cadre: dict[str, list[dict[str, Any]]] = {}
    for case in found:
        by_cadre.setdefault(case["cadre_id"], []).append(case)

    states = {(c["kind"], c["state"]) for c in by_cadre[story.talk_then_accountability]}
    assert states == {("reminder_talk", "escalated"), ("accountability", "open")}
    assert [c["state"] for c in by_cadre[story.talk_closed]] == ["closed"]
    assert [c["state"] for c in by_cadre[story.talk_open]] == ["open"]
    assert ("reminder_talk", "logging") in {(c["kind"], c["subject"]) for c in by_cadre[story.perfunctory]}
    assert [c["kind"] for c in by_cadre[story.falsification]] == ["accountability"]
    assert [(c["kind"], c["subject"]) for c in by_cadre[story.late_reviewer]] == [
        ("reminder_talk", "reviewing")
    ]
    talked = [c for c in found if any(e["action"] == "talk_recorded" for e in c["history"])]
    assert talked and len(talked) < len([c for c in found if c["kind"] == "reminder_talk"])


# --- reviews --------------------------------------------------------------------------------------
def test_past_weeks_are_reviewed_mostly_adequate_a_few_late_or_overdue(loaded: Loaded) -> None:
    # Review assignments, not the weekly run's own marks of the weeks it has done (same sort key prefix).
    reviews = [r for r in compliance(loaded.stack, "WEEK#") if "reviewer_id" in r]
    verdicts = Counter(r.get("verdict") for r in reviews)
    assert verdicts["adequate"] > 0.9 * len(reviews)
    assert verdicts["perfunctory"] >= 2 and verdicts["suspected_falsification"] == 1
    assert any(r["status"] == "overdue" for r in reviews)
    assert any(r["status"] == "done" and r.get("late") for r in reviews)
    weeks = {r["week_start"] for r in reviews}
    assert min(weeks) == "2026-07-06" and max(weeks) == "2026-11-16"  # 11-23 is assigned today


# --- audits and evaluations -------------------------------------------------------------------------
def test_the_last_quarter_was_drawn_from_its_commitment_and_inspected(loaded: Loaded) -> None:
    import json

    from worklog.audit.verify import from_ledger, verify_round

    rounds = {
        json.loads(i["data"])["round_id"]: json.loads(i["data"]) for i in compliance(loaded.stack, "ROUND")
    }
    assert rounds["2026-Q3"]["state"] == "drawn" and rounds["2026-Q4"]["state"] == "committed"
    assert verify_round("2026-Q3", from_ledger()) == []
    findings = [json.loads(i["data"]) for i in compliance(loaded.stack, "FINDING#")]
    assert findings and {f["round_id"] for f in findings} == {"2026-Q3"}
    assert {f["result"] for f in findings} <= {"verified", "discrepancy"}


def test_hr_graded_every_unit_for_the_quarter(loaded: Loaded) -> None:
    import json

    graded = [
        json.loads(i["data"])
        for i in items(loaded.stack, "ComplianceTable")
        if str(i["pk"]) == "EVAL#2026-Q3"
    ]
    assert {e["unit_id"] for e in graded} == {u.unit_id for u in loaded.district.units}
    assert len({e["grade"] for e in graded}) >= 2


# --- the public site ------------------------------------------------------------------------------
def test_unit_pages_chart_the_closed_months(loaded: Loaded) -> None:
    from worklog.publish.site import SiteStore

    site = SiteStore()
    for unit in loaded.district.units:
        page = site.client.get_object(Bucket=site.bucket, Key=f"units/{unit.unit_id}/index.html")[
            "Body"
        ].read()
        html = page.decode()
        assert "暂无数据" not in html
        assert all(f"2026年{m}月" in html for m in (8, 9, 10))
        assert "2026年11月" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # not closed yet


def test_the_history_ends_before_today(loaded: Loaded) -> None:
    last = max(datetime.fromisoformat(str(i["saved_at"])) for i in loaded.journal if "seq" in i)
    assert last < datetime(2026, 11, 30, tzinfo=SHANGHAI)
    assert loaded.history.replay is not None and loaded.history.replay.skipped == []
    assert loaded.history.window is not None and loaded.history.window.first == TODAY.replace(month=7, day=1)
    assert timedelta(0) < datetime(2026, 11, 30, tzinfo=SHANGHAI) - last < timedelta(days=3)
