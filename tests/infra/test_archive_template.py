"""The archive in the template: the archiver's schedule after the publisher's (as the local runtime
plans it too), its key whose use is the archiver's and the restore role's alone, and the lock its
nights are written under."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from infra.local.schedule_expressions import CronExpression, parse_expression
from infra.template import Stack

CRYPTO = {
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey",
    "kms:GenerateDataKey*",
    "kms:*",
}

# Ways around a key policy: a grant gives its holder the key's use without the policy naming them.
GRANTS = {"kms:CreateGrant", "kms:Create*", "kms:*"}


def nightly(stack: Stack, logical_id: str) -> Any:
    spec = next(f for f in stack.functions() if f.logical_id == logical_id)
    [schedule] = [s for s in spec.schedules if s.event_name == "Nightly"]
    return spec, schedule


def next_run(schedule: Any, after: datetime) -> datetime:
    cron = parse_expression(schedule.expression)
    assert isinstance(cron, CronExpression)
    moment = cron.next_after(after, ZoneInfo(schedule.timezone))
    assert moment is not None
    return moment


def test_the_archiver_runs_each_night_after_the_publisher_has_had_its_whole_timeout(stack: Stack) -> None:
    # Given the two nightly schedules as the local runtime plans them (from the template)
    publisher, publish = nightly(stack, "DisclosurePublisherFunction")
    _, archive = nightly(stack, "ArchiverFunction")
    assert publish.timezone == archive.timezone == "Asia/Shanghai" and archive.enabled

    # Then each night the archiver starts after the publisher's run could have finished, the same day
    midnight = datetime(2026, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    published, archived = next_run(publish, midnight), next_run(archive, midnight)
    assert published + timedelta(seconds=publisher.timeout_s) <= archived
    assert archived.date() == published.date() and archived - published < timedelta(hours=6)


def test_only_the_archiver_and_the_restore_role_may_use_the_archive_key(
    resources: dict[str, dict[str, Any]],
) -> None:
    statements = resources["ArchiveKey"]["Properties"]["KeyPolicy"]["Statement"]
    users = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not GRANTS & set(actions), statement["Sid"]
        used = sorted(CRYPTO & set(actions))
        if used:
            assert statement["Condition"]["StringEquals"]["kms:ViaService"]  # through S3 only
            users[statement["Principal"]["AWS"]["Fn::GetAtt"][0]] = used
    assert users == {
        "ArchiverFunctionRole": ["kms:Decrypt", "kms:GenerateDataKey"],
        "ArchiveRestoreRole": ["kms:Decrypt"],
    }
    assert resources["ArchiveKey"]["DeletionPolicy"] == "Retain"


def test_the_archiver_writes_its_nights_encrypted_and_locked_and_cannot_delete(
    stack: Stack, resources: dict[str, dict[str, Any]]
) -> None:
    spec, _ = nightly(stack, "ArchiverFunction")
    assert spec.environment["ARCHIVE_KEY_ID"] == stack.resolve({"Fn::GetAtt": ["ArchiveKey", "Arn"]})
    assert spec.environment["ARCHIVE_LOCK_MODE"] == "COMPLIANCE"  # the parameter's default
    assert spec.environment["ARCHIVE_RETENTION_DAYS"] == "3650"
    granted = [
        action
        for policy in resources["ArchiverFunction"]["Properties"]["Policies"]
        for statement in policy["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    ]
    assert not [a for a in granted if "Delete" in a or "Bypass" in a or a.endswith("*")]


def test_the_ledger_bucket_expires_nothing_but_the_old_versions_of_the_archives_progress(
    resources: dict[str, dict[str, Any]],
) -> None:
    rules = resources["LedgerBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [(r["Prefix"], r["Status"], set(r) - {"Id", "Prefix", "Status"}) for r in rules] == [
        ("archive/progress.json", "Enabled", {"NoncurrentVersionExpiration"})
    ]
