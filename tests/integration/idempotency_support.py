"""Retries as the web app's outbox sends them: one write, its answer lost on a bad network, sent again a
little later with the same Idempotency-Key; and what such writes ask of the idempotency table, held to
the function's policy in template.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from infra.inprocess import InProcessStack
from worklog import aws
from worklog.clock import system_clock

KEY = "outbox-3f9a2c71-5d4e-4b8a-9c06-2e7d1f4a8b90"  # what the outbox sends: a UUID, prefixed


def keyed(
    stack: InProcessStack, function: str, method: str, target: str, data: Any, who: str, key: str = KEY
) -> Any:
    return stack.call(function, method, target, data, as_=who, headers={"Idempotency-Key": key})


def sent_twice(
    stack: InProcessStack, function: str, method: str, target: str, data: Any, who: str, key: str = KEY
) -> tuple[Any, Any]:
    """The first attempt and the outbox's retry two minutes later (the clock moves on between them,
    as it does on a bad network), both with ``key``."""
    first = keyed(stack, function, method, target, data, who, key)
    system_clock.set(system_clock.now() + timedelta(minutes=2))
    return first, keyed(stack, function, method, target, data, who, key)


@contextmanager
def idempotency_requests(stack: InProcessStack) -> Iterator[list[str]]:
    """The DynamoDB actions sent to the idempotency table while the block runs."""
    table = stack.stack.names["IdempotencyTable"]
    asked: list[str] = []

    def record(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        if operation and json.loads(request.body or b"{}").get("TableName") == table:
            asked.append(f"dynamodb:{operation}")

    remove = aws.on_request(record)
    try:
        yield asked
    finally:
        remove()


def granted_on_idempotency_table(stack: InProcessStack, logical_id: str) -> set[str]:
    """The actions the policy of function ``logical_id`` in template.yaml grants on the idempotency table."""
    table = stack.stack.names["IdempotencyTable"]
    function = stack.stack.template["Resources"][logical_id]["Properties"]
    actions: set[str] = set()
    for statement in (s for p in function["Policies"] for s in p["Statement"]):
        resources = stack.stack.resolve(statement["Resource"])
        arns = resources if isinstance(resources, list) else [resources]
        if any(":table/" in arn and arn.rsplit("/", 1)[-1] == table for arn in arns):
            action = statement["Action"]
            actions.update(action if isinstance(action, list) else [action])
    return actions
