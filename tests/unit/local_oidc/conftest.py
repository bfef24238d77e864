"""The local issuer (one per module), a clock moved by hand, the roster it asks, the code flow
over them, and its HTTP endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.issuer import LocalIssuer
from infra.local.oidc import CodeFlow, SignInEndpoints
from tests.unit.local_oidc.support import ACCOUNTS, PORT, ROSTER, Clock


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(PORT, state_dir=tmp_path_factory.mktemp("issuer"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def roster() -> Iterator[set[str]]:
    yield set(ROSTER)


@pytest.fixture
def flow(issuer: LocalIssuer, clock: Clock, roster: set[str]) -> CodeFlow:
    return CodeFlow(issuer, is_cadre=lambda cadre_id: cadre_id in roster, token_ttl=900, clock=clock)


@pytest.fixture
def endpoints(flow: CodeFlow) -> SignInEndpoints:
    return SignInEndpoints(flow, lambda: ACCOUNTS)
