"""Nothing takes "today" from the host.

The system's time is Asia/Shanghai, asked of ``worklog.clock`` (which tests and the local runtime
can set). The host may be anywhere: on a host in UTC the date differs from Shanghai's eight hours a
day, and CI runs the suite with ``TZ=Etc/GMT+12`` to make any such dependency show. This test reads
every Python file of the project and fails on a call that reads the host's local date or time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("shared", "functions", "infra", "tests")


def _sources() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def host_clock_calls(source: str) -> list[str]:
    """Calls that read the host's local time zone: ``today`` of ``date`` or ``datetime``, ``now`` and
    ``fromtimestamp`` of ``datetime`` without a zone, ``utcnow``, and ``localtime`` / ``ctime`` of
    ``time``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        tail = ".".join(name.split(".")[-2:])
        zoned = len(node.args) + len(node.keywords)
        local = {"date.today", "datetime.today", "datetime.utcnow", "time.localtime", "time.ctime"}
        if tail in local or (tail == "datetime.now" and zoned == 0):
            found.append(f"{name}() at line {node.lineno}")
        elif tail == "datetime.fromtimestamp" and zoned < 2:
            found.append(f"{name}(…) without a zone at line {node.lineno}")
    return found


def test_the_detector_finds_each_kind_of_host_clock_read() -> None:
    # Built from parts, so that no line of this file is itself such a call.
    host = [("date", "today", ""), ("datetime", "now", ""), ("datetime", "fromtimestamp", "0")]
    host += [("time", "localtime", ""), ("datetime", "utcnow", "")]
    zoned = [("datetime", "now", "SHANGHAI"), ("datetime", "fromtimestamp", "0, UTC")]
    sample = "".join(f"v{i} = {m}.{f}({a})\n" for i, (m, f, a) in enumerate(host + zoned))
    assert len(host_clock_calls(sample)) == len(host)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_or_test_reads_the_hosts_local_date(path: Path) -> None:
    if path == Path(__file__).resolve():
        return  # this file names the calls it looks for
    assert host_clock_calls(path.read_text("utf-8")) == [], (
        "ask worklog.clock (or the local runtime's /_local/clock) for the time, never the host"
    )
