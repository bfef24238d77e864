"""Typed configuration: one settings object read from the environment through a cached getter.

Resource names come from template.yaml (``!Ref`` into each function's environment); the domain
rules (docs/rules.md) are one nested model with defaults, overridable by ``WORKLOG_RULES__*``.
"""

import json
import os
import re
from collections.abc import Mapping
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from worklog.models.common import Model
from worklog.models.contact import Channel
from worklog.models.publication import PublicationPolicy


class Rules(Model):
    """The domain's defaults, in one place."""

    correction_window_days: int = Field(
        7, ge=0, le=60, description="late entries and revisions accepted this many days after D"
    )
    plan_due_working_day: int = Field(
        3, ge=1, le=20, description="monthly plan due by this working day of the month"
    )
    summary_due_working_day: int = Field(
        10, ge=1, le=30, description="half-year summary due by this working day of Jul/Jan"
    )
    plan_months_ahead: int = Field(1, ge=0, le=3, description="how many months ahead a plan may be written")
    review_catch_up_weeks: int = Field(
        13, ge=0, le=53, description="a weekly review run assigns the weeks missed up to this many weeks back"
    )
    # The API's maxima (docs/api.md) are fixed in the models; these may only tighten them.
    max_items: int = Field(30, ge=1, le=30)
    max_item_chars: int = Field(2000, ge=1, le=2000)
    max_text_chars: int = Field(5000, ge=1, le=5000, description="mistakes, reflections and summary sections")
    max_reason_chars: int = Field(500, ge=1, le=500)
    max_leave_days: int = Field(366, ge=1)
    max_range_days: int = Field(92, ge=1, description="widest range one GET /entries call may ask for")
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    # An inspector who could draw spot-checks without limit could draw until a sample suited them.
    spot_checks_per_day: int = Field(
        2, ge=1, le=20, description="spot-check draws one requester may make per day (Shanghai)"
    )
    max_import_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)


class FeedbackLimits(Model):
    """How much public feedback on vetting notices is taken (``WORKLOG_FEEDBACK__*``).

    Every limit is a sliding window (any ``window_minutes``), not a clock hour, except the daily cap
    of a notice, which counts its Shanghai day; a sender is an IPv4 address or an IPv6 /64."""

    window_minutes: int = Field(60, ge=1, le=24 * 60, description="the sliding window of the limits below")
    per_sender: int = Field(5, ge=1, le=100, description="accepted posts per sender in any window")
    per_notice_window: int = Field(
        30, ge=1, le=1000, description="accepted posts per notice, all senders together, in any window"
    )
    per_notice_day: int = Field(
        200, ge=1, le=100_000, description="accepted posts per notice, all senders together, per day"
    )


# A daily cron at a fixed minute and hour: cron(<minute> <hour> ...).
DIGEST_CRON = re.compile(r"^cron\(([0-5]?[0-9]) (1?[0-9]|2[0-3]) .+\)$")


class NotifySettings(Model):
    """How reminders reach people (worklog.notify): when the morning digest goes out, the hours an
    urgent notice may go out at once, the district's default channel, what messages are signed with."""

    model_config = ConfigDict(extra="forbid")

    digest_time: time = Field(time(8, 30), description="the morning digest's time on working days (Shanghai)")
    # The stack's morning schedule (cron, Shanghai time), when given: the digest time is its minute
    # and hour, so the schedule that fires the run and the time notices wait for cannot disagree.
    digest_schedule: str | None = Field(None, pattern=DIGEST_CRON.pattern)
    daytime_start: time = Field(time(8, 0), description="urgent notices go out at once from ...")
    daytime_end: time = Field(time(21, 0), description="... until this time; later ones wait for the morning")
    default_channel: Channel | None = Field("sms", description="for cadres without a preferred channel")
    sms_signature: str = Field("【锦江区委组织部】", max_length=20)
    email_sender: str = Field("worklog@example.gov.cn", description="a verified SES identity")
    send_attempts: int = Field(3, ge=1, le=10, description="tries of a send before the retry queue")

    @model_validator(mode="after")
    def _time_of_the_schedule(self) -> "NotifySettings":
        found = DIGEST_CRON.match(self.digest_schedule or "")
        if found:
            self.digest_time = time(int(found[2]), int(found[1]))
        return self


def _merged(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        both = isinstance(out.get(key), dict) and isinstance(value, Mapping)
        out[key] = _merged(out[key], value) if both else value
    return out


def _nested(field: Any) -> bool:
    return isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)


def from_environment(model: type[BaseModel], environ: Mapping[str, str]) -> dict[str, Any]:
    """The values ``environ`` gives ``model``'s fields: each from the variable its alias names (any
    case); a nested model's also as JSON in that variable and field by field as
    ``<ALIAS>__<FIELD>[__<FIELD>...]``, the latter winning. (A plain model and this function instead
    of pydantic-settings: the same reading, without its import in every cold start.)"""
    env = {name.lower(): value for name, value in environ.items()}
    found: dict[str, Any] = {}
    for field in model.model_fields.values():
        alias = str(field.validation_alias)
        key = alias.lower()
        if not _nested(field):
            if key in env:
                found[alias] = env[key]
            continue
        value: dict[str, Any] = json.loads(env[key]) if env.get(key) else {}
        for name, raw in sorted(env.items()):
            if name.startswith(key + "__"):
                *path, last = name[len(key) + 2 :].split("__")
                value = _merged(value, _nest(path, {last: raw}))
        if value:
            found[alias] = value
    return found


