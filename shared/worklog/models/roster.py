"""Roster and organisation: units, cadres, roles."""

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, StringConstraints

from worklog.models.common import Model
from worklog.models.contact import Channel, ContactDetails

Role = Literal[
    "cadre",
    "unit_head",
    "district_leader",
    "org_inspector",
    "discipline_inspector",
    "hr_evaluator",
    "admin",
]
ROLES: tuple[Role, ...] = get_args(Role)

# The limits of roster text, declared once: the models below and the importer's row model
# (worklog.roster.roster_row) use these same types.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
CadreId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
UnitId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
UnitCategory = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]
PostTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Rank = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]
# How to reach a cadre (optional): a mainland mobile number, an e-mail address, WeCom / DingTalk
# user ids (what a group robot @-mentions).
Mobile = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
]
MessengerId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
# The fields of a cadre that say how to reach them: only the cadre themself and admins read them
# (docs/decisions.md, "Who sees a cadre's contact details").
CONTACT_FIELDS: tuple[str, ...] = (
    "mobile",
    "email",
    "wecom_user_id",
    "dingtalk_user_id",
    "preferred_channel",
)


class Unit(Model):
    """A unit (单位): a bureau, an office, a street, or the district leadership."""

    model_config = ConfigDict(extra="forbid")

    unit_id: UnitId
    name: UnitName
    category: UnitCategory = ""
    head_id: CadreId | None = None


class Cadre(Model):
    """A cadre on the roster. Roles come from here, never from the token."""

    model_config = ConfigDict(extra="forbid")

    cadre_id: CadreId
    name: PersonName
    unit_id: UnitId
    title: PostTitle = ""
    rank: Rank = ""
    roles: list[Role] = Field(default_factory=lambda: list[Role](["cadre"]))
    joined_on: date | None = None
    left_on: date | None = None
    mobile: Mobile | None = None
    email: Email | None = None
    wecom_user_id: MessengerId | None = None
    dingtalk_user_id: MessengerId | None = None
    preferred_channel: Channel | None = Field(None, description="empty: the district's default channel")

    def contact(self) -> ContactDetails:
        return ContactDetails.model_validate({name: getattr(self, name) for name in CONTACT_FIELDS})

    def without_contacts(self) -> "Cadre":
        """The record as a reader other than an admin may see it: no way to reach the cadre."""
        return self.model_copy(update=dict.fromkeys(CONTACT_FIELDS))

    def active_on(self, day: date) -> bool:
        if self.joined_on and day < self.joined_on:
            return False
        return not (self.left_on and day > self.left_on)


class RejectedRow(Model):
    row: int = Field(
        description="the row number the sheet shows (CSV/XLSX: a title row and the header row counted); "
        "JSON: the record's position from 1"
    )
    cadre_id: str | None = Field(
        None, description="the row's cadre id: as written, or matched or generated from its ID-card number"
    )
    errors: list[str]


class RoleState(Model):
    """What the roster lets a cadre do: their roles, their unit (a unit head heads it), and their
    last day in post."""

    roles: list[Role]
    unit_id: str
    left_on: date | None = None

    @classmethod
    def of(cls, cadre: Cadre) -> "RoleState":
        return cls(roles=list(cadre.roles), unit_id=cadre.unit_id, left_on=cadre.left_on)


class RoleChange(Model):
    """One change of what a cadre may do, as written by a roster import: stored in the same
    transaction as the roster row it describes, append-only (never updated or deleted)."""

    cadre_id: str
    at: str = Field(description="when the import ran (ISO 8601, +08:00)")
    by: str = Field(
        description="who ran it: the importing admin's cadre id, or cli:<os user> for the command line"
    )
    import_id: str = Field(description="the import that made the change (one id per upload)")
    row: int | None = Field(
        None, description="the file row that made it (none: a head replaced by another row)"
    )
    cause: Literal["row", "head_replaced"] = Field(
        description="row: the cadre's own row; head_replaced: another row made someone else the unit's head"
    )
    before: RoleState | None = Field(None, description="none: the cadre was new to the roster")
    after: RoleState


class RoleChangeList(Model):
    changes: list[RoleChange] = Field(description="newest first")
    next_cursor: str | None = Field(None, description="pass as cursor for the next page; none: no more")


class ImportReport(Model):
    dry_run: bool
    received: int
    imported: int
    units: int
    rejected: list[RejectedRow]
    import_id: str = Field(description="the id the import's role changes carry (a dry run stores none)")
    role_changes: list[RoleChange] = Field(
        default_factory=list,
        description="changes of roles, unit or last day in post the import made (a dry run: would make)",
    )


# The import route takes bodies up to 4 MiB (Rules.max_import_body_bytes); the file inside is at
# most that less room for the JSON around it (multi-byte text reaches the body limit sooner: 413).
MAX_IMPORT_CHARS = 4 * 1024 * 1024 - 1024


class RosterImportIn(Model):
    """Body of POST /admin/roster/imports. XLSX content is always base64."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["json", "csv", "xlsx"]
    content: str = Field(
        min_length=1,
        max_length=MAX_IMPORT_CHARS,
        description="the file: text for json/csv, base64 for xlsx (or when encoding=base64); the whole "
        "request is at most 4 MiB (413 beyond)",
    )
    encoding: Literal["text", "base64"] = "text"
    dry_run: bool = Field(False, description="validate and report without writing")


class UnitList(Model):
    units: list[Unit]


class CadreList(Model):
    cadres: list[Cadre]
