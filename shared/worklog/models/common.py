"""Shapes shared by every API: the error body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="stable snake_case error code", examples=["period_locked"])
    message: str = Field(description="human-readable message (Simplified Chinese)")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="for validation errors: one entry per field, with loc, msg and type"
    )
