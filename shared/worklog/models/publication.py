"""What the public disclosure site shows: the one policy model (``WORKLOG_PUBLICATION``).

The public views it governs are built in ``worklog.publish.policy``; the masking it switches on is
``worklog.text.mask_personal_data``.
"""

from pydantic import ConfigDict, Field

from worklog.models.common import Model

INTERNAL_PLACEHOLDER = "内部事项，不予公开"


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
