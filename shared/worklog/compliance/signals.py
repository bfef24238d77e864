"""Signals for reviewers: hints shown next to a week's logs, never automatic penalties.

Four signals, each a plain rule over plain data (no I/O, no randomness, no AWS):

* near-duplicate days: one cadre's day reads like another of their days (copy-pasted 流水账);
* near-duplicate colleagues: a day reads like a colleague's day in the same unit;
* near-empty: too few meaningful characters, or nothing but stock phrases such as “无”“同上”;
* bulk back-filling: several different days first saved minutes apart, at least one of them late.

Similarity is the Jaccard index of character shingles (n-grams) of the normalised text. Normalising
(NFKC, case folding, dropping whitespace, punctuation and symbols) makes “排查隐患8处。” and
“排查 隐患 8 处” the same text; digits are kept, so a copy with one number changed differs in only a
few shingles and is still found.

Near-empty days are left out of both duplicate checks: they already carry their own signal, and
two “无” would otherwise count as identical logs (in a unit, every pair of them).

Everything is deterministic: the same logs, in any order, give the same signals in the same order.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

from worklog import messages
from worklog.clock import SHANGHAI
from worklog.models.reviews import Signal, SignalKind
from worklog.records import datarecord

MESSAGES = messages.SIGNALS

# An item that says nothing about the work done. Compared after normalisation, so “无。” and “ 同上 ”
# count too. A day is near-empty when every non-blank item is one of these.
STOCK_PHRASES: tuple[str, ...] = (
    "无",
    "暂无",
    "没有",
    "略",
    "同上",
    "同前",
    "同昨日",
    "同昨天",
    "正常工作",
    "正常上班",
    "日常工作",
    "处理日常工作",
    "处理日常事务",
    "日常事务",
    "参加会议",
    "开会",
    "学习",
    "办公",
    "值班",
)

# Slack for float thresholds (t * n): only ever makes a filter more permissive, never stricter.
_EPS = 1e-9


# Report order in a week's list: the declaration order above.
_KIND_ORDER: dict[SignalKind, int] = {kind: rank for rank, kind in enumerate(SignalKind)}


@datarecord(frozen=True)
class LoggedDay:
    """One cadre's daily entry as the signals see it: the current texts and when it was first saved."""

    cadre_id: str
    day: date
    texts: tuple[str, ...]
    first_saved_at: datetime
    late: bool

    def __post_init__(self) -> None:
        if self.first_saved_at.tzinfo is None or self.first_saved_at.utcoffset() is None:
            raise ValueError("first_saved_at must be timezone-aware (server time, Asia/Shanghai)")


@datarecord(frozen=True)
class SignalSettings:
    shingle_size: int = 3
    duplicate_threshold: float = 0.8
    near_empty_chars: int = 15
    backfill_min_days: int = 3
    backfill_window_minutes: int = 30

    def __post_init__(self) -> None:
        if self.shingle_size < 1:
            raise ValueError("shingle_size must be at least 1")
        if not 0.0 < self.duplicate_threshold <= 1.0:
            raise ValueError("duplicate_threshold must be in (0, 1]")
        if self.near_empty_chars < 0:
            raise ValueError("near_empty_chars must not be negative")
        if self.backfill_min_days < 2:
            raise ValueError("backfill_min_days must be at least 2")
        if self.backfill_window_minutes < 0:
            raise ValueError("backfill_window_minutes must not be negative")


DEFAULT_SIGNAL_SETTINGS = SignalSettings()


# --- text similarity ---------------------------------------------------------------------------


class _KeepTable(dict[int, int | None]):
    """A ``str.translate`` table that keeps letters, digits and marks and drops everything else.

    Filled on first sight of each character, so the per-character work runs in C after warm-up.
    """

    def __missing__(self, code: int) -> int | None:
        kept = code if unicodedata.category(chr(code))[0] in "LNM" else None
        self[code] = kept
        return kept


_KEEP = _KeepTable()


