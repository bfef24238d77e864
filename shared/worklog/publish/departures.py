"""A departed cadre's log leaving the public site (docs/decisions.md, 30).

Once ``departed_public_months`` have passed since a cadre's last day in post
(``worklog.publish.policy.is_withdrawn``), the batch of their shard replaces every page of theirs it
published (index, months, revision histories) with the notice, under the same keys, so no link to
them from anywhere breaks; and their ledger file with a ``WithdrawnLedger``: no revisions, only the
public chain's last position and head. Their state keeps that seq and head, so their leaf stays in
every later checkpoint (the root and every other cadre's proof do not move), and their inclusion
proof stays as it was: ``verify-site`` still shows that the head the site names was signed.
"""

from __future__ import annotations

from datetime import date

from worklog.publish import keys, render, tamper
from worklog.publish.manifest import CadreState
from worklog.publish.site import SiteWriter


def cadre_pages(objects: dict[str, str], cadre_id: str) -> list[str]:
    """The keys of the cadre's pages among a shard's objects."""
    prefix = keys.cadre_index(cadre_id).removesuffix("index.html")
    return sorted(k for k in objects if k.startswith(prefix) and k.endswith(".html"))


def withdraw(
    site: SiteWriter, objects: dict[str, str], cadre_id: str, state: CadreState, day: date, district: str
) -> CadreState:
    """Write the notice over each of the cadre's pages in ``objects`` and the withdrawn ledger file;
    the cadre's state, marked withdrawn on ``day`` (or the day it already was: a full run writes the
    same bytes again)."""
    on = state.withdrawn or day.isoformat()
    for key in cadre_pages(objects, cadre_id):
        site.page(render.render_withdrawn(key, district))
    ledger = tamper.WithdrawnLedger(
        cadre_id=cadre_id,
        withdrawn=on,
        notice=render.WITHDRAWN_TEXT,
        seq=state.seq,
        head=state.head,
    )
    site.json(keys.cadre_ledger(cadre_id), ledger.model_dump(mode="json"))
    return state.model_copy(update={"withdrawn": on})
