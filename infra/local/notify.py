"""The notifier on one machine: what its channels need from the embedded AWS, and what it sent.

- ``verify_sender``: the template's e-mail sender as a verified SES identity (on AWS a first-deploy
  step, README "Deploying"); both hosts, the local runtime and the in-process stack, do it.
- ``seed_robots``: the robots' SecureString parameters under the notifier's NOTIFY_PARAMETER_PATH,
  pointing at the runtime's own webhook sink (``infra.local.robots``) with this run's secret.
- ``outbox_view``: ``GET /_local/outbox`` - the outbox table grouped (notices waiting by morning,
  digests newest first with their delivery, runs, preferences, urgent guards), the text messages
  moto's SNS took and the e-mails its SES sent, and what the robots received.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from infra.local.events import ACCOUNT_ID

NOTIFIER = "NotifierFunction"
REGION = "us-east-1"


def notifier_environment(stack: Any) -> dict[str, str] | None:
    """The notifier's resolved environment, or None when the template has no notifier."""
    spec = next((f for f in stack.functions() if f.logical_id == NOTIFIER), None)
    return None if spec is None else dict(spec.environment)


def email_sender(stack: Any) -> str:
    env = notifier_environment(stack) or {}
    return str(json.loads(env.get("WORKLOG_NOTIFY") or "{}").get("email_sender") or "")


def verify_sender(stack: Any, ses: Any) -> None:
    sender = email_sender(stack)
    if sender:
        ses.verify_email_identity(EmailAddress=sender)


def robot_parameters(path: str, base_url: str, secret: str) -> dict[str, str]:
    """The district's default robots (``<unit>`` robots would sit beside ``default``)."""
    sink = f"{base_url}/_local/robots"
    return {
        f"{path}wecom/default/url": f"{sink}/wecom/send?key=local",
        f"{path}dingtalk/default/url": f"{sink}/dingtalk/robot/send?access_token=local",
        f"{path}dingtalk/default/secret": secret,
    }


def seed_robots(stack: Any, ssm: Any, base_url: str, secret: str) -> list[str]:
    """Put the robots' parameters as SecureStrings; the names put (none without a notifier)."""
    env = notifier_environment(stack)
    if env is None:
        return []
    parameters = robot_parameters(env["NOTIFY_PARAMETER_PATH"], base_url, secret)
    for name, value in parameters.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    return list(parameters)


# --- what went out -------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def scan_table(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every item of ``table``. A Scan: local tooling only (the functions query, never scan)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items += [{k: _plain(deserializer.deserialize(v)) for k, v in i.items()} for i in page["Items"]]
    return items


def _wanted(item: dict[str, Any], morning: str | None, person: str | None) -> bool:
    pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
    kind, _, key = pk.partition("#")
    if person is not None:
        mine = (kind == "MORNING" and sk.startswith(f"{person}#")) or (kind == "PERSON" and key == person)
        if not mine:
            return False
    if morning is not None:
        if kind in ("MORNING", "RUN"):
            return key == morning
        if kind == "PERSON" and sk.startswith("MSG#"):
            return item.get("gsi1pk") == f"SENT#{morning}"
        return kind == "PERSON" and person is not None  # a person's preferences stay in view
    return True


def group_outbox(
    items: Iterable[dict[str, Any]], *, morning: str | None = None, person: str | None = None
) -> dict[str, Any]:
    pending: dict[str, list[dict[str, Any]]] = {}
    view: dict[str, Any] = {"pending": pending, "digests": [], "runs": [], "preferences": {}, "urgent": []}
    for item in items:
        if not _wanted(item, morning, person):
            continue
        pk, sk = str(item["pk"]), str(item["sk"])
        kind, _, key = pk.partition("#")
        if kind == "MORNING":
            pending.setdefault(key, []).append(item)
        elif kind == "PERSON" and sk.startswith("MSG#"):
            view["digests"].append(item)
        elif kind == "PERSON" and sk == "PREFS":
            view["preferences"][key] = item
        elif kind == "RUN":
            view["runs"].append(item)
        elif kind == "URGENT":
            view["urgent"].append(item)
    for notices in pending.values():
        notices.sort(key=lambda i: str(i["sk"]))
    view["pending"] = dict(sorted(pending.items()))
    view["digests"].sort(key=lambda i: str(i["sk"]).partition("#")[2], reverse=True)
    view["runs"].sort(key=lambda i: str(i["pk"]), reverse=True)
    return view


def sent_sms() -> list[dict[str, str]]:
    """The text messages moto's SNS took (its backends live in this process)."""
    from moto.sns.models import sns_backends

    backend = sns_backends[ACCOUNT_ID][REGION]
    return [
        {"message_id": message_id, "phone_number": phone, "message": text}
        for message_id, (phone, text) in backend.sms_messages.items()
    ]


def sent_email() -> list[dict[str, Any]]:
    """The e-mails moto's SES sent (SES v2 sends through the same backend)."""
    from moto.ses.models import ses_backends

    sent = []
    for message in ses_backends[ACCOUNT_ID][REGION].sent_messages:
        fields = ("id", "source", "destinations", "subject", "body", "raw_data")
        sent.append({name: getattr(message, name) for name in fields if hasattr(message, name)})
    return sent


def outbox_view(
    dynamodb: Any, table: str, robots: list[dict[str, Any]], *, morning: str | None, person: str | None
) -> dict[str, Any]:
    view = group_outbox(scan_table(dynamodb, table), morning=morning, person=person)
    view["sms"] = sent_sms()
    view["email"] = sent_email()
    view["robots"] = robots
    return view
