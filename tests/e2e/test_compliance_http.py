"""The compliance cycle through the local runtime: the nightly check run on demand, its reminders
on the event bus as /_local/events shows them, and a second run that adds nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime, runtime_today

pytestmark = pytest.mark.e2e


def last_working_day(runtime: Runtime) -> date:
    d = runtime_today(runtime) - timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def events(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    listed = requests.get(f"{runtime.url}/_local/events", timeout=10).json()
    return [e for e in listed if e.get("detail-type") == kind]


def test_the_nightly_check_reminds_exactly_those_who_owe(runtime: Runtime) -> None:
    day = last_working_day(runtime).isoformat()
    before = len(events(runtime, "EntryMissing"))
    first = requests.post(f"{runtime.url}/_local/run/missing-entry-check", json={"date": day}, timeout=120)
    assert first.status_code == 200, first.text
    summary = first.json()
    # Every cadre on the roster now: the demo district's 800, and any another test of the session
    # runtime has imported since (the roster screen's test adds its own).
    roster = requests.get(f"{runtime.url}/_local/users", timeout=30).json()
    assert summary["cadres"] == len(roster) >= 800 and summary["owed"] > 0
    deadline = time.monotonic() + 10
    while (
        len(events(runtime, "EntryMissing")) < before + summary["new_missing"] and time.monotonic() < deadline
    ):
        time.sleep(0.3)
    reminded = [e["detail"] for e in events(runtime, "EntryMissing")[before:]]
    assert len(reminded) == summary["new_missing"]
    assert all(r["period"] == day or r["kind"] != "entry" for r in reminded)
    again = requests.post(
        f"{runtime.url}/_local/run/missing-entry-check", json={"date": day}, timeout=120
    ).json()
    assert again["new_missing"] == 0 and again["missing"] == summary["missing"]


def token(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": cadre_id}, timeout=10)
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def test_a_unit_head_reviews_last_weeks_logs_and_the_cadre_sees_who_read(
    runtime: Runtime, users: list[dict[str, Any]]
) -> None:
    run = requests.post(f"{runtime.url}/_local/run/review-assignment", json={}, timeout=120)
    assert run.status_code == 200, run.text
    # The demo district's 800 cadres, less leavers (assigned by this run, or by an earlier one: the run
    # is idempotent and other tests of the session runtime may have run it first).
    assert run.json()["assignments"] > 700
    head = next(u for u in users if "unit_head" in u["roles"] and "district_leader" not in u["roles"])
    mine = requests.get(f"{runtime.url}/reviews", headers=token(runtime, head["cadre_id"]), timeout=30)
    assert mine.status_code == 200, mine.text
    reviews = mine.json()["reviews"]
    assert reviews and all(r["reviewer_id"] == head["cadre_id"] for r in reviews)
    review = next(r for r in reviews if r["verdict"] is None)
    path = f"/reviews/{review['week_start']}/{review['cadre_id']}"
    detail = requests.get(f"{runtime.url}{path}", headers=token(runtime, head["cadre_id"]), timeout=30)
    assert detail.status_code == 200 and "signals" in detail.json()
    someone_else = requests.get(
        f"{runtime.url}{path}", headers=token(runtime, review["cadre_id"]), timeout=30
    )
    assert someone_else.status_code == 403
    verdict = requests.put(
        f"{runtime.url}{path}",
        json={"verdict": "adequate", "comment": "记录具体，进度清楚"},
        headers=token(runtime, head["cadre_id"]),
        timeout=30,
    )
    assert verdict.status_code == 200, verdict.text
    reads = requests.get(f"{runtime.url}/me/reads", headers=token(runtime, review["cadre_id"]), timeout=30)
    assert reads.status_code == 200
    assert any(r["reader_id"] == head["cadre_id"] for r in reads.json()["reads"])


def test_cases_are_listed_for_their_holders_only(runtime: Runtime, users: list[dict[str, Any]]) -> None:
    inspector = next(u for u in users if "discipline_inspector" in u["roles"])
    listed = requests.get(f"{runtime.url}/cases", headers=token(runtime, inspector["cadre_id"]), timeout=30)
    assert listed.status_code == 200
    assert all(
        c["kind"] == "accountability" or c["cadre_id"] == inspector["cadre_id"]
        for c in listed.json()["cases"]
    )
    assert (
        requests.get(
            f"{runtime.url}/cases/RT-LOG-nobody-2026-01-05",
            headers=token(runtime, inspector["cadre_id"]),
            timeout=30,
        ).status_code
        == 404
    )
