"""The sender key of public feedback: an HMAC of the normalised address under the day's secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

import pytest

from worklog.clock import SHANGHAI
from worklog.vetting.senders import DaySecret, new_day_secret, normalised, sender_key, viewer_address

EDGE = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


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


# --------------------------------------------------------------------------- behind the front door


@pytest.mark.parametrize(
    ("reported", "viewer"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        ("2001:db8:85a3::8a2e:370:7334:46532", "2001:db8:85a3::8a2e:370:7334"),
        ("[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_through_the_front_door_the_sender_is_the_viewer_cloudfront_reports(
    reported: str, viewer: str
) -> None:
    # Given a request from an edge server that carries the edge secret and the viewer's address
    headers = {"X-Worklog-Edge": EDGE, "CloudFront-Viewer-Address": reported}
    # Then the sender is the viewer, not the edge server
    assert viewer_address("130.176.0.1", headers, EDGE) == viewer


@pytest.mark.parametrize(
    ("headers", "secret"),
    [
        # A direct call to the public function URL that claims a viewer address: not believed.
        ({"cloudfront-viewer-address": "192.0.2.1:1"}, EDGE),
        ({"x-worklog-edge": "guess", "cloudfront-viewer-address": "192.0.2.1:1"}, EDGE),
        ({"x-worklog-edge": "", "cloudfront-viewer-address": "192.0.2.1:1"}, ""),
        # No edge secret configured (the local runtime): the header means nothing.
        ({"x-worklog-edge": EDGE, "cloudfront-viewer-address": "192.0.2.1:1"}, ""),
        # The secret but no readable report: the connection's address.
        ({"x-worklog-edge": EDGE}, EDGE),
        ({"x-worklog-edge": EDGE, "cloudfront-viewer-address": "192.0.2.1"}, EDGE),
    ],
)
def test_without_the_edge_secret_the_sender_is_the_connections_address(
    headers: dict[str, str], secret: str
) -> None:
    assert viewer_address("203.0.113.9", headers, secret) == "203.0.113.9"
