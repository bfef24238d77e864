"""worklog.tracing's subsegments, as Lambda's X-Ray daemon receives them: UDP datagrams on 127.0.0.1.

Given the trace header Lambda sets for a sampled invocation and a collector socket in the daemon's
place, a traced handler sends its own subsegment (a child of the function's segment) and one per
AWS call (children of the handler's), each as its own datagram; unsampled or without a header,
nothing. The AWS calls are made by ``worklog.aws.client`` clients under moto or a Stubber."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws

from infra.inprocess import InProcessStack
from worklog import aws, tracing
from worklog.tracing import Tracer

ROOT = "1-6745f0a1-3c2b9e1d7f5a4b6c8d9e0f12"
PARENT = "8f3e2d1c0b9a7654"
SAMPLED = f"Root={ROOT};Parent={PARENT};Sampled=1"
HEX16 = re.compile(r"[0-9a-f]{16}")
TABLE = "traced-table"


class Daemon:
    """A UDP socket where Lambda's X-Ray daemon would listen."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[bytes] = []  # every datagram, as it came

    def documents(self, wait: float = 0.3) -> list[dict[str, Any]]:
        """The segment documents received since the last look (the sender is synchronous: by the
        time the handler returns they are queued on the socket)."""
        self.sock.settimeout(wait)
        new: list[bytes] = []
        try:
            while True:
                new.append(self.sock.recv(65535))
        except TimeoutError:
            pass
        self.received.extend(new)
        documents = []
        for datagram in new:
            header, _, body = datagram.partition(b"\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            documents.append(json.loads(body))
        return documents


@pytest.fixture
def daemon(monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    """A sampled invocation's environment in Lambda, the daemon's address pointing at a collector."""
    collector = Daemon()
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", collector.address)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "entries")
    yield collector
    collector.sock.close()


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """A region and made-up credentials for worklog.aws clients (they never reach AWS)."""
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def moto_aws(credentials: None) -> Iterator[None]:
    """worklog.aws clients on moto's in-process backends, with a table to call."""
    with mock_aws():
        aws.reset_clients()
        aws.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield
    aws.reset_clients()


def by_name(documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [d for d in documents if d["name"] == name]


def handler_of(documents: list[dict[str, Any]]) -> dict[str, Any]:
    (handler,) = by_name(documents, "## lambda_handler")
    return handler


def traced(body: Any) -> Any:
    """``body`` as a handler named like ours, under our decorator."""

    def lambda_handler(event: Any, context: Any) -> Any:
        return body()

    return Tracer().capture_lambda_handler(lambda_handler)


# --- the handler's subsegment ----------------------------------------------------------------------


def test_each_invocation_sends_a_handler_subsegment_under_the_functions_segment(
    daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a fresh container (its first invocation is the cold start) and a traced handler
    monkeypatch.setattr(tracing, "_cold_start", True)
    handler = traced(lambda: {"statusCode": 200})
    # When it is invoked twice
    assert handler({}, None) == {"statusCode": 200}
    assert handler({}, None) == {"statusCode": 200}
    first, second = daemon.documents()
    # Then each invocation sent one subsegment of Lambda's segment, in Lambda's trace
    for document in (first, second):
        assert document["name"] == "## lambda_handler" and document["type"] == "subsegment"
        assert document["trace_id"] == ROOT and document["parent_id"] == PARENT
        assert HEX16.fullmatch(document["id"])
        assert 0 <= document["end_time"] - document["start_time"] < 5
        assert document["annotations"]["Service"] == "entries"
        assert not {"fault", "error", "throttle", "cause"} & set(document)
    assert first["id"] != second["id"]
    # And only the first is annotated as the cold start
    assert first["annotations"]["ColdStart"] is True and second["annotations"]["ColdStart"] is False


def test_a_handler_that_raises_is_a_fault_named_by_the_exceptions_type_never_its_message(
    daemon: Daemon,
) -> None:
    # Given a handler whose exception's message carries personal data
    error = ValueError("李明 13800138000 110101199003074512")

    def failing() -> None:
        raise error

    # When it is invoked, Then the very same exception reaches the caller
    with pytest.raises(ValueError) as raised:
        traced(failing)({}, None)
    assert raised.value is error
    # And the subsegment is a fault whose cause names the type and where it was raised
    document = handler_of(daemon.documents())
    assert document["fault"] is True and "error" not in document
    (exception,) = document["cause"]["exceptions"]
    assert exception["type"] == "ValueError" and exception["remote"] is False
    assert exception["stack"][0]["label"] == "failing"
    # But never the message, in any form
    text = b"".join(daemon.received).decode()
    assert "13800138000" not in text and "110101199003074512" not in text
    assert "李明" not in text and "\\u674e" not in text and "message" not in exception


@pytest.mark.parametrize(
    "header",
    [None, f"Root={ROOT};Parent={PARENT};Sampled=0", "Root=garbage;Sampled=1"],
    ids=["no header", "not sampled", "unparsable"],
)
def test_nothing_is_sent_without_a_sampled_trace_header(
    daemon: Daemon, moto_aws: None, monkeypatch: pytest.MonkeyPatch, header: str | None
) -> None:
    # Given an invocation Lambda did not sample (or a process with no header: the local runtime)
    if header is None:
        monkeypatch.delenv("_X_AMZN_TRACE_ID")
    else:
        monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    # When a handler that calls DynamoDB runs
    result = traced(lambda: aws.client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": "a"}}))(
        {}, None
    )
    # Then it answers as ever and nothing reaches the daemon
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert daemon.documents() == []


def test_a_failure_to_send_is_swallowed(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a socket that cannot send (closed under the tracer)
    broken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    broken.close()
    monkeypatch.setattr(tracing, "_socket", broken)
    # When a handler answers, and another raises
    assert traced(lambda: "ok")({}, None) == "ok"
    error = KeyError("k")

    def failing() -> None:
        raise error

    with pytest.raises(KeyError) as raised:
        traced(failing)({}, None)
    # Then the answer and the handler's own exception are what the caller gets, and nothing was sent
    assert raised.value is error
    assert daemon.documents() == []


# --- the AWS calls -------------------------------------------------------------------------------


def test_each_aws_call_is_a_subsegment_of_the_handlers_with_its_table(daemon: Daemon, moto_aws: None) -> None:
    # Given a table (created before any invocation: that call is not traced)
    dynamodb = aws.client("dynamodb")

    # When a traced handler writes, reads and queries it
    def body() -> None:
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}})
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})
        dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "a"}},
        )

    traced(body)({}, None)
    documents = daemon.documents()
    handler = handler_of(documents)
    calls = by_name(documents, "dynamodb")
    # Then there is one subsegment per call, in order, each a child of the handler's subsegment
    assert len(documents) == 4
    assert [c["aws"]["operation"] for c in calls] == ["PutItem", "GetItem", "Query"]
    for call in calls:
        assert call["type"] == "subsegment" and call["namespace"] == "aws"
        assert call["trace_id"] == ROOT and call["parent_id"] == handler["id"]
        assert HEX16.fullmatch(call["id"]) and call["id"] != handler["id"]
        assert handler["start_time"] <= call["start_time"] <= call["end_time"] <= handler["end_time"]
        assert call["aws"]["region"] == "cn-north-1" and call["aws"]["table_name"] == TABLE
        assert call["aws"]["request_id"] and call["aws"]["retries"] == 0
        assert call["http"] == {"response": {"status": 200}}
        assert not {"fault", "error", "throttle", "cause"} & set(call)
    # And no item, key or value is in them
    assert '"a"' not in json.dumps(calls) and "pk" not in json.dumps(calls)


