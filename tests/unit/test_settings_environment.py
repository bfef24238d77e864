"""How the settings are read from the environment (worklog.settings, a plain pydantic model)."""

from __future__ import annotations

from datetime import time

import pytest

from worklog.settings import Settings


def test_a_variable_sets_its_field_whatever_the_case_of_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the roster table named in lower case and the sweep pages as text
    monkeypatch.setenv("roster_table", "t-roster")
    monkeypatch.setenv("SWEEP_SLICE_PAGES", "4")
    # When the settings are built, Then both apply, the number as a number
    settings = Settings()
    assert (settings.roster_table, settings.sweep_slice_pages) == ("t-roster", 4)


def test_a_nested_model_reads_json_and_its_fields_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the notifier's settings as JSON (as the template sets them) and one field on its own
    monkeypatch.setenv(
        "WORKLOG_NOTIFY", '{"digest_schedule": "cron(15 9 ? * MON-FRI *)", "send_attempts": 2}'
    )
    monkeypatch.setenv("WORKLOG_NOTIFY__SEND_ATTEMPTS", "5")
    monkeypatch.setenv("WORKLOG_RULES__MAX_ITEMS", "12")
    # When the settings are built
    settings = Settings()
    # Then the JSON applies, the single field wins over it, and other models read theirs
    assert settings.notify.digest_time == time(9, 15)
    assert settings.notify.send_attempts == 5
    assert settings.rules.max_items == 12


def test_keyword_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an issuer in the environment, When another is given by name, Then the given one is used
    monkeypatch.setenv("TOKEN_ISSUER", "https://from-env.example")
    assert Settings(TOKEN_ISSUER="https://given.example").token_issuer == "https://given.example"


def test_a_value_out_of_bounds_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a nested value the model does not allow, When the settings are built, Then they fail
    monkeypatch.setenv("WORKLOG_RULES__MAX_ITEMS", "31")
    with pytest.raises(ValueError):
        Settings()
