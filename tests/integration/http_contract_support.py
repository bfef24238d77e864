"""What the HTTP error-contract tests share (test_http_contract.py, test_http_tokens.py,
test_http_media_types.py)."""

from __future__ import annotations

import json

ENTRY = {"items": [{"content": "工作", "status": "done"}]}


def error(resp: object) -> dict[str, object]:
    data = json.loads(resp.body)  # type: ignore[attr-defined]
    assert set(data) >= {"code", "message"}
    return data
