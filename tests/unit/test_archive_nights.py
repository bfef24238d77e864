"""The archive's objects and its chain check, as pure functions: a night's bytes, the progress, and
the naming of every missing, altered or inserted revision."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from worklog.archive import nights
from worklog.archive.store import ArchiveStore
from worklog.archive.verify import check_chain
from worklog.journal.records import Head, build_revision, head_item, revision_item
from worklog.periods import day_period


def chain(n: int, cadre_id: str = "c0001") -> list[dict[str, Any]]:
    """``n`` revisions of a cadre's chain, as the archive holds them (decoded)."""
    head, records = Head(cadre_id), []
    for i in range(n):
        record = build_revision(
            head,
            period=day_period(date(2026, 11, 2 + i)),
            revision=1,
            body={"items": [{"content": f"第{i + 1}天", "status": "done"}]},
            reason=None,
            saved_at=f"2026-11-{2 + i:02d}T18:00:00+08:00",
            author=cadre_id,
            late=False,
        )
        head = Head(cadre_id, record["seq"], record["hash"])
        records.append(record)
    return records


def test_a_night_is_the_same_bytes_for_the_same_lines_and_reads_back() -> None:
    lines = [nights.line(nights.JOURNAL, "revision", revision_item(r)) for r in chain(3)]
    assert nights.encode(lines) == nights.encode(copy.deepcopy(lines))
    assert list(nights.decode(nights.encode(lines))) == lines


def test_a_nights_index_lists_each_cadres_first_and_last_seq() -> None:
    lines = [nights.line(nights.JOURNAL, "revision", revision_item(r)) for r in chain(3)[1:]]
    lines.append(nights.line(nights.JOURNAL, "head", head_item(Head("c0001", 3, "h"))))
    body = nights.encode(lines)
    index = nights.index_of(date(2026, 11, 5), nights.night_key(date(2026, 11, 5)), body)
    assert index.seqs == {"c0001": [2, 3]} and index.lines == 3 and index.sha256 == nights.digest(body)
    assert index.object == "archive/nights/2026/11/05.jsonl.gz"


def test_the_progress_takes_a_night_in_once() -> None:
    compliance = {"pk": {"S": "CADRE#c0010"}, "sk": {"S": "MISS#2026-11-04#entry#2026-11-04"}}
    lines = [
        *(nights.line(nights.JOURNAL, "revision", revision_item(r)) for r in chain(2)),
        nights.line(nights.COMPLIANCE, "item", compliance),
        nights.line(nights.ROSTER, "role_change", {"roster_sk": "2026-11-04T09:00:00+08:00#i1#c0001"}),
    ]
    progress = nights.Progress()
    assert progress.fold("2026-11-05", lines) is True
    taken = progress.model_copy(deep=True)
    assert progress.fold("2026-11-05", lines) is False and progress == taken
    assert progress.seqs == {"c0001": 2} and progress.role_changes.startswith("2026-11-04T09")
    assert progress.compliance == {nights.item_key(compliance): nights.item_digest(compliance)}


def test_binary_values_of_a_compliance_item_are_archived_as_base64_and_restored_as_bytes() -> None:
    item = {
        "pk": {"S": "NOTICE#n1"},
        "sk": {"S": "FEEDBACK#x"},
        "h": {"B": b"\x00\xff"},
        "l": {"L": [{"B": b"a"}]},
    }
    [archived] = nights.decode(nights.encode([item]))
    assert archived["h"] == {"B": "AP8="}
    assert nights.stored_attributes(archived) == item


def test_a_whole_chain_has_no_problem() -> None:
    records = chain(4)
    assert check_chain("c0001", records, {"head_seq": 4, "head_hash": records[-1]["hash"]}) == []


def test_every_missing_altered_and_inserted_revision_is_named_by_seq() -> None:
    records = chain(6)
    altered = copy.deepcopy(records[1])
    altered["body"] = {"items": [{"content": "改过的", "status": "done"}]}
    archived = [records[0], altered, records[3], records[4], records[4], records[5]]  # seq 3 gone, 5 twice

    problems = check_chain("c0001", archived, {"head_seq": 6, "head_hash": records[-1]["hash"]})

    assert problems == [
        "cadre c0001 seq 5: archived 2 times (a revision was inserted)",
        "cadre c0001 seq 2: the content does not match its hash (altered)",
        "cadre c0001 seq 3: missing from the archive",
        "cadre c0001 seq 4: previous_hash does not link to the revision before",
    ]


def test_revisions_dropped_from_the_end_are_named_by_the_head_that_counts_them() -> None:
    records = chain(5)
    problems = check_chain("c0001", records[:3], {"head_seq": 5, "head_hash": records[-1]["hash"]})
    assert problems == [
        "cadre c0001 seq 4: missing from the archive (its head counts it)",
        "cadre c0001 seq 5: missing from the archive (its head counts it)",
    ]


class _Listing:
    """list_object_versions as S3 answers it: a key's versions newest first, in pages."""

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages

    def list_object_versions(self, **kwargs: Any) -> dict[str, Any]:
        n = int(kwargs.get("KeyMarker") or 0)
        more = n + 1 < len(self.pages)
        page: dict[str, Any] = {"Versions": self.pages[n], "IsTruncated": more}
        if more:
            page |= {"NextKeyMarker": str(n + 1), "NextVersionIdMarker": "v"}
        return page


def test_a_keys_first_version_is_the_oldest_even_when_both_were_written_in_one_second() -> None:
    # Given the archiver's night and a version written over it within the same second (LastModified
    # counts whole seconds), listed as S3 lists them: newest first, over two pages
    second = datetime(2026, 11, 20, 3, 30, 1, tzinfo=UTC)
    key = "archive/nights/2026/11/19.jsonl.gz"
    listing = _Listing(
        [
            [{"Key": key, "VersionId": "over", "IsLatest": True, "LastModified": second}],
            [{"Key": key, "VersionId": "archived", "IsLatest": False, "LastModified": second}],
        ]
    )
    # When the first versions are asked for
    first = ArchiveStore(bucket="ledger", client=listing).first_versions("archive/nights/")
    # Then the one the archiver wrote is the night's
    assert first == {key: "archived"}
