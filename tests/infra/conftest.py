"""The template and its default Stack view, shared by the tests of infra/template.py.

(``stack`` here is the resolved template, not the in-process stack of tests/conftest.py: no test
under tests/infra runs handlers in process.)
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.template import Stack, load_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return template["Resources"]


@pytest.fixture(scope="module")
def stack(template: dict[str, Any]) -> Stack:
    return Stack(template)
