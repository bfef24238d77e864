"""The archive under moto: a restore drill (a district's nights archived after the publisher, the
tables deleted, rebuilt from the archive, verified), tampering caught and named, re-runs that write
nothing, and the night's object encrypted and locked."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import CADRES, set_clock
from worklog import cli
from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.journal.repository import JournalRepository
from worklog.journal.verification import verify_journal
from worklog.settings import get_settings

WRITERS = ("c0001", "c0002", "c0003")
WORK_DAYS = (date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19))
# Each work day is archived by the run of the night after it, at 03:30: the night's object is named
# by that run's date, as the publisher's checkpoint of the same morning is.
NIGHTS = tuple(day + timedelta(days=1) for day in WORK_DAYS)


def save(stack: InProcessStack, path: str, body: dict[str, Any], who: str, method: str = "PUT") -> None:
    response = stack.call("entries", method, path, body, as_=who)
    assert response.status in (200, 201), (path, who, response.body)


def work_day(stack: InProcessStack, day: date) -> None:
    """The writers' entries of ``day`` (c0001 corrects hers), then the night: the missing-entry check
    (c0010 writes nothing), the publisher, the archiver."""
    set_clock(day.year, day.month, day.day, 18)
    for who in WRITERS:
        save(
            stack, f"/entries/{day}", {"items": [{"content": f"{who} 走访企业 {day}", "status": "done"}]}, who
        )
    save(
        stack,
        f"/entries/{day}",
        {"items": [{"content": f"更正：走访三家企业 {day}", "status": "done"}], "reason": "补充走访数量"},
        "c0001",
    )
    night = day + timedelta(days=1)
    set_clock(night.year, night.month, night.day, 1, 30)
    stack.invoke("missing-entry-check", {"date": day.isoformat()})
    set_clock(night.year, night.month, night.day, 2)
    stack.invoke("disclosure-publisher", {})
    set_clock(night.year, night.month, night.day, 3, 30)
    assert stack.invoke("archiver", {})["written"] is True


@pytest.fixture
def district(stack: InProcessStack, tmp_path: Path) -> InProcessStack:
    """Given three nights of entries, a monthly plan, a leave and a role change, each night checked,
    published and archived."""
    set_clock(2026, 11, 16, 18)
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,单位编码,角色\nc0001,李明,jyj,干部；管理员\n", "utf-8")
    assert cli.main(["import-roster", str(roster)]) == 0
    save(stack, "/plans/2026-11", {"items": [{"content": "完成校舍安全排查", "target": "100所"}]}, "c0002")
    save(
        stack,
        "/leaves",
        {"from": "2026-11-23", "to": "2026-11-24", "kind": "sick", "note": "住院"},
        "c0003",
        "POST",
    )
    for day in WORK_DAYS:
        work_day(stack, day)
    return stack


def ledger(stack: InProcessStack) -> tuple[Any, str]:
    return boto3.client("s3"), stack.stack.names["LedgerBucket"]


def night_versions(stack: InProcessStack) -> int:
    s3, bucket = ledger(stack)
    return len(s3.list_object_versions(Bucket=bucket, Prefix=nights.NIGHTS).get("Versions", []))


def create_table_like(stack: InProcessStack, logical_id: str, name: str) -> None:
    arguments = {**stack.stack.tables()[logical_id], "TableName": name}
    boto3.client("dynamodb").create_table(**arguments)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = cli.main(args)
    return code, json.loads(capsys.readouterr().out)


def scan(table: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def test_a_restore_drill_rebuilds_the_journal_and_compliance_tables_from_the_archive_alone(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the journal and the compliance records as the functions left them
    live = JournalRepository()
    before = {c: sorted(live.partition(c), key=lambda i: i["sk"]) for c in WRITERS}
    compliance = district.stack.names["ComplianceTable"]
    records = scan(compliance)
    assert any(i["sk"]["S"].startswith("MISS#") for i in records)  # c0010's missing entries

    # When both tables are deleted and the archive restored into new tables
    for table in (live.table, compliance):
        boto3.client("dynamodb").delete_table(TableName=table)
    create_table_like(district, "JournalTable", "worklog-test-restore-journal")
    create_table_like(district, "ComplianceTable", "worklog-test-restore-compliance")
    code, restored = run_cli(
        [
            "restore",
            "--into",
            "journal=worklog-test-restore-journal",
            "--into",
            "compliance=worklog-test-restore-compliance",
        ],
        capsys,
    )

    # Then the new tables hold the very items the old ones held, and every chain verifies on them
    assert code == 0 and restored["journal"]["revisions"] == 3 * len(NIGHTS) + len(NIGHTS) + 2
    assert scan("worklog-test-restore-compliance") == records
    rebuilt = JournalRepository(table="worklog-test-restore-journal")
    for cadre_id in WRITERS:
        assert sorted(rebuilt.partition(cadre_id), key=lambda i: i["sk"]) == before[cadre_id]
        assert verify_journal(rebuilt, cadre_id).ok
    # and the archive verifies against the signed checkpoints, with nothing but the ledger bucket
    code, report = run_cli(["verify-archive"], capsys)
    assert code == 0, report["problems"]
    assert report["nights"] == len(NIGHTS) and report["checkpoints"] == len(NIGHTS)


def test_a_restore_refuses_a_table_that_holds_anything(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the live journal table, which holds the district's log
    live = JournalRepository()
    count = len(list(live.partition("c0001")))

    # When a restore is pointed at it, it is refused and nothing in it changes
    assert cli.main(["restore", "--into", f"journal={live.table}"]) == 2
    assert "table_not_empty" in capsys.readouterr().err
    assert len(list(live.partition("c0001"))) == count


def test_a_restore_names_only_the_tables_it_can_rebuild(
    stack: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a restore names a table the archive does not rebuild (the roster), it is refused as such
    assert cli.main(["restore", "--into", "roster=worklog-test-restore-roster"]) == 2
    assert "unknown_table" in capsys.readouterr().err


def altered_night(stack: InProcessStack, day: date, change: Any) -> None:
    """Write a new version of a night's object through the emulator (Object Lock keeps the first)."""
    s3, bucket = ledger(stack)
    key = nights.night_key(day)
    lines = list(nights.decode(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    s3.put_object(Bucket=bucket, Key=key, Body=nights.encode(change(lines)), ChecksumAlgorithm="SHA256")


def test_an_altered_revision_is_found_and_named_and_a_restore_still_takes_the_original(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a night whose c0002 revision is rewritten in the archive, its hash left as it was
    def rewrite(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for line in lines:
            item = line["item"]
            if line["kind"] == "revision" and item["cadre_id"] == "c0002":
                item["body"] = item["body"].replace("走访企业", "未走访企业")
        return lines

    altered_night(district, NIGHTS[1], rewrite)

    # When the archive is verified
    code, report = run_cli(["verify-archive"], capsys)

    # Then the revision is named by cadre and seq, the night's second version is reported, and the
    # checkpoint signed that morning no longer matches the archive
    assert code == 1
    problems = "\n".join(report["problems"])
    assert "cadre c0002 seq 3: the content does not match its hash" in problems
    assert f"{nights.night_key(NIGHTS[1])} has 2 versions" in problems
    assert f"checkpoint {NIGHTS[1]}: the root recomputed" in problems
    # and a restore reads the version the archiver wrote, not the one written over it
    create_table_like(district, "JournalTable", "worklog-test-restore-journal")
    assert cli.main(["restore", "--into", "journal=worklog-test-restore-journal"]) == 0
    assert verify_journal(JournalRepository(table="worklog-test-restore-journal"), "c0002").ok


def test_a_rehashed_rewrite_still_breaks_the_signed_checkpoint(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given c0003's first entry rewritten in the archive with its hash recomputed, so that the chain
    # of the first night verifies on its own
    from worklog.chain import revision_hash
    from worklog.journal.records import decode

    def forge(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for line in lines:
            item = line["item"]
            if line["kind"] == "revision" and item["cadre_id"] == "c0003":
                item["body"] = item["body"].replace("走访企业", "走访十家企业")
                item["hash"] = revision_hash(decode(item), item.get("previous_hash"))
        return lines

    altered_night(district, NIGHTS[0], forge)

    # When the first night is verified, then the checkpoint that signed the original does not match,
    # and the cadre's inclusion proof of that morning, archived with it, names the cadre and seqs
    code, report = run_cli(["verify-archive", "--to", NIGHTS[0].isoformat()], capsys)
    assert code == 1
    assert any(p.startswith(f"checkpoint {NIGHTS[0]}: the root recomputed") for p in report["problems"])
    assert (
        f"cadre c0003 seq 1..2: the archived revisions do not give the head signed in checkpoint {NIGHTS[0]}"
        " (one of them was changed, added or removed)"
    ) in report["problems"]
    assert not [p for p in report["problems"] if p.startswith(("cadre c0001", "cadre c0002"))]


def test_a_missing_and_an_inserted_revision_are_named(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given c0001's seq 2 dropped from one night, and a copy of c0002's seq 2 added to another
    def drop(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            x
            for x in lines
            if not (x["kind"] == "revision" and x["item"]["cadre_id"] == "c0001" and x["item"]["seq"] == 2)
        ]

    def insert(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        copy = next(x for x in lines if x["kind"] == "revision" and x["item"]["cadre_id"] == "c0002")
        return [*lines, json.loads(json.dumps(copy))]

    altered_night(district, NIGHTS[0], drop)
    altered_night(district, NIGHTS[2], insert)

    # When the archive is verified, then both are named by cadre and seq
    code, report = run_cli(["verify-archive"], capsys)
    problems = "\n".join(report["problems"])
    assert code == 1
    assert "cadre c0001 seq 2: missing from the archive" in problems
    assert "cadre c0002 seq 4: archived 2 times" in problems


def test_a_re_run_of_a_night_writes_nothing_new(district: InProcessStack) -> None:
    # Given the last night archived
    versions = night_versions(district)

    # When the archiver runs again the same night, and again after more saves the same night
    again = district.invoke("archiver", {})
    save(district, "/entries/2026-11-20", {"items": [{"content": "夜间补记", "status": "done"}]}, "c0001")
    third = district.invoke("archiver", {})

    # Then no night's object was written again
    assert (again["written"], third["written"]) == (False, False)
    assert night_versions(district) == versions


def test_a_night_asked_for_ahead_of_the_clock_is_named_for_today(stack: InProcessStack) -> None:
    # Given the clock on a night, when the archiver is asked to name the night a year ahead
    set_clock(2026, 11, 18, 3, 30)
    ran = stack.invoke("archiver", {"night": "2027-11-18"})

    # Then the night is today's: the nights up to that later date are not skipped
    assert ran["night"] == "2026-11-18"
    assert ArchiveStore().progress().night == "2026-11-18"


def test_a_crash_between_a_night_and_its_progress_archives_no_revision_twice(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the progress put back to before the last night (as if the run died after the object)
    store = ArchiveStore()
    store.put_progress(
        nights.Progress(night=NIGHTS[1].isoformat(), seqs={"c0001": 4, "c0002": 3, "c0003": 3}),
        datetime(2026, 11, 20, 3, 30, tzinfo=UTC),
    )

    # When the next night's run comes after a day of saves
    work_day(district, NIGHTS[-1])

    # Then the last night was taken in again from its object, and every revision is archived once
    code, report = run_cli(["verify-archive"], capsys)
    assert code == 0, report["problems"]
    assert store.progress().seqs["c0001"] == 2 * (len(NIGHTS) + 1)


def test_a_lost_progress_is_rebuilt_from_the_nights_and_no_revision_is_archived_twice(
    district: InProcessStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the progress gone (a delete marker over it: its lock is a day only)
    s3, bucket = ledger(district)
    s3.delete_object(Bucket=bucket, Key=nights.PROGRESS)

    # When the next night's run comes after a day of saves
    work_day(district, NIGHTS[-1])

    # Then it took every night in again, and every revision and compliance item is archived once
    code, report = run_cli(["verify-archive"], capsys)
    assert code == 0, report["problems"]
    tonight = NIGHTS[-1] + timedelta(days=1)
    assert ArchiveStore().progress().night == tonight.isoformat()
    body = s3.get_object(Bucket=bucket, Key=nights.night_key(tonight))["Body"].read()
    misses = {x["item"]["sk"]["S"] for x in nights.decode(body) if x["table"] == "compliance"}
    assert f"MISS#{NIGHTS[-1]}#entry#{NIGHTS[-1]}" in misses and not any(
        str(d) in m for d in WORK_DAYS for m in misses
    )


def test_a_night_is_encrypted_with_the_archive_key_and_locked_for_the_retention(
    district: InProcessStack,
) -> None:
    s3, bucket = ledger(district)
    settings = get_settings()
    head = s3.head_object(Bucket=bucket, Key=nights.night_key(NIGHTS[0]))
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == settings.archive_key_id != ""
    assert head["ObjectLockMode"] == "COMPLIANCE"
    made = datetime(2026, 11, 17, 19, 30, tzinfo=UTC)  # 03:30 in Shanghai, the night's run
    assert head["ObjectLockRetainUntilDate"] >= made + timedelta(days=settings.archive_retention_days - 1)
    # while the progress, working state a run can rebuild from the nights, is locked a day only
    progress = s3.head_object(Bucket=bucket, Key=nights.PROGRESS)
    assert progress["ObjectLockMode"] == "GOVERNANCE"
    assert progress["ObjectLockRetainUntilDate"] <= datetime(2026, 11, 20, 19, 30, tzinfo=UTC) + timedelta(
        days=1
    )


def test_the_first_night_holds_every_cadre_that_saved_with_their_views_and_heads(
    district: InProcessStack,
) -> None:
    s3, bucket = ledger(district)
    body = s3.get_object(Bucket=bucket, Key=nights.night_key(NIGHTS[0]))["Body"].read()
    lines = list(nights.decode(body))
    kinds = sorted({(x["item"]["cadre_id"], x["kind"]) for x in lines if x["table"] == "journal"})
    assert kinds == sorted((c, k) for c in WRITERS for k in ("head", "revision", "view"))
    assert [x["item"]["cadre_id"] for x in lines if x["kind"] == "role_change"] == ["c0001"]
    assert {c.cadre_id for c in CADRES} >= set(WRITERS)


def test_a_compliance_item_is_archived_again_only_when_it_changed(district: InProcessStack) -> None:
    # Given the nights' compliance lines: each night's check adds c0010's missing entry of the day
    s3, bucket = ledger(district)
    keys_by_night = []
    for night in NIGHTS:
        body = s3.get_object(Bucket=bucket, Key=nights.night_key(night))["Body"].read()
        keys_by_night.append(
            {nights.item_key(x["item"]) for x in nights.decode(body) if x["table"] == "compliance"}
        )

    # Then each night holds the miss its check found, and no miss is archived again unchanged
    for day, found in zip(WORK_DAYS, keys_by_night, strict=True):
        assert f"CADRE#c0010\tMISS#{day}#entry#{day}" in found
    for earlier, later in itertools.pairwise(keys_by_night):
        assert not {k for k in earlier & later if "MISS#" in k}


def test_what_the_compliance_table_forgets_by_itself_is_not_archived(stack: InProcessStack) -> None:
    # Given the day's sender secret of the public feedback (kept for a day, then expired by TTL)
    table = stack.stack.names["ComplianceTable"]
    secret = {"pk": {"S": "SENDER-SECRET#2026-11-17"}, "sk": {"S": "SECRET"}, "secret": {"B": b"k" * 32}}
    boto3.client("dynamodb").put_item(TableName=table, Item={**secret, "expires_at": {"N": "1795449600"}})

    # When a night is archived
    work_day(stack, WORK_DAYS[0])

    # Then the night holds the day's records but not the secret
    s3, bucket = ledger(stack)
    body = s3.get_object(Bucket=bucket, Key=nights.night_key(NIGHTS[0]))["Body"].read()
    archived = [x["item"] for x in nights.decode(body) if x["table"] == "compliance"]
    assert archived and not [
        i for i in archived if "expires_at" in i or i["pk"]["S"].startswith("SENDER-SECRET#")
    ]
