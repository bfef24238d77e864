"""Who may read whose log, and who may act on whom: the project's one access table (docs/access.md).

Every door that returns another cadre's log text asks ``read_access`` with the facts it gathered
(roster rows, the reader's review weeks and audit assignment, whether a vetting notice is open);
the answer is the purpose recorded in the owner's read log, or a 403. The rules are the rows of
``READ_RULES``, tried in order; a read no row grants is refused. ``read_table`` renders the same
rows for the docs, and a test keeps docs/access.md equal to it.

Nobody reviews, inspects, grades or vets themselves: ``refuse_self`` is the one check, each act
with its own error code.

Pure: no AWS, no clock; the services pass today's date in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from worklog import messages
from worklog.errors import Forbidden
from worklog.models.common import ReadPurpose
from worklog.models.roster import Cadre, Role, Unit
from worklog.records import datarecord

# Only annotations need these: the case and review models are built where cases and reviews are read
# (decisions: what a handler loads at cold start).
if TYPE_CHECKING:
    from worklog.auth.principals import Principal
    from worklog.models.cases import Case
    from worklog.models.reviews import StoredReview

Access = ReadPurpose | Literal["own"]

# --- role groups: who inspects, vets, evaluates, holds cases ------------------------------------
# The services import these; no other module spells a group of roles out.
# Inspectors read only through their audit assignments; HR evaluators and admins read no log text.
INSPECTOR_ROLES: tuple[Role, ...] = ("org_inspector", "discipline_inspector")
VETTING_ROLES: tuple[Role, ...] = ("org_inspector",)
# Accountability cases are held district-wide by the Discipline Commission and the Org Dept.
ACCOUNTABILITY_HOLDERS: tuple[Role, ...] = ("discipline_inspector", "org_inspector")
# The inspectors an audit draws and who record findings on the sampled entries.
FINDING_ROLE: Role = "discipline_inspector"
# Who may have a quarter drawn on demand and see a round's whole sample: the Org Dept and the Commission.
SAMPLE_READERS: tuple[Role, ...] = ("org_inspector", "discipline_inspector")
# Who may start a spot-check.
SPOT_CHECK_ROLES: tuple[Role, ...] = ("org_inspector",)
# Who grades a quarter and reads the evaluation sheet.
EVALUATOR_ROLES: tuple[Role, ...] = ("org_inspector", "hr_evaluator")
# Who sees every unit's figures: the Organization Department and the district leaders.
DISTRICT_ROLES: tuple[Role, ...] = ("org_inspector", "district_leader")

TEXT = messages.ACCESS


class Door(StrEnum):
    """The HTTP routes that return another cadre's log text."""

    CADRE_ENTRIES = "GET /cadres/{cadre_id}/entries"
    REVIEW = "GET /reviews/{week_start}/{cadre_id}"
    AUDIT = "GET /audits/{round_id}/cadres/{cadre_id}/entries"
    # A unit's month as a spreadsheet: one read per cadre exported, each decided by the same rows
    # as a read at /cadres/{cadre_id}/entries (the door returns the same text).
    UNIT_EXPORT = "GET /units/{unit_id}/export/{month}"


@datarecord(frozen=True)
class ReadFacts:
    """What a door knows about one read, gathered before it is decided.

    ``days``: every day the read would return. ``review_weeks``: Mondays of the subject's weeks
    assigned to the reader. ``sampled_days``: the subject's days in the reader's assignment of the
    audit round asked for (None: no assignment). ``vetting``: a vetting notice naming the subject is
    open today. ``subject`` and ``subject_unit`` are the roster rows (None where the door needs none).
    """

    reader: Principal
    subject_id: str
    days: frozenset[date]
    on: date
    subject: Cadre | None = None
    subject_unit: Unit | None = None
    review_weeks: frozenset[date] = field(default_factory=frozenset)
    sampled_days: frozenset[date] | None = None
    vetting: bool = False

    @property
    def own(self) -> bool:
        return self.reader.cadre_id == self.subject_id


def days_between(first: date, last: date) -> frozenset[date]:
    return frozenset(first + timedelta(days=i) for i in range((last - first).days + 1))


def week_days(monday: date) -> frozenset[date]:
    return days_between(monday, monday + timedelta(days=6))


# --- relations ---------------------------------------------------------------------------------
def is_unit_head(cadre: Cadre, unit: Unit | None) -> bool:
    """Heads their unit: holds the unit_head role (the importer keeps the unit's named head the
    same cadre, so the nightly check, which reads no units, decides the same way)."""
    return "unit_head" in cadre.roles or (unit is not None and unit.head_id == cadre.cadre_id)


def heads_unit_of(reader: Principal, subject: Cadre, unit: Unit | None) -> bool:
    """The reader heads the subject's unit. The unit's named head decides; a unit with none named
    falls back to a unit_head in the same unit."""
    if unit is not None and unit.head_id:
        return unit.head_id == reader.cadre_id
    return reader.has("unit_head") and reader.unit_id == subject.unit_id


