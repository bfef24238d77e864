"""Checking one cadre's stored journal: the chain, its head, and the views derived from it."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from worklog.chain import ChainVerdict, verify_chain
from worklog.journal.records import head_from_item
from worklog.journal.repository import JournalRepository
from worklog.records import datarecord


@datarecord
class JournalReport:
    cadre_id: str
    chain: ChainVerdict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def verify_journal(repo: JournalRepository, cadre_id: str) -> JournalReport:
    """Recompute the chain, then check that the head names its last link and that every current
    view shows its period's latest revision (a view is what readers see)."""
    revisions: list[dict[str, Any]] = []
    views: list[dict[str, Any]] = []
    head_item: dict[str, Any] | None = None
    for item in repo.partition(cadre_id):
        if item["sk"] == "HEAD":
            head_item = item
        elif item["sk"].startswith("REV#"):
            revisions.append(item)
        else:
            views.append(item)
    revisions.sort(key=lambda r: int(r["seq"]))
    report = JournalReport(cadre_id, verify_chain(revisions))
    if head_item is not None:
        head = head_from_item(head_item)
        if (head.seq, head.hash) != (report.chain.length, report.chain.head):
            report.problems.append(
                f"head says seq {head.seq} but the chain verifies to {report.chain.length}"
            )
    elif revisions:
        report.problems.append("revisions without a head")
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for revision in revisions:
        latest[(str(revision["kind"]), str(revision["period"]))] = revision
    for view in views:
        record = latest.pop((str(view["kind"]), str(view["period"])), None)
        if record is None:
            report.problems.append(f"view {view['sk']} has no revision")
        elif (view["hash"], view["body"], view["revision"]) != (
            record["hash"],
            record["body"],
            record["revision"],
        ):
            report.problems.append(f"view {view['sk']} differs from its latest revision {record['revision']}")
    for kind, period in latest:
        report.problems.append(f"{kind} {period} has revisions but no view")
    return report
