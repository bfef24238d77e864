"""Who sent a piece of public feedback, as far as the rate limit needs to know, and no further.

The rate limit must recognise a sender for an hour. It does so by a key that is an HMAC-SHA256 of
the sender's address under a random secret of the day: without the secret the key cannot be
reversed (an unkeyed hash of an IPv4 address can: the whole space hashes in minutes), and the
secret is thrown away a day after its day, so even the keys of the rate-limit records, which expire
themselves, stop pointing anywhere. The feedback item keeps no sender field at all.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from worklog.clock import SHANGHAI
from worklog.records import datarecord

SECRET_BYTES = 32
# A day's secret is deleted by TTL this long after its day began (DynamoDB deletes eventually; the
# code ignores a secret past expires_at whether or not it is still stored).
SECRET_LIFETIME = timedelta(days=2)
UNKNOWN = "unknown"
# Behind the CloudFront front door the function URL sees an edge server's address, not the
# viewer's. CloudFront passes the viewer's as "CloudFront-Viewer-Address: <ip>:<port>" and, on the
# feedback origin, adds EDGE_HEADER carrying the stack's edge secret (template.yaml).
EDGE_HEADER = "x-worklog-edge"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"


@datarecord(frozen=True)
class DaySecret:
    day: date
    secret: bytes
    expires_at: int  # epoch seconds

    def usable(self, now: datetime) -> bool:
        return now.timestamp() < self.expires_at


def new_day_secret(day: date) -> DaySecret:
    start = datetime.combine(day, time(), tzinfo=SHANGHAI)
    return DaySecret(day, secrets.token_bytes(SECRET_BYTES), int((start + SECRET_LIFETIME).timestamp()))


def viewer_address(source_ip: str | None, headers: Mapping[str, str], edge_secret: str) -> str | None:
    """The address a post came from, as far as the rate limit can tell.

    The connection's source address, unless the request came through the front door: then the
    viewer's address CloudFront reports. That header is believed only next to the edge secret,
    which CloudFront adds itself (overwriting whatever a viewer sent under that name): the
    function URL is public, and a direct caller may send any header it likes.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    proof = lower.get(EDGE_HEADER, "")
    if not edge_secret or not hmac.compare_digest(proof.encode(), edge_secret.encode()):
        return source_ip
    reported = lower.get(VIEWER_ADDRESS_HEADER, "").strip()
    # "<ip>:<port>": the port follows the last colon, for IPv6 addresses as for IPv4 ones.
    address, colon, port = reported.rpartition(":")
    if not colon or not port.isdigit():
        return source_ip
    return address.strip("[]")


def normalised(address: str | None) -> str:
    """The sender as the rate limit counts it: an IPv4 address as ``a.b.c.d/32``; an IPv6 address
    as its /64 (one subscriber's network: clients pick new addresses inside it at will); an
    IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) as the IPv4 address it carries; a missing or
    unreadable address as one shared "unknown" sender."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return f"{ip}/32"
    # From the integer, so that a zone (fe80::1%eth0) cannot make two spellings of one network.
    return ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)).compressed


def sender_key(secret: bytes, sender: str) -> str:
    """HMAC-SHA256 of the normalised sender under the day's secret, hex."""
    return hmac.new(secret, sender.encode(), hashlib.sha256).hexdigest()