def heads_unit(who: Principal, unit: Unit) -> bool:
    """The reader heads this unit: its named head, or (none named) a unit_head of the unit."""
    if unit.head_id:
        return unit.head_id == who.cadre_id
    return who.has("unit_head") and who.unit_id == unit.unit_id


def holds_reviewer_role(who: Principal, review: StoredReview) -> bool:
    """Whether the reviewer still holds a role the week was assigned for (assignment.py): head of
    the reviewee's unit, or a district leader. An assignment made before a role was taken away
    does not outlive it."""
    return who.has("district_leader") or (who.has("unit_head") and who.unit_id == review.unit_id)


def holds_case(who: Principal, case: Case) -> bool:
    """Whether the caller is on the owner side of the case, whoever the case is about: a unit-head
    talk's unit head, any district leader for a leaders' talk, the Discipline Commission and the Org
    Dept for an accountability case."""
    # The kind by its value (CaseKind is a StrEnum): this module names the case models only as
    # annotations, so the functions that never see a case do not build them.
    if case.kind == "accountability" or case.owner_role in ACCOUNTABILITY_HOLDERS:
        return who.has(*ACCOUNTABILITY_HOLDERS)
    if case.owner_role == "district_leader":
        return who.has("district_leader")
    if case.owner_role == "unit_head":
        return who.has("unit_head") and case.owner_unit_id == who.unit_id
    return who.has(case.owner_role) and case.owner_unit_id in (None, who.unit_id)


# --- the rules ---------------------------------------------------------------------------------
def _own(f: ReadFacts) -> bool:
    return f.own


def _reviewer(f: ReadFacts) -> bool:
    covered: set[date] = set()
    for monday in f.review_weeks:
        covered |= week_days(monday)
    return not f.own and bool(f.days) and f.days <= covered


def _unit_head(f: ReadFacts) -> bool:
    # Current members only: in the unit on today's roster, and in post today.
    return (
        f.subject is not None
        and not f.own
        and f.subject.active_on(f.on)
        and heads_unit_of(f.reader, f.subject, f.subject_unit)
    )


def _district_leader(f: ReadFacts) -> bool:
    return (
        f.subject is not None
        and not f.own
        and f.reader.has("district_leader")
        and f.subject.active_on(f.on)
        and is_unit_head(f.subject, f.subject_unit)
    )


def _vetting(f: ReadFacts) -> bool:
    return not f.own and f.vetting and f.reader.has(*VETTING_ROLES)


def _inspector(f: ReadFacts) -> bool:
    return (
        not f.own
        and f.sampled_days is not None
        and f.reader.has(*INSPECTOR_ROLES)
        and f.days <= f.sampled_days
    )


@datarecord(frozen=True)
class ReadRule:
    key: str
    reader: str
    whose: str
    days: str
    purpose: Access
    doors: tuple[Door, ...]
    grants: Callable[[ReadFacts], bool]


READ_RULES: tuple[ReadRule, ...] = (
    ReadRule("own", "anyone", "their own", "any day", "own", (Door.CADRE_ENTRIES, Door.UNIT_EXPORT), _own),
    ReadRule(
        "review",
        "the assigned weekly reviewer",
        "the reviewee",
        "only days of the weeks assigned to them",
        "review",
        (Door.CADRE_ENTRIES,),
        _reviewer,
    ),
    ReadRule(
        "review_detail",
        "the assigned weekly reviewer",
        "the reviewee",
        "the assigned week",
        "review",
        (Door.REVIEW,),
        _reviewer,
    ),
    ReadRule(
        "unit_head",
        "unit head (the unit's named head)",
        "current members of their own unit (in post today)",
        "any day",
        "unit_head",
        (Door.CADRE_ENTRIES, Door.UNIT_EXPORT),
        _unit_head,
    ),
    ReadRule(
        "district_leader",
        "district leader",
        "unit heads in post today",
        "any day",
        "district_leader",
        (Door.CADRE_ENTRIES, Door.UNIT_EXPORT),
        _district_leader,
    ),
    ReadRule(
        "vetting",
        "Org Dept (`org_inspector`)",
        "the candidate of a vetting notice open today",
        "any day",
        "vetting",
        (Door.CADRE_ENTRIES, Door.UNIT_EXPORT),
        _vetting,
    ),
    ReadRule(
        "inspector",
        "inspector (`org_inspector`, `discipline_inspector`)",
        "the cadres of their own audit assignments",
        "only the sampled days",
        "inspector",
        (Door.AUDIT,),
        _inspector,
    ),
)


@datarecord(frozen=True)
class Refusal:
    key: str
    reader: str
    whose: str
    door: str
    code: str


