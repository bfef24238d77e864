"""ID-card numbers (居民身份证号码) as a roster's matching key: checked, then kept only as a keyed hash.

A roster file may identify a cadre by their ID-card number instead of (or beside) a staff number.
The number itself is personal data that the system has no need to keep: it is checked here
(eighteen characters, a province code, a real birth date, the ISO 7064 MOD 11-2 check digit), turned
into an HMAC-SHA256 with a secret key (``IdCardKey``), and dropped. An unkeyed hash would not do:
there are few enough valid numbers to hash them all and look the hash up.

The key is a SecureString SSM parameter (ID_CARD_KEY_PARAMETER, README "Deploying"); it is read
only when a file holds ID-card numbers. Changing it makes every stored hash unmatchable, so it is
never rotated in place (docs/decisions.md).

A cadre known only by an ID-card number gets a cadre id derived from the keyed hash
(``generated_cadre_id``): the same number gives the same id at every import (and in the dry run),
and the id reveals nothing of the number to anyone without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import field
from datetime import date
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worklog import aws, messages
from worklog.errors import ServiceUnavailable
from worklog.records import datarecord
from worklog.settings import get_settings


@datarecord(frozen=True)
class IdCardIndex:
    """What the roster holds of the keyed hashes a file's rows carry: the cadre each hash belongs to,
    and the hash each of the file's cadres is registered with."""

    owners: Mapping[str, str] = field(default_factory=dict)  # keyed hash → cadre id
    hashes: Mapping[str, str] = field(default_factory=dict)  # cadre id → keyed hash


# The first two digits: a province-level division (GB/T 2260), 83 for Taiwan residents' permits
# and 91 for foreigners' permanent residence cards of the new form.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_FORM = re.compile(r"^[0-9]{17}[0-9X]$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE][+]?\d+$")
_BLANKS = re.compile(r"[\s\-]+")
# Domain separation: the same key never yields the same value for two purposes.
_HASH_LABEL = b"worklog-id-card-v1:"
_CADRE_ID_LABEL = b"worklog-generated-cadre-id-v1:"
GENERATED_PREFIX = "g"
MIN_KEY_CHARS = 32


class BadIdCard(ValueError):
    """A cell that is not a valid ID-card number; ``reason`` is a ROSTER_IMPORT message key. The
    exception never holds the number itself."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_character(first17: str) -> str:
    """The 18th character of an ID-card number whose first seventeen digits are given."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalise_id_card(value: Any) -> str:
    """The number as eighteen characters (digits, a final upper-case X), or BadIdCard.

    Full-width digits, blanks and hyphens are what office spreadsheets hold and are taken; a number
    cell is not: a spreadsheet keeps 15 significant digits, so the last ones are already lost."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise BadIdCard("id_card_number_cell" if isinstance(value, int | float) else "id_card_form")
    text = _BLANKS.sub("", unicodedata.normalize("NFKC", value)).upper()
    if _SCIENTIFIC.fullmatch(text):
        raise BadIdCard("id_card_scientific")
    if re.fullmatch(r"[0-9]{15}", text):
        raise BadIdCard("id_card_old")
    if not _FORM.fullmatch(text):
        raise BadIdCard("id_card_form")
    if int(text[:2]) not in _PROVINCES:
        raise BadIdCard("id_card_region")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise BadIdCard("id_card_birth") from exc
    if born.year < 1900:
        raise BadIdCard("id_card_birth")
    if check_character(text[:17]) != text[17]:
        raise BadIdCard("id_card_check")
    return text


class IdCardKey:
    """The secret the keyed hashes are made with; its value never shows in a repr."""

    def __init__(self, secret: str | bytes) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        if len(raw) < MIN_KEY_CHARS:
            raise ValueError(f"an ID-card key has at least {MIN_KEY_CHARS} characters")
        self._secret = raw

    def __repr__(self) -> str:
        return "IdCardKey(…)"

    def hash(self, number: str) -> str:
        """HMAC-SHA256 of a normalised number (``normalise_id_card``), hex."""
        return hmac.new(self._secret, _HASH_LABEL + number.encode(), hashlib.sha256).hexdigest()


def generated_cadre_id(id_card_hash: str) -> str:
    """The cadre id of someone known only by their ID-card number: ``g`` and 15 base32 characters
    (75 bits) of a hash of the keyed hash. Deterministic, so a dry run shows the id the import will
    write, and no more reversible than the keyed hash."""
    digest = hashlib.sha256(_CADRE_ID_LABEL + id_card_hash.encode()).digest()
    return GENERATED_PREFIX + base64.b32encode(digest).decode().lower()[:15]


def load_id_card_key(parameter: str | None = None, *, client: Any = None) -> IdCardKey:
    """The key from its SecureString parameter (ID_CARD_KEY_PARAMETER). Unset, missing, unreadable
    or too short: 503, as the file is not at fault — nobody can match ID-card numbers until an
    operator puts the key."""
    name = parameter if parameter is not None else get_settings().id_card_key_parameter
    if not name:
        raise ServiceUnavailable(messages.ROSTER_IMPORT["id_card_key_missing"])
    try:
        found = (client or aws.client("ssm")).get_parameter(Name=name, WithDecryption=True)
        return IdCardKey(str(found["Parameter"]["Value"]))
    except (ClientError, BotoCoreError, ValueError) as exc:
        raise ServiceUnavailable(messages.ROSTER_IMPORT["id_card_key_missing"]) from exc
