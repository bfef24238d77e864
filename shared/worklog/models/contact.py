"""How a cadre is reached: the channels and the roster's contact details.

Kept apart from ``worklog.models.notifications`` because the roster, the entries and the settings
need only these, and every function imports those at cold start; the notifier's models (notices,
digests, the inbox) are built only where they are used (decisions: what a handler loads at cold
start).
"""

from typing import Literal, get_args

from worklog.models.common import Model

# The channels a message can go out on; the in-app inbox is not one of them: it always gets it.
Channel = Literal["sms", "email", "wecom", "dingtalk"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)


class ContactDetails(Model):
    """What the roster holds to reach a cadre (the optional columns of a roster file)."""

    mobile: str | None = None
    email: str | None = None
    wecom_user_id: str | None = None
    dingtalk_user_id: str | None = None
    preferred_channel: Channel | None = None
