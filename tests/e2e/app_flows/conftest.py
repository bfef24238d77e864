"""The fixtures of the app's main flows: "today" as the runtime has it, the plain cadres each flow
writes as, and last week assigned to its reviewers (once a session)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.e2e.app_flows.support import Cadres, assign_last_week
from tests.e2e.conftest import Runtime, runtime_today


@pytest.fixture
def today(runtime: Runtime) -> date:
    return runtime_today(runtime)


@pytest.fixture(scope="session")
def cadres(users: list[dict[str, Any]]) -> Cadres:
    return Cadres(users)


@pytest.fixture(scope="session")
def review_week(runtime: Runtime) -> date:
    """Last week assigned to its reviewers, as Monday's scheduled run does (idempotent: a second run
    stores nothing new); its Monday."""
    return assign_last_week(runtime)
