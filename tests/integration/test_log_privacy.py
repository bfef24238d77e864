"""The check behind the integration session's log watch (conftest.no_personal_data_in_logs) finds
what it is there to find: each kind of personal data, in a line as Powertools prints it.

The lines here are formatted by a formatter of their own, never logged through the shared logger,
so the session's watch does not see them."""

from __future__ import annotations

import json
import logging

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from tests.integration.log_privacy_support import find_leaks, personal_text, watching_logs
from worklog.models.entries import EntryIn
from worklog.observability import logger as powertools_logger

TEXT = "走访困难群众三户，协调解决供暖问题"


def powertools_line(message: str, **keys: object) -> str:
    """One record as the functions' logger prints it (JSON, non-ASCII escaped)."""
    record = logging.LogRecord("worklog-test", logging.INFO, __file__, 1, message, None, None)
    for key, value in keys.items():
        setattr(record, key, value)
    return LambdaPowertoolsFormatter().format(record)


def test_a_text_a_client_wrote_is_found_in_a_line_even_escaped() -> None:
    written = f"{TEXT}\n下周回访"  # multi-line: JSON escapes the line feed
    line = powertools_line("entry saved", content=written)
    assert written not in line  # a plain search would miss it

    [leak] = find_leaks([line], {written})

    assert "a text a client wrote" in leak.why


def test_mobile_and_id_card_numbers_are_found_and_other_numbers_are_not() -> None:
    phone, id_card = powertools_line("sent", to="13912345678"), powertools_line("x", who="11010519491231002X")
    in_text = powertools_line("saved", note="电话13812345678")
    harmless = powertools_line("published", pages=139123456789, took_ms=1100000000000000000)
    hex_ids = powertools_line("published", run="2026-11-20-a13912345678", trace="f11010519491231002e")

    assert [leak.why for leak in find_leaks([phone, id_card, in_text], set())] == [
        "a mobile number: 13912345678",
        "an ID-card number: 11010519491231002X",
        "a mobile number: 13812345678",
    ]
    assert find_leaks([harmless], set()) == []
    assert find_leaks([hex_ids], set()) == []  # digits inside a hexadecimal id are no number


def test_the_watch_records_the_texts_the_models_accept_and_every_line_logged() -> None:
    with watching_logs() as watch:
        EntryIn.model_validate({"items": [{"content": f"  {TEXT}  ", "status": "done"}]})
        powertools_logger.info("log watch probe", pages=3)  # harmless: the session's watch sees it too
        logging.getLogger("some.library").warning("library probe")

    assert TEXT in watch.texts
    [line] = [line for line in watch.powertools.lines if "log watch probe" in line]
    assert json.loads(line)["pages"] == 3  # the line as Powertools prints it
    assert watch.others.lines == ["some.library WARNING library probe"]


def test_a_text_of_digits_and_separators_is_no_personal_text_but_a_worded_one_is() -> None:
    # Given texts a client could write: a date, a time, a number; and worded ones
    # Then only the worded ones are held against the logs, which carry dates for good reasons
    assert not personal_text("2026-11-20") and not personal_text("08:30:00") and not personal_text("123456")
    assert personal_text("调研课后服务工作") and personal_text("visited school 3")
    # And a short text never counts
    assert not personal_text("同意")
