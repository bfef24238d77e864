"""X-Ray tracing of our own: the handler's subsegment and one per AWS call, sent to Lambda's daemon.

What Powertools' Tracer and the X-Ray SDK sent, without importing them at cold start (the SDK,
wrapt and asyncio were about 0.15x of an ``import boto3``). Lambda (``Tracing: Active``) records
the function's own segment; we add, as subsegments of it:

- ``## <handler name>``, one per invocation, annotated ``ColdStart`` and ``Service``; when the
  handler raises, ``fault`` and a ``cause`` naming the exception's type and where it was raised.
  Never its message: messages may carry personal data, which stays out of traces as out of logs.
- one per AWS call of a client made by ``worklog.aws.client`` (namespace ``aws``, named for the
  service's endpoint prefix as the SDK names it), a child of the handler's subsegment, with the
  operation, region, request id, the table, bucket, queue or topic, the retries, the HTTP status
  and the error/throttle/fault flags.

The trace context is Lambda's ``_X_AMZN_TRACE_ID``, read at each invocation (the runtime sets it
per invocation); without it, unparsable, or not sampled, nothing is recorded, so the local runtime
(which sets no header) stays quiet. Each closed subsegment is one UDP datagram to the daemon at
``AWS_XRAY_DAEMON_ADDRESS``; sending never raises.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"
DAEMON_ADDRESS_ENV = "AWS_XRAY_DAEMON_ADDRESS"
DEFAULT_DAEMON_ADDRESS = ("127.0.0.1", 2000)  # the SDK's default, should Lambda not say
# The daemon's protocol: this header line, then the segment document.
DATAGRAM_HEADER = b'{"format": "json", "version": 1}\n'
OUTGOING_HEADER = "X-Amzn-Trace-Id"

_ROOT = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")
_ID = re.compile(r"[0-9a-f]{16}")
# Where an AWS call's open subsegment waits for the call's end: botocore's request context, a dict
# of its own per API call (retries included) that every event of the call receives, whichever
# thread makes it. A call that fails before it is sent leaves its entry there, never sent.
_CALL_KEY = "worklog.tracing"
# botocore's standard retry mode counts these error codes as throttling.
_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
_STACK_FRAMES = 10  # as the SDK keeps

Handler = TypeVar("Handler", bound=Callable[..., Any])


def parse_trace_header(value: str | None) -> tuple[str, str] | None:
    """``(root, parent)`` of a sampled ``Root=1-...;Parent=...;Sampled=1``; None for anything else."""
    if not value:
        return None
    fields = {}
    for part in value.split(";"):
        key, sep, field = part.strip().partition("=")
        if sep:
            fields[key] = field
    root, parent = fields.get("Root", ""), fields.get("Parent", "")
    if fields.get("Sampled") != "1" or not _ROOT.fullmatch(root) or not _ID.fullmatch(parent):
        return None
    return root, parent


def daemon_address(value: str | None) -> tuple[str, int] | None:
    """The daemon's UDP address from ``host:port`` or ``tcp:host:port udp:host:port``; None if unusable."""
    if not value:
        return DEFAULT_DAEMON_ADDRESS
    parts = value.split()
    if len(parts) > 1:
        udp = [p.removeprefix("udp:") for p in parts if p.startswith("udp:")]
        if len(udp) != 1:
            return None
        value = udp[0]
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


class _Invocation:
    """The trace of the invocation under way: where its subsegments go and what they hang from."""

    __slots__ = ("address", "handler_id", "root")

    def __init__(self, root: str, handler_id: str, address: tuple[str, int]) -> None:
        self.root = root
        self.handler_id = handler_id
        self.address = address


# Lambda runs one invocation at a time in an execution environment, so the invocation under way is
# the process's, not a thread's: AWS calls from the handler's worker threads attach to it too.
_current: _Invocation | None = None
_cold_start = True
_socket: socket.socket | None = None
_socket_lock = threading.Lock()


def _new_id() -> str:
    return os.urandom(8).hex()


def _send(address: tuple[str, int], document: dict[str, Any]) -> None:
    """One datagram to the daemon; a failure (no daemon, too big, bad host) loses this subsegment only."""
    global _socket
    try:
        data = DATAGRAM_HEADER + json.dumps(document, separators=(",", ":"), default=str).encode()
        with _socket_lock:
            if _socket is None:
                _socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                _socket.setblocking(False)
            sock = _socket
        sock.sendto(data, address)
    except (OSError, ValueError, TypeError):
        pass


def _cause(kind: str, error: BaseException | None, *, remote: bool) -> dict[str, Any]:
    """An X-Ray cause naming ``kind`` and the frames ``error`` passed through, most recent first."""
    frames = traceback.extract_tb(error.__traceback__)[::-1] if error is not None else []
    stack = [{"path": f.filename, "line": f.lineno, "label": f.name} for f in frames[:_STACK_FRAMES]]
    exception: dict[str, Any] = {"id": _new_id(), "type": kind, "remote": remote}
    if stack:
        exception["stack"] = stack
    if len(frames) > _STACK_FRAMES:
        exception["truncated"] = len(frames) - _STACK_FRAMES
    return {"working_directory": os.getcwd(), "exceptions": [exception]}


def _is_cold_start() -> bool:
    """True for the container's first invocation (none with provisioned concurrency, whose start
    happens before any request, as Powertools counts it)."""
    global _cold_start
    cold, _cold_start = _cold_start, False
    return cold and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"


