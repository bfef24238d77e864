"""Getting a digest to a person: which channel, tries with backoff, the retry queue.

``Sender.choose`` picks ONE channel: the person's preferred one if it reaches them and is not muted,
else the district's default (``settings.notify.default_channel``) on the same terms, else the first
that does in the order wecom, dingtalk, sms, email; none (nothing reaches them, or all is muted): the
digest is in the inbox only (``no_channel``).

``Sender.deliver`` tries the channel ``settings.notify.send_attempts`` times, waiting 0.5 s, 1 s,
2 s … between tries (``backoff_delays``; the ``sleep`` is injected) while the failure is retryable.
Still failing: one message on the retry queue (``NOTIFY_RETRY_QUEUE_URL``, delayed a minute) and the
delivery says ``retrying``; a non-retryable failure (a refused number, a 4xx, a robot's error code)
is ``failed`` at once. ``deliver_many`` runs deliveries on a small thread pool, results in order.

``Sender.retry_batch`` is the retry queue's consumer (an SQS event source with
``ReportBatchItemFailures``). Each message is tried once per receive; success → ``record(person_id,
digest_sk, Delivery(status="sent"))``; a retryable failure → a batch item failure, with the message's
visibility stretched to ``retry_visibility(receive count)`` (2, 4, 8, 15 minutes) so the tries spread
out; on the last receive (``ApproximateReceiveCount`` ≥ ``max_receives``, 5) the delivery is recorded
``failed`` and the message is left to the queue's redrive policy. What this module expects of the
template: ``NotifyRetryQueue`` with ``RedrivePolicy.maxReceiveCount`` = 5 (= ``RETRY_RECEIVES``) to
``NotifyDeadLetterQueue``, a visibility timeout at least the notifier's timeout, the event source
mapping with ``FunctionResponseTypes: [ReportBatchItemFailures]``, and the notifier allowed
``sqs:SendMessage``/``sqs:ChangeMessageVisibility`` on it, ``sns:Publish``, ``ses:SendEmail``,
``ssm:GetParametersByPath`` (+ ``kms:Decrypt``) on the notify parameter path.

A retry message carries the person's roster profile (to reach them again) and the message; logs
carry ids, channels and error codes only, never a mobile, an e-mail, a webhook URL or a secret.
"""

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from worklog import aws
from worklog.clock import Clock, iso_now, system_clock
from worklog.models.common import Model
from worklog.models.notifications import Channel, Delivery, Message, Preferences, channel_order
from worklog.models.roster import Cadre
from worklog.notify.channels import ChannelAdapter, SendFailed, default_adapters
from worklog.notify.inbox import message_sk
from worklog.observability import logger
from worklog.roster.repository import RosterRepository
from worklog.settings import Settings, get_settings

# The fallback order when neither the preferred nor the default channel reaches a person.
BACKOFF_BASE = 0.5
RETRY_RECEIVES = 5  # = the retry queue's RedrivePolicy maxReceiveCount
FIRST_RETRY_DELAY = 60  # seconds before the retry queue offers a message the first time
WORKERS = 8

Record = Callable[[str, str, Delivery], None]


class DeliveryJob(NamedTuple):
    """One delivery of ``deliver_many``: the arguments of ``Sender.deliver``."""

    person: Cadre
    prefs: Preferences
    message: Message
    at: str


class RetryMessage(Model):
    """The body of a retry-queue message: the person by id only (no mobile or e-mail waits in the
    queue; the retry reads the roster's profile as it is then)."""

    person_id: str
    message: Message
    channel: Channel
    digest_sk: str
    attempts: int
    at: str


def backoff_delays(attempts: int, base: float = BACKOFF_BASE) -> list[float]:
    """The waits between ``attempts`` tries: base, 2·base, 4·base … (one fewer than the tries)."""
    return [base * 2**i for i in range(max(attempts - 1, 0))]


def retry_visibility(receive_count: int) -> int:
    """Seconds before the retry queue offers a message again after its n-th receive failed."""
    return min(60 * 2**receive_count, 900)


