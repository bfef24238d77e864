"""What hosting the stack in one process takes, for both hosts: the local runtime (moto's server,
``infra.local``) and the in-process stack of the integration tests and the benchmark (moto's
in-process backends, ``infra.inprocess``).

Both load the template with the same parameters, give the process the union of the functions'
environments, forget what the shared package cached under another environment, and let moto
answer one request at a time.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.local.events import ACCOUNT_ID
from infra.local.issuer import LocalIssuer

REGION = "us-east-1"
LOCAL_EMAIL_SENDER = "worklog@example.gov.cn"
# One process hosts every function: the functions' service names cannot all hold at once.
_PER_FUNCTION = "POWERTOOLS_SERVICE_NAME"
# A developer's profile must never point the process at a real account; and no trace header is
# inherited (there is no X-Ray daemon here: worklog.tracing sends nothing without a header).
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "POWERTOOLS_DEV", "_X_AMZN_TRACE_ID")


class StartupError(RuntimeError):
    """The stack cannot be hosted in this process (port taken, template or handler problem)."""


class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, memory_mb: int = 512, timeout_s: float = 15.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# --- the stack -----------------------------------------------------------------------------------


def load_stack(issuer: LocalIssuer, stack_name: str) -> Any:
    """template.yaml as a stack whose tokens come from ``issuer``."""
    from infra.template import Stack, load_template

    parameters = {
        "TokenIssuer": issuer.issuer,
        "TokenAudience": issuer.audience,
        "JwksUrl": issuer.jwks_url,
        "TokenSubjectClaim": "sub",
        "DeletionProtection": "false",
        # The notifier's e-mail sender, verified in the embedded SES by create_stack_resources.
        "EmailSender": LOCAL_EMAIL_SENDER,
    }
    return Stack(load_template(), stack_name=stack_name, parameters=parameters)


def create_stack_resources(stack: Any, *, state_dir: Path | None = None) -> None:
    """The template's tables, buckets, queues and buses, in whatever AWS boto3 points at now; and
    what a first deploy does by hand: the notifier's e-mail sender as a verified SES identity, the
    roster's ID-card hash key as a SecureString parameter (``seed_id_card_key``)."""
    import boto3

    from infra.local.notify import verify_sender
    from infra.template import create_resources

    session = boto3.session.Session()
    create_resources(
        stack,
        dynamodb=session.client("dynamodb"),
        s3=session.client("s3"),
        sqs=session.client("sqs"),
        events=session.client("events"),
    )
    verify_sender(stack, session.client("ses"))
    seed_id_card_key(stack, session.client("ssm"), state_dir)


ID_CARD_KEY_FILE = "id-card-key"


def seed_id_card_key(stack: Any, ssm: Any, state_dir: Path | None) -> str | None:
    """Put the key of the ID-card numbers' keyed hashes where the admin function reads it
    (ID_CARD_KEY_PARAMETER), as the deploy does by hand: a random key made once per state directory
    and kept there (a restart then matches the hashes stored before); the parameter's name, or None
    when no function reads one."""
    name = next(
        (
            f.environment["ID_CARD_KEY_PARAMETER"]
            for f in stack.functions()
            if "ID_CARD_KEY_PARAMETER" in f.environment
        ),
        None,
    )
    if name is None:
        return None
    path = None if state_dir is None else state_dir / ID_CARD_KEY_FILE
    if path is not None and path.exists():
        value = path.read_text().strip()
    else:
        value = secrets.token_hex(32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(value + "\n")
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    return str(name)


# --- the environment -----------------------------------------------------------------------------


def merged_environment(functions: Iterable[Any]) -> dict[str, str]:
    """The union of the functions' environments; they must agree (one process hosts them all)."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts = []
    for spec in functions:
        for name, value in (getattr(spec, "environment", None) or {}).items():
            if name == _PER_FUNCTION:
                continue
            value = str(value)
            if name in merged and merged[name] != value:
                conflicts.append(f"{name}: {owner[name]}={merged[name]!r} but {spec.name}={value!r}")
            merged[name] = value
            owner[name] = spec.name
    if conflicts:
        raise StartupError(
            "functions disagree on environment variables, which one local process cannot host:\n  "
            + "\n  ".join(conflicts)
        )
    return merged


def aws_environment(endpoint: str | None) -> dict[str, str]:
    """What makes every boto3 client in the process talk to the embedded AWS: its server at
    ``endpoint``, or (None) moto's in-process backends."""
    env = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def stack_environment(
    stack: Any, *, endpoint: str | None, feedback_url: str, state_dir: Path, app_url: str | None = None
) -> dict[str, str]:
    """The process's environment for hosting ``stack``. The public site's feedback form posts to
    ``feedback_url``, messages link to the app at ``app_url`` (by default ``<feedback_url>/app``,
    where the local runtime serves it), and checkpoints are signed with a local key (on AWS: the
    template's KMS key, the front door's address for both URLs)."""
    return {
        **merged_environment(stack.functions()),
        **aws_environment(endpoint),
        "FEEDBACK_URL": feedback_url,
        "APP_URL": app_url if app_url is not None else f"{feedback_url}/app",
        "SIGNING_KEY_ID": "",
        "SIGNING_KEY_FILE": str(state_dir / "signing-key.pem"),
    }


class EnvironmentPatch:
    """Sets variables in os.environ; restore() puts os.environ back as it was before."""

    def __init__(self, env: Mapping[str, str], *, unset: Iterable[str] = ()) -> None:
        self._saved = dict(os.environ)
        for name in (*_UNSET, *unset):
            os.environ.pop(name, None)
        os.environ.update(env)

    def restore(self) -> None:
        for name in set(os.environ) - set(self._saved):
            os.environ.pop(name, None)
        for name, value in self._saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


def reset_caches() -> None:
    """Forget what the shared package and handlers cached under another environment.

    Settings, boto3 clients, token verifiers, heads and repositories are cached with lru_cache at
    module level, as in a warm container; another host in the same process (tests) must not inherit
    them, and a benchmark of a cold container must not find them.
    """
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "worklog" or name.startswith(("worklog.", "worklog_fn_"))):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "__wrapped__"):
                value.cache_clear()
    schedules = sys.modules.get("worklog.schedules")
    if schedules is not None and hasattr(schedules, "invalidate"):
        schedules.invalidate()


# --- moto, one request at a time -----------------------------------------------------------------
# moto's backends are not thread-safe (a DynamoDB transaction deep-copies the table while another
# request writes it). Real DynamoDB serialises per item; here each emulated request runs alone,
# under the emulator's lock (the demo loader's direct writes take it too), while the application
# code around the requests still interleaves freely.


@contextmanager
def serialised_in_process_moto() -> Iterator[None]:
    """moto's in-process backends (``mock_aws``), one request at a time, while this is entered."""
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


def serial_moto_server() -> Any:
    """moto's server on a free local port (not started), answering one request at a time."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    from infra.emulator import lock

    class SerialMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)

            def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                with lock:
                    return list(app(environ, start_response))

            self._server = make_server(
                self._ip_address, self._port, serial, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
