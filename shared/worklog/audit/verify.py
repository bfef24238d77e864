"""Recompute a published audit round and say whether it matches (anyone can run this).

A round is four JSON files under ``audits/<round>/``: ``commitment`` (the seed's hash, published
before the draw), ``snapshot`` (the draw's inputs), ``sample`` (what was drawn) and ``reveal`` (the
seed). They are read from the ledger bucket, a local folder, or any web address that serves them.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from worklog.audit import sampling
from worklog.audit.ledger import LedgerStore
from worklog.models.audit_keys import ledger_key

FILES = ("commitment", "snapshot", "sample", "reveal")
Fetch = Callable[[str], Any]


def from_ledger(bucket: str | None = None) -> Fetch:
    store = LedgerStore(bucket)
    return lambda key: store.get_json(key)


def from_folder(folder: Path) -> Fetch:
    def fetch(key: str) -> Any:
        path = folder / key
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    return fetch


def from_web(base: str, *, text: tuple[str, ...] = ()) -> Fetch:
    """Files under a web address; those ending in one of ``text`` come back as text, the rest
    parsed as JSON."""
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"not a web address: {base}")

    def fetch(key: str) -> Any:
        try:
            with urllib.request.urlopen(f"{base.rstrip('/')}/{key}", timeout=30) as resp:
                body = resp.read()
                return body.decode("utf-8") if key.endswith(text) else json.loads(body)
        except urllib.error.HTTPError as err:
            if err.code in (403, 404):
                return None
            raise

    return fetch


def verify_round(round_id: str, fetch: Fetch) -> list[str]:
    """Problems found (empty: the published draw is exactly what its published inputs give)."""
    files = {name: fetch(ledger_key(round_id, name)) for name in FILES}
    problems = [f"{name}.json is not published" for name, value in files.items() if value is None]
    if problems:
        return problems
    commitment, reveal = files["commitment"], files["reveal"]
    try:
        snapshot = sampling.Snapshot.model_validate(files["snapshot"])
        published = sampling.Sample.model_validate(files["sample"])
        seed_hash = sampling.seed_hash(str(reveal["seed"]))
    except (ValidationError, ValueError, KeyError) as err:
        return [f"the published files cannot be read: {err}"]
    if seed_hash != commitment.get("seed_hash"):
        problems.append("the revealed seed does not hash to the commitment published before the draw")
    if reveal.get("seed_hash") != commitment.get("seed_hash"):
        problems.append("the reveal names another commitment")
    if str(commitment.get("committed_at", "")) > str(reveal.get("drawn_at", "")):
        problems.append("the commitment was published after the draw")
    if sampling.snapshot_hash(snapshot) != reveal.get("snapshot_hash"):
        problems.append("the published snapshot is not the one the draw used (snapshot hash differs)")
    if (published.algorithm, published.version) != (sampling.ALGORITHM, sampling.VERSION):
        problems.append(
            f"the draw used {published.algorithm} {published.version}, this command knows "
            f"{sampling.ALGORITHM} {sampling.VERSION}"
        )
    recomputed = sampling.draw(str(reveal["seed"]), snapshot)
    if sampling.canonical(recomputed) != sampling.canonical(published):
        ours = {c.cadre_id for c in recomputed.cadres}
        theirs = {c.cadre_id for c in published.cadres}
        detail = (
            f" (cadres only recomputed: {sorted(ours - theirs)}, only published: {sorted(theirs - ours)})"
        )
        problems.append("the published sample is not what the seed and snapshot give" + detail)
    return problems
