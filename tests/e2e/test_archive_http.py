"""The archive through the local runtime: after a night's publish and archive, `verify-archive`,
pointed at the runtime by its env file, passes; a night's object rewritten through the emulator is
caught and the revision named; the night's re-run writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runtime, runtime_env, runtime_s3
from worklog.archive import nights

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def verify_archive(runtime: Runtime) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "worklog.cli", "verify-archive"],
        cwd=ROOT,
        env={**os.environ, **runtime_env(runtime)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == result["ok"], done.stderr
    return result


def run(runtime: Runtime, function: str) -> dict[str, Any]:
    response = requests.post(f"{runtime.url}/_local/run/{function}", json={}, timeout=900)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_night_archived_in_the_runtime_verifies_and_a_rewritten_night_is_caught(runtime: Runtime) -> None:
    # Given the demo district published and archived tonight
    run(runtime, "disclosure-publisher")
    archived = run(runtime, "archiver")
    assert archived["revisions"] > 0

    # Then the archive verifies against the checkpoint, from the ledger bucket alone
    report = verify_archive(runtime)
    assert report["ok"], report["problems"][:10]
    assert report["checkpoints"] >= 1 and report["revisions"] == archived["revisions"]

    # When the night's object is written again through the emulator with one revision changed
    s3, bucket = runtime_s3(runtime), runtime_env(runtime)["LEDGER_BUCKET"]
    key = nights.night_key(date.fromisoformat(archived["night"]))
    lines = list(nights.decode(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    target = next(x["item"] for x in lines if x["kind"] == "revision")
    target["body"] = target["body"].replace("}", ',"x":1}', 1)
    s3.put_object(Bucket=bucket, Key=key, Body=nights.encode(lines), ChecksumAlgorithm="SHA256")

    # Then verify-archive names it, and a re-run of the night writes nothing
    problems = "\n".join(verify_archive(runtime)["problems"])
    assert f"cadre {target['cadre_id']} seq {target['seq']}: the content does not match its hash" in problems
    assert run(runtime, "archiver")["written"] is False
