"""The site bucket, and what one run of the publisher writes to it.

``SiteStore`` is the only code that talks to the bucket. ``SiteWriter`` decides, for one run, what
goes out: an object is written only when its bytes differ from what the bucket holds (its SHA-256,
as the last manifest recorded it); a page goes out with its links to objects that do not exist yet
shown as their text, and again whole at the end of the run (``finish``), once they do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container
from typing import TYPE_CHECKING, Any

from worklog import aws
from worklog.publish import tamper
from worklog.settings import get_settings

if TYPE_CHECKING:
    from worklog.publish.render import Page

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
PEM = "application/x-pem-file"


class SiteStore:
    """The site bucket: the only code that writes it."""

    def __init__(self, bucket: str | None = None, client: Any = None) -> None:
        self.bucket = bucket or get_settings().site_bucket
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("s3")

    def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            CacheControl="no-cache" if key.endswith(".html") or key.endswith(".json") else "max-age=300",
            Metadata={"sha256": digest},
        )

    def get_json(self, key: str) -> Any | None:
        try:
            return json.loads(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except self.client.exceptions.NoSuchKey:
            return None


class SiteWriter:
    """One run's writes: each object only if it changed, and no page linking to a missing object.

    ``published`` is the SHA-256 of every object the bucket holds, as the last run recorded it."""

    def __init__(
        self, store: SiteStore, published: dict[str, str], promised: Container[str] = frozenset()
    ) -> None:
        self.store = store
        self.published = published
        self.written: dict[str, str] = {}  # key -> SHA-256 of what this run wrote (or found unchanged)
        self.changed: list[str] = []  # keys actually put, in order
        self.unchanged = 0
        self._existing = set(published)
        # What exists, or is written by another step of the same run (a batch's pages link to the
        # shared pages the last step writes; those link to the batches' cadre pages).
        self._present = _Either(self._existing, promised)
        self._incomplete: list[Page] = []  # pages that went out with some links as text

    def page(self, page: Page) -> None:
        """Write a page with its links to the objects that exist (itself included)."""
        if not page.complete(self._present):
            self._incomplete.append(page)
        self.put(page.key, page.html(self._present).encode(), HTML)

    def json(self, key: str, value: Any) -> None:
        self.put(key, tamper.canonical(value), JSON)

    def put(self, key: str, body: bytes, content_type: str) -> None:
        digest = hashlib.sha256(body).hexdigest()
        if self.written.get(key, self.published.get(key)) == digest:
            self.unchanged += key not in self.written
        else:
            self.store.put(key, body, content_type, digest)
            if key not in self.changed:
                self.changed.append(key)
        self.written[key] = digest
        self._existing.add(key)

    def finish(self) -> None:
        """Write whole the pages that went out with links to objects written after them."""
        for page in self._incomplete:
            self.put(page.key, page.html(self._present).encode(), HTML)

    def objects(self) -> dict[str, str]:
        """Every object the bucket holds now, with its SHA-256 (for the manifest)."""
        return {**self.published, **self.written}


class _Either(Container[str]):
    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self.first or key in self.second
