"""Public feedback keeps nothing that leads back to the sender's address.

The rate limit needs to recognise a sender for an hour, so its records are keyed by an HMAC of the
address under a random secret of the day; the secret expires, the records expire, and the feedback
item itself carries no sender field at all."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date, datetime
from fnmatch import fnmatchcase
from typing import Any

import boto3

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.feedback_support import open_for_feedback, post, table_items
from worklog import aws
from worklog.clock import SHANGHAI
from worklog.dynamo import to_item

IP = "203.0.113.77"


def strings_in(value: Any) -> list[str]:
    """Every string inside an item, its JSON document opened up."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings_in(v))]
    if isinstance(value, list | tuple | set):
        return [s for v in value for s in strings_in(v)]
    if isinstance(value, str):
        try:
            inner = json.loads(value)
        except ValueError:
            return [value]
        return [value, *strings_in(inner)] if isinstance(inner, dict | list) else [value]
    return []


def day_secrets(stack: InProcessStack) -> dict[str, bytes]:
    return {
        i["pk"].removeprefix("SENDER-SECRET#"): bytes(i["secret"].value)
        for i in table_items(stack)
        if i["pk"].startswith("SENDER-SECRET#")
    }


def rate_keys(stack: InProcessStack) -> set[str]:
    return {i["pk"].removeprefix("RATE#") for i in table_items(stack) if i["pk"].startswith("RATE#")}


