"""The local hosts put the roster's ID-card hash key where the admin function reads it, as a deploy
does by hand: one random key per state directory, the same after a restart."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from infra.local.harness import ID_CARD_KEY_FILE, seed_id_card_key

PARAMETER = "/worklog/worklog-local/roster/id-card-key"


class Ssm:
    def __init__(self) -> None:
        self.put: list[dict[str, Any]] = []

    def put_parameter(self, **request: Any) -> None:
        self.put.append(request)


def stack(environment: dict[str, str]) -> Any:
    functions = [
        SimpleNamespace(environment={"POWERTOOLS_SERVICE_NAME": "x"}),
        SimpleNamespace(environment=environment),
    ]
    return SimpleNamespace(functions=lambda: functions)


def test_the_key_is_a_secure_string_made_once_per_state_directory(tmp_path: Path) -> None:
    ssm = Ssm()
    template = stack({"ID_CARD_KEY_PARAMETER": PARAMETER})
    # When the runtime starts twice on the same state directory
    assert seed_id_card_key(template, ssm, tmp_path) == PARAMETER
    assert seed_id_card_key(template, ssm, tmp_path) == PARAMETER
    # Then the same random key of 64 hex characters is put both times, as a SecureString
    first, second = ssm.put
    assert first == second
    assert first["Name"] == PARAMETER and first["Type"] == "SecureString" and len(first["Value"]) == 64
    assert (tmp_path / ID_CARD_KEY_FILE).read_text().strip() == first["Value"]
    assert (tmp_path / ID_CARD_KEY_FILE).stat().st_mode & 0o077 == 0
    # And another state directory gets another key
    seed_id_card_key(template, ssm, tmp_path / "other")
    assert ssm.put[2]["Value"] != first["Value"]


def test_no_key_is_put_when_no_function_reads_one(tmp_path: Path) -> None:
    ssm = Ssm()
    assert seed_id_card_key(stack({}), ssm, tmp_path) is None
    assert ssm.put == [] and not (tmp_path / ID_CARD_KEY_FILE).exists()