def _nest(path: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    for part in reversed(path):
        leaf = {part: leaf}
    return leaf


class Settings(Model):
    """Read from the environment when built (``from_environment``); keyword arguments, by the
    variables' names, win over it."""

    model_config = ConfigDict(extra="ignore", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _environment(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        return _merged(from_environment(cls, os.environ), data)

    roster_table: str = Field("worklog-roster", validation_alias="ROSTER_TABLE")
    journal_table: str = Field("worklog-journal", validation_alias="JOURNAL_TABLE")
    compliance_table: str = Field("worklog-compliance", validation_alias="COMPLIANCE_TABLE")
    idempotency_table: str = Field("worklog-idempotency", validation_alias="IDEMPOTENCY_TABLE")
    site_bucket: str = Field("worklog-site", validation_alias="SITE_BUCKET")
    ledger_bucket: str = Field("worklog-ledger", validation_alias="LEDGER_BUCKET")
    event_bus: str = Field("worklog", validation_alias="EVENT_BUS")
    sweep_queue_url: str = Field("", validation_alias="SWEEP_QUEUE_URL")
    # The publisher's batches (cadre shards) go through this queue; unset, a run does them inline.
    publish_queue_url: str = Field("", validation_alias="PUBLISH_QUEUE_URL")
    # Cadres a shard of the publisher's manifest (one batch of a run) is sized for, when the site
    # is first published; the number of shards is then kept (docs/decisions.md).
    publish_shard_cadres: int = Field(1000, ge=1, validation_alias="PUBLISH_SHARD_CADRES")
    # One run of the nightly check reads at most this many pages of the roster (1 MB each on
    # DynamoDB) and hands the rest on through the sweep queue; 0 reads it all in one run.
    sweep_slice_pages: int = Field(16, ge=0, validation_alias="SWEEP_SLICE_PAGES")
    # Items per page (Query Limit); 0 leaves pages at DynamoDB's 1 MB. Tests use it to make slices.
    sweep_page_items: int = Field(0, ge=0, validation_alias="SWEEP_PAGE_ITEMS")

    token_issuer: str = Field("", validation_alias="TOKEN_ISSUER")
    token_audience: str = Field("", validation_alias="TOKEN_AUDIENCE")
    # When TOKEN_AUDIENCE is empty: the SSM parameter that holds it (the deployed Cognito client id).
    token_audience_parameter: str = Field("", validation_alias="TOKEN_AUDIENCE_PARAMETER")
    jwks_url: str = Field("", validation_alias="JWKS_URL")
    # Cognito puts the user name in "cognito:username"; the local issuer uses "sub".
    subject_claim: str = Field("sub", validation_alias="TOKEN_SUBJECT_CLAIM")
    # How long a warm container may reuse a roster profile it has read (seconds).
    principal_cache_seconds: int = Field(60, ge=0, validation_alias="PRINCIPAL_CACHE_SECONDS")

    rules: Rules = Field(default_factory=Rules, validation_alias="WORKLOG_RULES")
    # What the public site shows (items, status, mistakes, reflections, masking, delay).
    publication: PublicationPolicy = Field(
        default_factory=PublicationPolicy, validation_alias="WORKLOG_PUBLICATION"
    )

    # How much public feedback is taken per sender and per notice.
    feedback: FeedbackLimits = Field(default_factory=FeedbackLimits, validation_alias="WORKLOG_FEEDBACK")
    # What CloudFront adds to requests for the feedback origin: proof that its report of the
    # viewer's address can be believed (worklog.vetting.senders.viewer_address). Empty: never.
    edge_secret: str = Field("", validation_alias="EDGE_SECRET")

    district_name: str = Field("锦江区", validation_alias="DISTRICT_NAME")
    # The SecureString SSM parameter holding the key of the ID-card numbers' keyed hashes (roster
    # imports match cadres by them; worklog.roster.id_cards). Empty: files with ID-card numbers
    # cannot be imported.
    id_card_key_parameter: str = Field("", validation_alias="ID_CARD_KEY_PARAMETER")

    # The notifier: its outbox table, the queue of sends to retry, where the robots' webhook URLs
    # and secrets are kept (SSM SecureString parameters under this path), the app's address for
    # the links in messages, and the rules above.
    outbox_table: str = Field("worklog-outbox", validation_alias="OUTBOX_TABLE")
    notify_retry_queue_url: str = Field("", validation_alias="NOTIFY_RETRY_QUEUE_URL")
    notify_parameter_path: str = Field("/worklog/local/notify/", validation_alias="NOTIFY_PARAMETER_PATH")
    app_url: str = Field("", validation_alias="APP_URL")
    notify: NotifySettings = Field(default_factory=NotifySettings, validation_alias="WORKLOG_NOTIFY")
    # The public feedback endpoint's base URL (the notice pages' form action).
    feedback_url: str = Field("", validation_alias="FEEDBACK_URL")
    # Checkpoints are signed with this KMS key when set, else with a local key file.
    signing_key_id: str = Field("", validation_alias="SIGNING_KEY_ID")
    signing_key_file: str = Field("", validation_alias="SIGNING_KEY_FILE")

    # The archive (worklog.archive): its customer-managed KMS key (empty: the bucket's default
    # encryption, as locally), and the Object Lock each night's object is written under (empty
    # mode: the bucket's default retention).
    archive_key_id: str = Field("", validation_alias="ARCHIVE_KEY_ID")
    archive_lock_mode: Literal["", "GOVERNANCE", "COMPLIANCE"] = Field(
        "", validation_alias="ARCHIVE_LOCK_MODE"
    )
    archive_retention_days: int = Field(3650, ge=1, validation_alias="ARCHIVE_RETENTION_DAYS")

    def signing_key_path(self) -> Path:
        return Path(self.signing_key_file or Path(".local") / "signing-key.pem")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
