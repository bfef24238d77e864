"""The one rule for text a client sends: no control, bidirectional or invisible characters; and, at
the end, the masking of personal data in text the public sees.

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

import re
import unicodedata

from worklog.records import datarecord

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


@datarecord(frozen=True)
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


# --- personal data in published text ---------------------------------------------------------------
#
# Masking finds, in one left-to-right pass of a single regular expression, the personal data below
# and replaces it; every other character stays as written. What the public site and the public audit
# records show goes through it (the publication policy can switch it off for logs).
#
# ==============  ====================================================  =================================
# kind            recognised as                                         published as
# ==============  ====================================================  =================================
# e-mail          ``local@domain.tld`` (local part ``[A-Za-z0-9._%+-]``)  ``z***@example.com``
# ID card number  18 characters (17 digits + digit or X/x), optionally  ``1****************4`` (first and
#                 grouped 6-8-4 by a space or hyphen; or 15 digits      last character kept, same length)
# bank card       16-19 digits, optionally grouped in 4s                ``**** **** **** 1234``
# mobile number   11 digits ``1[3-9]…``, optionally 3-4-4 grouped,      ``+86 138****5678`` (prefix as
#                 optionally after ``+86`` / ``86``                     written, first 3 and last 4 kept)
# ==============  ====================================================  =================================
#
# Order, where patterns could overlap at the same position: e-mail, ID card, bank card, mobile. An e-mail
# whose local part is a number (``13812345678@qq.com``) is masked as an e-mail; a plain 18-digit run is an
# ID card number, never a bank card. A match never starts or ends inside a digit run (lookarounds), so a
# 20-digit run, a date ``2026年11月20日``, an amount ``12345678元`` or ``〔2026〕15号`` stay unchanged.
#
# The pass is repeated until the text no longer changes: the digits a mask keeps can form a new match with
# the text next to them (``138 1234 5678 1234 5678 9012``), and a match can hide an e-mail that starts inside
# it (``138 1234 5678zhang@example.com``). This makes masking idempotent by construction. It ends: a pass only
# turns digits into ``*`` or cuts an e-mail local part to ``x***``, which no longer matches.
#
# Out of scope: full-width digits (０-９) and other non-ASCII digits, landline numbers, non-ASCII e-mail
# local parts and unusual RFC 5322 characters in them (only the part after the last such character is
# masked).

# [0-9], not \d: \d would also match full-width and other Unicode digits (out of scope).
_PERSONAL_DATA = re.compile(
    r"""
    (?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+
        @[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)
    | (?<![0-9])(?P<id>[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9Xx]|[0-9]{15})(?![0-9])
    | (?<![0-9])(?P<card>[0-9]{4}(?:[ -]?[0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)(?![0-9])
    | (?<![0-9])(?P<prefix>(?:\+?86[ -]?)?)(?P<mobile>1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})(?![0-9])
    """,
    re.VERBOSE,
)


def _keep_ends(number: str, head: int, tail: int) -> str:
    """Replace each character but separators (space, hyphen) with '*', except the first head and last tail."""
    places = [i for i, char in enumerate(number) if char not in " -"]
    hidden = set(places[head : len(places) - tail])
    return "".join("*" if i in hidden else char for i, char in enumerate(number))


def _masked(match: re.Match[str]) -> str:
    if email := match["email"]:
        local, _, domain = email.partition("@")
        return f"{local[0]}***@{domain}"
    if number := match["id"]:
        return _keep_ends(number, 1, 1)
    if number := match["card"]:
        return _keep_ends(number, 0, 4)
    return str(match["prefix"]) + _keep_ends(match["mobile"], 3, 4)


def mask_personal_data(text: str) -> str:
    """Mask mobile numbers, ID card numbers, e-mail addresses and bank card numbers (the rules are above)."""
    while (masked := _PERSONAL_DATA.sub(_masked, text)) != text:
        text = masked
    return text
