"""Which AWS calls each function makes: recorded while the integration tests invoke the handlers.

``tests/infra/aws_calls.json`` maps each function's logical id to the sorted lines of the calls its
handler was seen to make, one line per IAM action on one resource (``dynamodb:Query
RosterTable/index/by_roster``; item calls add the partition key's prefix, ``key=CADRE#``, and
updates the attribute names they write, ``attributes=pk,sk,...``). tests/infra/test_grants.py holds
template.yaml's policies to it; the integration suite fails at its end when a call it saw is missing
from the file (tests/integration/conftest.py). Regenerate the file after adding or removing a call:

    python -m infra.calls record      # runs tests/integration with recording on

Recording wraps botocore's ``BaseClient._make_api_call`` (every client, boto3's own included: the
Powertools idempotency layer's too), and only while ``InProcessStack.invoke`` runs a handler.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "infra" / "aws_calls.json"
# Set by ``record``: the integration suite writes what it saw here instead of checking it.
WRITE_ENV = "WORKLOG_RECORD_CALLS"
# The stack name in recorded parameter paths, as the template writes it.
STACK = "${AWS::StackName}"

_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket", "ListObjects": "ListBucket"}
# A literal partition key (ROSTER, CALENDAR) or the prefix of a composite one (CADRE#).
# A key that is a name, not an id: upper case (``SETTINGS``) or lower-case words (``publish-run``).
_LITERAL = re.compile(r"[A-Z][A-Z0-9_-]*|[a-z]+(?:-[a-z]+)+")
_PREFIX = re.compile(r"[A-Z][A-Z0-9_-]*#")


class Names:
    """Physical names of one stack's resources back to their logical ids, and the tables' keys."""

    def __init__(self, stack: Any) -> None:
        self.stack_name: str = stack.stack_name
        self.logical = {physical: logical for logical, physical in stack.names.items()}
        self.hash_key = {
            args["TableName"]: next(k["AttributeName"] for k in args["KeySchema"] if k["KeyType"] == "HASH")
            for args in stack.tables().values()
        }

    def of(self, physical: str) -> str:
        name = physical.rsplit("/", 1)[-1].rsplit(":", 1)[-1]  # a queue URL, a bus or table ARN
        return self.logical.get(name, name)


class Recorder:
    """Calls seen per function logical id, while a function is current."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}
        self.current: tuple[str, Names] | None = None
        self._original: Any = None

    def install(self) -> None:
        from botocore.client import BaseClient
        from botocore.exceptions import ClientError

        if self._original is not None:
            return
        original = self._original = BaseClient._make_api_call  # type: ignore[attr-defined]
        recorder = self

        def recorded(client: Any, operation: str, params: Mapping[str, Any]) -> Any:
            current = recorder.current
            if current is None:
                return original(client, operation, params)
            function, names = current
            service = client.meta.service_model.service_name
            lines = recorder.seen.setdefault(function, set())
            lines.update(describe(service, operation, params, names))
            try:
                return original(client, operation, params)
            except ClientError as error:
                if service == "s3" and error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    # A missing key reads as 404 only with ListBucket on the bucket (else 403).
                    lines.add(f"s3:ListBucket {names.of(params['Bucket'])}")
                raise

        BaseClient._make_api_call = recorded  # type: ignore[attr-defined]

    @contextmanager
    def invoking(self, function: str, stack: Any) -> Iterator[None]:
        """The calls made inside the block are ``function``'s (its logical id)."""
        names = _names(stack)
        saved, self.current = self.current, (function, names)
        try:
            yield
        finally:
            self.current = saved

    def note(self, line: str) -> None:
        """A call the current function would have made where a test stands in for the client."""
        if self.current is not None:
            self.seen.setdefault(self.current[0], set()).add(line)

    def lines(self) -> dict[str, list[str]]:
        return {function: sorted(lines) for function, lines in sorted(self.seen.items())}


_NAMES: dict[int, Names] = {}


def _names(stack: Any) -> Names:
    found = _NAMES.get(id(stack))
    if found is None:
        found = _NAMES[id(stack)] = Names(stack)
    return found


recorder = Recorder()


# --- one call as IAM actions on resources ------------------------------------------------------