def test_a_refused_condition_is_an_error_of_the_call_and_not_a_fault(daemon: Daemon, moto_aws: None) -> None:
    # Given an item already stored
    dynamodb = aws.client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}})

    # When a traced handler's conditional put is refused (and the handler handles it)
    def body() -> str:
        try:
            dynamodb.put_item(
                TableName=TABLE, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "stored"

    assert traced(body)({}, None) == "ConditionalCheckFailedException"
    documents = daemon.documents()
    (call,) = by_name(documents, "dynamodb")
    # Then the call is an error (a 4xx) with the error code as its remote cause, the handler is fine
    assert call["error"] is True and "fault" not in call and "throttle" not in call
    assert call["http"] == {"response": {"status": 400}}
    (exception,) = call["cause"]["exceptions"]
    assert exception == {"id": exception["id"], "type": "ConditionalCheckFailedException", "remote": True}
    assert "fault" not in handler_of(documents)


@pytest.mark.parametrize(
    ("code", "status", "flags"),
    [
        ("ProvisionedThroughputExceededException", 400, {"error", "throttle"}),
        ("TooManyRequestsException", 429, {"error", "throttle"}),
        ("ValidationException", 400, {"error"}),
        ("InternalServerError", 500, {"fault"}),
        ("SlowDown", 503, {"fault", "throttle"}),
    ],
)
def test_a_calls_flags_follow_its_status_and_throttling(
    daemon: Daemon, credentials: None, code: str, status: int, flags: set[str]
) -> None:
    # Given a stubbed DynamoDB answering with an error
    aws.reset_clients()
    dynamodb = aws.client("dynamodb")
    with Stubber(dynamodb) as stub:
        stub.add_client_error("get_item", service_error_code=code, http_status_code=status)
        # When a traced handler's call fails
        with pytest.raises(ClientError) as raised:
            traced(lambda: dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}}))({}, None)
    aws.reset_clients()
    documents = daemon.documents()
    (call,) = by_name(documents, "dynamodb")
    # Then its flags are the status's (4xx error, 5xx fault), throttling as such; the cause the code
    assert {f for f in ("error", "throttle", "fault") if call.get(f)} == flags
    assert call["http"]["response"]["status"] == status
    assert call["cause"]["exceptions"][0]["type"] == code
    # And the handler that let it through is a fault named by the exception's type (botocore's
    # class for the code when the service models it)
    assert handler_of(documents)["fault"] is True
    assert handler_of(documents)["cause"]["exceptions"][0]["type"] == type(raised.value).__name__


