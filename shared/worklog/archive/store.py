"""ArchiveStore: the only code that reads and writes the archive in the ledger bucket (S3, Object
Lock, versioned).

A night's object is written once (``If-None-Match: *``: a key that exists is never overwritten by
the archiver), encrypted with the archive's customer-managed KMS key and locked until its
retain-until date in the archive's lock mode. Object Lock keeps every version, so a version
written later by anyone else leaves the first in place: readers take a key's versions from the
bucket and report a key with more than one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklog.archive import nights
from worklog.audit.ledger import LedgerStore, dumps
from worklog.publish import keys
from worklog.records import datarecord
from worklog.settings import get_settings


@datarecord(frozen=True)
class Version:
    key: str
    version_id: str
    latest: bool
    modified: datetime


class ArchiveStore(LedgerStore):
    def __init__(self, bucket: str | None = None, client: Any = None) -> None:
        super().__init__(bucket, client)
        settings = get_settings()
        self.kms_key_id = settings.archive_key_id
        self.lock_mode = settings.archive_lock_mode
        self.retention_days = settings.archive_retention_days

    # --- writes -------------------------------------------------------------------------------
    def put_night(self, day: date, body: bytes, now: datetime) -> bool:
        """The night's object, once: False when the key already holds one (nothing is written)."""
        extra: dict[str, Any] = {}
        if self.kms_key_id:
            extra |= {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        if self.lock_mode:
            until = now.astimezone(UTC) + timedelta(days=self.retention_days)
            extra |= {"ObjectLockMode": self.lock_mode, "ObjectLockRetainUntilDate": until}
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=nights.night_key(day),
                Body=body,
                ContentType="application/gzip",
                ChecksumAlgorithm="SHA256",  # Object Lock buckets require an integrity checksum
                IfNoneMatch="*",
                **extra,
            )
        except ClientError as err:
            if err.response["Error"]["Code"] in {"PreconditionFailed", "ConditionalRequestConflict"}:
                return False
            raise
        return True

    def put_index(self, index: nights.NightIndex) -> None:
        self.put_json(nights.index_key(date.fromisoformat(index.night)), index.model_dump(mode="json"))

    def put_progress(self, progress: nights.Progress, now: datetime) -> None:
        """The progress, a new version each night. Unlike the nights it is working state, which a
        run can rebuild from the nights: locked for a day only (GOVERNANCE), so that the bucket's
        lifecycle rule can expire its old versions instead of keeping one a night for years."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=nights.PROGRESS,
            Body=dumps(progress.model_dump(mode="json")),
            ContentType="application/json; charset=utf-8",
            ChecksumAlgorithm="SHA256",
            ObjectLockMode="GOVERNANCE",
            ObjectLockRetainUntilDate=now.astimezone(UTC) + timedelta(days=1),
        )

    def put_key(self, fingerprint: str, pem: str) -> bool:
        """A signing key's public half, once (its name is the hash of its content)."""
        path = nights.key_path(fingerprint)
        if self.get_bytes(path) is not None:
            return False
        self.client.put_object(
            Bucket=self.bucket,
            Key=path,
            Body=pem.encode(),
            ContentType="text/plain",
            ChecksumAlgorithm="SHA256",
        )
        return True

    # --- reads --------------------------------------------------------------------------------
    def get_bytes(self, key: str, version_id: str | None = None) -> bytes | None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            kwargs["VersionId"] = version_id
        try:
            return bytes(self.client.get_object(**kwargs)["Body"].read())
        except self.client.exceptions.NoSuchKey:
            return None

    def progress(self) -> nights.Progress:
        stored = self.get_json(nights.PROGRESS)
        return nights.Progress.model_validate(stored) if stored else nights.Progress()

    def index(self, day: date) -> nights.NightIndex | None:
        stored = self.get_json(nights.index_key(day))
        return nights.NightIndex.model_validate(stored) if stored else None

    def nights_after(self, night: str) -> list[date]:
        """The nights whose object is stored, after ``night`` (YYYY-MM-DD; "" for all), oldest first."""
        start = nights.night_key(date.fromisoformat(night)) if night else nights.NIGHTS
        found = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": nights.NIGHTS, "StartAfter": start}
        while True:
            page = self.client.list_objects_v2(**kwargs)
            found += [d for o in page.get("Contents", []) if (d := nights.night_of(o["Key"])) is not None]
            if not page.get("IsTruncated"):
                return sorted(found)
            kwargs["ContinuationToken"] = page["NextContinuationToken"]

    def versions(self, prefix: str) -> list[Version]:
        """Every version of every object under ``prefix``, oldest first per key."""
        found: list[Version] = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        while True:
            page = self.client.list_object_versions(**kwargs)
            found += [
                Version(v["Key"], v["VersionId"], bool(v["IsLatest"]), v["LastModified"])
                for v in page.get("Versions", [])
            ]
            if not page.get("IsTruncated"):
                # S3 lists a key's versions newest first, and LastModified counts whole seconds: two
                # versions written within one second are ordered by their place in the listing.
                place = {id(v): n for n, v in enumerate(found)}
                return sorted(found, key=lambda v: (v.key, v.modified, -place[id(v)]))
            kwargs["KeyMarker"], kwargs["VersionIdMarker"] = (
                page["NextKeyMarker"],
                page["NextVersionIdMarker"],
            )

    def first_versions(self, prefix: str) -> dict[str, str]:
        """Each key's first version (the one the archiver wrote; Object Lock keeps it whatever
        was written over it later)."""
        first: dict[str, str] = {}
        for version in self.versions(prefix):
            first.setdefault(version.key, version.version_id)
        return first

    def checkpoint(self, day: str) -> dict[str, Any] | None:
        """The publisher's signed checkpoint of ``day`` (``checkpoints/<day>.json``)."""
        stored = self.get_json(keys.ledger_checkpoint(day))
        return stored if isinstance(stored, dict) else None

    def checkpoint_days(self) -> list[str]:
        days = []
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": "checkpoints/"}
        while True:
            page = self.client.list_objects_v2(**kwargs)
            for o in page.get("Contents", []):
                name = o["Key"].removeprefix("checkpoints/")
                if name.endswith(".json"):
                    days.append(name.removesuffix(".json"))
            if not page.get("IsTruncated"):
                return sorted(days)
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
