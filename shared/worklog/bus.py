"""Domain events on the EventBridge bus of the template (reminders, cases, reviews).

Gateways (SMS, e-mail, messaging) subscribe with rules on detail-type; the local runtime taps the
bus and lists what it received at /_local/events. Source is always ``worklog``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from worklog import aws
from worklog.settings import get_settings

SOURCE = "worklog"
BATCH = 10  # PutEvents takes at most 10 entries


class EventBus:
    def __init__(self, name: str | None = None, client: Any = None) -> None:
        self.name = name or get_settings().event_bus
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("events")

    def publish(self, detail_type: str, details: Iterable[Mapping[str, Any]]) -> int:
        """Publish one event per detail; returns the number of requests made. Entries the service
        could not take are retried once, then reported as an error."""
        entries = [
            {
                "Source": SOURCE,
                "DetailType": detail_type,
                "Detail": json.dumps(detail, ensure_ascii=False, default=str),
                "EventBusName": self.name,
            }
            for detail in details
        ]
        requests = 0
        for start in range(0, len(entries), BATCH):
            batch = entries[start : start + BATCH]
            for _ in range(2):
                resp = self.client.put_events(Entries=batch)
                requests += 1
                if not resp.get("FailedEntryCount"):
                    break
                batch = [e for e, r in zip(batch, resp["Entries"], strict=True) if r.get("ErrorCode")]
            else:
                raise RuntimeError(f"{len(batch)} {detail_type} events were not accepted by the bus")
        return requests
