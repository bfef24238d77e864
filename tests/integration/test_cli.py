"""The administrators' command line, against the template's tables under moto."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from worklog import cli
from worklog.compliance.repository import ComplianceRepository
from worklog.roster.repository import RosterRepository
from worklog.schedules import ScheduleRepository


def test_import_roster_from_a_csv_file(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,单位编码,单位名称,角色\nc0401,郑海燕,tyj,区文化体育和旅游局,一把手\n", "utf-8")
    assert cli.main(["import-roster", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    assert RosterRepository().get_unit("tyj").head_id == "c0401"


def test_a_command_line_import_records_its_role_changes_as_by_the_os_user(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.getpass, "getuser", lambda: "ops")
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,单位编码,角色\nc0001,李明,jyj,干部；管理员\n", "utf-8")
    assert cli.main(["import-roster", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    changes, _ = RosterRepository().role_changes("c0001")
    assert [(c.by, c.import_id, c.after.roles) for c in changes] == [
        ("cli:ops", report["import_id"], ["cadre", "admin"])
    ]


def test_import_roster_reports_rejected_rows_with_a_nonzero_exit(
    stack: InProcessStack, tmp_path: Path
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,单位编码\nc0402,,jyj\n", "utf-8")
    assert cli.main(["import-roster", str(path), "--dry-run"]) == 1


def test_load_calendar_and_verify_chain(stack: InProcessStack, tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": []}), "utf-8")
    assert cli.main(["load-calendar", "2027", str(path)]) == 0
    assert 2027 in ScheduleRepository().list_schedules()
    stack.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "会议", "status": "done"}]},
        as_="c0001",
    )
    assert cli.main(["verify-chain", "c0001"]) == 0


def test_a_bad_schedule_file_is_refused(stack: InProcessStack, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"holidays": ["2028-01-01"]}), "utf-8")
    assert cli.main(["load-calendar", "2027", str(path)]) == 2


def test_load_calendar_replaces_a_year_in_use_only_with_confirm_and_records_it(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 2027 loaded once from the command line
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}), "utf-8")
    second.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": []}), "utf-8")
    assert cli.main(["load-calendar", "2027", str(first)]) == 0
    capsys.readouterr()
    # When another schedule is loaded without --confirm
    assert cli.main(["load-calendar", "2027", str(second)]) == 2
    # Then it is refused naming the day that would change, and the stored year is unchanged
    err = capsys.readouterr().err
    assert err.startswith("confirmation_required:") and "2027-02-06（工作日→休息日）" in err
    repo = ScheduleRepository()
    assert repo.list_schedules()[2027].workdays == [date(2027, 2, 6)]
    # And with --confirm it replaces the year, recorded as a confirmed change by the CLI
    assert cli.main(["load-calendar", "2027", str(second), "--confirm"]) == 0
    assert repo.list_schedules()[2027].workdays == []
    changes = list(repo.list_schedule_changes(2027))
    assert [(c.by, c.confirmed) for c in changes] == [("cli", False), ("cli", True)]


def test_load_calendar_dry_run_prints_the_days_it_would_change_and_stores_nothing(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no schedule for 2027
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": []}), "utf-8")
    capsys.readouterr()
    # When it is loaded with --dry-run
    assert cli.main(["load-calendar", "2027", str(path), "--dry-run"]) == 0
    # Then the day it would change is printed, and nothing is stored or recorded
    out = capsys.readouterr().out
    assert out.startswith("would load ")
    preview = json.loads(out.removeprefix("would load "))
    assert preview["dry_run"] is True
    assert preview["changed_days"] == [{"date": "2027-01-01", "working_before": True, "working_after": False}]
    repo = ScheduleRepository()
    assert 2027 not in repo.list_schedules() and list(repo.list_schedule_changes(2027)) == []


@pytest.mark.parametrize("year", ["2027.0", "02027", "+2027", "1999", "2100"])
def test_load_calendar_takes_only_a_four_digit_year(stack: InProcessStack, tmp_path: Path, year: str) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"holidays": ["2027-01-01"]}), "utf-8")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["load-calendar", year, str(path), "--confirm"])
    assert exit_.value.code == 2
    assert ScheduleRepository().list_schedules() == {}


def test_verify_chain_detects_a_revision_rewritten_in_the_table(stack: InProcessStack) -> None:
    import boto3

    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        stack.call(
            "entries",
            "PUT",
            f"/entries/{day}",
            {"items": [{"content": "会议", "status": "done"}]},
            as_="c0001",
        )
    assert cli.main(["verify-chain", "c0001"]) == 0
    table = stack.stack.names["JournalTable"]
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": "CADRE#c0001"}, "sk": {"S": "REV#ENTRY#2026-11-19#0001"}},
        UpdateExpression="SET body = :b",
        ExpressionAttributeValues={":b": {"S": '{"items":[{"content":"改写过的记录","status":"done"}]}'}},
    )
    assert cli.main(["verify-chain", "c0001"]) == 1


def test_verify_chain_detects_a_dropped_newest_revision_and_an_edited_view(stack: InProcessStack) -> None:
    import boto3

    for day in ("2026-11-19", "2026-11-20"):
        stack.call(
            "entries",
            "PUT",
            f"/entries/{day}",
            {"items": [{"content": "会议", "status": "done"}]},
            as_="c0001",
        )
    client, table = boto3.client("dynamodb"), stack.stack.names["JournalTable"]
    client.update_item(
        TableName=table,
        Key={"pk": {"S": "CADRE#c0001"}, "sk": {"S": "ENTRY#2026-11-19"}},
        UpdateExpression="SET body = :b",
        ExpressionAttributeValues={":b": {"S": '{"items":[{"content":"改过的当前内容","status":"done"}]}'}},
    )
    assert cli.main(["verify-chain", "c0001"]) == 1
    client.delete_item(
        TableName=table, Key={"pk": {"S": "CADRE#c0002"}, "sk": {"S": "REV#ENTRY#2026-11-20#0001"}}
    )
    stack.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "会议", "status": "done"}]},
        as_="c0002",
    )
    client.delete_item(
        TableName=table, Key={"pk": {"S": "CADRE#c0002"}, "sk": {"S": "REV#ENTRY#2026-11-20#0001"}}
    )
    assert cli.main(["verify-chain", "c0002"]) == 1


def test_a_late_load_from_the_command_line_withdraws_the_provisional_misses_on_its_holidays(
    stack: InProcessStack, tmp_path: Path, capsys: pytest.CaptureFixture[str], events: Published
) -> None:
    # Given the nightly check recorded 1 Jan 2027 missing while 2027 was provisional
    set_clock(2027, 1, 4, 9)
    assert stack.invoke("missing-entry-check", {"date": "2027-01-01"})["new_missing"] == 4
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": []}), "utf-8")
    capsys.readouterr()
    # When the admin loads 2027 with 1 Jan off from the command line (the year is in use)
    assert cli.main(["load-calendar", "2027", str(path), "--confirm"]) == 0
    # Then the four misses are withdrawn, the answer lists them, and their cadres are told
    loaded = json.loads(capsys.readouterr().out.removeprefix("loaded "))
    assert len(loaded["withdrawn_misses"]) == 4
    assert {r.status for r in ComplianceRepository().missing_due_on(date(2027, 1, 1))} == {"withdrawn"}
    assert len([d for kind, d in events if kind == "EntryMissingWithdrawn"]) == 4
