"""LedgerStore: the only code that writes the ledger bucket (S3, Object Lock).

Every object is JSON, written once: the bucket's default retention keeps each version from being
deleted or overwritten in place, and callers write a key only after the round's state in DynamoDB
says it has not been written (or re-write the very same bytes after an interrupted run).
"""

from __future__ import annotations

import json
from typing import Any

from worklog import aws
from worklog.settings import get_settings


def dumps(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (what the verify command re-hashes)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class LedgerStore:
    def __init__(self, bucket: str | None = None, client: Any = None) -> None:
        self.bucket = bucket or get_settings().ledger_bucket
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("s3")

    def put_json(self, key: str, value: Any) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=dumps(value),
            ContentType="application/json; charset=utf-8",
            ChecksumAlgorithm="SHA256",  # Object Lock buckets require an integrity checksum
        )

    def get_json(self, key: str) -> Any | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None
        return json.loads(body)
