"""The roster file's optional contact cells (mobile, e-mail, WeCom and DingTalk ids, the preferred
channel) as a district's spreadsheet holds them, read into the roster's own types
(worklog.models.roster). The row model (worklog.roster.roster_row) puts these validators in front
of those types; each problem is a custom error whose type names the importer's reason.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import PydanticCustomError

from worklog.models.contact import Channel
from worklog.models.roster import CONTACT_FIELDS

# What a spreadsheet writes in the preferred-channel column; keys lower case. Blank, or "默认",
# leaves the choice to the district's default channel.
CHANNEL_ALIASES: dict[str, Channel | None] = {
    "sms": "sms",
    "短信": "sms",
    "手机短信": "sms",
    "email": "email",
    "e-mail": "email",
    "邮件": "email",
    "电子邮件": "email",
    "邮箱": "email",
    "wecom": "wecom",
    "企业微信": "wecom",
    "企微": "wecom",
    "dingtalk": "dingtalk",
    "钉钉": "dingtalk",
    "默认": None,
    "全区默认": None,
}
CHANNEL_LABELS: dict[Channel, str] = {"sms": "短信", "email": "邮件", "wecom": "企业微信", "dingtalk": "钉钉"}
# The field of a cadre each channel needs to reach them.
CHANNEL_NEEDS: dict[Channel, str] = {
    "sms": "mobile",
    "email": "email",
    "wecom": "wecom_user_id",
    "dingtalk": "dingtalk_user_id",
}
assert set(CHANNEL_NEEDS.values()) | {"preferred_channel"} == set(CONTACT_FIELDS)

_MOBILE_SEPARATORS = re.compile(r"[\s\-()（）]+")
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE][+]?\d+$")


def mobile_cell(value: Any) -> Any:
    """A mainland mobile number as its eleven digits: an Excel number cell, or text with the usual
    blanks, hyphens and +86. Text in scientific notation (what a CSV export writes for a number
    column) may have lost digits, so no number is made of it."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _SCIENTIFIC.fullmatch(text):
        raise PydanticCustomError(
            "mobile_scientific", "mobile written in scientific notation: {shown}", {"shown": text}
        )
    digits = _COUNTRY_CODE.sub("", _MOBILE_SEPARATORS.sub("", text))
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise PydanticCustomError("bad_mobile", "a mainland mobile number has 11 digits 1[3-9]…")
    return digits


def channel_cell(value: Any) -> Any:
    """The preferred channel as the spreadsheet writes it (Chinese or English, any case); blank or
    "默认" is no preference. An unknown name stays as written: the Channel literal refuses it."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    key = text.lower()
    return CHANNEL_ALIASES.get(key, text)


def check_reachable(cadre: Any) -> None:
    """A preferred channel needs the row's detail for it (a mobile for SMS, ...): without it the
    preference could never be honoured."""
    channel = cadre.preferred_channel
    if channel is not None and not getattr(cadre, CHANNEL_NEEDS[channel]):
        raise PydanticCustomError(
            "channel_unreachable",
            "preferred_channel {channel} needs {need}",
            {"channel": CHANNEL_LABELS[channel], "need": CHANNEL_NEEDS[channel]},
        )