def normalise(text: str) -> str:
    """The text that similarity and length are measured on: letters, digits and marks only.

    NFKC folds full-width forms (“ＡＢＣ１２”) into plain ones; case folding ignores case; dropping
    every separator, punctuation, symbol and control character ignores layout. A second NFKC
    recomposes a letter and a combining mark that punctuation used to keep apart.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return unicodedata.normalize("NFKC", folded.translate(_KEEP))


def shingles(text: str, size: int = 3) -> frozenset[str]:
    """Character n-grams of the normalised text; a text shorter than ``size`` is its own shingle."""
    if size < 1:
        raise ValueError("size must be at least 1")
    norm = normalise(text)
    if len(norm) < size:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 when both are empty (two blank logs are not evidence of copying)."""
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def day_shingles(day: LoggedDay, size: int) -> frozenset[str]:
    """Shingles of a whole day: all its items joined, so a reordered copy still matches."""
    return shingles("\n".join(day.texts), size)


# --- near-empty ---------------------------------------------------------------------------------

_STOCK: frozenset[str] = frozenset(normalise(phrase) for phrase in STOCK_PHRASES)


def _meaningful_chars(day: LoggedDay) -> int:
    return sum(len(normalise(text)) for text in day.texts)


def _stock_phrases_only(day: LoggedDay) -> tuple[str, ...]:
    """The stock phrases a day consists of, in order of appearance; empty if it says anything else."""
    items = [norm for norm in (normalise(text) for text in day.texts) if norm]
    if items and all(item in _STOCK for item in items):
        return tuple(dict.fromkeys(items))
    return ()


def _is_near_empty(day: LoggedDay, settings: SignalSettings) -> bool:
    return _meaningful_chars(day) < settings.near_empty_chars or bool(_stock_phrases_only(day))


def near_empty(days: Sequence[LoggedDay], settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS) -> list[Signal]:
    """One hint per day with fewer than ``near_empty_chars`` meaningful characters or only stock phrases."""
    signals: list[Signal] = []
    for day in sorted(days, key=lambda d: (d.cadre_id, d.day)):
        phrases = _stock_phrases_only(day)
        chars = _meaningful_chars(day)
        if phrases:
            quoted = MESSAGES["list_separator"].join(MESSAGES["quoted"].format(text=p) for p in phrases)
            message = MESSAGES["near_empty_stock"].format(day=_day_label(day.day), phrases=quoted)
        elif chars < settings.near_empty_chars:
            message = MESSAGES["near_empty_short"].format(
                day=_day_label(day.day), chars=chars, limit=settings.near_empty_chars
            )
        else:
            continue
        signals.append(
            Signal(kind=SignalKind.NEAR_EMPTY, cadre_id=day.cadre_id, days=[day.day], message=message)
        )
    return signals


# --- near-duplicate days (one cadre) ------------------------------------------------------------


def near_duplicate_days(
    days: Sequence[LoggedDay], settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS
) -> list[Signal]:
    """Pairs of a cadre's different days at or above the threshold, most similar first.

    Each day is compared with every earlier day given; the hint is about the later day
    (``days=[later]``, ``other_day=earlier``). Days of different cadres are never compared here.
    """
    found: list[tuple[float, LoggedDay, LoggedDay]] = []
    for logs in _by_cadre(days):
        comparable = [
            (log, day_shingles(log, settings.shingle_size))
            for log in sorted(logs, key=lambda d: d.day)
            if not _is_near_empty(log, settings)
        ]
        for i, (later, later_shingles) in enumerate(comparable):
            for earlier, earlier_shingles in comparable[:i]:
                if earlier.day == later.day:
                    continue
                score = jaccard(later_shingles, earlier_shingles)
                if score >= settings.duplicate_threshold:
                    found.append((score, later, earlier))
    found.sort(key=lambda f: (-f[0], f[1].cadre_id, f[1].day, f[2].day))
    return [_own_duplicate_signal(score, later, earlier) for score, later, earlier in found]


def _own_duplicate_signal(score: float, later: LoggedDay, earlier: LoggedDay) -> Signal:
    return Signal(
        kind=SignalKind.NEAR_DUPLICATE_DAYS,
        cadre_id=later.cadre_id,
        days=[later.day],
        score=score,
        other_day=earlier.day,
        message=MESSAGES["near_duplicate_days"].format(
            day=_day_label(later.day), other_day=_day_label(earlier.day), score=f"{score:.2f}"
        ),
    )


# --- near-duplicate colleagues (one unit) -------------------------------------------------------

