"""The sweep queue (SQS): how the nightly check hands the rest of the roster to its next run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from worklog import aws
from worklog.settings import get_settings


class SweepQueue:
    def __init__(self, url: str | None = None, client: Any = None) -> None:
        self.url = url if url is not None else get_settings().sweep_queue_url
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("sqs")

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.url:
            raise RuntimeError("SWEEP_QUEUE_URL is not set: the check cannot hand on the rest of the roster")
        self.client.send_message(QueueUrl=self.url, MessageBody=json.dumps(message, ensure_ascii=False))