def test_a_call_retried_is_one_subsegment_that_counts_its_retries(daemon: Daemon, moto_aws: None) -> None:
    # Given DynamoDB failing the first attempt of a call with a 500 (before moto answers)
    dynamodb = aws.client("dynamodb")
    attempts: list[int] = []

    def fail_first(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(1)
        if len(attempts) > 1:
            return None
        return AWSResponse(request.url, 500, {}, _Body(b'{"__type":"InternalServerError"}'))

    dynamodb.meta.events.register_first("before-send.dynamodb.GetItem", fail_first)
    try:
        # When a traced handler makes the call
        traced(lambda: dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}}))({}, None)
    finally:
        dynamodb.meta.events.unregister("before-send.dynamodb.GetItem", fail_first)
    # Then two attempts went out, and the call is one subsegment with one retry, answered 200
    assert len(attempts) == 2
    (call,) = by_name(daemon.documents(), "dynamodb")
    assert call["aws"]["retries"] == 1 and call["http"]["response"]["status"] == 200
    assert "fault" not in call


def test_a_call_that_never_got_an_answer_is_a_fault(
    daemon: Daemon, credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB's endpoint on a port where nothing listens
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    aws.reset_clients()
    attempts: list[int] = []
    remove = aws.on_request(lambda **_: attempts.append(1))
    # When a traced handler's call fails after its retries
    try:
        with pytest.raises(EndpointConnectionError):
            traced(lambda: aws.client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": "a"}}))({}, None)
    finally:
        remove()
        aws.reset_clients()
    (call,) = by_name(daemon.documents(), "dynamodb")
    # Then the one subsegment of the call is a fault with no HTTP status, and counts the retries
    assert call["fault"] is True and "http" not in call and "error" not in call
    assert call["cause"]["exceptions"][0]["type"] == "EndpointConnectionError"
    assert len(attempts) > 1 and call["aws"]["retries"] == len(attempts) - 1
    assert call["aws"]["table_name"] == TABLE


def test_calls_from_worker_threads_attach_to_the_invocation(daemon: Daemon, moto_aws: None) -> None:
    # Given a handler that reads in worker threads
    dynamodb = aws.client("dynamodb")

    def body() -> None:
        with ThreadPoolExecutor(max_workers=3) as pool:
            keys = [{"pk": {"S": k}} for k in "abc"]
            list(pool.map(lambda key: dynamodb.get_item(TableName=TABLE, Key=key), keys))

    # When it is invoked
    traced(body)({}, None)
    documents = daemon.documents()
    # Then each call is a child of the invocation's handler subsegment
    calls = by_name(documents, "dynamodb")
    assert len(calls) == 3 and {c["parent_id"] for c in calls} == {handler_of(documents)["id"]}


def test_each_call_carries_the_trace_header_naming_its_subsegment(daemon: Daemon, moto_aws: None) -> None:
    # Given a hook that sees each request as it is sent
    sent: list[str] = []
    remove = aws.on_request(lambda request, **_: sent.append(request.headers["X-Amzn-Trace-Id"]))
    try:
        # When a traced handler calls DynamoDB
        traced(lambda: aws.client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": "a"}}))({}, None)
    finally:
        remove()
    (call,) = by_name(daemon.documents(), "dynamodb")
    # Then the request carried the trace on, its parent being the call's subsegment (as the SDK did)
    assert [h.decode() if isinstance(h, bytes) else h for h in sent] == [
        f"Root={ROOT};Parent={call['id']};Sampled=1"
    ]


def test_the_resources_a_call_names_are_recorded(daemon: Daemon, moto_aws: None) -> None:
    # Given a bucket and a queue besides the table
    aws.client("s3").create_bucket(
        Bucket="traced-bucket", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
    )
    queue = aws.client("sqs").create_queue(QueueName="traced-queue")["QueueUrl"]

    # When a traced handler writes in batches, in a transaction, to the bucket and to the queue
    def body() -> None:
        dynamodb = aws.client("dynamodb")
        dynamodb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
        dynamodb.transact_write_items(
            TransactItems=[{"Put": {"TableName": TABLE, "Item": {"pk": {"S": "c"}}}}]
        )
        aws.client("s3").put_object(Bucket="traced-bucket", Key="secret/key.json", Body=b"{}")
        aws.client("sqs").send_message(QueueUrl=queue, MessageBody="一条消息")

    traced(body)({}, None)
    documents = daemon.documents()
    # Then each names its table(s), bucket or queue, and never the object's key or the message
    batch, transaction = by_name(documents, "dynamodb")
    assert batch["aws"]["table_names"] == [TABLE] and transaction["aws"]["table_names"] == [TABLE]
    (s3,) = by_name(documents, "s3")
    assert s3["aws"]["bucket_name"] == "traced-bucket" and s3["aws"]["operation"] == "PutObject"
    (sqs,) = by_name(documents, "sqs")
    assert sqs["aws"]["queue_url"] == queue and sqs["aws"]["operation"] == "SendMessage"
    text = json.dumps(documents, ensure_ascii=False)
    assert "secret/key.json" not in text and "一条消息" not in text


class _Body:
    """The raw body of a canned botocore response."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


# --- a real handler ----------------------------------------------------------------------------


def test_the_entries_function_traces_its_invocation_and_its_dynamodb_calls(
    stack: InProcessStack, daemon: Daemon
) -> None:
    # Given the entries function in a sampled invocation
    entry = {"items": [{"content": "召开全区教育系统安全工作会议", "status": "done"}]}
    # When a cadre saves a day's entry
    response = stack.call("entries", "PUT", "/entries/2026-11-20", entry, as_="c0001")
    assert response.status == 201
    documents = daemon.documents()
    # Then the handler's subsegment hangs from Lambda's segment, annotated with the service
    handler = handler_of(documents)
    assert handler["parent_id"] == PARENT and handler["trace_id"] == ROOT
    assert handler["annotations"]["Service"] == "entries" and "fault" not in handler
    # And its DynamoDB calls are its children, on the journal and roster tables
    calls = by_name(documents, "dynamodb")
    assert calls and {c["parent_id"] for c in calls} == {handler["id"]}
    tables = {c["aws"].get("table_name") for c in calls} | {
        t for c in calls for t in c["aws"].get("table_names", [])
    }
    names = stack.stack.names
    assert {names["JournalTable"], names["RosterTable"]} <= tables
    assert any(c["aws"]["operation"] in ("PutItem", "TransactWriteItems") for c in calls)
    # And nothing the cadre wrote is in the trace
    assert "安全工作会议" not in json.dumps(documents, ensure_ascii=False)