_PairFilter = Callable[[LoggedDay, LoggedDay], bool]


def near_duplicate_colleagues(
    days: Sequence[LoggedDay], settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS
) -> list[Signal]:
    """Pairs of days of two different cadres at or above the threshold, each pair once, most similar first.

    The days may be the same or different dates. The hint is given from the side of the pair that
    sorts first by (cadre id, day); ``signals_for_week`` turns it to face the cadre under review.
    """
    found = _similar_pairs(days, settings, _any_pair)
    found.sort(key=lambda f: (-f[0], f[1].cadre_id, f[1].day, f[2].cadre_id, f[2].day))
    return [_colleague_signal(score, first, second) for score, first, second in found]


def _any_pair(first: LoggedDay, second: LoggedDay) -> bool:
    return True


def _colleague_signal(score: float, mine: LoggedDay, theirs: LoggedDay) -> Signal:
    other_day = MESSAGES["same_day"] if mine.day == theirs.day else _day_label(theirs.day)
    return Signal(
        kind=SignalKind.NEAR_DUPLICATE_COLLEAGUES,
        cadre_id=mine.cadre_id,
        days=[mine.day],
        score=score,
        other_cadre_id=theirs.cadre_id,
        other_day=theirs.day,
        message=MESSAGES["near_duplicate_colleagues"].format(
            day=_day_label(mine.day), other=theirs.cadre_id, other_day=other_day, score=f"{score:.2f}"
        ),
    )


def _similar_pairs(
    days: Sequence[LoggedDay], settings: SignalSettings, wanted: _PairFilter
) -> list[tuple[float, LoggedDay, LoggedDay]]:
    """All pairs of different cadres' days with Jaccard >= threshold, as (score, first, second).

    An exact similarity join (the "All-Pairs" prefix filter), not a sampled estimate such as
    MinHash, so no pair over the threshold is ever missed. Shingles are ranked rarest first; two sets
    with Jaccard >= t share at least ceil(t * |x|) shingles, so each must share one with the other
    among its first |x| - ceil(t * |x|) + 1 shingles. Only those prefixes go into the inverted index,
    which keeps common shingles ("工作会", "召开全") out of the candidate lists. Sets are visited
    smallest first, so every indexed partner is no larger; one smaller than t * |x| cannot reach t.
    Candidates are then verified with the exact Jaccard index.
    """
    threshold = settings.duplicate_threshold
    # A total order on the logs themselves, so the result never depends on the order given.
    logs = sorted(
        (log for log in days if not _is_near_empty(log, settings)),
        key=lambda d: (d.cadre_id, d.day, d.first_saved_at, d.texts),
    )
    sets = [day_shingles(log, settings.shingle_size) for log in logs]
    frequency = Counter(token for tokens in sets for token in tokens)
    visit_order = sorted((i for i, tokens in enumerate(sets) if tokens), key=lambda i: (len(sets[i]), i))

    index: defaultdict[str, list[int]] = defaultdict(list)
    found: list[tuple[float, LoggedDay, LoggedDay]] = []
    for i in visit_order:
        tokens = sets[i]
        smallest_partner = threshold * len(tokens) - _EPS
        prefix = sorted(tokens, key=lambda token: (frequency[token], token))[
            : _prefix_length(len(tokens), threshold)
        ]
        candidates = {j for token in prefix for j in index.get(token, ()) if len(sets[j]) >= smallest_partner}
        for token in prefix:
            index[token].append(i)
        for j in sorted(candidates):
            first, second = logs[j], logs[i]
            if first.cadre_id == second.cadre_id:
                continue  # a cadre is never their own colleague
            if (second.cadre_id, second.day) < (first.cadre_id, first.day):
                first, second = second, first
            if not wanted(first, second):
                continue
            score = jaccard(sets[i], sets[j])
            if score >= threshold:
                found.append((score, first, second))
    return found


def _prefix_length(size: int, threshold: float) -> int:
    return max(1, min(size, size - math.ceil(threshold * size - _EPS) + 1))


# --- bulk back-filling (one cadre) --------------------------------------------------------------


