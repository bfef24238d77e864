"""Every object key of the public site, built here and nowhere else.

The site is a static bucket: pages, each cadre's public chain, the signed daily checkpoints, the
audit rounds' files and the publisher's manifest. An id that becomes a path segment is checked
(letters, digits, '_', '-', '.'; never a path of its own), so no id can make a key outside its
place. Links between pages are relative and computed from the two keys (``relative``).
"""

from __future__ import annotations

import posixpath
import re
from datetime import date

from worklog.models.audit_keys import ledger_key

MANIFEST = "manifest.json"  # what the publisher wrote and from what (read back by the next run)
_CADRE_OBJECT = re.compile(r"^(?:cadres/([^/]+)/.*|ledger/(?:cadres|proofs)/([^/]+)\.json)$")
HOME = "index.html"
NOTICES = "notices/index.html"
AUDITS = "audits/index.html"
LEDGER = "ledger/index.html"
PUBLIC_KEY = "ledger/public-key.pem"  # the current signing key (what a v1 checkpoint verifies with)
CHECKPOINT_INDEX = "ledger/checkpoints/index.json"
LATEST_CHECKPOINT = "ledger/checkpoints/latest.json"  # {"date", "root"} of the newest checkpoint

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
HALF = re.compile(r"^(\d{4})-H([12])$")  # a half-year: year, half
_PERIOD_KEY = re.compile(r"^(?:ENTRY-(\d{4}-\d{2})-\d{2}|PLAN-(\d{4}-\d{2})|SUMMARY-\d{4}-H[12])$")


def segment(value: str) -> str:
    """An id used as a path segment: letters, digits, '_', '-', '.'; never a path of its own."""
    if not _SEGMENT.fullmatch(value):
        raise ValueError(f"not usable in an object key: {value!r}")
    return value


def month(value: str) -> str:
    if not _MONTH.fullmatch(value):
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return value


# --- pages ------------------------------------------------------------------------------------
def unit(unit_id: str) -> str:
    return f"units/{segment(unit_id)}/index.html"


def cadre_index(cadre_id: str) -> str:
    return f"cadres/{segment(cadre_id)}/index.html"


def cadre_month(cadre_id: str, month_: str) -> str:
    return f"cadres/{segment(cadre_id)}/{month(month_)}.html"


def revisions(cadre_id: str, period_key: str) -> str:
    if not _PERIOD_KEY.fullmatch(period_key):
        raise ValueError(f"not a period key (ENTRY-…, PLAN-…, SUMMARY-…): {period_key!r}")
    return f"cadres/{segment(cadre_id)}/revisions/{period_key}.html"


def notice(notice_id: str) -> str:
    return f"notices/{segment(notice_id)}.html"


def audit(round_id: str) -> str:
    return f"audits/{segment(round_id)}.html"


# --- the periods a revision history page is for -------------------------------------------------
def entry_period(day: date) -> str:
    return f"ENTRY-{day.isoformat()}"


def plan_period(month_: str) -> str:
    return f"PLAN-{month(month_)}"


def summary_period(half: str) -> str:
    if not HALF.fullmatch(half):
        raise ValueError(f"not a half-year (YYYY-Hn): {half!r}")
    return f"SUMMARY-{half}"


def period_month(period_key: str) -> str | None:
    """The month page an entry's or a plan's history goes back to (None for a summary)."""
    m = _PERIOD_KEY.fullmatch(period_key)
    return (m.group(1) or m.group(2)) if m else None


# --- files (JSON, PEM) ------------------------------------------------------------------------
def audit_file(round_id: str, name: str) -> str:
    """A round's published JSON; the ledger bucket holds it under the same key, the site mirrors it."""
    return ledger_key(segment(round_id), segment(name))


def cadre_ledger(cadre_id: str) -> str:
    """A cadre's published revisions and their public hash chain."""
    return f"ledger/cadres/{segment(cadre_id)}.json"


PROOFS = "ledger/proofs/"


def cadre_proof(cadre_id: str) -> str:
    """The cadre's inclusion proof: its leaf under the root of a dated checkpoint (rewritten only
    when the cadre's leaf changes)."""
    return f"{PROOFS}{segment(cadre_id)}.json"


def signing_key(fingerprint: str) -> str:
    """A public key the checkpoints were ever signed with, named by its fingerprint (the SHA-256 of
    its DER SubjectPublicKeyInfo): written once, never replaced or removed, so a rotation leaves
    every older checkpoint verifiable."""
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ValueError(f"not a key fingerprint (64 lowercase hex digits): {fingerprint!r}")
    return f"ledger/keys/{fingerprint}.pem"


def checkpoint(day: str) -> str:
    """The day's signed checkpoint as the site mirrors it."""
    return f"ledger/checkpoints/{segment(day)}.json"


def ledger_checkpoint(day: str) -> str:
    """The day's signed checkpoint in the ledger bucket (under Object Lock)."""
    return f"checkpoints/{segment(day)}.json"


def manifest_shard(shard: int) -> str:
    """One shard of the manifest: what its cadres' pages were built from, and their objects."""
    return f"manifest/shards/{int(shard):04d}.json"


def cadre_of(key: str) -> str | None:
    """The cadre whose pages, ledger or proof an object is (None: a page shared by the whole site):
    its hash is kept in the cadre's shard of the manifest, not in the main one."""
    m = _CADRE_OBJECT.fullmatch(key)
    return (m.group(1) or m.group(2)) if m else None


# --- links ------------------------------------------------------------------------------------
def relative(from_key: str, to_key: str) -> str:
    """The relative href from the page at ``from_key`` to the object at ``to_key`` (a fragment kept)."""
    target, hash_, fragment = to_key.partition("#")
    base = posixpath.dirname(from_key)
    href = posixpath.relpath("/" + target, "/" + base) if target else ""
    return href + hash_ + fragment
