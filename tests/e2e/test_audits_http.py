"""Random audits through the local runtime: /_local/run/audit-sampling publishes a quarter's
commitment, then its draw; an inspector's token sees exactly their assignments; the verify command,
pointed at the runtime by its env file, confirms the draw and catches a tampered one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime, runtime_env, runtime_s3

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def token(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": cadre_id}, timeout=10)
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def verify(runtime: Runtime, round_id: str) -> dict[str, Any]:
    env = {**os.environ, **runtime_env(runtime)}
    done = subprocess.run(
        [sys.executable, "-m", "worklog.cli", "verify-audit", round_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == result["ok"], done.stderr
    return result


def test_a_quarter_is_committed_then_drawn_and_the_draw_verifies(
    runtime: Runtime, users: list[dict[str, Any]]
) -> None:
    run = requests.post(f"{runtime.url}/_local/run/audit-sampling", json={"date": "2026-10-08"}, timeout=300)
    assert run.status_code == 200, run.text
    assert run.json()["drawn"] == "2026-Q3" and run.json()["committed"] == "2026-Q4"
    deadline, audit_events = time.monotonic() + 15, []
    while len(audit_events) < 3 and time.monotonic() < deadline:  # the bus tap drains every 0.5 s
        time.sleep(0.3)
        listed = requests.get(f"{runtime.url}/_local/events", timeout=10).json()
        # This run's rounds only: another test on the shared runtime may have drawn a spot-check.
        audit_events = [
            (e["detail-type"], e["detail"]["round_id"])
            for e in listed
            if "Audit" in e["detail-type"] and e["detail"]["round_id"] in ("2026-Q3", "2026-Q4")
        ]
    assert audit_events[:2] == [("AuditCommitted", "2026-Q3"), ("AuditDrawn", "2026-Q3")]

    inspector = next(u for u in users if "discipline_inspector" in u["roles"])
    org = next(u for u in users if "org_inspector" in u["roles"])
    rounds = requests.get(f"{runtime.url}/audits", headers=token(runtime, org["cadre_id"]), timeout=10).json()
    q3 = next(r for r in rounds["rounds"] if r["round_id"] == "2026-Q3")
    assert q3["state"] == "drawn" and q3["seed"] and q3["sampled"] >= 62  # at least one per unit

    mine = requests.get(
        f"{runtime.url}/me/audits", headers=token(runtime, inspector["cadre_id"]), timeout=10
    ).json()["assignments"]
    env = runtime_env(runtime)
    s3 = runtime_s3(runtime)
    bucket = env["LEDGER_BUCKET"]
    sample = json.loads(s3.get_object(Bucket=bucket, Key="audits/2026-Q3/sample.json")["Body"].read())
    expected = {c["cadre_id"] for c in sample["cadres"] if inspector["cadre_id"] in c["inspectors"]}
    assert {a["cadre_id"] for a in mine if a["round_id"] == "2026-Q3"} == expected

    assert verify(runtime, "2026-Q3") == {"round_id": "2026-Q3", "ok": True, "problems": []}
    original = json.dumps(sample).encode()
    tampered = {**sample, "cadres": sample["cadres"][1:]}
    s3.put_object(Bucket=bucket, Key="audits/2026-Q3/sample.json", Body=json.dumps(tampered).encode())
    try:
        assert verify(runtime, "2026-Q3")["ok"] is False
    finally:
        s3.put_object(Bucket=bucket, Key="audits/2026-Q3/sample.json", Body=original)
    again = requests.post(
        f"{runtime.url}/_local/run/audit-sampling", json={"date": "2026-10-08"}, timeout=300
    )
    assert again.json()["already_drawn"] is True
