"""A deterministic demo district (the local runtime's, the tests' and the benchmark's; never deployed).

``generate_district`` builds about 60 units and 800 fictional cadres in the style of Jinjiang
District, Chengdu: every unit has one head, and the district leaders, inspectors, evaluators and
admins the other functions need. ``journal`` writes what those cadres would have logged.

Pure and deterministic: the same inputs give the same output. Randomness comes from
``random.Random`` instances seeded from the inputs (never the global generator, never the clock).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from infra.demo import district_data as data
from infra.demo.district_data import UnitSpec
from worklog.models.notifications import Channel
from worklog.models.roster import Cadre, Role, Unit

T = TypeVar("T")

# With no ``today``, the district is drawn as of this day (the reference case's year).
REFERENCE_DAY = date(2016, 11, 30)
NEWCOMER_SHARE = 0.04  # cadres appointed to their post this year
# How the demo reaches its cadres: the share with each detail (the unreachable ones have none, and
# get everything in the app's inbox only), and how their preferred channel is drawn.
UNREACHABLE_SHARE = 0.03
CONTACT_SHARES = {"mobile": 0.88, "email": 0.6, "wecom_user_id": 0.32, "dingtalk_user_id": 0.22}
NO_PREFERENCE_SHARE = 0.35  # the district's default channel
EMAIL_DOMAIN = "jinjiang.example.gov.cn"


def pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]


def pick_distinct(rng: random.Random, options: Sequence[T], count: int) -> list[T]:
    """``count`` different options (a partial shuffle; rng.sample costs more, and runs per entry)."""
    pool = list(options)
    count = min(count, len(pool))
    for i in range(count):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


class Weighted(Generic[T]):
    def __init__(self, *options: tuple[T, float]) -> None:
        self.values = [value for value, _ in options]
        self.bounds = list(itertools.accumulate(weight for _, weight in options))

    def draw(self, rng: random.Random) -> T:
        index = bisect.bisect_right(self.bounds, rng.random() * self.bounds[-1])
        return self.values[min(index, len(self.values) - 1)]


@dataclass(frozen=True)
class DemoDistrict:
    units: list[Unit]
    cadres: list[Cadre]

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)


# === the district ===================================================================================
def generate_district(seed: int = 2016, *, today: date | None = None) -> DemoDistrict:
    """About 60 units and 800 cadres; ids ``c0001``… in unit order, each unit's head first.

    ``today`` only places the newcomers' appointment dates (this year, not after ``today``); pass
    the day the demo is for, or the district is drawn as of REFERENCE_DAY.
    """
    rng = random.Random(seed)
    as_of = today or REFERENCE_DAY
    sizes = _unit_sizes(rng)
    names = _NameDrawer(rng)
    units: list[Unit] = []
    cadres: list[Cadre] = []
    plain: list[int] = []  # positions of cadres with no special role: candidates for newcomers
    for spec in data.UNITS:
        posts = _posts(spec, sizes[spec.unit_id], rng)
        head_id = f"c{len(cadres) + 1:04d}"
        for index, ((title, rank), roles) in enumerate(posts):
            if index and not roles:
                plain.append(len(cadres))
            cadres.append(
                Cadre(
                    cadre_id=f"c{len(cadres) + 1:04d}",
                    name=names.draw(),
                    unit_id=spec.unit_id,
                    title=title,
                    rank=rank,
                    roles=["cadre", *roles],
                    joined_on=_random_day(rng, date(as_of.year - 9, 1, 1), date(as_of.year - 1, 12, 31)),
                )
            )
        units.append(Unit(unit_id=spec.unit_id, name=spec.name, category=spec.category, head_id=head_id))

    newcomers = rng.sample(plain, round(len(cadres) * NEWCOMER_SHARE))
    for rank_in_draw, position in enumerate(newcomers):
        # A few joined in the last fortnight, so the journal shows a log starting mid-window.
        earliest = max(date(as_of.year, 1, 1), as_of - timedelta(days=14)) if rank_in_draw < 3 else None
        joined = _random_day(rng, earliest or date(as_of.year, 1, 1), as_of)
        cadres[position] = cadres[position].model_copy(update={"joined_on": joined})
    return DemoDistrict(units=units, cadres=with_contacts(cadres, seed))


def with_contacts(cadres: list[Cadre], seed: int) -> list[Cadre]:
    """The cadres with fictional contact details: a mobile in the one block 1390000xxxx (from the
    cadre's number), an e-mail at an example domain, WeCom and DingTalk ids, a preferred channel
    among those they can be reached on. A generator of their own (seeded from ``seed``) draws them,
    so the rest of the district is drawn exactly as without them."""
    rng = random.Random(f"{seed}:contacts")
    reached: list[Cadre] = []
    for cadre in cadres:
        number = int(cadre.cadre_id[1:])
        offered = {
            "mobile": f"1390000{number:04d}",
            "email": f"{cadre.cadre_id}@{EMAIL_DOMAIN}",
            "wecom_user_id": f"jj-{cadre.cadre_id}",
            "dingtalk_user_id": f"dt{number:06d}",
        }
        held = {k: v for k, v in offered.items() if rng.random() < CONTACT_SHARES[k]}
        if rng.random() < UNREACHABLE_SHARE:
            held = {}
        channels: list[Channel] = [c for c, field in _CHANNEL_FIELDS if field in held]
        preferred = None if not channels or rng.random() < NO_PREFERENCE_SHARE else pick(rng, channels)
        reached.append(cadre.model_copy(update={**held, "preferred_channel": preferred}))
    return reached


_CHANNEL_FIELDS: tuple[tuple[Channel, str], ...] = (
    ("sms", "mobile"),
    ("email", "email"),
    ("wecom", "wecom_user_id"),
    ("dingtalk", "dingtalk_user_id"),
)


def _unit_sizes(rng: random.Random) -> dict[str, int]:
    sizes = {}
    for spec in data.UNITS:
        low, high = data.SIZE_RANGE[spec.kind]
        sizes[spec.unit_id] = data.FIXED_SIZE.get(spec.unit_id) or rng.randint(low, high)
    # Trim or pad ordinary units one cadre at a time until the district has its size.
    adjustable = [
        s.unit_id
        for s in data.UNITS
        if s.kind in ("street", "bureau", "office") and s.unit_id not in data.FIXED_SIZE
    ]
    while (gap := data.DISTRICT_SIZE - sum(sizes.values())) != 0:
        unit_id = rng.choice(adjustable)
        step = 1 if gap > 0 else -1
        if 7 <= sizes[unit_id] + step <= 22:
            sizes[unit_id] += step
    return sizes


def _posts(spec: UnitSpec, size: int, rng: random.Random) -> list[tuple[data.Post, list[Role]]]:
    """The unit's posts in order (head first), each with its roles beyond "cadre"."""
    if spec.kind == "leaders":
        first: list[Role] = ["unit_head", "district_leader"]
        return [
            (post, first if i == 0 else ["district_leader"])
            for i, post in enumerate(data.LEADER_POSTS[:size])
        ]
    head, fixed, deputy = data.STAFFING[spec.kind]
    titles: list[data.Post] = [head, *fixed]
    if deputy:
        titles += [(deputy, "副处级")] * (1 + size // 6)
    while len(titles) < size:
        titles.append(("调研员", "调研员") if rng.random() < 0.35 else ("副调研员", "副调研员"))
    roles: list[list[Role]] = [["unit_head"], *([] for _ in titles[1:size])]
    position = 1
    for role, count in data.SPECIAL_ROLES.get(spec.unit_id, ()):
        for _ in range(count):
            roles[position].append(role)
            position += 1
    return list(zip(titles[:size], roles, strict=True))


class _NameDrawer:
    """Chinese names, unique within the district."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = data.SURNAMES_FREQUENT * 2 + data.SURNAMES_OTHER
        self.used: set[str] = set()

    def draw(self) -> str:
        while True:
            given_length = 1 if self.rng.random() < 0.2 else 2
            name = self.rng.choice(self.surnames) + "".join(
                self.rng.choices(data.GIVEN_CHARS, k=given_length)
            )
            if name not in self.used and name[1:2] != name[2:3]:
                self.used.add(name)
                return name


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
