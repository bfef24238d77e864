"""The compliance cycle through the local runtime: the nightly check run on demand, its reminders
on the event bus as /_local/events shows them, and a second run that adds nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e


def last_working_day() -> date:
    d = date.today() - timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def events(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    listed = requests.get(f"{runtime.url}/_local/events", timeout=10).json()
    return [e for e in listed if e.get("detail-type") == kind]


def test_the_nightly_check_reminds_exactly_those_who_owe(runtime: Runtime) -> None:
    day = last_working_day().isoformat()
    before = len(events(runtime, "EntryMissing"))
    first = requests.post(f"{runtime.url}/_local/run/missing-entry-check", json={"date": day}, timeout=120)
    assert first.status_code == 200, first.text
    summary = first.json()
    assert summary["cadres"] == 800 and summary["owed"] > 0
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
