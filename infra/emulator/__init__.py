"""Adjustments that make moto behave like DynamoDB at the demo's size, for the local runtime,
the in-process tests and the benchmark. Nothing here is deployed.

* ``transactions``: TransactWriteItems checks every condition, then applies every write, without
  moto's copy of each table it touches (seconds per save at the demo's size).
* ``queries``: a Query reads only its partition (or, for an index, the items whose index hash key
  matches), and item reads are written out as JSON directly rather than through moto's serialiser.
* ``values``: strings, numbers and booleans take a short way through moto's per-value helpers.
* ``expressions``: the plain update and condition expressions the project writes are applied or
  evaluated directly; moto parses each into a tree on every request.
* ``loader``: ``load_items`` puts plain items straight into a table (the demo's bulk loading).

These patches replace moto internals (``DynamoDBBackend``, ``Table``, ``Item``, ``DynamoType``,
the expression parsers, ``DynamoResult``), which are no public API and may change in any release:
pyproject.toml pins moto to the minor version they were written and tested against (5.2), and a
newer one is taken on purpose, with tests/integration/test_emulator.py run against it. moto is
imported when the patches are installed, not with this package: ``lock`` serves code that never
starts moto.

The embedded AWS serves one request at a time (``lock``): the local runtime's server and the
in-process tests take it around each request, and code that writes into the backend directly (the
demo loader) takes it too.
"""

from __future__ import annotations

from infra.emulator.base import lock
from infra.emulator.expressions import patch_plain_conditions, patch_plain_updates, patch_update_parsing
from infra.emulator.loader import load_items
from infra.emulator.queries import patch_item_results, patch_queries, patch_query_copies
from infra.emulator.transactions import patch_transactions
from infra.emulator.values import patch_item_size_check, patch_scalar_shortcuts

__all__ = ["install", "load_items", "lock"]

_patched = False


def install() -> None:
    """Patch moto as described above (idempotent)."""
    global _patched
    if _patched:
        return
    patch_transactions()
    patch_plain_updates()
    patch_queries()  # after the update's patch: it marks the table changed around it
    patch_item_results()
    patch_item_size_check()
    patch_scalar_shortcuts()
    patch_query_copies()
    patch_update_parsing()
    patch_plain_conditions()
    _patched = True