# What no rule grants, spelled out: each is a row of the table and a case of its test.
REFUSALS: tuple[Refusal, ...] = (
    Refusal(
        "inspector_elsewhere",
        "inspector (org or discipline), as such",
        "anyone's, audited or not",
        Door.CADRE_ENTRIES.value,
        "read_forbidden",
    ),
    Refusal(
        "hr_evaluator", "HR evaluator (`hr_evaluator`), as such", "anyone's", "every door", "read_forbidden"
    ),
    Refusal("admin", "admin, as such", "anyone's", "every door", "read_forbidden"),
    Refusal("anyone_else", "anyone else", "anyone's", "every door", "read_forbidden"),
    Refusal("self_review", "a reviewer", "their own, as reviewee", Door.REVIEW.value, "self_review"),
    Refusal("self_inspection", "an inspector", "their own, as sampled", Door.AUDIT.value, "self_inspection"),
)


# --- the decision --------------------------------------------------------------------------------
def read_access(door: Door, facts: ReadFacts) -> Access:
    """The purpose of an allowed read (recorded in the owner's read log unless "own"), or 403."""
    if facts.own and door is Door.REVIEW:
        refuse_self(Act.REVIEW, facts.reader.cadre_id, facts.subject_id)
    if facts.own and door is Door.AUDIT:
        refuse_self(Act.INSPECT, facts.reader.cadre_id, facts.subject_id)
    for rule in READ_RULES:
        if door in rule.doors and rule.grants(facts):
            return rule.purpose
    raise _refused(door, facts)


def readable(door: Door, facts: ReadFacts) -> Access | None:
    """The purpose a door that reads many cadres at once (the unit export) records for this one, or
    None: that cadre's rows are left out, as a read at /cadres/{cadre_id}/entries would be refused."""
    return next((r.purpose for r in READ_RULES if door in r.doors and r.grants(facts)), None)


def _refused(door: Door, f: ReadFacts) -> Forbidden:
    if door is Door.REVIEW:
        return Forbidden(TEXT["not_your_review"], code="not_your_review")
    if door is Door.AUDIT:
        return Forbidden(TEXT["not_assigned"], code="not_assigned")
    if f.review_weeks:
        return Forbidden(
            TEXT["outside_review_weeks"].format(weeks=_weeks(f.review_weeks)), code="read_forbidden"
        )
    if f.reader.has(*VETTING_ROLES):
        return Forbidden(TEXT["vetting_or_audit"], code="read_forbidden")
    if f.reader.has(*INSPECTOR_ROLES):
        return Forbidden(TEXT["inspect_through_audit"], code="read_forbidden")
    if f.reader.has("hr_evaluator"):
        return Forbidden(TEXT["evaluators_read_figures"], code="read_forbidden")
    return Forbidden(TEXT["read_forbidden"], code="read_forbidden")


def _weeks(mondays: Iterable[date]) -> str:
    spans = (
        TEXT["week_span"].format(first=m.isoformat(), last=(m + timedelta(days=6)).isoformat())
        for m in sorted(mondays)
    )
    return TEXT["list_separator"].join(spans)


# --- nobody acts on themselves -------------------------------------------------------------------
class Act(StrEnum):
    REVIEW = "review"  # a weekly review: its detail and its verdict
    INSPECT = "inspect"  # an audit assignment: sampled reads and findings
    EVALUATE = "evaluate"  # a quarterly grade
    VET = "vet"  # opening a vetting notice
    FEEDBACK = "feedback"  # reading and answering the public's feedback on a notice


SELF_REFUSALS: dict[Act, tuple[str, str]] = {
    Act.REVIEW: ("self_review", TEXT["self_review"]),
    Act.INSPECT: ("self_inspection", TEXT["self_inspection"]),
    Act.EVALUATE: ("self_evaluation", TEXT["self_evaluation"]),
    Act.VET: ("self_notice", TEXT["self_notice"]),
    Act.FEEDBACK: ("self_feedback", TEXT["self_feedback"]),
}


def refuse_self(act: Act, actor_id: str, subject_id: str) -> None:
    """403 with the act's own code when the actor is the cadre the act is about."""
    if actor_id == subject_id:
        code, message = SELF_REFUSALS[act]
        raise Forbidden(message, code=code)


# --- the table, as the docs show it ------------------------------------------------------------
def read_table() -> str:
    """READ_RULES and REFUSALS as the Markdown table in docs/access.md."""
    lines = [
        "| rule | reader | whose log | which days | purpose (in `/me/reads`) | door |",
        "|---|---|---|---|---|---|",
    ]
    for r in READ_RULES:
        purpose = "`own` (not recorded)" if r.purpose == "own" else f"`{r.purpose}`"
        doors = ", ".join(f"`{d.value}`" for d in r.doors)
        lines.append(f"| `{r.key}` | {r.reader} | {r.whose} | {r.days} | {purpose} | {doors} |")
    for x in REFUSALS:
        door = f"`{x.door}`" if x.door.startswith("GET ") else x.door
        lines.append(f"| `{x.key}` | {x.reader} | {x.whose} | — | 403 `{x.code}` | {door} |")
    return "\n".join(lines) + "\n"
