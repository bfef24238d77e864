"""Where an audit round's files are kept: plain functions, so that code that only needs the keys (the
site's key map, the archive) does not define every audit model to get them."""


def ledger_folder(round_id: str) -> str:
    """Where a round's files are: the same key in the ledger bucket and on the public site."""
    return f"audits/{round_id}/"


def ledger_key(round_id: str, name: str) -> str:
    """One of a round's JSON files (commitment, snapshot, sample, reveal)."""
    return f"{ledger_folder(round_id)}{name}.json"
