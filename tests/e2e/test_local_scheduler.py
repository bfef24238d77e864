"""The local runtime in process, with stand-in functions: runs by hand, the scheduler and its
clock, and what waits while the demo history loads."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from tests.e2e.runtime_support import StandInSpec, add_function, call, go_live

pytestmark = pytest.mark.e2e

# --- in process: the scheduler with stand-in functions -------------------------------------------
# The template's functions need AWS; these stand-ins pin what the runtime itself does around a
# function, without sockets.


class Sweep:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict] = []
        self.fail = fail

    def __call__(self, event: dict, context: object) -> dict:
        self.events.append(dict(event))
        if self.fail:
            raise RuntimeError("table missing")
        return {"reminded": 2, "date": event.get("date")}


def nightly_spec(enabled: bool = True) -> StandInSpec:
    from infra.template import ScheduleSpec

    schedule = ScheduleSpec("Nightly", "cron(30 1 * * ? *)", "Asia/Shanghai", {"mode": "sweep"}, enabled)
    return StandInSpec(name="missing-entry-check", schedules=(schedule,))


def test_run_merges_the_date_into_the_schedule_input_and_returns_the_result(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})

    assert response.status == 200
    assert payload == {"reminded": 2, "date": "2024-05-06"}
    assert sweep.events == [{"mode": "sweep", "date": "2024-05-06"}]


def test_run_without_a_body_uses_the_schedule_input(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)

    response = bare_runtime.handle("POST", "/_local/run/missing-entry-check", [], b"", "127.0.0.1")

    assert response.status == 200
    assert sweep.events == [{"mode": "sweep"}]


def test_run_works_for_a_disabled_schedule_too(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(enabled=False), sweep)
    go_live(bare_runtime)

    response, _ = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {})

    assert response.status == 200


@pytest.mark.parametrize("body", [{"date": "2024-13-01"}, {"date": "yesterday"}, {"day": "2024-05-06"}, [1]])
def test_run_with_a_bad_body_is_422(bare_runtime, body):
    add_function(bare_runtime, nightly_spec(), Sweep())
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", body)

    assert response.status == 422
    assert payload["code"] == "validation_error"


def test_a_failing_run_reports_the_error(bare_runtime):
    add_function(bare_runtime, nightly_spec(), Sweep(fail=True))
    go_live(bare_runtime)

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {})

    assert response.status == 500
    assert payload["code"] == "function_error"
    assert "table missing" in payload["error"]


def test_moving_the_clock_past_the_fire_time_fires_the_schedule_once(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    bare_runtime.ready.set()
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T01:00:00+08:00"})
    go_live(bare_runtime)  # plans the nightly run for 2024-05-06 01:30

    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-09T12:00:00+08:00"})
    deadline = time.monotonic() + 10
    while not sweep.events and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)

    assert sweep.events == [{"mode": "sweep"}]
    (schedule,) = call(bare_runtime, "GET", "/_local/schedules")[1]
    assert schedule["fired"] == 1
    assert schedule["next_fire"] == "2024-05-10T01:30:00+08:00"


def test_health_says_whether_the_demo_history_is_still_loading(bare_runtime):
    go_live(bare_runtime)
    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "none"}

    bare_runtime.demo.state = "loading"

    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "loading"}


def test_scheduled_functions_cannot_be_run_by_hand_while_the_history_loads(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    go_live(bare_runtime)
    bare_runtime.demo.state = "loading"

    response, payload = call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})

    assert response.status == 503
    assert payload["code"] == "demo_loading"
    assert sweep.events == []
    bare_runtime.demo.state = "ready"
    assert (
        call(bare_runtime, "POST", "/_local/run/missing-entry-check", {"date": "2024-05-06"})[0].status == 200
    )


def test_held_schedules_fire_only_once_released_and_then_what_came_due_since_midnight(bare_runtime):
    sweep = Sweep()
    add_function(bare_runtime, nightly_spec(), sweep)
    bare_runtime.ready.set()
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T09:00:00+08:00"})
    bare_runtime._start_scheduler(hold=True)
    call(bare_runtime, "POST", "/_local/clock", {"now": "2024-05-06T09:05:00+08:00"})
    time.sleep(0.3)
    assert sweep.events == []

    bare_runtime._release_scheduler()
    deadline = time.monotonic() + 10
    while not sweep.events and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)

    assert sweep.events == [{"mode": "sweep"}]  # the 01:30 run of that day, once
    (schedule,) = call(bare_runtime, "GET", "/_local/schedules")[1]
    assert schedule["next_fire"] == "2024-05-07T01:30:00+08:00"


def test_the_site_is_ready_only_once_its_start_up_build_has_finished(bare_runtime, monkeypatch):
    go_live(bare_runtime)
    monkeypatch.setattr(bare_runtime.site, "object", lambda key: object())  # the home page is there
    bare_runtime.demo.site_building.set()

    assert call(bare_runtime, "GET", "/_local/site")[1] == {"site": "publishing"}
    bare_runtime.demo.site_building.clear()
    assert call(bare_runtime, "GET", "/_local/site")[1] == {"site": "ready"}


class _Loaded:
    def as_dict(self) -> dict:
        return {}


def test_a_publisher_run_set_off_while_the_history_loads_waits_for_it(bare_runtime, monkeypatch):
    import infra.demo.loader as loader

    release, calls = threading.Event(), []

    def load_history(district, day, *, publish, progress, stop):
        progress("journal")
        release.wait(10)
        calls.append("history")
        progress("site")
        calls.append("site")
        return _Loaded()

    monkeypatch.setattr(loader, "load_history", load_history)
    add_function(
        bare_runtime, StandInSpec(name="disclosure-publisher"), lambda e, c: calls.append("publisher")
    )
    go_live(bare_runtime)
    bare_runtime.demo.day, bare_runtime.demo.district = date(2024, 5, 6), object()
    bare_runtime.demo.state = "loading"
    bare_runtime._load_history_in_background()
    nightly = threading.Thread(target=bare_runtime.functions["disclosure-publisher"].invoke, args=({},))
    nightly.start()
    time.sleep(0.3)
    assert calls == []

    release.set()
    nightly.join(10)

    assert calls == ["history", "site", "publisher"]
    assert call(bare_runtime, "GET", "/_local/health")[1] == {"status": "ok", "demo": "ready"}