def bulk_backfill(
    days: Sequence[LoggedDay], settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS
) -> list[Signal]:
    """Bursts of at least ``backfill_min_days`` different days first saved within the window, one late.

    Saves are scanned in time order; a burst is the longest run starting at a save whose first saves
    all lie within ``backfill_window_minutes`` of that one. A burst that qualifies becomes one hint
    listing its days, and the scan resumes after it, so no day is listed twice.
    """
    window = timedelta(minutes=settings.backfill_window_minutes)
    signals: list[Signal] = []
    for logs in _by_cadre(days):
        saves = sorted(logs, key=lambda d: (d.first_saved_at, d.day))
        start = 0
        while start < len(saves):
            end = start
            while (
                end + 1 < len(saves) and saves[end + 1].first_saved_at - saves[start].first_saved_at <= window
            ):
                end += 1
            burst = saves[start : end + 1]
            burst_days = sorted({log.day for log in burst})
            if len(burst_days) >= settings.backfill_min_days and any(log.late for log in burst):
                signals.append(_backfill_signal(burst, burst_days))
                start = end + 1
            else:
                start += 1
    return signals


def _backfill_signal(burst: Sequence[LoggedDay], burst_days: list[date]) -> Signal:
    first = burst[0].first_saved_at.astimezone(SHANGHAI)
    last = burst[-1].first_saved_at.astimezone(SHANGHAI)
    start = f"{_day_label(first.date())} {first:%H:%M}"
    end = f"{last:%H:%M}" if last.date() == first.date() else f"{_day_label(last.date())} {last:%H:%M}"
    late = len({log.day for log in burst if log.late})
    return Signal(
        kind=SignalKind.BULK_BACKFILL,
        cadre_id=burst[0].cadre_id,
        days=burst_days,
        message=MESSAGES["bulk_backfill"].format(
            days=_day_list(burst_days), count=len(burst_days), start=start, end=end, late=late
        ),
    )


# --- one cadre's week ---------------------------------------------------------------------------


def signals_for_week(
    own: Sequence[LoggedDay],
    colleagues: Sequence[LoggedDay],
    settings: SignalSettings = DEFAULT_SIGNAL_SETTINGS,
) -> list[Signal]:
    """Every hint for one cadre's week, sorted by kind (declaration order) and then by day.

    ``own`` is the cadre's logs; ``colleagues`` the unit's logs (the cadre's own, if included, are
    ignored). Colleague hints are only those between the cadre and someone else, turned to face the
    cadre: ``cadre_id`` is always the cadre under review.
    """
    cadre_ids = {log.cadre_id for log in own}
    if not cadre_ids:
        return []
    if len(cadre_ids) > 1:
        raise ValueError("own must hold the logs of exactly one cadre")
    (cadre_id,) = cadre_ids
    others = [log for log in colleagues if log.cadre_id != cadre_id]

    def involves_cadre(first: LoggedDay, second: LoggedDay) -> bool:
        return cadre_id in (first.cadre_id, second.cadre_id)

    signals = [*near_duplicate_days(own, settings), *near_empty(own, settings), *bulk_backfill(own, settings)]
    for score, first, second in _similar_pairs([*own, *others], settings, involves_cadre):
        mine, theirs = (first, second) if first.cadre_id == cadre_id else (second, first)
        signals.append(_colleague_signal(score, mine, theirs))
    signals.sort(key=_week_order)
    return signals


def _week_order(signal: Signal) -> tuple[int, list[date], date, str, float]:
    return (
        _KIND_ORDER[signal.kind],
        signal.days,
        signal.other_day or date.min,
        signal.other_cadre_id or "",
        -(signal.score or 0.0),
    )


# --- shared bits --------------------------------------------------------------------------------


def _by_cadre(days: Iterable[LoggedDay]) -> list[list[LoggedDay]]:
    """The logs grouped per cadre, cadres in id order (so output never depends on input order)."""
    groups: defaultdict[str, list[LoggedDay]] = defaultdict(list)
    for day in days:
        groups[day.cadre_id].append(day)
    return [groups[cadre_id] for cadre_id in sorted(groups)]


def _day_label(day: date) -> str:
    return MESSAGES["day"].format(month=day.month, day=day.day)


def _day_list(days: Iterable[date]) -> str:
    return MESSAGES["list_separator"].join(_day_label(day) for day in days)