def hmac_of(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def test_the_stored_feedback_item_carries_nothing_derived_from_the_senders_address(
    stack: InProcessStack,
) -> None:
    # Given a notice open for feedback
    nid = open_for_feedback(stack)
    # When someone posts from an address
    assert post(stack, nid, "该同志工作认真负责", ip=IP).status == 201
    # Then the feedback item has no sender field and no value a hash or an HMAC of the address gives
    feedback = [i for i in table_items(stack) if i["sk"].startswith("FEEDBACK#")]
    assert len(feedback) == 1
    assert "source" not in feedback[0] and "source" not in json.loads(feedback[0]["data"])
    derived = {IP}
    for text in (IP, f"worklog-feedback|{IP}"):
        digest = hashlib.sha256(text.encode()).hexdigest()
        derived |= {digest, digest[:24], digest[:32]}
    for secret in day_secrets(stack).values():
        derived |= {hmac_of(secret, IP), hmac_of(secret, f"{IP}/32")}
    assert len(derived) > 7  # the day's secret was there to try
    stored = strings_in(feedback[0])
    assert not [s for s in stored for d in derived if d in s]


def test_the_rate_limit_key_is_an_hmac_of_the_address_under_the_days_secret(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    assert post(stack, nid, ip=IP).status == 201
    secrets_by_day = day_secrets(stack)
    assert list(secrets_by_day) == ["2026-11-24"] and len(secrets_by_day["2026-11-24"]) == 32
    [used] = rate_keys(stack)
    assert used in {hmac_of(secrets_by_day["2026-11-24"], f) for f in (IP, f"{IP}/32")}


def test_the_same_address_gets_a_different_key_on_another_day(stack: InProcessStack) -> None:
    # Given a post on Tuesday
    nid = open_for_feedback(stack)
    assert post(stack, nid, ip=IP).status == 201
    tuesday = rate_keys(stack)
    # When the same address posts on Wednesday
    set_clock(2026, 11, 25, 10)
    assert post(stack, nid, ip=IP).status == 201
    # Then Wednesday has its own secret and the address another key
    secrets_by_day = day_secrets(stack)
    assert set(secrets_by_day) == {"2026-11-24", "2026-11-25"}
    assert secrets_by_day["2026-11-24"] != secrets_by_day["2026-11-25"]
    wednesday = rate_keys(stack) - tuesday
    assert len(tuesday) == 1 and len(wednesday) == 1


def test_the_days_secret_expires_a_day_after_its_day(stack: InProcessStack) -> None:
    nid = open_for_feedback(stack)
    assert post(stack, nid, ip=IP).status == 201
    [item] = [i for i in table_items(stack) if i["pk"].startswith("SENDER-SECRET#")]
    assert item["expires_at"] == int(datetime(2026, 11, 26, tzinfo=SHANGHAI).timestamp())


def test_an_expired_secret_is_not_reused(stack: InProcessStack) -> None:
    # Given today's secret stored already expired (DynamoDB deletes by TTL only eventually; moto never)
    nid = open_for_feedback(stack)
    stale = b"s" * 32
    boto3.client("dynamodb").put_item(
        TableName=stack.stack.names["ComplianceTable"],
        Item=to_item(
            {
                "pk": "SENDER-SECRET#2026-11-24",
                "sk": "SECRET",
                "secret": stale,
                "expires_at": int(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI).timestamp()),
            }
        ),
    )
    # When someone posts
    assert post(stack, nid, ip=IP).status == 201
    # Then a fresh secret replaced it and the key is not the stale secret's
    fresh = day_secrets(stack)["2026-11-24"]
    assert fresh != stale and len(fresh) == 32
    assert not {hmac_of(stale, IP), hmac_of(stale, f"{IP}/32")} & rate_keys(stack)


def test_racing_first_posts_of_the_day_both_use_the_secret_that_won(stack: InProcessStack) -> None:
    from worklog.vetting.repository import NoticeRepository
    from worklog.vetting.service import NoticeService

    # Given a request that read "no secret yet" just before another request stored one
    nid = open_for_feedback(stack)
    assert post(stack, nid, ip="198.51.100.20").status == 201
    winner = day_secrets(stack)["2026-11-24"]

    class LateReader(NoticeRepository):
        reads = 0

        def day_secret(self, day: date) -> Any:
            self.reads += 1
            return None if self.reads == 1 else super().day_secret(day)

    desk = NoticeService()
    desk.notices = LateReader()
    # When it goes on to create the day's secret itself
    used = desk.sender_key("203.0.113.77")
    # Then its conditional create loses and it keys with the winner's secret
    assert day_secrets(stack)["2026-11-24"] == winner
    assert used in {hmac_of(winner, IP), hmac_of(winner, f"{IP}/32")}


def test_old_feedback_with_a_sender_hash_still_loads_and_the_admin_api_never_returns_it(
    stack: InProcessStack,
) -> None:
    # Given feedback stored by an earlier version, with the sender hash it used to keep
    nid = open_for_feedback(stack)
    old = {
        "notice_id": nid,
        "feedback_id": "0123456789abcdef",
        "content": "旧的反映",
        "contact": "",
        "received_at": "2026-11-24T09:00:00.000+08:00",
        "source": "a3f1c2d4e5b6a7980a1b2c3d",
        "answer": None,
        "answered_by": None,
        "answered_at": None,
    }
    boto3.client("dynamodb").put_item(
        TableName=stack.stack.names["ComplianceTable"],
        Item=to_item(
            {
                "pk": f"NOTICE#{nid}",
                "sk": f"FEEDBACK#{old['received_at']}#0123456789abcdef",
                "data": json.dumps(old),
            }
        ),
    )
    assert post(stack, nid, "新的反映", ip=IP).status == 201
    # When the Org Dept lists the notice's feedback
    listed = stack.call("admin", "GET", f"/admin/notices/{nid}/feedback", as_="c0010")
    # Then both load and no sender field is returned
    assert listed.status == 200
    feedback = json.loads(listed.body)["feedback"]
    assert [f["content"] for f in feedback] == ["旧的反映", "新的反映"]
    assert not [f for f in feedback if {"source", "sender", "sender_key"} & set(f)]
    assert "a3f1c2d4e5b6a7980a1b2c3d" not in listed.body.decode()
    # And answering the old one rewrites it without the hash
    answered = stack.call(
        "admin",
        "PUT",
        f"/admin/notices/{nid}/feedback/0123456789abcdef/answer",
        {"answer": "已核实"},
        as_="c0010",
    )
    assert answered.status == 200 and "source" not in json.loads(answered.body)
    [item] = [i for i in table_items(stack) if i["sk"].endswith("#0123456789abcdef")]
    assert "source" not in json.loads(item["data"])


def _policy_grants(stack: InProcessStack) -> list[tuple[set[str], str, list[str]]]:
    """(actions, table name or ARN, partition-key patterns) of each statement of the feedback
    function's policies in template.yaml."""
    allowed: list[tuple[set[str], str, list[str]]] = []
    function = stack.stack.template["Resources"]["FeedbackFunction"]["Properties"]
    for statement in (s for p in function["Policies"] for s in p["Statement"]):
        resources = stack.stack.resolve(statement["Resource"])
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        leading = (
            statement.get("Condition", {})
            .get("ForAllValues:StringLike", {})
            .get("dynamodb:LeadingKeys", ["*"])
        )
        for arn in resources if isinstance(resources, list) else [resources]:
            allowed.append((set(actions), arn.rsplit("/", 1)[-1] if ":table/" in arn else arn, leading))
    return allowed


def _dynamo_request_recorder(asked: list[tuple[str, str, str]]) -> Callable[..., None]:
    """A request hook appending (action, table, partition key) for each DynamoDB request — each item
    of a transaction as its own action."""

    def record(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        if not operation:
            return
        body = json.loads(request.body or b"{}")
        if operation == "TransactWriteItems":
            for action in body["TransactItems"]:
                [(kind, op)] = action.items()
                pk = (op.get("Key") or op.get("Item"))["pk"]["S"]
                asked.append(
                    (f"{kind}Item" if kind != "ConditionCheck" else "ConditionCheckItem", op["TableName"], pk)
                )
        else:
            pk = (body.get("Key") or body.get("Item") or {}).get("pk", {}).get("S", "")
            if operation == "Query":
                pk = body.get("ExpressionAttributeValues", {}).get(":p", {}).get("S", "*")
            asked.append((operation, body.get("TableName", ""), pk))

    return record


def test_the_feedback_function_asks_only_what_its_policy_allows(stack: InProcessStack) -> None:
    """Every DynamoDB request of a feedback post (first of the day, later ones, the next day) is an
    action on a table and a partition key the function's policy in template.yaml grants."""
    allowed = _policy_grants(stack)
    asked: list[tuple[str, str, str]] = []

    nid = open_for_feedback(stack)
    remove = aws.on_request(_dynamo_request_recorder(asked))
    try:
        assert post(stack, nid, ip=IP).status == 201
        assert post(stack, nid, ip="2001:db8::1").status == 201
        set_clock(2026, 11, 25, 0, 10)
        assert post(stack, nid, ip=IP).status == 201
    finally:
        remove()
    compliance = stack.stack.names["ComplianceTable"]
    assert {t for _, t, _ in asked} >= {compliance}
    refused = [
        (operation, table, pk)
        for operation, table, pk in asked
        if not any(
            f"dynamodb:{operation}" in actions
            and table == name
            and any(fnmatchcase(pk, pattern) for pattern in leading)
            for actions, name, leading in allowed
        )
    ]
    assert refused == []


def test_the_cli_drops_the_sender_hash_from_feedback_stored_by_earlier_versions(
    stack: InProcessStack,
) -> None:
    from worklog import cli

    # Given two old items with the hash (one answered) and a new one without
    nid = open_for_feedback(stack)
    assert post(stack, nid, "新的反映", ip=IP).status == 201
    table, client = stack.stack.names["ComplianceTable"], boto3.client("dynamodb")
    for fid, answer in (("0123456789abcdef", None), ("fedcba9876543210", "已核实")):
        old = {
            "notice_id": nid,
            "feedback_id": fid,
            "content": "旧的反映",
            "contact": "13900001111",
            "received_at": "2026-11-24T09:00:00.000+08:00",
            "source": "a3f1c2d4e5b6a7980a1b2c3d",
            "answer": answer,
            "answered_by": answer and "c0010",
            "answered_at": answer and "2026-11-24T09:30:00.000+08:00",
        }
        item = {"pk": f"NOTICE#{nid}", "sk": f"FEEDBACK#{old['received_at']}#{fid}", "data": json.dumps(old)}
        client.put_item(TableName=table, Item=to_item({**item, "answered_at": old["answered_at"]}))
    before = {i["sk"]: json.loads(i["data"]) for i in table_items(stack) if i["sk"].startswith("FEEDBACK#")}
    # When an administrator runs the command
    assert cli.main(["forget-feedback-senders"]) == 0
    # Then no item carries the hash and everything else is as it was
    after = {i["sk"]: json.loads(i["data"]) for i in table_items(stack) if i["sk"].startswith("FEEDBACK#")}
    assert after == {sk: {k: v for k, v in data.items() if k != "source"} for sk, data in before.items()}
    assert not [i for i in table_items(stack) if "a3f1c2d4e5b6a7980a1b2c3d" in json.dumps(i, default=repr)]