def send_once(adapter: ChannelAdapter, person: Cadre, message: Message) -> str:
    """One try; an unexpected error (a bug, not the provider) is a non-retryable failure."""
    try:
        return adapter.send(person, message)
    except SendFailed:
        raise
    except Exception as error:  # one person's failure must not stop the others
        logger.exception(
            "notify.send_error", extra={"channel": adapter.channel, "person_id": person.cadre_id}
        )
        raise SendFailed(f"{adapter.channel}: {type(error).__name__}", retryable=False) from None


class Sender:
    def __init__(
        self,
        *,
        adapters: Sequence[ChannelAdapter] | None = None,
        sqs: Any = None,
        queue_url: str | None = None,
        settings: Settings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = system_clock,
        backoff_base: float = BACKOFF_BASE,
        max_receives: int = RETRY_RECEIVES,
        workers: int = WORKERS,
        retry_delay: int = FIRST_RETRY_DELAY,
        profiles: Callable[[str], Cadre | None] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        chosen = adapters if adapters is not None else default_adapters(self.settings)
        self.adapters: dict[Channel, ChannelAdapter] = {a.channel: a for a in chosen}
        self._sqs = sqs
        self.queue_url = queue_url if queue_url is not None else self.settings.notify_retry_queue_url
        self.sleep = sleep
        self.clock = clock
        self.backoff_base = backoff_base
        self.max_receives = max_receives
        self.workers = workers
        self.retry_delay = retry_delay
        self._profiles = profiles

    @property
    def sqs(self) -> Any:
        return self._sqs or aws.client("sqs")

    def profile(self, person_id: str) -> Cadre | None:
        """The person's roster profile now (a retry's channel details come from here)."""
        if self._profiles is None:
            self._profiles = RosterRepository().get_cadre
        return self._profiles(person_id)

    # --- the channel ---------------------------------------------------------------------------
    def choose(self, person: Cadre, prefs: Preferences) -> Channel | None:
        """The first channel in ``channel_order`` (preferred, the district's default, the fallback
        order) that reaches the person and is not muted; None: the inbox only."""
        for channel in channel_order(person.preferred_channel, self.settings.notify.default_channel):
            adapter = self.adapters.get(channel)
            if adapter is not None and channel not in prefs.muted and adapter.reaches(person):
                return channel
        return None

    # --- sending -------------------------------------------------------------------------------
    def deliver(
        self, person: Cadre, prefs: Preferences, message: Message, at: str, *, digest_sk: str | None = None
    ) -> Delivery:
        """Send ``message`` through the person's channel. ``at`` is the digest's time (its ``at``),
        which with the message's digest id makes the digest's outbox key unless ``digest_sk`` says;
        the delivery is stamped with the time of the send itself."""
        channel = self.choose(person, prefs)
        if channel is None:
            return Delivery(channel=None, status="no_channel", at=iso_now(self.clock))
        message_id, attempts, failure = self._tries(self.adapters[channel], person, message)
        log = {"channel": channel, "person_id": person.cadre_id, "digest_id": message.digest_id}
        if failure is None:
            logger.info("notify.sent", extra={**log, "attempts": attempts})
            return Delivery(
                channel=channel,
                status="sent",
                at=iso_now(self.clock),
                attempts=attempts,
                message_id=message_id,
            )
        logger.warning("notify.send_failed", extra={**log, "attempts": attempts, "error": failure.reason})
        key = digest_sk or message_sk(at, message.digest_id)
        retry = RetryMessage(
            person_id=person.cadre_id,
            message=message,
            channel=channel,
            digest_sk=key,
            attempts=attempts,
            at=at,
        )
        status = "retrying" if failure.retryable and self._enqueue(retry) else "failed"
        return Delivery(
            channel=channel, status=status, at=iso_now(self.clock), attempts=attempts, error=failure.reason
        )

    def _tries(
        self, adapter: ChannelAdapter, person: Cadre, message: Message
    ) -> tuple[str | None, int, SendFailed | None]:
        """(provider id, tries made, the last failure or None)."""
        delays = backoff_delays(self.settings.notify.send_attempts, self.backoff_base)
        tries = 0
        while True:
            tries += 1
            try:
                return send_once(adapter, person, message) or None, tries, None
            except SendFailed as failure:
                if not failure.retryable or tries > len(delays):
                    return None, tries, failure
                self.sleep(delays[tries - 1])

    def _enqueue(self, retry: RetryMessage) -> bool:
        if not self.queue_url:
            logger.error("notify.no_retry_queue", extra={"person_id": retry.person_id})
            return False
        try:
            self.sqs.send_message(
                QueueUrl=self.queue_url, MessageBody=retry.model_dump_json(), DelaySeconds=self.retry_delay
            )
        except (ClientError, BotoCoreError):
            logger.exception("notify.retry_enqueue_failed", extra={"person_id": retry.person_id})
            return False
        return True

    def deliver_many(
        self, jobs: Iterable[DeliveryJob | tuple[Cadre, Preferences, Message, str]]
    ) -> list[Delivery]:
        """Deliveries on a small thread pool (network waits overlap), results in the jobs' order."""
        todo = [DeliveryJob(*job) for job in jobs]
        if not todo:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(todo))) as pool:
            return list(pool.map(lambda job: self.deliver(*job), todo))

    # --- the retry queue's consumer --------------------------------------------------------------
    def retry_batch(self, sqs_event: Mapping[str, Any], record: Record) -> dict[str, Any]:
        """Resend each message once; the ones to try again later are the batch item failures."""
        failures = [
            {"itemIdentifier": item["messageId"]}
            for item in sqs_event.get("Records", [])
            if not self._retry_one(item, record)
        ]
        return {"batchItemFailures": failures}

    def _retry_one(self, item: Mapping[str, Any], record: Record) -> bool:
        """True: done with the message (sent, or failed for good); False: leave it on the queue."""
        received = int(item.get("attributes", {}).get("ApproximateReceiveCount") or 1)
        try:
            retry = RetryMessage.model_validate_json(item["body"])
        except (ValidationError, KeyError):
            logger.error("notify.retry_unreadable", extra={"message_id": item.get("messageId")})
            return False  # the redrive policy keeps it in the dead-letter queue for a look
        adapter = self.adapters.get(retry.channel)
        attempts = retry.attempts + received
        try:
            if adapter is None:
                raise SendFailed(f"{retry.channel}: no adapter", retryable=False)
            person = self.profile(retry.person_id)
            if person is None:
                raise SendFailed("not on the roster any more", retryable=False)
            message_id = send_once(adapter, person, retry.message)
        except SendFailed as failure:
            return self._retry_failed(item, retry, failure, received, record)
        delivery = Delivery(
            channel=retry.channel,
            status="sent",
            at=iso_now(self.clock),
            attempts=attempts,
            message_id=message_id or None,
        )
        self._record(record, retry, delivery)
        return True

    def _retry_failed(
        self, item: Mapping[str, Any], retry: RetryMessage, failure: SendFailed, received: int, record: Record
    ) -> bool:
        log = {"channel": retry.channel, "person_id": retry.person_id, "received": received}
        logger.warning("notify.retry_failed", extra={**log, "error": failure.reason})
        if failure.retryable and received < self.max_receives:
            self._stretch_visibility(item, received)
            return False
        delivery = Delivery(
            channel=retry.channel,
            status="failed",
            at=iso_now(self.clock),
            attempts=retry.attempts + received,
            error=failure.reason,
        )
        self._record(record, retry, delivery)
        # A retryable failure on the last receive stays a batch failure: the redrive policy moves it
        # to the dead-letter queue. A non-retryable one is done with (recorded failed).
        return not failure.retryable

    def _stretch_visibility(self, item: Mapping[str, Any], received: int) -> None:
        if not self.queue_url or "receiptHandle" not in item:
            return
        try:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=item["receiptHandle"],
                VisibilityTimeout=retry_visibility(received),
            )
        except (ClientError, BotoCoreError):
            logger.warning("notify.visibility_unchanged", extra={"message_id": item.get("messageId")})

    @staticmethod
    def _record(record: Record, retry: RetryMessage, delivery: Delivery) -> None:
        # The send happened (or is over): a failing record must not put the message back for
        # another send, so it is logged, not raised.
        try:
            record(retry.person_id, retry.digest_sk, delivery)
        except Exception:
            logger.exception("notify.record_failed", extra={"person_id": retry.person_id})
