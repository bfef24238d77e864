"""Fixtures that several integration test files share (their helpers live in the *_support modules)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.calls import WRITE_ENV, load, missing, recorder, save
from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.audit_support import ENTRY, INSPECTORS
from tests.integration.log_privacy_support import LogWatch, report, watching_logs
from worklog.models.roster import Unit
from worklog.roster.repository import RosterRepository

# --- the random-audit tests (test_audits_*.py) ---------------------------------------------------


@pytest.fixture
def audited(stack: InProcessStack) -> InProcessStack:
    """The small roster plus the discipline inspectors, and a few entries in 2026-Q3."""
    roster = RosterRepository()
    roster.put_unit(Unit(unit_id="jw", name="区纪委监委", category="党委工作机关"))
    for inspector in INSPECTORS:
        roster.put_row(inspector)
    for day in ("2026-09-09", "2026-09-10", "2026-09-11"):
        set_clock(2026, 9, int(day[-2:]), 18)
        for who in ("c0001", "c0002", "c0003", "c0010"):
            assert stack.call("entries", "PUT", f"/entries/{day}", ENTRY, as_=who).status in (200, 201)
    set_clock(2026, 10, 8, 9)  # the first working day of 2026-Q4
    return stack


# --- no personal data in logs (tests/integration/log_privacy_support.py) -------------------------


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs() -> Iterator[LogWatch]:
    """Every line the functions log while the integration tests run is held, at the session's end,
    against every free text the tests wrote and the patterns of mobile and ID-card numbers."""
    with watching_logs() as watch:
        yield watch
    leaks = watch.leaks()
    if leaks:
        pytest.fail(report(leaks), pytrace=False)


# --- the AWS calls each function makes (infra/calls.py, tests/infra/test_grants.py) -----------


@pytest.fixture(scope="session", autouse=True)
def aws_calls() -> Iterator[None]:
    """Records the handlers' AWS calls; at the end, a call the committed record lacks fails the run
    (its grant would be missing too): regenerate it with ``python -m infra.calls record``."""
    recorder.install()
    yield
    seen = recorder.lines()
    target = os.environ.get(WRITE_ENV)
    if target:
        save(seen, Path(target))
        return
    unrecorded = missing(seen, load())
    if unrecorded:
        pytest.fail(
            "AWS calls missing from tests/infra/aws_calls.json (grant them in template.yaml and run "
            "`python -m infra.calls record`):\n  " + "\n  ".join(unrecorded),
            pytrace=False,
        )
