"""worklog.coldstart: the collector paused while a handler loads, left as the process had it after."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _run(before: str) -> list[bool]:
    probe = (
        f"import gc, json, sys\nsys.path.insert(0, {str(SHARED)!r})\n{before}\n"
        "from worklog import coldstart\npaused = not gc.isenabled()\ncoldstart.done()\n"
        "print(json.dumps([paused, gc.isenabled(), gc.get_freeze_count() > 0]))\n"
    )
    out = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_the_collector_is_paused_on_import_and_on_again_after_done() -> None:
    assert _run("") == [True, True, True]


def test_a_collector_the_process_had_turned_off_stays_off() -> None:
    # Given a process that turned the collector off itself, When a handler's import pauses it and
    # is done, Then it is still off
    assert _run("gc.disable()") == [True, False, True]