class Tracer:
    """The handlers' decorator; the AWS calls are traced by ``instrument`` on each client."""

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        name = f"## {handler.__name__}"

        @functools.wraps(handler)
        def traced(event: Any, context: Any) -> Any:
            global _current
            cold_start = _is_cold_start()
            context_ids = parse_trace_header(os.environ.get(TRACE_HEADER_ENV))
            address = daemon_address(os.environ.get(DAEMON_ADDRESS_ENV)) if context_ids else None
            if context_ids is None or address is None:
                _current = None
                return handler(event, context)
            root, parent = context_ids
            annotations: dict[str, Any] = {"ColdStart": cold_start}
            if service := os.environ.get("POWERTOOLS_SERVICE_NAME"):
                annotations["Service"] = service
            document: dict[str, Any] = {
                "name": name,
                "id": _new_id(),
                "trace_id": root,
                "parent_id": parent,
                "type": "subsegment",
                "namespace": "local",  # what the SDK gives a subsegment of our own code
                "start_time": time.time(),
                "annotations": annotations,
            }
            invocation = _Invocation(root, document["id"], address)
            _current = invocation
            try:
                return handler(event, context)
            except Exception as error:
                document["fault"] = True
                document["cause"] = _cause(type(error).__name__, error, remote=False)
                raise
            finally:
                _current = None
                document["end_time"] = time.time()
                _send(invocation.address, document)

        return traced  # type: ignore[return-value]


def instrument(events: Any) -> None:
    """Trace every API call of the client whose event system (``client.meta.events``) this is.

    ``before-parameter-build`` and ``after-call`` / ``after-call-error`` fire once per API call,
    outside botocore's retry loop, under moto and under ``botocore.stub.Stubber`` alike."""
    events.register("before-parameter-build", _open_call)
    events.register("before-call", _propagate)
    events.register("after-call", _close_call)
    events.register("after-call-error", _close_failed_call)


def _open_call(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    invocation = _current
    if invocation is None:
        return
    service = model.service_model.metadata.get("endpointPrefix") or model.service_model.service_name
    aws: dict[str, Any] = {"operation": model.name, "region": context.get("client_region")}
    aws.update(_resources(params))
    document: dict[str, Any] = {
        "name": service,
        "id": _new_id(),
        "trace_id": invocation.root,
        "parent_id": invocation.handler_id,
        "type": "subsegment",
        "namespace": "aws",
        "start_time": time.time(),
    }
    context[_CALL_KEY] = (invocation, document, aws)


def _propagate(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """The call's trace header, as the SDK adds it, so a service that carries traces on (SQS, SNS,
    EventBridge) links what it triggers to this call. SigV4 never signs this header."""
    opened = context.get(_CALL_KEY)
    headers = params.get("headers")
    if opened is not None and isinstance(headers, dict):
        invocation, document, _aws = opened
        headers[OUTGOING_HEADER] = f"Root={invocation.root};Parent={document['id']};Sampled=1"


def _close_call(http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    opened = context.pop(_CALL_KEY, None)
    if opened is None:
        return
    invocation, document, aws = opened
    metadata = parsed.get("ResponseMetadata") or {}
    if request_id := metadata.get("RequestId"):
        aws["request_id"] = request_id
    if id_2 := (metadata.get("HTTPHeaders") or {}).get("x-amz-id-2"):
        aws["id_2"] = id_2
    status = http_response.status_code
    document["http"] = {"response": {"status": status}}
    if status >= 400:
        code = (parsed.get("Error") or {}).get("Code") or f"HTTP {status}"
        document["fault" if status >= 500 else "error"] = True
        if status == 429 or code in _THROTTLING_CODES:
            document["throttle"] = True
        # The error code only: the service's message may quote what was sent.
        document["cause"] = _cause(str(code), None, remote=True)
    _finish(invocation, document, aws, context)


def _close_failed_call(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
    """A call that raised without a response (connection refused, timed out): a fault."""
    opened = context.pop(_CALL_KEY, None)
    if opened is None:
        return
    invocation, document, aws = opened
    document["fault"] = True
    document["cause"] = _cause(type(exception).__name__, exception, remote=False)
    _finish(invocation, document, aws, context)


def _finish(invocation: _Invocation, document: dict[str, Any], aws: dict[str, Any], context: Any) -> None:
    # botocore counts attempts in the call's context; retries are the attempts after the first.
    aws["retries"] = max((context.get("retries") or {}).get("attempt", 1) - 1, 0)
    document["aws"] = aws
    document["end_time"] = time.time()
    _send(invocation.address, document)


def _resources(params: dict[str, Any]) -> dict[str, Any]:
    """The resources a call names, under the X-Ray SDK's keys; never an item, key or message."""
    found: dict[str, Any] = {}
    if isinstance(table := params.get("TableName"), str):
        found["table_name"] = table
        if isinstance(index := params.get("IndexName"), str):
            found["index_name"] = index
    if isinstance(items := params.get("RequestItems"), dict):  # BatchGetItem, BatchWriteItem
        found["table_names"] = sorted(items)
    if isinstance(actions := params.get("TransactItems"), list):
        tables = {
            action.get("TableName")
            for item in actions
            if isinstance(item, dict)
            for action in item.values()
            if isinstance(action, dict)
        }
        found["table_names"] = sorted(t for t in tables if isinstance(t, str))
    if isinstance(bucket := params.get("Bucket"), str):
        found["bucket_name"] = bucket
    if isinstance(queue := params.get("QueueUrl"), str):
        found["queue_url"] = queue
    if isinstance(topic := params.get("TopicArn"), str):
        found["topic_arn"] = topic
    return found
