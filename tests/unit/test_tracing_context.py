"""What worklog.tracing reads from Lambda's environment: the trace header and the daemon's address;
and that the local runtime gives it no header.

The documents it sends are tests/integration/test_tracing.py's (they need a socket)."""

from __future__ import annotations

import os

import pytest

from infra.local.harness import EnvironmentPatch, aws_environment
from worklog.tracing import DEFAULT_DAEMON_ADDRESS, TRACE_HEADER_ENV, daemon_address, parse_trace_header

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"


@pytest.mark.parametrize(
    "header",
    [
        f"Root={ROOT};Parent={PARENT};Sampled=1",
        f"Root={ROOT};Parent={PARENT};Sampled=1;Lineage=a87bd80c:1|68fd508a:5",
        f"Sampled=1; Parent={PARENT}; Root={ROOT}",
    ],
)
def test_a_sampled_header_gives_the_root_and_the_functions_segment(header: str) -> None:
    # Given the header Lambda sets for a sampled invocation (fields in any order, extra fields)
    # When it is parsed, Then the trace and the parent segment are Lambda's
    assert parse_trace_header(header) == (ROOT, PARENT)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        f"Root={ROOT};Parent={PARENT};Sampled=0",
        f"Root={ROOT};Parent={PARENT};Sampled=?",
        f"Root={ROOT};Parent={PARENT}",
        f"Root={ROOT};Sampled=1",
        f"Parent={PARENT};Sampled=1",
        f"Root=1-5759e988-bd862e3f;Parent={PARENT};Sampled=1",
        f"Root={ROOT.upper()};Parent={PARENT};Sampled=1",
        f"Root={ROOT};Parent={PARENT}0;Sampled=1",
        f"Root={ROOT};Parent=not-hex-at-all!;Sampled=1",
        "garbage",
    ],
)
def test_a_header_missing_unsampled_or_unparsable_records_nothing(header: str | None) -> None:
    # Given no header, an unsampled one, or one whose ids are not X-Ray's
    # When it is parsed, Then there is no trace to add to
    assert parse_trace_header(header) is None


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
        ("udp:127.0.0.2:2001 tcp:127.0.0.1:2000", ("127.0.0.2", 2001)),
        ("localhost:3000", ("localhost", 3000)),
        (None, DEFAULT_DAEMON_ADDRESS),
        ("", DEFAULT_DAEMON_ADDRESS),
    ],
)
def test_the_daemon_address_is_the_udp_one(value: str | None, address: tuple[str, int]) -> None:
    # Given AWS_XRAY_DAEMON_ADDRESS as host:port or in its tcp/udp form (or not set: the SDK's default)
    # When it is read, Then the subsegments go to its UDP address
    assert daemon_address(value) == address


@pytest.mark.parametrize(
    "value", ["2000", "host", "host:port", "host:0", "host:70000", "tcp:127.0.0.1:2000 tcp:127.0.0.1:2001"]
)
def test_an_unusable_daemon_address_records_nothing(value: str) -> None:
    # Given an address with no host, no port, a port out of range, or no udp part
    # When it is read, Then there is nowhere to send to
    assert daemon_address(value) is None


def test_the_local_runtime_inherits_no_trace_header(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a shell that happens to carry a sampled trace header
    monkeypatch.setenv(TRACE_HEADER_ENV, f"Root={ROOT};Parent={PARENT};Sampled=1")
    # When the local runtime (or the in-process stack) sets up its environment
    environ = EnvironmentPatch(aws_environment(None))
    try:
        # Then the functions see no header, so nothing is traced where no daemon listens
        assert TRACE_HEADER_ENV not in os.environ
    finally:
        environ.restore()
    # And the shell's environment is back as it was
    assert os.environ[TRACE_HEADER_ENV] == f"Root={ROOT};Parent={PARENT};Sampled=1"
