"""`make run`'s own path: `python -m infra.local` with the full demo. It answers at once with the
roster in, serves the API while the months of history load in the background, refuses to run the
scheduled functions by hand meanwhile, and ends with a public site whose unit pages chart the
closed months. The times are printed (the budgets — healthy within 30 s, the site within three
minutes — are measured and reported, not asserted: CI machines differ)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime, start_runtime, stop_runtime, token_for

pytestmark = pytest.mark.e2e
LOAD_TIMEOUT_S = 900  # generous for a loaded CI machine


@dataclass
class Started:
    runtime: Runtime
    healthy_after: float
    seen_while_loading: dict[str, Any]
    demo_ready_after: float
    site_ready_after: float


def wait_for(check: Any, timeout: float, what: str, runtime: Runtime) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runtime.process.poll() is not None:
            pytest.fail(f"the runtime exited while {what}:\n{runtime.output()[-5000:]}")
        if check():
            return
        time.sleep(1)
    pytest.fail(f"not {what} within {timeout} s:\n{runtime.output()[-5000:]}")


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    began = time.monotonic()
    rt = start_runtime(tmp_path_factory.mktemp("full-demo"))  # no flags: what `make run` starts
    healthy_after = time.monotonic() - began
    try:
        seen: dict[str, Any] = {"health": requests.get(f"{rt.url}/_local/health", timeout=30).json()}
        headers = {"Authorization": f"Bearer {token_for(rt, 'c0010')}"}
        seen["me"] = requests.get(f"{rt.url}/me", headers=headers, timeout=30).status_code
        seen["run"] = requests.post(f"{rt.url}/_local/run/missing-entry-check", json={}, timeout=30)

        def demo_ready() -> bool:
            return requests.get(f"{rt.url}/_local/health", timeout=30).json().get("demo") == "ready"

        def site_ready() -> bool:
            return requests.get(f"{rt.url}/_local/site", timeout=30).json() == {"site": "ready"}

        wait_for(demo_ready, LOAD_TIMEOUT_S, "demo ready", rt)
        demo_ready_after = time.monotonic() - began
        wait_for(site_ready, LOAD_TIMEOUT_S, "site ready", rt)
        site_ready_after = time.monotonic() - began
        print(
            f"\nfull demo: healthy after {healthy_after:.1f} s, history loaded after "
            f"{demo_ready_after:.1f} s, site ready after {site_ready_after:.1f} s"
        )
        yield Started(rt, healthy_after, seen, demo_ready_after, site_ready_after)
    finally:
        stop_runtime(rt)


def test_the_api_serves_while_the_history_loads_and_the_schedules_wait(started: Started) -> None:
    assert started.seen_while_loading["health"] == {"status": "ok", "demo": "loading"}
    assert started.seen_while_loading["me"] == 200
    run = started.seen_while_loading["run"]
    assert run.status_code == 503 and run.json()["code"] == "demo_loading"


def test_unit_pages_chart_the_closed_months(started: Started) -> None:
    rt = started.runtime
    units = {u["unit_id"] for u in requests.get(f"{rt.url}/_local/users", timeout=30).json()}

    for unit in sorted(units)[:5]:
        page = requests.get(f"{rt.url}/site/units/{unit}/", timeout=30)
        assert page.status_code == 200
        assert "暂无数据" not in page.text
        assert page.text.count("<rect") >= 6  # three closed months at least, a bar and its track each


def test_the_history_shows_cases_and_an_audited_quarter(started: Started, record_property: Any) -> None:
    rt = started.runtime
    users = requests.get(f"{rt.url}/_local/users", timeout=30).json()
    inspector = next(u for u in users if "discipline_inspector" in u["roles"])
    headers = {"Authorization": f"Bearer {token_for(rt, inspector['cadre_id'])}"}

    cases = requests.get(f"{rt.url}/cases", headers=headers, timeout=60).json()["cases"]
    rounds = requests.get(f"{rt.url}/audits", headers=headers, timeout=60).json()["rounds"]

    assert any(c["kind"] == "accountability" for c in cases)
    assert any(r["kind"] == "quarterly" and r["state"] == "drawn" for r in rounds)
    for name in ("healthy_after", "demo_ready_after", "site_ready_after"):
        record_property(name, round(getattr(started, name), 1))
