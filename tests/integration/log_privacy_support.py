"""No personal data in logs: what the integration suite's functions log, held against what it wrote.

The functions log through Powertools (``worklog.observability.logger``), whose handler prints one
JSON line a record to stdout; CloudWatch keeps those lines for ``LogRetentionDays``. The collector
below is one more handler on the same logger, with the same formatter, so it sees each line as it
would be printed (keys appended per request, exceptions and their tracebacks included); on the root
logger it sees what any other library logs. JSON escapes line feeds, tabs and quotes, so a
multi-line text is not in the line as written: each line is also read back and its strings searched
one by one.

What counts as personal data:
- every free text a client wrote that the services accepted (entries, plans, summaries, reasons,
  comments, findings, feedback): each multi-line text passes ``worklog.models.common._checked``
  (the rule of worklog.text), which the session wraps to record it;
- a mainland mobile number (``1[3-9]`` and nine more digits) and a resident ID-card number (17
  digits and a digit or X), wherever they come from.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from worklog.models import common
from worklog.observability import logger as powertools_logger

# Bounded by anything but a Latin letter or digit (a phone number in Chinese text is still found),
# so the digits inside a hexadecimal id (a run's ``2026-11-20-a13912345678``) are not one.
MOBILE = re.compile(r"(?<![\dA-Za-z])1[3-9]\d{9}(?![\dA-Za-z])")
ID_CARD = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
# Shorter texts ("同意", "属实") could stand in a log for another reason; no test writes a personal
# text that short.
MIN_TEXT = 6
# A text of digits and separators only (a date, a time, a number) is no one's personal text, and the
# logs carry dates for good reasons: only a text with a letter or a character of a script counts.
WORDED = re.compile(r"[^\d\s\-:./,+]")


def personal_text(text: str) -> bool:
    """Whether a text a client wrote is one the logs must never carry."""
    return len(text) >= MIN_TEXT and WORDED.search(text) is not None


@dataclass
class Leak:
    line: str
    why: str


class LineCollector(logging.Handler):
    """Keeps every record as a formatted line."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as error:  # a record that cannot be formatted is still a record to read
            self.lines.append(f"{record.getMessage()} (unformatted: {type(error).__name__})")


@dataclass
class LogWatch:
    """The lines logged and the texts written while it is installed."""

    powertools: LineCollector = field(default_factory=LineCollector)
    others: LineCollector = field(default_factory=LineCollector)
    texts: set[str] = field(default_factory=set)

    def lines(self) -> list[str]:
        return [*self.powertools.lines, *self.others.lines]

    def leaks(self) -> list[Leak]:
        return find_leaks(self.lines(), self.texts)


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def readable(line: str) -> str:
    """The line plus, if it is JSON, each of its strings unescaped (a line feed is ``\\n`` in the line)."""
    try:
        parsed = json.loads(line)
    except ValueError:
        return line
    return "\n".join([line, *strings(parsed)])


def find_leaks(lines: list[str], texts: set[str]) -> list[Leak]:
    found = []
    for line in lines:
        text = readable(line)
        for pattern, what in ((MOBILE, "a mobile number"), (ID_CARD, "an ID-card number")):
            if (match := pattern.search(text)) is not None:
                found.append(Leak(line, f"{what}: {match.group()}"))
        for written in texts:
            if written in text:
                found.append(Leak(line, f"a text a client wrote: {written[:40]!r}"))
    return found


@contextmanager
def watching_logs() -> Iterator[LogWatch]:
    """Collect every log line and every accepted client text until the block ends."""
    watch = LogWatch()
    watch.powertools.setFormatter(powertools_logger.registered_formatter)
    watch.others.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    # Powertools' records also propagate to the root: the first collector has them already.
    ours = powertools_logger.name
    watch.others.addFilter(lambda record: record.name != ours and not record.name.startswith(ours + "."))
    original: Callable[..., Any] = common._checked

    def recording(value: Any, *, multiline: bool) -> Any:
        checked = original(value, multiline=multiline)
        if multiline and isinstance(checked, str) and personal_text(checked.strip()):
            watch.texts.add(checked.strip())
        return checked

    functions_logger = logging.getLogger(ours)  # the standard logger behind Powertools' Logger
    functions_logger.addHandler(watch.powertools)
    logging.getLogger().addHandler(watch.others)
    common._checked = recording  # looked up at each call, so the models built before see it too
    try:
        yield watch
    finally:
        common._checked = original
        logging.getLogger().removeHandler(watch.others)
        functions_logger.removeHandler(watch.powertools)


def report(leaks: list[Leak], limit: int = 10) -> str:
    shown = "\n".join(f"- {leak.why}\n  in: {leak.line[:300]}" for leak in leaks[:limit])
    return f"{len(leaks)} log line(s) carry personal data:\n{shown}"
