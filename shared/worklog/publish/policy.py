"""What the public disclosure site shows: one policy model, personal-data masking, public views of bodies.

Masking finds, in one left-to-right pass of a single regular expression, the personal data below and
replaces it; every other character stays as written.

==============  ====================================================  =================================
kind            recognised as                                         published as
==============  ====================================================  =================================
e-mail          ``local@domain.tld`` (local part ``[A-Za-z0-9._%+-]``)  ``z***@example.com``
ID card number  18 characters (17 digits + digit or X/x), optionally  ``1****************4`` (first and
                grouped 6-8-4 by a space or hyphen; or 15 digits      last character kept, same length)
bank card       16-19 digits, optionally grouped in 4s                ``**** **** **** 1234``
mobile number   11 digits ``1[3-9]…``, optionally 3-4-4 grouped,      ``+86 138****5678`` (prefix as
                optionally after ``+86`` / ``86``                     written, first 3 and last 4 kept)
==============  ====================================================  =================================

Order, where patterns could overlap at the same position: e-mail, ID card, bank card, mobile. An e-mail
whose local part is a number (``13812345678@qq.com``) is masked as an e-mail; a plain 18-digit run is an
ID card number, never a bank card. A match never starts or ends inside a digit run (lookarounds), so a
20-digit run, a date ``2026年11月20日``, an amount ``12345678元`` or ``〔2026〕15号`` stay unchanged.

The pass is repeated until the text no longer changes: the digits a mask keeps can form a new match with
the text next to them (``138 1234 5678 1234 5678 9012``), and a match can hide an e-mail that starts inside
it (``138 1234 5678zhang@example.com``). This makes masking idempotent by construction. It ends: a pass only
turns digits into ``*`` or cuts an e-mail local part to ``x***``, which no longer matches.

Out of scope: full-width digits (０-９) and other non-ASCII digits, landline numbers, non-ASCII e-mail
local parts and unusual RFC 5322 characters in them (only the part after the last such character is
masked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from worklog.clock import SHANGHAI

INTERNAL_PLACEHOLDER = "内部事项，不予公开"


class PublicationPolicy(BaseModel):
    """The one settings model of what the public site shows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publish_items: bool = True  # item contents (else every item shows only its status)
    publish_status: bool = True
    publish_mistakes: bool = False  # 工作失误
    publish_reflections: bool = False  # 工作思考
    publish_reasons: bool = True  # reasons of corrections (修订原因)
    mask_personal_data: bool = True
    internal_placeholder: str = Field(default=INTERNAL_PLACEHOLDER, min_length=1)
    delay_days: int = Field(default=1, ge=0)  # entries appear publicly the night after they are saved


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
    """Mask mobile numbers, ID card numbers, e-mail addresses and bank card numbers (see the module doc)."""
    while (masked := _PERSONAL_DATA.sub(_masked, text)) != text:
        text = masked
    return text


def _text(value: str, policy: PublicationPolicy) -> str:
    return mask_personal_data(value) if policy.mask_personal_data else value


def public_entry(body: Mapping[str, Any], policy: PublicationPolicy) -> dict[str, Any]:
    """The public view of a daily entry body: items, and mistakes/reflections only when the policy says so.

    An item's content is None when items are not published (even for an internal item), the placeholder
    for an internal item, else the (masked) content.
    """
    items: list[dict[str, Any]] = []
    for item in body.get("items", []):
        internal = bool(item.get("internal", False))
        if not policy.publish_items:
            content = None
        elif internal:
            content = policy.internal_placeholder
        else:
            content = _text(item["content"], policy)
        status = item["status"] if policy.publish_status else None
        public: dict[str, Any] = {"content": content, "status": status, "internal": internal}
        if item.get("plan_item_id") is not None:
            public["plan_item_id"] = item["plan_item_id"]
        items.append(public)
    result: dict[str, Any] = {"items": items}
    for key, wanted in (("mistakes", policy.publish_mistakes), ("reflections", policy.publish_reflections)):
        if wanted and (value := body.get(key)):
            result[key] = _text(value, policy)
    return result


def public_plan(body: Mapping[str, Any], policy: PublicationPolicy) -> dict[str, Any]:
    """The public view of a monthly plan: ids kept, contents and targets masked."""
    items: list[dict[str, Any]] = []
    for item in body.get("items", []):
        public: dict[str, Any] = {"id": item["id"], "content": _text(item["content"], policy)}
        if item.get("target") is not None:
            public["target"] = _text(item["target"], policy)
        items.append(public)
    return {"items": items}


def public_summary(body: Mapping[str, Any], policy: PublicationPolicy) -> dict[str, Any]:
    """The public view of a half-year summary: its three sections, masked."""
    return {key: _text(body[key], policy) for key in ("achievements", "problems", "next_steps")}


def public_reason(reason: str | None, policy: PublicationPolicy) -> str | None:
    """The public reason of a correction, or None when there is none or reasons are not published."""
    if reason is None or not policy.publish_reasons:
        return None
    return _text(reason, policy)


def is_public_yet(saved_at: str, run_day: date, policy: PublicationPolicy) -> bool:
    """Whether something saved at ``saved_at`` (ISO 8601 with an offset) is public on ``run_day``.

    It is once its Asia/Shanghai date plus ``delay_days`` is on or before ``run_day``.
    """
    moment = datetime.fromisoformat(saved_at)
    if moment.tzinfo is None:
        raise ValueError(f"saved_at needs an offset: {saved_at!r}")
    return moment.astimezone(SHANGHAI).date() + timedelta(days=policy.delay_days) <= run_day
