"""The publisher's batches in the template: its queue, where failed batches go, the event source
that brings them back, and the one item of the short-lived records' table it may write."""

from __future__ import annotations

import json
from typing import Any

from infra.template import Stack
from tests.infra.test_template import statements
from worklog.publish.runs import RUN_ID


def publisher(stack: Stack) -> Any:
    return next(f for f in stack.functions() if f.logical_id == "DisclosurePublisherFunction")


def test_batches_come_back_one_at_a_time_from_a_queue_whose_failures_land_in_a_queue_we_own(
    stack: Stack, resources: dict[str, dict[str, Any]]
) -> None:
    spec = publisher(stack)
    assert spec.sqs_events == (("Batches", "PublishQueue"),)
    queue = stack.queue_attributes("PublishQueue")
    assert int(queue["VisibilityTimeout"]) >= spec.timeout_s  # an SQS event source needs it
    assert json.loads(queue["RedrivePolicy"])["deadLetterTargetArn"] == stack.resolve(
        {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}
    )
    assert queue["SqsManagedSseEnabled"] == "true"
    source = resources["DisclosurePublisherFunction"]["Properties"]["Events"]["Batches"]["Properties"]
    assert source["BatchSize"] == 1  # one shard an invocation: a failure redelivers only that one
    assert spec.environment["PUBLISH_QUEUE_URL"] == stack.resolve({"Ref": "PublishQueue"})


def test_the_publisher_writes_only_its_run_item_of_the_short_lived_records_table(
    resources: dict[str, dict[str, Any]],
) -> None:
    lock = next(
        s for s in statements(resources["DisclosurePublisherFunction"]) if s.get("Sid") == "PublishRunLock"
    )
    assert lock["Resource"] == {"Fn::GetAtt": ["IdempotencyTable", "Arn"]}
    assert lock["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [RUN_ID]}}
