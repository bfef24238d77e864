"""The sender key of public feedback: an HMAC of the normalised address under the day's secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from worklog.clock import SHANGHAI
from worklog.publish.senders import DaySecret, new_day_secret, normalised, sender_key


def test_the_key_is_an_hmac_sha256_of_the_sender_under_the_secret() -> None:
    secret = bytes(range(32))
    assert sender_key(secret, "203.0.113.7") == hmac.new(secret, b"203.0.113.7", hashlib.sha256).hexdigest()


def test_the_key_depends_on_the_secret_and_is_no_plain_hash_of_the_address() -> None:
    a, b = new_day_secret(date(2026, 11, 24)), new_day_secret(date(2026, 11, 24))
    assert a.secret != b.secret
    assert sender_key(a.secret, "203.0.113.7") != sender_key(b.secret, "203.0.113.7")
    assert sender_key(a.secret, "203.0.113.7") != hashlib.sha256(b"203.0.113.7").hexdigest()


def test_each_days_secret_is_32_random_bytes_gone_two_days_after_the_day_began() -> None:
    s = new_day_secret(date(2026, 11, 24))
    assert len(s.secret) == 32 and s.day == date(2026, 11, 24)
    assert s.expires_at == int(datetime(2026, 11, 26, tzinfo=SHANGHAI).timestamp())


def test_a_secret_is_not_usable_from_its_expiry_on() -> None:
    s = DaySecret(date(2026, 11, 24), b"k" * 32, int(datetime(2026, 11, 26, tzinfo=SHANGHAI).timestamp()))
    assert s.usable(datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI))
    assert not s.usable(datetime(2026, 11, 26, tzinfo=SHANGHAI))


def test_an_ipv4_sender_is_its_address() -> None:
    assert normalised(" 203.0.113.7 ") == normalised("203.0.113.7") == "203.0.113.7/32"
    assert normalised("203.0.113.8") != normalised("203.0.113.7")


def test_an_ipv6_sender_is_its_64_network() -> None:
    assert (
        normalised("2001:db8:1:2::1") == normalised("2001:DB8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    )
    assert normalised("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert normalised("fe80::1%eth0") == normalised("fe80::2") == "fe80::/64"


def test_an_ipv4_mapped_ipv6_address_is_the_ipv4_sender() -> None:
    assert normalised("::ffff:203.0.113.7") == normalised("::FFFF:cb00:7107") == "203.0.113.7/32"


def test_a_missing_or_unreadable_address_is_the_one_unknown_sender() -> None:
    assert (
        normalised("") == normalised(None) == normalised("not-an-ip") == normalised("1.2.3.4.5") == "unknown"
    )
    assert normalised("203.0.113.7/24") == "unknown"
