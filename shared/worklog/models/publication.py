"""What the public disclosure site shows: the one policy model (``WORKLOG_PUBLICATION``).

The public views it governs are built in ``worklog.publish.policy``; the masking it switches on is
``worklog.text.mask_personal_data``.
"""

from typing import Any

from pydantic import ConfigDict, Field, field_validator

from worklog.models.common import Model

INTERNAL_PLACEHOLDER = "内部事项，不予公开"
MAX_DEPARTED_MONTHS = 1200  # a hundred years: beyond it a departure's deadline would leave the calendar


class PublicationPolicy(Model):
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
    # A cadre who left (or retired) stays on the public site this many months after their last day
    # in post (``Cadre.left_on``); then their pages show only a notice (0: from the day after).
    departed_public_months: int = Field(default=12, ge=0, le=MAX_DEPARTED_MONTHS)

    @field_validator("departed_public_months", mode="before")
    @classmethod
    def _whole_months(cls, value: Any) -> Any:
        # pydantic would take True as 1 and 12.0 as 12: a setting written so is a mistake, not a number
        if isinstance(value, (bool, float)):
            raise ValueError("a whole number of months")
        return value
