"""The publisher's manifest (``manifest.json`` in the site bucket): what the site was built from.

The SHA-256 of every object written (a run writes only what differs), what each cadre's pages were
built from (a cadre whose chain and profile did not move is not rendered again), the units'
figures of closed months (computed once per month), and the days of the signed checkpoints.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from worklog.publish import pages as pg
from worklog.publish import tamper


class CadreState(BaseModel):
    seen_seq: int = 0  # the chain head when this cadre was last rendered
    seq: int = 0  # the last published revision
    head: str = tamper.GENESIS
    months: list[str] = Field(default_factory=list)
    profile: list[str] = Field(default_factory=list)  # name, title, unit the pages were built with
    proved: str = ""  # the head the cadre's inclusion proof is for ("": no proof yet, write one)
    proof_date: str = ""  # the date of the checkpoint that proof names


class Manifest(BaseModel):
    objects: dict[str, str] = Field(default_factory=dict)
    cadres: dict[str, CadreState] = Field(default_factory=dict)
    figures: dict[str, list[pg.MonthFigure]] = Field(default_factory=dict)  # month -> per unit
    figure_units: dict[str, list[str]] = Field(default_factory=dict)  # month -> unit ids, same order
    checkpoints: list[str] = Field(default_factory=list)
