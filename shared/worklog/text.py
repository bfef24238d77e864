"""The one rule for text a client sends: no control, bidirectional or invisible characters.

Such characters are invisible on the page but change what a reader sees: U+202E turns
"txt.exe" into "exe.txt", zero-width spaces make two names look alike, NUL truncates text in
some readers. Everything the system stores from a client (entries, notices, roster names, ...) is
published or shown to someone else, so they are refused at the door with the code point named,
never stripped silently (a stripped text is not what its author sent, and a hash chain would
then cover something else).

Refused: C0/C1 control characters (category Cc) — except line feed and tab in multi-line text —,
every format character (category Cf: the bidi embeddings, overrides and isolates U+202A–U+202E
and U+2066–U+2069, the marks U+200E, U+200F and U+061C, zero-width U+200B–U+200D, U+2060,
U+FEFF, the soft hyphen, ...), lone surrogates (Cs), the line and paragraph separators U+2028 and
U+2029, and the noncharacters (U+FDD0–U+FDEF and every U+xxFFFE/U+xxFFFF).

Three exceptions keep ordinary typing working: in multi-line text a carriage return (Windows
CRLF, or a lone CR) becomes a line feed before the check; blanks at either end of a text (spaces,
tabs, line breaks — what a copied cell or a text field often carries) are trimmed as before rather
than refused, even in a single line; and a zero-width joiner between two emoji (a pictographic
sequence such as 👨‍💻, which phone keyboards produce) is kept, since it joins two visible symbols
into one and can hide or reorder nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Ordinary blanks trimmed from either end of a text: the space separators (category Zs) and tab,
# CR, LF. Not the other characters Python counts as whitespace (U+000B, U+001C–U+001F, U+0085,
# U+2028, ...): those are refused wherever they are.
BLANKS = " \t\n\r\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
LINE_FEED = "\n"
TAB = "\t"
ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_KINDS = {
    "Cc": "control character",
    "Cf": "invisible format character",
    "Cs": "lone surrogate",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


@dataclass(frozen=True)
class ForbiddenCharacter:
    """The first refused character of a text: where it is (1-based) and what it is."""

    code_point: str
    kind: str
    position: int

    def describe(self) -> str:
        return f"{self.code_point} ({self.kind}) at character {self.position}"


def code_point(char: str) -> str:
    """``U+202E`` style name of one character."""
    return f"U+{ord(char):04X}"


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _emoji_before(text: str, index: int) -> bool:
    if index == 0:
        return False
    prev = text[index - 1]
    return prev == _EMOJI_PRESENTATION or ord(prev) in _SKIN_TONES or unicodedata.category(prev) == "So"


def _emoji_after(text: str, index: int) -> bool:
    return index + 1 < len(text) and unicodedata.category(text[index + 1]) == "So"


def find_forbidden(text: str, *, multiline: bool) -> ForbiddenCharacter | None:
    """The first character of ``text`` the rule refuses, or None when the text is clean.

    ``text`` is taken as it is (carriage returns included): call ``normalise_newlines`` first for
    multi-line text. Blanks at either end are allowed: they are trimmed, never stored.
    """
    start = len(text) - len(text.lstrip(BLANKS))
    end = len(text.rstrip(BLANKS))
    for index, char in enumerate(text):
        cp = ord(char)
        if 0x20 <= cp < 0x7F:  # printable ASCII: the common case, decided without a table lookup
            continue
        if multiline and char in (LINE_FEED, TAB):
            continue
        if not start <= index < end:  # a blank at either end
            continue
        category = unicodedata.category(char)
        if category == "Cf" and char == ZWJ and _emoji_before(text, index) and _emoji_after(text, index):
            continue
        if category in _KINDS:
            return ForbiddenCharacter(code_point(char), _KINDS[category], index + 1)
        if _is_noncharacter(cp):
            return ForbiddenCharacter(code_point(char), "noncharacter", index + 1)
    return None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF: one line break whatever the sender's system."""
    return text.replace("\r\n", LINE_FEED).replace("\r", LINE_FEED)


def is_clean(text: str, *, multiline: bool) -> bool:
    return find_forbidden(text, multiline=multiline) is None


def strip_blanks(text: str) -> str:
    """``text`` without the blanks at either end (and nothing else)."""
    return text.strip(BLANKS)