def describe(service: str, operation: str, params: Mapping[str, Any], names: Names) -> list[str]:
    if service == "dynamodb":
        return _dynamodb(operation, params, names)
    if service == "s3":
        return _s3(operation, params, names)
    if service == "sqs":
        # A batch call is authorised as its single action (IAM has no sqs:SendMessageBatch).
        action = operation.removesuffix("Batch")
        return [f"sqs:{action} {names.of(params.get('QueueUrl') or params.get('QueueName', '*'))}"]
    if service == "events":
        buses = {names.of(e.get("EventBusName") or "default") for e in params.get("Entries", [])}
        return [f"events:{operation} {bus}" for bus in sorted(buses)]
    if service == "ssm":
        name = params.get("Name") or params.get("Path") or "*"
        return [f"ssm:{operation} parameter{name.replace(names.stack_name, STACK, 1)}"]
    if service == "sns":
        target = "phone" if params.get("PhoneNumber") else names.of(params.get("TopicArn", "*"))
        return [f"sns:{operation} {target}"]
    if service in ("ses", "sesv2"):
        sender = params.get("Source") or params.get("FromEmailAddress") or "*"
        return [f"ses:{operation} identity/{sender}"]
    if service == "kms":
        return [f"kms:{operation} {names.of(params.get('KeyId', '*'))}"]
    return [f"{service}:{operation} *"]


def _dynamodb(operation: str, params: Mapping[str, Any], names: Names) -> list[str]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        lines = []
        for item in params["TransactItems"]:
            ((kind, request),) = item.items()
            action = "GetItem" if kind == "Get" else _TRANSACT[kind]
            lines.append(_item(action, request, names))
        return lines
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [f"dynamodb:{operation} {names.of(table)}" for table in params["RequestItems"]]
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        return [_item(operation, params, names)]
    table = names.of(params.get("TableName", "*"))
    index = params.get("IndexName")
    return [f"dynamodb:{operation} {table}/index/{index}" if index else f"dynamodb:{operation} {table}"]


def _item(action: str, request: Mapping[str, Any], names: Names) -> str:
    physical = request["TableName"]
    key = request.get("Key") or request.get("Item") or {}
    value = next(iter(key.get(names.hash_key.get(physical, "pk"), {}).values()), "")
    line = f"dynamodb:{action} {names.of(physical)} key={_leading(str(value))}"
    if action == "UpdateItem":
        written = {_attribute(n) for n in (request.get("ExpressionAttributeNames") or {}).values()}
        line += " attributes=" + ",".join(sorted(written | set(key)))
    return line


def _leading(value: str) -> str:
    """What dynamodb:LeadingKeys conditions of the template can name: the key's prefix."""
    if _LITERAL.fullmatch(value):
        return value
    match = _PREFIX.match(value)
    return match.group(0) if match else "*"


def _attribute(name: str) -> str:
    """Attribute names made of a kind and a period (``leave:2026-11-16``) as their kind."""
    return re.sub(r":.*", ":*", name)


def _s3(operation: str, params: Mapping[str, Any], names: Names) -> list[str]:
    action = _S3_ACTIONS.get(operation, operation)
    bucket = names.of(params["Bucket"])
    if action == "ListBucket":
        return [f"s3:ListBucket {bucket}"]
    key = str(params.get("Key", ""))
    folder = key.split("/", 1)[0] + "/" if "/" in key else ""
    return [f"s3:{action} {bucket}/{folder}"]


# --- the committed record ----------------------------------------------------------------------


def load(path: Path = RECORD) -> dict[str, list[str]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save(lines: Mapping[str, list[str]], path: Path = RECORD) -> None:
    path.write_text(json.dumps(dict(lines), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def missing(seen: Mapping[str, list[str]], recorded: Mapping[str, list[str]]) -> list[str]:
    """Calls seen that the record lacks, as ``<function>: <line>``."""
    return [
        f"{function}: {line}"
        for function, lines in seen.items()
        for line in lines
        if line not in set(recorded.get(function, ()))
    ]


def record() -> int:
    """Runs tests/integration with recording on; the file is rewritten with what they saw."""
    env = {**os.environ, WRITE_ENV: str(RECORD)}
    command = [sys.executable, "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider"]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        sys.exit("usage: python -m infra.calls record")
    sys.exit(record())
