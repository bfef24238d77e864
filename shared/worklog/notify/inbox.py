"""The in-app inbox: a person's digests newest first, marking them read, and their channel preferences.

Key design (docs/notifications.md, the outbox table):
  digest       pk=PERSON#<person>  sk=MSG#<at>#<digest id>   attributes: the Digest's fields
               (``read_at`` absent while unread); a morning digest also gsi1pk=SENT#<morning>,
               gsi1sk=<person> (who already has that morning's: the morning run's re-run guard)
  preferences  pk=PERSON#<person>  sk=PREFS                  attributes: muted (a list of channels)

``digest_item``/``digest_of`` are the one mapping between a Digest and its item: the morning run and
the urgent intake write with the first, the inbox reads with the second.

An inbox item's id (the API's ``NotificationOut.id``) is its sort key without ``MSG#``:
``<at>#<digest id>``. Marking reads and writes only the caller's own partition, so an id of someone
else's item (or one that does not exist) addresses nothing there and is ignored: the answer is the
same whether or not it exists anywhere, and nothing is revealed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Any

from worklog.auth.principals import Principal
from worklog.clock import Clock, iso_now, system_clock
from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.errors import invalid
from worklog.messages import INBOX
from worklog.models.notifications import (
    CHANNELS,
    Channel,
    ChannelState,
    Digest,
    MarkReadIn,
    MarkReadOut,
    NotificationList,
    NotificationOut,
    Preferences,
    PreferencesOut,
    channel_order,
)
from worklog.models.roster import Cadre
from worklog.settings import NotifySettings, get_settings

MSG_PREFIX = "MSG#"
PREFS_SK = "PREFS"
MORNING_PREFIX = "morning-"
# The badge counts unread items among this many newest ones (one Query, whatever the inbox's size).
UNREAD_WINDOW = 100
# When no preference or default reaches a person, the channels are tried in this order.
_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")


class BadCursor(ValueError):
    """A page cursor this inbox did not hand out."""


def person_pk(person_id: str) -> str:
    return f"PERSON#{person_id}"


def message_sk(at: str, digest_id: str) -> str:
    """A digest's sort key: its time, then its id (newest first when read backwards)."""
    return f"{MSG_PREFIX}{at}#{digest_id}"


def digest_sk(digest: Digest) -> str:
    return message_sk(digest.at, digest.digest_id)


def inbox_id(digest: Digest) -> str:
    """The id the API shows (and takes back to mark read): the sort key without its prefix."""
    return digest_sk(digest).removeprefix(MSG_PREFIX)


def digest_item(digest: Digest) -> dict[str, Any]:
    """A digest as its outbox item (plain values; ``dynamo.to_item`` makes it an attribute map).
    Only a morning digest is in gsi1: an urgent one sent at 08:10 must not make the morning run
    think that person already has the morning's digest."""
    item: dict[str, Any] = {
        "pk": person_pk(digest.person_id),
        "sk": digest_sk(digest),
        **digest.model_dump(mode="json", exclude_none=True),
    }
    if digest.digest_id.startswith(MORNING_PREFIX):
        item["gsi1pk"] = f"SENT#{digest.digest_id.removeprefix(MORNING_PREFIX)}"
        item["gsi1sk"] = digest.person_id
    return item


def digest_of(item: dict[str, Any]) -> Digest:
    """The Digest of an item as ``dynamo.from_item`` returns it."""
    return Digest.model_validate({k: v for k, v in item.items() if k not in _KEYS})


def encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key a cursor names; BadCursor unless it names an inbox item."""
    try:
        sk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError) as err:
        raise BadCursor(cursor) from err
    if not sk.startswith(MSG_PREFIX) or len(sk) > 300:
        raise BadCursor(cursor)
    return sk


class InboxRepository(TableRepository):
    """A person's inbox and preferences in the outbox table (the digests are written by the notifier)."""

    table_setting = "outbox_table"

    def _newest(self, person_id: str, limit: int, **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :m)",
            "ExpressionAttributeValues": {":p": {"S": person_pk(person_id)}, ":m": {"S": MSG_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
            **extra,
        }

    def put_digest(self, digest: Digest) -> None:
        """One digest as it is (tests and the local demo; the notifier batches its writes)."""
        self.client.put_item(TableName=self.table, Item=to_item(digest_item(digest)))

    def page(self, person_id: str, limit: int, cursor: str | None = None) -> tuple[list[Digest], str | None]:
        """At most ``limit`` digests newest first, from after ``cursor``, and the next page's cursor
        (None: no more). One more item than asked is read, so the last page hands out no cursor."""
        request = self._newest(person_id, limit + 1)
        if cursor:
            request["ExclusiveStartKey"] = key(person_pk(person_id), decode_cursor(cursor))
        items = [from_item(i) for i in self.client.query(**request).get("Items", [])]
        more = len(items) > limit
        items = items[:limit]
        return [digest_of(i) for i in items], encode_cursor(items[-1]["sk"]) if more else None

    def unread_count(self, person_id: str) -> int:
        """Unread among the newest UNREAD_WINDOW digests: one Query (the filter applies after the limit)."""
        request = self._newest(
            person_id,
            UNREAD_WINDOW,
            FilterExpression="attribute_not_exists(read_at)",
            Select="COUNT",
        )
        return int(self.client.query(**request).get("Count", 0))

    def mark_read(self, person_id: str, ids: Iterable[str], at: str) -> int:
        """Mark the caller's own items read; an id that is not an unread item of theirs changes
        nothing. Returns how many were marked."""
        return sum(self._mark(person_id, f"{MSG_PREFIX}{i}", at) for i in dict.fromkeys(ids))

    def mark_all_read(self, person_id: str, at: str) -> int:
        """Every unread item of the person read (all pages; unread items only are returned)."""
        return sum(self._mark(person_id, sk, at) for sk in self._unread_keys(person_id))

    def _unread_keys(self, person_id: str) -> Iterator[str]:
        request = self._newest(
            person_id,
            UNREAD_WINDOW,
            FilterExpression="attribute_not_exists(read_at)",
            ProjectionExpression="sk",
        )
        for item in query_all(self.client, **request):
            yield item["sk"]

    def _mark(self, person_id: str, sk: str, at: str) -> bool:
        return conditional(
            lambda: self.client.update_item(
                TableName=self.table,
                Key=key(person_pk(person_id), sk),
                UpdateExpression="SET read_at = :at",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(read_at)",
                ExpressionAttributeValues={":at": {"S": at}},
            )
        )

    def get_preferences(self, person_id: str) -> Preferences:
        got = self.client.get_item(TableName=self.table, Key=key(person_pk(person_id), PREFS_SK))
        item = from_item(got["Item"]) if "Item" in got else {}
        return Preferences(muted=item.get("muted", []))

    def put_preferences(self, person_id: str, prefs: Preferences, at: str) -> None:
        item = {"pk": person_pk(person_id), "sk": PREFS_SK, "muted": list(prefs.muted), "updated_at": at}
        self.client.put_item(TableName=self.table, Item=to_item(item))


def reachable(person: Cadre) -> set[Channel]:
    """The channels the roster has the details for (a robot also needs its webhook, which the
    notifier's configuration holds: available here means the person can be named on it)."""
    details: dict[Channel, str | None] = {
        "sms": person.mobile,
        "email": person.email,
        "wecom": person.wecom_user_id,
        "dingtalk": person.dingtalk_user_id,
    }
    return {channel for channel, detail in details.items() if detail}


def first_choice(person: Cadre, muted: Iterable[Channel], default: Channel | None) -> Channel | None:
    """The channel a digest goes out on now: the person's preferred, else the district's default,
    else the first reachable in the fallback order (``channel_order``); never a muted one; None:
    the inbox only."""
    usable = reachable(person) - set(muted)
    return next((c for c in channel_order(person.preferred_channel, default) if c in usable), None)


def notification_of(digest: Digest) -> NotificationOut:
    return NotificationOut(
        id=inbox_id(digest),
        at=digest.at,
        title=digest.title,
        lines=digest.lines,
        urgent=digest.urgent,
        read=digest.read_at is not None,
        channel=digest.delivery.channel,
        status=digest.delivery.status,
    )


class InboxService:
    """The signed-in person's inbox and channel preferences; each dependency left out is the
    production one."""

    def __init__(
        self,
        *,
        inbox: InboxRepository | None = None,
        clock: Clock = system_clock,
        settings: NotifySettings | None = None,
    ) -> None:
        self.inbox = inbox if inbox is not None else InboxRepository()
        self.clock = clock
        self.settings = settings or get_settings().notify

    def list(self, who: Principal, limit: int = 20, cursor: str | None = None) -> NotificationList:
        try:
            digests, after = self.inbox.page(who.cadre_id, limit, cursor)
        except BadCursor as err:
            raise invalid(INBOX["bad_cursor"], ["query", "cursor"], "cursor") from err
        items = [notification_of(d) for d in digests]
        return NotificationList(items=items, unread=self.inbox.unread_count(who.cadre_id), next=after)

    def mark_read(self, who: Principal, body: MarkReadIn) -> MarkReadOut:
        """Mark the listed ids (or every unread item) read: one request for the app, which gets the
        new unread count for its badge with the answer."""
        if not body.ids and not body.all:
            raise invalid(INBOX["nothing_to_mark"], ["body"], "nothing_to_mark")
        at = iso_now(self.clock)
        if body.all:
            marked = self.inbox.mark_all_read(who.cadre_id, at)
        else:
            marked = self.inbox.mark_read(who.cadre_id, body.ids, at)
        return MarkReadOut(marked=marked, unread=self.inbox.unread_count(who.cadre_id))

    def preferences(self, who: Principal) -> PreferencesOut:
        return self._out(who.cadre, self.inbox.get_preferences(who.cadre_id))

    def set_preferences(self, who: Principal, body: Preferences) -> PreferencesOut:
        """Store the muted channels (each once, in the channels' order); the inbox is not one of them."""
        prefs = Preferences(muted=[c for c in CHANNELS if c in body.muted])
        self.inbox.put_preferences(who.cadre_id, prefs, iso_now(self.clock))
        return self._out(who.cadre, prefs)

    def _out(self, person: Cadre, prefs: Preferences) -> PreferencesOut:
        available = reachable(person)
        chosen = first_choice(person, prefs.muted, self.settings.default_channel)
        channels = [
            ChannelState(channel=c, available=c in available, muted=c in prefs.muted, preferred=c == chosen)
            for c in CHANNELS
        ]
        return PreferencesOut(channels=channels)
