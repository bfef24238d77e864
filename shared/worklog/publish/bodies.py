"""A revision's body as the public pages show it: display rows of whatever shape it was saved in
(an entry's, a plan's or a summary's), every value as text, fields the site does not know listed
as they are rather than dropped."""

from __future__ import annotations

import json
from typing import Any

from worklog.labels import ITEM_STATUS_LABELS, PLAN_PROGRESS_LABELS, SECTION_LABELS


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def body_view(body: dict[str, Any]) -> dict[str, Any]:
    """A revision's public body (entry, plan or summary shape) as display rows."""
    items: list[dict[str, str | None]] = []
    raw_items = body.get("items")
    for raw in raw_items if isinstance(raw_items, list) else []:
        item = raw if isinstance(raw, dict) else {"content": _text(raw)}
        status = item.get("status")
        progress = item.get("progress")
        content = item.get("content")
        target = item.get("target")
        items.append(
            {
                "content": _text(content) if content is not None else None,
                "status": ITEM_STATUS_LABELS.get(str(status)) if status else None,
                "progress": PLAN_PROGRESS_LABELS.get(str(progress)) if progress else None,
                "target": _text(target) if target else None,
                "internal": "1" if item.get("internal") else None,
            }
        )
    sections = [
        (label, _text(body[name]))
        for name, label in SECTION_LABELS.items()
        if body.get(name) not in (None, "")
    ]
    known = {"items", *SECTION_LABELS}
    extra = [
        (name, _text(body[name])) for name in sorted(body) if name not in known and body[name] is not None
    ]
    return {"has_items": isinstance(raw_items, list), "items": items, "sections": sections, "extra": extra}
