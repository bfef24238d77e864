"""The cadre's own log (docs/api.md) over HTTP against `python -m infra.local`, as a client would.

The demo district has logs up to yesterday; these tests move the runtime's clock to a working day
more than a week ahead, where nothing is stored yet, and return it to real time afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime, demo_user, runtime_today, token_for

pytestmark = pytest.mark.e2e

ENTRY = {"items": [{"content": "召开街道安全生产专题会，排查隐患8处并交办整改", "status": "done"}]}


def working_day_ahead(runtime: Runtime) -> date:
    d = runtime_today(runtime) + timedelta(days=10)
    while d.weekday() != 2:  # a Wednesday: the days around it are working days too
        d += timedelta(days=1)
    return d


@pytest.fixture
def day(runtime: Runtime) -> Iterator[date]:
    d = working_day_ahead(runtime)
    resp = requests.post(
        f"{runtime.url}/_local/clock", json={"now": f"{d.isoformat()}T18:00:00+08:00"}, timeout=10
    )
    assert resp.status_code == 200
    yield d
    requests.post(f"{runtime.url}/_local/clock", json={"now": None}, timeout=10)


class Client:
    def __init__(self, runtime: Runtime, cadre_id: str) -> None:
        self.base = runtime.url
        self.headers = {"Authorization": f"Bearer {token_for(runtime, cadre_id)}"}

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        return requests.request(
            method, f"{self.base}{path}", json=body, headers={**self.headers, **headers}, timeout=30
        )


@pytest.fixture
def cadre(runtime: Runtime, users: list[dict[str, Any]]) -> Client:
    plain = [u for u in users if u["roles"] == ["cadre"]]
    return Client(runtime, plain[-1]["cadre_id"])


def test_an_entry_is_saved_revised_and_read_back(cadre: Client, day: date) -> None:
    first = cadre.send("PUT", f"/entries/{day}", ENTRY)
    assert first.status_code == 201, first.text
    assert first.json()["revision"] == 1 and not first.json()["late"]
    assert first.json()["saved_at"].startswith(f"{day}T18:00") and first.json()["saved_at"].endswith("+08:00")
    no_reason = cadre.send("PUT", f"/entries/{day}", ENTRY)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "validation_error"
    second = cadre.send("PUT", f"/entries/{day}", {**ENTRY, "reason": "补充整改时限"})
    assert second.status_code == 200 and second.json()["previous_hash"] == first.json()["hash"]
    current = cadre.send("GET", f"/entries/{day}").json()
    assert current["revision"] == 2 and current["amended"]
    revisions = cadre.send("GET", f"/entries/{day}/revisions").json()["revisions"]
    assert [r["reason"] for r in revisions] == [None, "补充整改时限"]
    listed = cadre.send("GET", f"/entries?from={day - timedelta(days=3)}&to={day}").json()["entries"]
    assert [e["date"] for e in listed] == [day.isoformat()]


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response(cadre: Client, day: date) -> None:
    path = f"/entries/{day - timedelta(days=1)}"
    first = cadre.send("PUT", path, ENTRY, **{"Idempotency-Key": f"e2e-{day}"})
    again = cadre.send("PUT", path, ENTRY, **{"Idempotency-Key": f"e2e-{day}"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(cadre.send("GET", f"{path}/revisions").json()["revisions"]) == 1


def test_late_locked_and_future_days(cadre: Client, day: date) -> None:
    late = cadre.send("PUT", f"/entries/{day - timedelta(days=2)}", ENTRY)
    assert late.status_code == 201 and late.json()["late"]
    locked = cadre.send("PUT", f"/entries/{day - timedelta(days=8)}", ENTRY)
    assert locked.status_code == 409 and locked.json()["code"] == "period_locked"
    future = cadre.send("PUT", f"/entries/{day + timedelta(days=1)}", ENTRY)
    assert future.status_code == 422


def test_me_lists_what_is_owed_and_drops_it_once_saved(
    runtime: Runtime, users: list[dict[str, Any]], day: date
) -> None:
    plain = [u for u in users if u["roles"] == ["cadre"]]
    someone = Client(runtime, plain[-2]["cadre_id"])
    before = someone.send("GET", "/me").json()
    assert before["today"] == day.isoformat() and before["working_day"]
    owed = {(o["kind"], o["period"]): o for o in before["owes"]}
    assert ("entry", day.isoformat()) in owed and not owed[("entry", day.isoformat())]["overdue"]
    assert ("entry", (day - timedelta(days=1)).isoformat()) in owed  # yesterday: late but still open
    assert someone.send("PUT", f"/entries/{day}", ENTRY).status_code == 201
    after = {(o["kind"], o["period"]) for o in someone.send("GET", "/me").json()["owes"]}
    assert ("entry", day.isoformat()) not in after


def test_bad_requests_get_the_error_contract(cadre: Client, runtime: Runtime, day: date) -> None:
    assert requests.get(f"{runtime.url}/me", timeout=10).status_code == 401
    bad_json = requests.put(
        f"{runtime.url}/entries/{day}",
        data=b"{oops",
        headers={**cadre.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "invalid_json"
    huge = cadre.send("PUT", f"/entries/{day}", {"items": [{"content": "字" * 40000, "status": "done"}]})
    assert huge.status_code == 413
    assert cadre.send("GET", "/admin/roster/units").status_code == 403


def test_responses_carry_cors_headers_for_web_clients(cadre: Client) -> None:
    resp = cadre.send("GET", "/me", Origin="https://worklog.example.gov.cn")
    assert resp.headers.get("access-control-allow-origin") in {"*", "https://worklog.example.gov.cn"}


def test_an_admin_imports_a_roster_row_and_the_new_cadre_can_log_in(
    runtime: Runtime, users: list[dict[str, Any]]
) -> None:
    admin = Client(runtime, demo_user(users, "admin")["cadre_id"])
    csv = "工号,姓名,单位编码,职务,角色\ne2e001,测试干部,zzb,科员,干部\n"
    report = admin.send("POST", "/admin/roster/imports", {"format": "csv", "content": csv})
    assert report.status_code == 200 and report.json()["imported"] == 1, report.text
    me = Client(runtime, "e2e001").send("GET", "/me")
    assert me.status_code == 200 and me.json()["unit_id"] == "zzb"
