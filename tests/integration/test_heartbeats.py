"""Heartbeats: each scheduled job puts one RunFinished metric when its run finishes, which the
template's heartbeat alarms watch (tests/infra/test_alarms.py holds the two to one name)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.test_publisher_shards import deliver, in_shards, queued
from worklog.observability import HEARTBEAT_DIMENSION, HEARTBEAT_JOBS, HEARTBEAT_METRIC
from worklog.settings import get_settings


def emitted(out: str) -> list[dict[str, Any]]:
    """The EMF records a run printed: one JSON object per line with an ``_aws`` block."""
    records = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def heartbeats(out: str) -> list[dict[str, Any]]:
    """Each heartbeat as its namespace, dimension names and job."""
    found = []
    for record in emitted(out):
        [directive] = record["_aws"]["CloudWatchMetrics"]
        if [m["Name"] for m in directive["Metrics"]] == [HEARTBEAT_METRIC]:
            found.append(
                {
                    "namespace": directive["Namespace"],
                    "dimensions": directive["Dimensions"],
                    "job": record.get(HEARTBEAT_DIMENSION),
                    "value": record[HEARTBEAT_METRIC],
                }
            )
    return found


@pytest.fixture
def metrics_on(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runtime turns Powertools metrics off (nothing reads them locally); these tests read them.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


SCHEDULED_RUNS = [
    ("missing-entry-check", {"date": "2026-11-19"}, "missing-entry-check"),
    ("review-assignment", {"date": "2026-11-23"}, "review-assignment"),
    ("disclosure-publisher", {}, "disclosure-publisher"),
    ("notifier", {"run": "morning", "date": "2026-11-24"}, "notifier-morning"),
    ("archiver", {}, "archiver"),
]


@pytest.mark.parametrize(("function", "event", "job"), SCHEDULED_RUNS, ids=[r[2] for r in SCHEDULED_RUNS])
def test_a_finished_scheduled_run_puts_one_heartbeat_for_its_job(
    stack: InProcessStack,
    metrics_on: None,
    capsys: pytest.CaptureFixture[str],
    function: str,
    event: dict[str, Any],
    job: str,
) -> None:
    # Given the clock on a working Tuesday morning
    set_clock(2026, 11, 24, 9)

    # When the job's scheduled run finishes
    stack.invoke(function, event)

    # Then it printed exactly one heartbeat, in the Worklog namespace, with only its job as dimension
    assert heartbeats(capsys.readouterr().out) == [
        {"namespace": "Worklog", "dimensions": [[HEARTBEAT_DIMENSION]], "job": job, "value": [1.0]}
    ]
    assert job in HEARTBEAT_JOBS


def test_the_morning_run_on_a_rest_day_still_puts_its_heartbeat(
    stack: InProcessStack, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Saturday: the morning run sends nothing, yet it ran
    set_clock(2026, 11, 21, 9)

    # When the schedule fires
    summary = stack.invoke("notifier", {"run": "morning", "date": "2026-11-21"})

    # Then the run says it was a rest day and the heartbeat alarm still hears from it
    assert summary["rest_day"] is True
    assert [h["job"] for h in heartbeats(capsys.readouterr().out)] == ["notifier-morning"]


def test_a_publish_triggered_by_an_event_is_not_the_nightly_heartbeat(
    stack: InProcessStack, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an event from the bus (a notice opened), not the nightly schedule
    event = {"source": "worklog", "detail-type": "NoticeOpened", "detail": {}}

    # When the publisher runs for it
    stack.invoke("disclosure-publisher", event)

    # Then no heartbeat: the nightly alarm must still see a missed nightly run
    assert heartbeats(capsys.readouterr().out) == []


def test_a_sweep_slice_that_hands_the_rest_on_is_not_a_finished_night(
    stack: InProcessStack,
    metrics_on: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given slices of one page of one cadre each: the first run hands the rest on through the queue
    monkeypatch.setenv("SWEEP_SLICE_PAGES", "1")
    monkeypatch.setenv("SWEEP_PAGE_ITEMS", "1")
    get_settings.cache_clear()

    # When the first slice runs
    summary = stack.invoke("missing-entry-check", {"date": "2026-11-19"})

    # Then the night is not finished, and no heartbeat says it is
    assert summary["next_from"] is not None
    assert heartbeats(capsys.readouterr().out) == []


@pytest.fixture
def sharded(stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> InProcessStack:
    return in_shards(stack, monkeypatch)


def test_a_nightly_publish_in_batches_puts_its_heartbeat_when_the_last_batch_finishes(
    sharded: InProcessStack, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the nightly run of several shards: it plans and hands its batches to the queue
    sharded.invoke("disclosure-publisher", {})
    messages = queued()
    assert len(messages) >= 2
    # When every batch but the last is done, no heartbeat: the site is not published yet
    for message in messages[:-1]:
        deliver(sharded, message)
    assert heartbeats(capsys.readouterr().out) == []
    # Then the invocation that takes the last batch, and writes the shared pages, puts it once
    deliver(sharded, messages[-1])
    assert [h["job"] for h in heartbeats(capsys.readouterr().out)] == ["disclosure-publisher"]


def test_a_nightly_publish_that_waits_for_a_running_one_puts_its_heartbeat_when_it_follows(
    sharded: InProcessStack, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a run started by an event holds the lock when the nightly schedule fires
    sharded.invoke("disclosure-publisher", {"source": "worklog", "detail-type": "NoticeOpened", "detail": {}})
    event_run = queued()
    assert sharded.invoke("disclosure-publisher", {})["busy"] is True
    assert heartbeats(capsys.readouterr().out) == []
    # When the event's run ends, the nightly one follows; its batches go out in turn
    for message in event_run:
        deliver(sharded, message)
    assert heartbeats(capsys.readouterr().out) == []  # the event's run is no nightly run
    following = queued()
    for message in following:
        deliver(sharded, message)
    # Then the nightly run, done at last, is heard from once
    assert [h["job"] for h in heartbeats(capsys.readouterr().out)] == ["disclosure-publisher"]
