"""Reading another cadre's log: what a reader sees beside the days (the plan items they cite, the
days as the signals see them) and the trace every read leaves in the owner's read log (/me/reads).
Used by the weekly reviews, the audits' sampled reads and the unit export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from worklog.access import Access
from worklog.auth.principals import Principal
from worklog.compliance.review_repository import ReviewRepository
from worklog.compliance.signals import LoggedDay
from worklog.journal.repository import JournalRepository
from worklog.models.entries import EntryOut
from worklog.models.reviews import ReadRecord, ReviewPlanItem
from worklog.periods import month_label, month_period


def logged_day(cadre_id: str, entry: EntryOut) -> LoggedDay:
    """An entry as the signals see it: its items' texts and when it was first saved."""
    return LoggedDay(
        cadre_id=cadre_id,
        day=entry.date,
        texts=tuple(item.content for item in entry.items),
        first_saved_at=datetime.fromisoformat(entry.first_saved_at),
        late=entry.late,
    )


def plan_items_of(
    journal: JournalRepository, cadre_id: str, days: Iterable[date], entries: Sequence[EntryOut]
) -> list[ReviewPlanItem]:
    """The items of the cadre's monthly plans for the months of ``days`` (current views), each with
    the days among ``entries`` whose items cite it (an entry cites the plan of its own month). What a
    reader of those days sees beside them: the weekly reviewer, and the inspector of a sample."""
    months = sorted({month_label(d) for d in days})
    views = journal.get_views(cadre_id, [month_period(m).key for m in months])
    cited: defaultdict[tuple[str, str], list[date]] = defaultdict(list)
    for entry in entries:
        for item in entry.items:
            if item.plan_item_id:
                cited[(month_label(entry.date), item.plan_item_id)].append(entry.date)
    out: list[ReviewPlanItem] = []
    for month in months:
        view = views.get(month_period(month).key)
        for item in (view or {}).get("body", {}).get("items", []):
            out.append(
                ReviewPlanItem(
                    month=month,
                    id=item["id"],
                    content=item["content"],
                    target=item.get("target"),
                    referenced_on=sorted(set(cited.get((month, item["id"]), []))),
                )
            )
    return out


def log_read(
    reviews: ReviewRepository,
    who: Principal,
    owner: str,
    purpose: Access,
    first: date,
    last: date,
    at: str,
) -> None:
    """Record that ``who`` read ``owner``'s log over [first, last]: done before the log is returned
    (a read that cannot be recorded is not served), and shown to the owner at /me/reads. Reading
    one's own log is not recorded."""
    if purpose == "own":
        return
    reviews.log_read(
        ReadRecord(
            owner_cadre_id=owner,
            reader_id=who.cadre_id,
            reader_name=who.name,
            reader_roles=sorted(who.roles),
            purpose=purpose,
            first=first,
            last=last,
            read_at=at,
        )
    )
