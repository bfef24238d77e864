"""The publisher's manifest: what the site was built from, in ``manifest.json`` and its shards.

``manifest.json`` holds the SHA-256 of every object shared by the whole site (home, units, notices,
audits, the ledger's pages and checkpoints; a run writes only what differs), the units' figures of
closed months (computed once per month), the days of the signed checkpoints, and how many shards
the cadres are split into. Each shard (``manifest/shards/<n>.json``) holds, for the cadres whose
id hashes to it, what their pages were built from (a cadre whose chain and profile did not move is
not rendered again; one that moved is read from where the last publish left it) and the SHA-256 of
their objects. One batch of a run owns a shard: no two batches ever write the same one.
"""

import hashlib
import math

from pydantic import Field

from worklog.models.common import Model
from worklog.publish import pages as pg
from worklog.publish import tamper


class CadreState(Model):
    seen_seq: int = 0  # the chain head when this cadre was last rendered
    seq: int = 0  # the last published revision
    head: str = tamper.GENESIS
    months: list[str] = Field(default_factory=list)
    profile: list[str] = Field(default_factory=list)  # name, title, unit, unit name the pages were built with
    proved: str = ""  # the head the cadre's inclusion proof is for ("": no proof yet, write one)
    proof_date: str = ""  # the date of the checkpoint that proof names
    withdrawn: str = ""  # the day a departed cadre's pages became the notice ("": public)


class Manifest(Model):
    objects: dict[str, str] = Field(default_factory=dict)
    # Every cadre's state: in the shards; read into a run's memory, never stored here (an older
    # manifest that still holds them is split into shards by the next run).
    cadres: dict[str, CadreState] = Field(default_factory=dict)
    figures: dict[str, list[pg.MonthFigure]] = Field(default_factory=dict)  # month -> per unit
    figure_units: dict[str, list[str]] = Field(default_factory=dict)  # month -> unit ids, same order
    checkpoints: list[str] = Field(default_factory=list)
    shards: int = 0  # 0: not split yet


class ShardManifest(Model):
    cadres: dict[str, CadreState] = Field(default_factory=dict)
    objects: dict[str, str] = Field(default_factory=dict)


def shard_count(cadres: int, per_shard: int) -> int:
    """How many shards a roster of ``cadres`` is split into (fixed once the site is published)."""
    return max(1, math.ceil(cadres / per_shard))


def shard_of(cadre_id: str, shards: int) -> int:
    """The shard a cadre belongs to: stable, whatever else is on the roster."""
    return int.from_bytes(hashlib.sha256(cadre_id.encode()).digest()[:8], "big") % shards
