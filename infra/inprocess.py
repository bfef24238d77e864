"""The stack in one process, under moto: what integration tests and the benchmark stand on.

Resources come from template.yaml (infra.template), the functions' environment from their
template definitions, tokens from the local issuer; handlers are invoked with function-URL events
(payload 2.0) exactly as the local runtime and AWS invoke them. The hosting itself (parameters,
environment, caches, moto one request at a time) is ``infra.local.harness``, shared with the runtime.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.calls import recorder
from infra.local.events import HttpResponse, to_function_url_event, to_http_response
from infra.local.harness import (
    EnvironmentPatch,
    LambdaContext,
    create_stack_resources,
    load_stack,
    reset_caches,
    serialised_in_process_moto,
    stack_environment,
)
from infra.local.issuer import LocalIssuer
from infra.template import FunctionSpec, Stack, load_handler

__all__ = ["InProcessStack", "in_process", "reset_caches"]


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
        # The AWS calls made meanwhile are this function's (infra.calls, when recording).
        with self._locks[function], recorder.invoking(self.functions[function].logical_id, self.stack):
            return self.handler(function)(dict(event), LambdaContext(function))

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
def in_process(state_dir: Path, *, stack_name: str = "worklog-test") -> Iterator[InProcessStack]:
    """Moto, the template's resources, the functions' environment; restores os.environ after."""
    from moto import mock_aws

    from infra import emulator
    from worklog.clock import system_clock

    emulator.install()

    issuer = LocalIssuer(port=0, state_dir=state_dir)
    stack = load_stack(issuer, stack_name)
    env = stack_environment(stack, endpoint=None, feedback_url="http://127.0.0.1:8080", state_dir=state_dir)
    environ = EnvironmentPatch({**env, "POWERTOOLS_LOG_LEVEL": "WARNING"}, unset=["AWS_ENDPOINT_URL"])
    reset_caches()
    try:
        with serialised_in_process_moto(), mock_aws():
            create_stack_resources(stack, state_dir=state_dir)
            yield InProcessStack(stack, issuer)
    finally:
        system_clock.set(None)
        environ.restore()
        reset_caches()
