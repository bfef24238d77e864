"""A night and a morning of the demo district through /_local/clock: the nightly check's reminders
reach each cadre who still owes something as exactly one morning digest (at /_local/outbox and in
their inbox), nobody else gets one, and neither a second morning run nor a replayed event sends
anything twice.

The runtime is this file's own: moving its clock fires every schedule on the way.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.e2e.conftest import Runtime, runtime_env, start_runtime, stop_runtime, token_for
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI

ENTRY = {"items": [{"content": "召开专题会议，研究部署年底重点工作", "status": "done"}]}
QUIET_S = 6  # the outbox unchanged this long: the runtime has taken in every event
WAIT_S = 240


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    rt = start_runtime(tmp_path_factory.mktemp("notify-runtime"), "--no-publish", "--demo-weeks", "3")
    yield rt
    stop_runtime(rt)


def get(rt: Runtime, path: str, **params: str) -> Any:
    resp = requests.get(f"{rt.url}{path}", params=params, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def set_clock(rt: Runtime, moment: datetime) -> None:
    resp = requests.post(f"{rt.url}/_local/clock", json={"now": moment.isoformat()}, timeout=30)
    assert resp.status_code == 200, resp.text


def settle(rt: Runtime, done: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    """The outbox once it has stopped changing (and ``done`` holds of it)."""
    deadline, last, since = time.monotonic() + WAIT_S, None, time.monotonic()
    while time.monotonic() < deadline:
        outbox = get(rt, "/_local/outbox")
        shape = json.dumps([outbox["pending"], len(outbox["digests"]), outbox["runs"]], sort_keys=True)
        if shape != last:
            last, since = shape, time.monotonic()
        elif time.monotonic() - since >= QUIET_S and done(outbox):
            return outbox
        time.sleep(1)
    pytest.fail(f"the outbox did not settle within {WAIT_S} s")


def save(rt: Runtime, cadre_id: str, day: date) -> None:
    headers = {"Authorization": f"Bearer {token_for(rt, cadre_id)}"}
    resp = requests.put(f"{rt.url}/entries/{day.isoformat()}", json=ENTRY, headers=headers, timeout=30)
    assert resp.status_code in (200, 201), resp.text


def two_working_days(now: datetime) -> tuple[date, date]:
    """The first working day X whose 08:00 is still to come after ``now`` and whose next day D is a
    working day too and not a Monday. The review assignment runs every day at 08:00: X's run assigns
    the week before the night, and D's, in the same week, assigns nothing new (a Monday's would
    assign a new week between the night and the morning)."""
    calendar, day = WorkingCalendar(), now.astimezone(SHANGHAI).date()
    while not (
        at(day, 8) > now
        and calendar.is_working(day)
        and calendar.is_working(day + timedelta(days=1))
        and day.weekday() != 6
    ):
        day += timedelta(days=1)
    return day, day + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def morning_run_finished(morning: date) -> Callable[[dict[str, Any]], bool]:
    key = f"RUN#{morning.isoformat()}"
    return lambda outbox: any(r["pk"] == key and r.get("finished_at") for r in outbox["runs"])


def reminded(rt: Runtime, since: int, day: date) -> set[str]:
    """Who the nightly check reminded of ``day``'s entry, from the events put since the index."""
    events = get(rt, "/_local/events")[since:]
    return {
        e["detail"]["cadre_id"]
        for e in events
        if e.get("detail-type") == "EntryMissing"
        and e["detail"]["kind"] == "entry"
        and e["detail"]["period"] == day.isoformat()
    }


def sent(outbox: dict[str, Any]) -> int:
    return len(outbox["sms"]) + len(outbox["email"]) + len(outbox["robots"])


