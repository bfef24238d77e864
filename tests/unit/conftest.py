"""Unit tests are pure: no sockets, no AWS."""

import pytest


@pytest.fixture(autouse=True)
def _no_network(socket_disabled: None) -> None:
    """pytest-socket's fixture: any socket use fails the test."""
