"""The stack in one process, under moto: what integration tests and the benchmark stand on.

Resources come from template.yaml (infra.template), the functions' environment from their
template definitions, tokens from the local issuer; handlers are invoked with function-URL events
(payload 2.0) exactly as the local runtime and AWS invoke them.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from infra.local.events import HttpResponse, to_function_url_event, to_http_response
from infra.local.issuer import LocalIssuer
from infra.template import FunctionSpec, Stack, create_resources, load_handler, load_template

BASE_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str = ""
    memory_limit_in_mb: int = 512

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def stack_parameters(issuer: LocalIssuer) -> dict[str, str]:
    return {
        "TokenIssuer": issuer.issuer,
        "TokenAudience": issuer.audience,
        "JwksUrl": issuer.jwks_url,
        "TokenSubjectClaim": "sub",
        "DeletionProtection": "false",
    }


def function_environment(stack: Stack) -> dict[str, str]:
    """The union of the functions' environments (they agree on every shared name)."""
    env: dict[str, str] = {}
    for spec in stack.functions():
        for name, value in spec.environment.items():
            if name != "POWERTOOLS_SERVICE_NAME" and env.get(name, value) != value:
                raise ValueError(f"functions disagree on {name}")
            env[name] = value
    env.pop("POWERTOOLS_SERVICE_NAME", None)
    return env


def reset_caches() -> None:
    """Forget every per-container cache (clients, settings, keys, heads, calendars)."""
    from worklog import aws, http, idempotency, schedules
    from worklog.journal.repository import container_repository
    from worklog.settings import get_settings

    get_settings.cache_clear()
    aws.reset_clients()
    http._verifier.cache_clear()
    http._principals.cache_clear()
    idempotency._store.cache_clear()
    schedules.invalidate()
    container_repository.cache_clear()


class InProcessStack:
    def __init__(self, stack: Stack, issuer: LocalIssuer) -> None:
        self.stack = stack
        self.issuer = issuer
        self.functions: dict[str, FunctionSpec] = {f.name: f for f in stack.functions()}
        # One invocation at a time per function, like one warm Lambda container: the Powertools
        # resolver keeps the request it is serving on the app object.
        self._locks = {name: threading.Lock() for name in self.functions}

    def handler(self, function: str) -> Callable[[dict[str, Any], Any], Any]:
        return load_handler(self.functions[function])

    def token(self, cadre_id: str) -> str:
        return self.issuer.issue(cadre_id)

    def invoke(self, function: str, event: Mapping[str, Any]) -> Any:
        with self._locks[function]:
            return self.handler(function)(dict(event), LambdaContext(function, str(uuid.uuid4())))

    def call(
        self,
        function: str,
        method: str,
        target: str,
        body: Any = None,
        *,
        as_: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> HttpResponse:
        """One HTTP request to a function URL, as ``as_`` (a cadre id) when given."""
        sent = {"content-type": "application/json"}
        if as_:
            sent["authorization"] = f"Bearer {self.token(as_)}"
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        data = (
            raw
            if raw is not None
            else (b"" if body is None else json.dumps(body, ensure_ascii=False).encode())
        )
        event = to_function_url_event(method, target, sent.items(), data, function_name=function)
        return to_http_response(self.invoke(function, event))


@contextmanager
def _serialised_emulator() -> Iterator[None]:
    """moto's in-process backends are not thread-safe (a transaction deep-copies the table while
    another thread writes it). Real DynamoDB serialises per item; here each emulated request runs
    alone, while the application code around the requests still interleaves freely."""
    from moto.core.botocore_stubber import BotocoreStubber

    from infra.emulator import lock

    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.process_request = original  # type: ignore[method-assign]


@contextmanager
def in_process(state_dir: Path, *, stack_name: str = "worklog-test") -> Iterator[InProcessStack]:
    """Moto, the template's resources, the functions' environment; restores os.environ after."""
    from moto import mock_aws

    from infra import emulator
    from worklog.clock import system_clock

    emulator.install()

    issuer = LocalIssuer(port=0, state_dir=state_dir)
    stack = Stack(load_template(), stack_name=stack_name, parameters=stack_parameters(issuer))
    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            **BASE_ENV,
            **function_environment(stack),
            "FEEDBACK_URL": "http://127.0.0.1:8080",
            "SIGNING_KEY_ID": "",
            "SIGNING_KEY_FILE": str(state_dir / "signing-key.pem"),
        }
    )
    reset_caches()
    try:
        with _serialised_emulator(), mock_aws():
            create_resources(
                stack,
                dynamodb=boto3.client("dynamodb"),
                s3=boto3.client("s3"),
                sqs=boto3.client("sqs"),
                events=boto3.client("events"),
            )
            yield InProcessStack(stack, issuer)
    finally:
        system_clock.set(None)
        os.environ.clear()
        os.environ.update(saved)
        reset_caches()