def test_a_night_and_a_morning_send_one_digest_to_each_cadre_who_still_owes_and_to_nobody_else(
    night: Runtime, tmp_path: Path
) -> None:
    # Given two working days X and D; the runtime brought to X 09:00 with everything before it sent:
    # first X's review assignment (08:00), whose notices are for X's morning, then that morning
    x, d = two_working_days(datetime.fromisoformat(get(night, "/_local/clock")["now"]))
    set_clock(night, at(x, 8, 10))
    settle(night)
    set_clock(night, at(x, 9))
    settle(night, morning_run_finished(x))
    writers = [u["cadre_id"] for u in get(night, "/_local/users")][:2]
    # And two cadres who write X's log in the evening
    set_clock(night, at(x, 18))
    for cadre_id in writers:
        save(night, cadre_id, x)
    events_before = len(get(night, "/_local/events"))

    # When the night passes (the nightly check at 01:30 reminds whoever has not written X's log)
    set_clock(night, at(d, 1, 45))
    settle(
        night, lambda o: len(o["pending"].get(d.isoformat(), [])) >= len(reminded(night, events_before, x))
    )
    owing = reminded(night, events_before, x)
    # And one of them writes it at 07:00, before the morning
    early_bird = sorted(owing)[0]
    set_clock(night, at(d, 7))
    save(night, early_bird, x)
    sent_before = sent(get(night, "/_local/outbox"))
    # And the clock passes the digest time
    set_clock(night, at(d, 8, 35))
    outbox = settle(night, morning_run_finished(d))

    # Then each cadre who still owes something has exactly one digest of that morning, nobody else
    assert len(owing) > 100 and not set(writers) & owing
    mine = [g for g in outbox["digests"] if g["digest_id"] == f"morning-{d.isoformat()}"]
    per_person = Counter(g["person_id"] for g in mine)
    assert set(per_person) == owing - {early_bird}
    assert set(per_person.values()) == {1}
    # And each went out on a channel or, with none, is in the inbox only; a message per one sent
    statuses = Counter(g["delivery"]["status"] for g in mine)
    assert set(statuses) <= {"sent", "no_channel"} and statuses["sent"] > 0
    assert sent(outbox) - sent_before == statuses["sent"]
    # And a cadre finds it in the inbox, unread, with the day's line and its last day
    someone = sorted(per_person)[-1]
    headers = {"Authorization": f"Bearer {token_for(night, someone)}"}
    inbox = requests.get(f"{night.url}/me/notifications", headers=headers, timeout=30).json()
    newest = inbox["items"][0]
    assert inbox["unread"] >= 1 and not newest["read"]
    assert any(x.isoformat() in line["link"] and line["last_day"] for line in newest["lines"])

    # When the morning run is run again, and the night's reminder for that cadre is put again
    again = run_again_and_replay(night, d, someone, events_before)
    # Then nothing more was sent, and the replayed reminder waits for no later morning
    assert sent(again) == sent(outbox)
    assert len(again["digests"]) == len(outbox["digests"])
    later = [n for day, ns in again["pending"].items() if day > d.isoformat() for n in ns]
    assert not [n for n in later if n["person_id"] == someone]


def run_again_and_replay(rt: Runtime, morning: date, person: str, events_before: int) -> dict[str, Any]:
    """Run the morning again, put the night's EntryMissing event for ``person`` on the bus again;
    the outbox once it has settled."""
    resp = requests.post(f"{rt.url}/_local/run/notifier", json={"date": morning.isoformat()}, timeout=120)
    assert resp.status_code == 200, resp.text
    event = next(
        e
        for e in get(rt, "/_local/events")[events_before:]
        if e.get("detail-type") == "EntryMissing" and e["detail"]["cadre_id"] == person
    )
    entry = {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"], ensure_ascii=False),
        "EventBusName": runtime_env(rt)["EVENT_BUS"],
    }
    assert not boto3.client("events", **_aws(rt)).put_events(Entries=[entry])["FailedEntryCount"]
    return settle(rt)


def _aws(rt: Runtime) -> dict[str, str]:
    env = runtime_env(rt)
    return {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": env.get("AWS_DEFAULT_REGION", "us-east-1"),
        "aws_access_key_id": env.get("AWS_ACCESS_KEY_ID", "testing"),
        "aws_secret_access_key": env.get("AWS_SECRET_ACCESS_KEY", "testing"),
    }
