"""The production Sender of the morning run and the intake (worklog.notify.sender, the channels'
part): the one place that builds it, so the use cases depend only on their ``Deliverer`` protocol."""

from __future__ import annotations

from worklog.notify.sender import Sender


def default_sender() -> Sender:
    return Sender()
