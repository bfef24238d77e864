"""The embedded AWS of the local runtime: moto's server in this process, the tap that lists the
events functions put on the template's buses, and the SQS event sources that feed functions."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from infra.local.functions import LocalFunction
from infra.local.harness import serial_moto_server

log = logging.getLogger("infra.local")

_POLL_IDLE_SECONDS = 0.5


class EmbeddedAws:
    """moto's server on a free local port, answering one request at a time."""

    def __init__(self) -> None:
        self.endpoint: str | None = None
        self._server: Any = None

    def start(self) -> None:
        from infra import emulator

        emulator.install()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
        self._server = serial_moto_server()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.reset()  # moto keeps its backends in module globals: start from an empty AWS

    def reset(self) -> None:
        if self.endpoint is None:
            return
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except OSError as err:
            log.warning("could not reset the embedded AWS: %s", err)

    def stop(self) -> None:
        if self._server is None:
            return
        self.reset()  # its state lives in this process: free it for the next runtime
        self._server.stop()
        # ThreadedMotoServer.stop() shuts the loop down but leaves the socket open.
        server = getattr(self._server, "_server", None)
        if server is not None:
            server.server_close()
        self._server = None


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping hands it to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _receive(sqs: Any, url: str, most: int) -> list[dict[str, Any]]:
    try:
        return list(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=most).get("Messages", []))
    except Exception as err:  # the embedded AWS is stopping
        log.debug("queue %s: %s", url, err)
        return []


class QueueListeners:
    """Threads that drain queues of the embedded AWS until stop()."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _spawn(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    def tap(self, stack: Any, stack_name: str, record: Callable[[dict[str, Any]], None]) -> None:
        """Listen on every event bus of the template: a rule per bus sends everything to a queue of
        the runtime's own (not in the template: on AWS, gateways subscribe instead), which a thread
        drains into ``record``."""
        import boto3

        buses = stack.event_buses()
        if not buses:
            return
        session = boto3.session.Session()
        sqs, events = session.client("sqs"), session.client("events")
        queue_url = sqs.create_queue(QueueName=f"{stack_name}-local-event-tap")["QueueUrl"]
        queue_arn = _queue_arn(sqs, queue_url)
        for bus in buses.values():
            events.put_rule(
                Name="local-event-tap",
                EventBusName=bus,
                EventPattern=json.dumps({"source": [{"prefix": ""}]}),
            )
            events.put_targets(
                Rule="local-event-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": queue_arn}]
            )
        self._stop.clear()
        self._spawn(self._drain_tap, (sqs, queue_url, record), "local-event-tap")

    def _drain_tap(self, sqs: Any, queue_url: str, record: Callable[[dict[str, Any]], None]) -> None:
        while not self._stop.is_set():
            messages = _receive(sqs, queue_url, 10)
            for message in messages:
                try:
                    event = json.loads(message["Body"])
                except ValueError:
                    event = {"body": message["Body"]}
                record(event)
                log.info(
                    "event %s %s",
                    event.get("detail-type"),
                    json.dumps(event.get("detail"), ensure_ascii=False)[:200],
                )
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if not messages:
                self._stop.wait(_POLL_IDLE_SECONDS)

    def poll_sources(self, stack: Any, functions: Iterable[LocalFunction]) -> None:
        """SQS event sources of the template (e.g. the nightly check's slices): a thread per queue
        receives messages and invokes the function with an SQS event, deleting what it handled
        and leaving the items the function reported as failed for redelivery, as Lambda does."""
        import boto3

        sqs = boto3.session.Session().client("sqs")
        for function in functions:
            for _, queue_id in getattr(function.spec, "sqs_events", ()):
                url = str(stack.resolve({"Ref": queue_id}))
                self._spawn(self._drain_source, (sqs, url, function), f"local-sqs-{function.name}")
                log.info("event source %s → %s", queue_id, function.name)

    def _drain_source(self, sqs: Any, url: str, function: LocalFunction) -> None:
        arn = _queue_arn(sqs, url)
        while not self._stop.is_set():
            messages = _receive(sqs, url, 5)
            if not messages:
                self._stop.wait(_POLL_IDLE_SECONDS)
                continue
            event = {"Records": [sqs_record(m, arn) for m in messages]}
            try:
                result = function.invoke(event) or {}
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            except Exception:
                log.exception("%s failed on an SQS batch; the messages will be redelivered", function.name)
                continue
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
