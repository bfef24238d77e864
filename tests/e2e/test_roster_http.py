"""A 花名册 with unit names, ID-card numbers and no staff number, against `python -m infra.local` as
`make run` starts it: checked (dry run), imported over the admin API, then imported again from the
command line with the runtime's `.local/env`, which matches the same cadres and changes nothing.

The cadres are this file's own, in post only from 2090, so no check, review or audit of the shared
runtime counts them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests

from tests.e2e.conftest import Runtime, demo_user, runtime_env, token_for
from worklog.roster.id_cards import check_character

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
JOINS = "2090-01-01"


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


NUMBERS = [id_number("51010719900101101"), id_number("51010719910202102")]


def huamingce(unit_name: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["区管干部花名册（端到端测试）"])
    sheet.append(["序号", "姓名", "身份证号码", "工作单位", "现任职务", "任职日期"])
    sheet.append([1, "端甲", NUMBERS[0], unit_name, "科员", JOINS])
    sheet.append([2, "端乙", NUMBERS[1], unit_name, "科员", JOINS])
    sheet.append([3, "端丙", None, unit_name, "科员", JOINS])  # neither a staff number nor an ID-card number
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_huamingce_is_checked_imported_and_matched_again_from_the_command_line(
    runtime: Runtime, users: list[dict[str, Any]], tmp_path: Path
) -> None:
    headers = {"Authorization": f"Bearer {token_for(runtime, demo_user(users, 'admin')['cadre_id'])}"}

    def call(method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, f"{runtime.url}{path}", json=body, headers=headers, timeout=60)

    # Given a unit of the demo district whose name no other unit has
    units = call("GET", "/admin/roster/units").json()["units"]
    names = [u["name"] for u in units]
    unit = next(u for u in units if names.count(u["name"]) == 1)
    content = huamingce(unit["name"])
    payload = {"format": "xlsx", "content": base64.b64encode(content).decode()}
    # When the admin checks the sheet, then imports it
    dry = call("POST", "/admin/roster/imports", {**payload, "dry_run": True})
    done = call("POST", "/admin/roster/imports", payload)
    # Then both answers judge the rows the same way, under the sheet's numbering
    for answer in (dry, done):
        assert answer.status_code == 200, answer.text
        assert not any(n in answer.text for n in NUMBERS)
        report = answer.json()
        assert report["imported"] == 2 and [r["row"] for r in report["rejected"]] == [5]
    new = {c["row"]: c["cadre_id"] for c in done.json()["role_changes"]}
    assert {c["row"]: c["cadre_id"] for c in dry.json()["role_changes"]} == new and set(new) == {3, 4}
    for cadre_id in new.values():
        cadre = call("GET", f"/admin/roster/cadres/{cadre_id}").json()
        assert cadre["unit_id"] == unit["unit_id"] and cadre["joined_on"] == JOINS
    # When the same sheet is imported again from the command line, with the runtime's env file
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(content)
    env = {**os.environ, **runtime_env(runtime), "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT}"}
    cli = subprocess.run(
        [sys.executable, "-m", "worklog.cli", "import-roster", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it matches the same two cadres and changes nothing (exit 1: one row is still rejected)
    assert cli.returncode == 1, cli.stderr
    again = json.loads(cli.stdout)
    assert again["imported"] == 2 and again["role_changes"] == []
    assert not any(n in cli.stdout + cli.stderr for n in NUMBERS)
