"""The public views of bodies under the publication policy (``worklog.models.publication``): what the
public site shows of entries, plans, summaries and reasons, masked by ``worklog.text.mask_personal_data``,
and when something saved becomes public.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from worklog.clock import SHANGHAI
from worklog.models.publication import PublicationPolicy
from worklog.text import mask_personal_data


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


def public_until(left_on: date, policy: PublicationPolicy) -> date:
    """The last day a departed cadre's log is public: ``departed_public_months`` after their last day
    in post, on the same day of the month (the month's last day when it has no such day)."""
    months = left_on.month - 1 + policy.departed_public_months
    year, month = left_on.year + months // 12, months % 12 + 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(left_on.day, (first_of_next - timedelta(days=1)).day))


def is_withdrawn(left_on: date | None, day: date, policy: PublicationPolicy) -> bool:
    """Whether a cadre whose last day in post is ``left_on`` (None: in post) has their log withdrawn
    from the public site on ``day``: once ``public_until`` has passed."""
    return left_on is not None and day > public_until(left_on, policy)
