"""Deterministic data at the scale of a district, a province or the whole Party.

The rows are the ones the services would have written: `units.services.create_unit` (a Unit
and its UnitVersion, digit paths), `register_members` (Member with its search keys, an official
Membership, the opening status chain), the status services (`recognise_member`,
`exempt_member`, `record_death`, `remove_member`: the open link closed the day before, final
statuses closing the membership), `plan_meeting` (the standard agenda), `take_roll` and
`close_meeting` (attendance of the expected members only, an excused absence with its reason,
exempted members who came present but not counted), `collect_dues` (members on the roll on the
month's first day, at the regular meeting), `committees.services.appoint` (each base
organisation's committee), and the recruitment services (`bench/candidates.py`: candidates,
every step of their admission and probation, yearly targets). Audit events are not generated.

The shape, fixed by the seed: units as a dated tree (central → province → commune → base
organisation → cell, a tenth of the base organisations with no cells, holding meetings
themselves) standing from 1/1/2021, cell sizes skewed from 3 to several hundred with one cell
of exactly 300 members, official and probationary members, about 2,5 % of the members admitted
each year since 2021 and candidates at every step, exempted elderly members, a few deaths and
removals, twelve months of regular meetings (Dec 2025 – Nov 2026) and some thematic ones,
attendance marks with lagging cells, dues.

Every row is produced once, as a line of PostgreSQL's COPY text format. PostgreSQL loads them
with `COPY … FROM STDIN (FREEZE)`, one connection per table, after dropping the foreign keys
and secondary indexes that it rebuilds at the end; SQLite gets the same lines through
`executemany`. Memory stays flat whatever the scale: rows stream unit by unit.

Import this module after `django.setup()`.
"""

from __future__ import annotations

import base64
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from bench import candidates
from chibo.lib.progress import Progress
from chibo.lib.vntext import name_sort_key, search_key
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Mark, MarkSource, MeetingKind, MeetingState
from chibo.members.models import FINAL, DuesCategory, Extent, MembershipKind, Status
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind

# The tree, in the shape the 2025 reform (294-QĐ/TW) left it, and the rolls as first recorded:
# five years of admissions before the meetings' year (the reorganisation is not generated).
FOUNDED = date(2021, 1, 1)
EVENTS_FROM = date(2025, 7, 1)  # exemptions, deaths and removals of official members after it
FIRST_MONTH = date(2025, 12, 1)
MONTHS = [FIRST_MONTH + relativedelta(months=i) for i in range(12)]
LAST_DAY = date(2026, 11, 28)  # the last day anything happens in the generated data
ADMITTED_A_YEAR = 0.025  # of the members (RULES.md §7: about 143.000 a year nationally)
NEW_SHARE = ADMITTED_A_YEAR * (LAST_DAY - FOUNDED).days / 365.25  # admitted since FOUNDED
RENAMED_ON = date(2026, 1, 1)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
BIG_CELL = 300  # the roll-call scenario's cell (RULES.md §7: cells of several hundred exist)


@dataclass(frozen=True)
class Scale:
    name: str
    members: int
    bases: int
    cells: int
    provinces: int  # 0: one province, Thanh Hóa, with `communes` of its communes
    communes: int = 0
    seed: int = 2026


# RULES.md §7: Hậu Lộc (8.900 members, 50 base organisations, 326 cells); Thanh Hóa (about
# 235.000 members, 1.403 base organisations); the whole Party (5,6 million members, 52.105 base
# organisations). The number of cells nationally is unconfirmed: 270.000 keeps Hậu Lộc's ratio.
SCALES = {
    "tiny": Scale("tiny", members=700, bases=6, cells=12, provinces=0, communes=2),
    "district": Scale("district", members=8_900, bases=50, cells=326, provinces=0, communes=5),
    "province": Scale("province", members=240_000, bases=1_400, cells=9_000, provinces=0),
    "nation": Scale("nation", members=5_600_000, bases=52_000, cells=270_000, provinces=34),
}
THANH_HOA = 38
DISTRICT_COMMUNES = ["Xã Hậu Lộc", "Xã Triệu Lộc", "Xã Đông Thành", "Xã Hoa Lộc", "Xã Vạn Lộc"]

# Column order of each loaded table, checked against the models by `check_columns`.
TABLES: dict[str, list[str]] = {
    "units_unit": [
        "id",
        "kind",
        "code",
        "name",
        "search_name",
        "parent_id",
        "path",
        "valid_from",
        "valid_to",
        "end_reason",
        "successor_id",
    ],
    "units_unitversion": [
        "id",
        "unit_id",
        "name",
        "parent_id",
        "path",
        "valid_from",
        "valid_to",
        "basis",
    ],
    "members_member": [
        "id",
        "full_name",
        "search_name",
        "sort_name",
        "sex",
        "birth_date",
        "hometown",
        "address",
        "phone",
        "email",
        "citizen_id",
        "ethnicity",
        "religion",
        "education",
        "occupation",
        "workplace",
        "card_number",
        "admission_decided_on",
        "admitted_on",
        "recognised_on",
        "dues_category",
        "dues_monthly",
        "user_id",
    ],
    "members_membership": ["id", "member_id", "unit_id", "kind", "valid_from", "valid_to", "basis"],
    "members_memberstatus": [
        "id",
        "member_id",
        "status",
        "extent",
        "valid_from",
        "valid_to",
        "basis_number",
        "basis_date",
        "reason",
    ],
    "meetings_meeting": [
        "id",
        "unit_id",
        "kind",
        "mode",
        "state",
        "title",
        "starts_at",
        "ends_at",
        "place",
        "series_month",
        "cascade_from_id",
        "chair_id",
        "minutes_secretary_id",
        "minutes",
        "conclusions",
        "checkin_code",
        "created_at",
    ],
    "meetings_agendaitem": [
        "id",
        "meeting_id",
        "position",
        "part",
        "title",
        "assignee_id",
        "notes",
    ],
    "meetings_attendance": [
        "id",
        "meeting_id",
        "member_id",
        "mark",
        "reason",
        "counted",
        "source",
        "recorded_by_id",
        "recorded_at",
    ],
    "meetings_duespayment": [
        "id",
        "member_id",
        "unit_id",
        "month",
        "amount",
        "paid",
        "meeting_id",
        "recorded_at",
    ],
    "committees_committeeseat": [
        "id",
        "member_id",
        "unit_id",
        "body",
        "position",
        "valid_from",
        "valid_to",
        "basis",
    ],
    "recruitment_target": ["id", "unit_id", "year", "target", "basis", "set_by_id", "set_at"],
    "recruitment_candidate": [
        "id",
        "unit_id",
        "full_name",
        "search_name",
        "sort_name",
        "sex",
        "birth_date",
        "citizen_id",
        "hometown",
        "address",
        "phone",
        "ethnicity",
        "religion",
        "education",
        "education_exception",
        "occupation",
        "workplace",
        "youth_union",
        "helper_id",
        "listed_on",
        "reviewed_on",
        "stage",
        "certificate_on",
        "resolved_on",
        "endorsed_on",
        "extension_workdays",
        "decided_on",
        "decision_received_on",
        "admitted_on",
        "probation_ends_on",
        "proposal",
        "probation_resolved_on",
        "probation_endorsed_on",
        "escalated_on",
        "closed_on",
        "member_id",
        "created_at",
    ],
    "recruitment_step": [
        "id",
        "candidate_id",
        "kind",
        "on",
        "number",
        "by",
        "note",
        "proposal",
        "votes_for",
        "votes_against",
        "voters",
        "passed",
        "workdays",
        "received_on",
        "consent",
        "recorded_by_id",
        "recorded_at",
    ],
    "recruitment_introducer": [
        "id",
        "candidate_id",
        "kind",
        "member_id",
        "organisation",
        "number",
        "since",
        "assigned_on",
        "ended_on",
        "reason",
        "replaces_id",
    ],
    "recruitment_relative": [
        "id",
        "candidate_id",
        "relation",
        "full_name",
        "verdict",
        "concluded_on",
        "by",
        "note",
    ],
}
N = "\\N"  # NULL in COPY text
SECRETARY = MarkSource.SECRETARY.value


def check_columns() -> None:
    """Every generated column exists, and every column left out may be NULL (it is left NULL):
    a migration that adds a required column must update the generator."""
    for table, columns in TABLES.items():
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        required = [c for c, f in fields.items() if c not in columns and not f.null]
        if unknown or required:
            raise RuntimeError(f"{table}: unknown columns {unknown}, not generated {required}")


def _ts(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S+00")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=LOCAL)


# Names and personal data ---------------------------------------------------------------------

FAMILY = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 51), ("Phan", 45),
    ("Vũ", 39), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
    ("Lý", 5), ("Mai", 8), ("Trịnh", 9), ("Đinh", 7), ("Lương", 5), ("Cao", 5), ("Hà", 5),
    ("Tạ", 3), ("Đào", 5), ("Đoàn", 4), ("Lại", 2), ("Lò", 3), ("Quách", 2),
]  # fmt: skip
MIDDLE = {
    "M": ["Văn", "Văn", "Văn", "Đình", "Đức", "Xuân", "Hữu", "Minh", "Quang", "Ngọc", "Công",
          "Bá", "Thế", "Trọng", "Thanh", "Mạnh"],
    "F": ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Kim", "Phương",
          "Thùy", "Diệu"],
}  # fmt: skip
GIVEN = {
    "M": ["Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Hải", "Long", "Thắng", "Chín", "Bình", "Cường",
          "Sơn", "Trung", "Hòa", "Phong", "Quân", "Thành", "Tiến", "Hưng", "Đạt", "Khánh", "Lâm",
          "Toàn", "Vinh", "Hiếu", "Tâm", "Nghĩa", "Lợi", "Thịnh", "Phúc", "Đông", "Huy", "Đức",
          "Kiên", "Quyết", "Tú", "Việt", "An"],
    "F": ["Hường", "Lan", "Hoa", "Hương", "Mai", "Thủy", "Nga", "Hà", "Huyền", "Linh", "Trang",
          "Thảo", "Yến", "Hạnh", "Loan", "Dung", "Nhung", "Hằng", "Liên", "Oanh", "Phượng",
          "Tuyết", "Vân", "Xuân", "Ngọc", "Thơm", "Quyên", "Giang", "Duyên", "Hiền"],
}  # fmt: skip
FAMILY_NAMES = [f for f, _w in FAMILY]
FAMILY_CUM = list(accumulate(w for _f, w in FAMILY))
ETHNICITIES = ["Kinh"] * 17 + ["Mường", "Thái", "Tày", "Nùng", "Khơ Mú", "H'Mông", "Dao"]
RELIGIONS = ["Không"] * 30 + ["Phật giáo", "Công giáo"]
EDUCATION = ["9/12", "12/12", "12/12", "12/12", "Cao đẳng", "Đại học", "Đại học", "Thạc sĩ"]
# (occupation, workplace, dues category, monthly dues range in đồng: 1 % of a salary, 0,5 % of
# a pension, 2.000–30.000 for others; 342-QĐ/TW, RULES.md §5)
OCCUPATIONS = [
    ("Nông dân", "", DuesCategory.OTHER, (5_000, 30_000)),
    ("Ngư dân", "", DuesCategory.OTHER, (5_000, 30_000)),
    ("Kinh doanh", "", DuesCategory.OTHER, (10_000, 30_000)),
    ("Giáo viên", "Trường học", DuesCategory.SALARY, (60_000, 150_000)),
    ("Cán bộ xã", "UBND xã", DuesCategory.SALARY, (50_000, 120_000)),
    ("Công chức", "Cơ quan nhà nước", DuesCategory.SALARY, (60_000, 200_000)),
    ("Y sĩ", "Trạm Y tế", DuesCategory.SALARY, (60_000, 140_000)),
    ("Công nhân", "Công ty", DuesCategory.ENTERPRISE, (50_000, 120_000)),
    ("Quân nhân", "Đơn vị quân đội", DuesCategory.SALARY, (70_000, 200_000)),
]
RETIRED = ("Hưu trí", "", DuesCategory.PENSION, (20_000, 60_000))
EXCUSES = ["Ốm", "Đi công tác", "Việc gia đình", "Đi làm ăn xa", "Trực cơ quan", "Đi học"]
THEMES = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Xây dựng nông thôn mới",
    "Phòng, chống tham nhũng, lãng phí",
    "Chuyển đổi số trong công tác đảng",
]
CELL_KINDS = ["thôn", "thôn", "thôn", "khu phố", "trường", "trạm y tế", "công an", "quân sự"]
BASE_KINDS = ["Đảng bộ xã", "Chi bộ cơ sở", "Đảng bộ cơ quan", "Đảng bộ trường", "Đảng bộ công ty"]
REGISTER_BASIS = "Danh sách đảng viên của chi bộ, nhập ngày 01/01/2021"


@dataclass
class UnitNode:
    id: int
    kind: str
    code: str
    name: str
    parent: UnitNode | None
    path: str
    children: list[UnitNode] = field(default_factory=list)
    members: int = 0  # for the units that hold meetings
    on_roll: int = 0  # of them, still on the roll on LAST_DAY
    committee: int = 0  # seats on a base organisation's committee

    @property
    def holds_meetings(self) -> bool:
        return self.kind == UnitKind.CELL or (self.kind == UnitKind.BASE and not self.children)


@dataclass(frozen=True)
class Landmarks:
    """The units the scenarios use, found again by code in a loaded database."""

    top: str  # the central unit
    province: str
    commune: str
    big_cell: str


def spread(
    total: int, parts: int, rng: random.Random, sigma: float, low: int, high: int
) -> list[int]:
    """`total` split into `parts` sizes in [low, high], skewed (log-normal), summing exactly."""
    if parts * low > total or parts * high < total:
        raise ValueError(f"cannot split {total} into {parts} parts of {low}–{high}")
    weights = [rng.lognormvariate(0, sigma) for _ in range(parts)]
    factor = (total - low * parts) / sum(weights)
    sizes = [min(high, low + int(w * factor)) for w in weights]
    order = list(range(parts))
    rng.shuffle(order)
    i, gap = 0, total - sum(sizes)
    while gap != 0:
        k = order[i % parts]
        if gap > 0 and sizes[k] < high:
            step = min(gap, high - sizes[k], max(1, gap // parts))
            sizes[k] += step
            gap -= step
        elif gap < 0 and sizes[k] > low:
            sizes[k] -= 1
            gap += 1
        i += 1
    return sizes


def _provinces(scale: Scale) -> list[tuple[int, str, list[str]]]:
    """(code, name, commune names) of each province of the scale, from `vietnam-provinces`."""
    from vietnam_provinces import Province, Ward

    wards: dict[int, list[str]] = {}
    for ward in Ward.iter_all():
        wards.setdefault(int(ward.province_code), []).append(ward.name)
    provinces = {int(p.code): p.name for p in Province.iter_all()}
    if scale.provinces:
        return [(code, provinces[code], wards[code]) for code in sorted(provinces)][
            : scale.provinces
        ]
    names = wards[THANH_HOA]
    if scale.name == "district":
        names = [n for n in DISTRICT_COMMUNES if n in names] or names[:5]
    elif scale.communes:
        names = names[: scale.communes]
    return [(THANH_HOA, provinces[THANH_HOA], names)]


def _lower_first(name: str) -> str:
    """ "Tỉnh Thanh Hóa" → "tỉnh Thanh Hóa", to follow "Đảng bộ"."""
    return name[:1].lower() + name[1:]


def _province_name(name: str) -> str:
    """ "Thanh Hóa" → "tỉnh Thanh Hóa", "Thành phố Hà Nội" → "thành phố Hà Nội"."""
    return _lower_first(name) if name.startswith("Thành phố") else f"tỉnh {name}"


def _province_code(code: int) -> str:
    return f"P{code:02d}"


def landmarks(scale: Scale) -> Landmarks:
    code, _name, _communes = _provinces(scale)[0]
    province = _province_code(code)
    return Landmarks("TW", province, f"{province}-0001", f"{province}-0001-B001-C001")


def build_tree(scale: Scale) -> list[UnitNode]:
    """Every unit in creation order (level by level, as an initial data entry creates them),
    with the number of members of each unit that holds meetings."""
    rng = random.Random(scale.seed)
    next_id = iter(range(1, 10**8))
    top = UnitNode(next(next_id), UnitKind.CENTRAL, "TW", "Trung ương", None, "")
    top.path = treepath.child_path("", top.id)
    units = [top]

    def add(parent: UnitNode, kind: str, code: str, name: str) -> UnitNode:
        node_id = next(next_id)
        node = UnitNode(
            node_id, kind, code, name, parent, treepath.child_path(parent.path, node_id)
        )
        parent.children.append(node)
        units.append(node)
        return node

    provinces = [
        add(top, UnitKind.PROVINCE, _province_code(code), f"Đảng bộ {_province_name(name)}")
        for code, name, _c in _provinces(scale)
    ]
    communes = []
    for province, (_code, _name, names) in zip(provinces, _provinces(scale), strict=True):
        for i, name in enumerate(names, start=1):
            label = f"Đảng bộ {_lower_first(name)}"
            communes.append(add(province, UnitKind.COMMUNE, f"{province.code}-{i:04d}", label))
    per_commune = spread(scale.bases, len(communes), rng, 0.5, 1, scale.bases)
    bases = []
    for commune, n in zip(communes, per_commune, strict=True):
        place = commune.name.split(" ", 3)[-1]
        for j in range(1, n + 1):
            kind = BASE_KINDS[0] if j == 1 else rng.choice(BASE_KINDS[1:])
            name = f"{kind} {place}" if j == 1 else f"{kind} {place} số {j}"
            bases.append(add(commune, UnitKind.BASE, f"{commune.code}-B{j:03d}", name))
    # A tenth of the base organisations are single cells (chi bộ cơ sở); never the first one.
    celled = [b for i, b in enumerate(bases) if i == 0 or rng.random() >= 0.1]
    per_base = spread(scale.cells, len(celled), rng, 0.8, 1, scale.cells)
    for base, n in zip(celled, per_base, strict=True):
        for k in range(1, n + 1):
            kind = rng.choice(CELL_KINDS)
            add(base, UnitKind.CELL, f"{base.code}-C{k:03d}", f"Chi bộ {kind} số {k}")
    meeting_units = [u for u in units if u.holds_meetings]
    big = next(u for u in units if u.code.endswith("-0001-B001-C001"))
    sizes = spread(scale.members - BIG_CELL, len(meeting_units) - 1, rng, 0.75, 3, 800)
    others = (u for u in meeting_units if u is not big)
    for unit, n in zip(others, sizes, strict=True):
        unit.members = n
    big.members = BIG_CELL
    return units


# Sinks: where the COPY lines go ------------------------------------------------------------


class Sink(Protocol):
    def write(self, table: str, text: str) -> None: ...

    def flush(self) -> None: ...


@dataclass
class Counter:
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))


class Rows:
    """Buffers the lines of each table and hands them to a sink in large pieces."""

    def __init__(self, sink: Sink, limit: int = 1 << 20):
        self.sink, self.limit = sink, limit
        self.parts: dict[str, list[str]] = {t: [] for t in TABLES}
        self.size: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.count = Counter()

    def add(self, table: str, line: str) -> None:
        self.parts[table].append(line)
        self.size[table] += len(line)
        self.count.rows[table] += 1
        if self.size[table] >= self.limit:
            self._send(table)

    def _send(self, table: str) -> None:
        if self.parts[table]:
            self.sink.write(table, "".join(self.parts[table]))
            self.parts[table], self.size[table] = [], 0

    def flush(self) -> None:
        for table in TABLES:  # in the order of the foreign keys
            self._send(table)
        self.sink.flush()


# The generator ---------------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """A member as drawn, before the rows are written: what the meetings, the dues and the
    recruitment steps of the unit need to know about them."""

    id: int
    roll_from: date  # on the unit's roll from
    event: str | None = None  # exempted, deceased or removed
    event_on: date | None = None
    dues: int = 0
    official_from: date | None = None  # the status chain's official link, if any
    official_to: date | None = None  # its last day, if it ended
    timeline: candidates.Timeline | None = None  # admitted since FOUNDED: their procedure
    candidacy: bool = False  # the procedure is recorded (a candidate row links to them)
    details: dict[str, Any] = field(default_factory=dict)

    def applicant(self) -> candidates.Applicant:
        d = self.details
        return candidates.Applicant(
            full_name=d["full_name"],
            search_name=d["search"],
            sort_name=d["sort"],
            sex=d["sex"],
            born=d["born"],
            citizen_id=d["citizen"] or "",
            hometown=d["place"],
            address=d["address"],
            phone=d["phone"],
            ethnicity=d["ethnicity"],
            religion=d["religion"],
            education=d["education_key"],
            occupation=d["occupation"][0],
            workplace=d["occupation"][1],
        )


class Ids:
    def __init__(self) -> None:
        self.next = dict.fromkeys(TABLES, 1)

    def take(self, table: str, n: int = 1) -> int:
        first = self.next[table]
        self.next[table] += n
        return first


def _days(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


class Generator:
    def __init__(self, scale: Scale, rows: Rows, keep_figures: bool = False):
        self.scale, self.rows, self.ids = scale, rows, Ids()
        # meeting id → (expected, present or late, excused, unexcused), for tests
        self.figures: dict[int, tuple[int, ...]] | None = {} if keep_figures else None
        self.agenda = [(part, str(title)) for part, title in meeting_services.STANDARD_AGENDA]
        probe = Unit(kind=UnitKind.CELL)
        self.regular_days = {m: meeting_services.regular_day(probe, m) for m in MONTHS}
        self.keys: dict[str, tuple[str, str]] = {}
        self.recruitment = candidates.Recruitment(scale.seed, rows, self.ids, keep_figures)
        self.recognised = self.recruitment.recognised

    def run(self, progress: Callable[[int], None] | None = None) -> list[UnitNode]:
        units = build_tree(self.scale)
        self._units(units)
        self.recruitment.targets(units)
        self.rows.flush()
        # Members are numbered unit by unit in tree order, so a province's are contiguous:
        # the serial part of their citizen IDs is their rank in the province.
        first_of_province: dict[int, int] = {}
        for unit in sorted((u for u in units if u.holds_meetings), key=lambda u: u.path):
            province = unit
            while province.kind != UnitKind.PROVINCE and province.parent is not None:
                province = province.parent
            first = first_of_province.setdefault(province.id, self.ids.next["members_member"])
            serial = self.ids.next["members_member"] - first
            if serial + unit.members > self.recruitment.spare_serial.get(province.id, 10**6):
                raise ValueError(f"{province.code}: more members than citizen ID serials")
            self._meeting_unit(unit, province, serial)
            if progress:
                progress(unit.members)
        self.rows.flush()
        return units

    def _units(self, units: list[UnitNode]) -> None:
        rng = random.Random(self.scale.seed + 1)
        for unit in units:
            self.ids.take("units_unit")
            parent = str(unit.parent.id) if unit.parent else N
            name = unit.name
            renamed = unit.kind == UnitKind.CELL and rng.random() < 0.02
            if renamed:
                name = unit.name.replace("Chi bộ", "Chi bộ sinh hoạt")
            self.rows.add(
                "units_unit",
                f"{unit.id}\t{unit.kind}\t{unit.code}\t{name}\t{search_key(name)}\t{parent}\t"
                f"{unit.path}\t{FOUNDED}\t{N}\t\t{N}\n",
            )
            if renamed:
                end = RENAMED_ON - timedelta(days=1)
                self.rows.add(
                    "units_unitversion",
                    f"{self.ids.take('units_unitversion')}\t{unit.id}\t{unit.name}\t{parent}\t"
                    f"{unit.path}\t{FOUNDED}\t{end}\t\n",
                )
                self.rows.add(
                    "units_unitversion",
                    f"{self.ids.take('units_unitversion')}\t{unit.id}\t{name}\t{parent}\t"
                    f"{unit.path}\t{RENAMED_ON}\t{N}\tNghị quyết đổi tên chi bộ\n",
                )
            else:
                self.rows.add(
                    "units_unitversion",
                    f"{self.ids.take('units_unitversion')}\t{unit.id}\t{name}\t{parent}\t"
                    f"{unit.path}\t{FOUNDED}\t{N}\t\n",
                )

    def _name(self, rng: random.Random) -> tuple[str, str, str, str]:
        sex = "F" if rng.random() < 0.34 else "M"
        family = FAMILY_NAMES[bisect(FAMILY_CUM, rng.random() * FAMILY_CUM[-1])]
        full = f"{family} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        keys = self.keys.get(full)
        if keys is None:
            keys = self.keys[full] = (search_key(full), name_sort_key(full))
        return full, keys[0], keys[1], sex

    def _person(
        self, rng: random.Random, unit: UnitNode, province_code: str, serial: int
    ) -> Person:
        """A member of `unit` as drawn: personal data, admission, the status chain's dates."""
        member_id = self.ids.take("members_member")
        full, search, sort, sex = self._name(rng)
        timeline = None
        if rng.random() < NEW_SHARE:  # admitted since the data begins
            admitted = _days(rng, FOUNDED + timedelta(days=1), LAST_DAY - timedelta(days=1))
            born = _days(
                rng,
                date(1988, 1, 1),
                min(date(2006, 1, 1), candidates.plus_months(admitted, -19 * 12)),
            )
            timeline = self.recruitment.timeline(rng, admitted, unit.kind == UnitKind.CELL)
            decided = timeline.decided
        else:
            born = _days(rng, date(1936, 1, 1), date(2002, 6, 30))
            earliest = candidates.plus_months(born, 18 * 12) + timedelta(days=1)
            admitted = _days(
                rng,
                min(
                    earliest + timedelta(days=rng.randrange(0, 3650)), FOUNDED - timedelta(days=40)
                ),
                FOUNDED - timedelta(days=30),
            )
            decided = admitted - timedelta(days=rng.randrange(0, 30))
            if decided < candidates.plus_months(born, 18 * 12):
                decided = candidates.plus_months(born, 18 * 12)
                admitted = max(admitted, decided)
        age = candidates.age(born, LAST_DAY)
        occupation = RETIRED if age >= 62 else OCCUPATIONS[rng.randrange(len(OCCUPATIONS))]
        low, high = occupation[3]
        dues = rng.randrange(low, high + 1, 1000)
        century = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
        citizen = (
            f"{province_code}{century}{born.year % 100:02d}{serial:06d}"
            if rng.random() < 0.96
            else None
        )
        commune = unit.parent
        while commune is not None and commune.kind != UnitKind.COMMUNE:
            commune = commune.parent
        place = commune.name.removeprefix("Đảng bộ ") if commune else unit.name
        email = f"dv{member_id}@example.vn" if rng.random() < 0.3 else ""
        education_key = candidates.EDUCATION[rng.randrange(len(candidates.EDUCATION))]
        person = Person(member_id, admitted if timeline else FOUNDED, dues=dues, timeline=timeline)
        person.details = {
            "full_name": full,
            "search": search,
            "sort": sort,
            "sex": sex,
            "born": born,
            "place": place,
            "address": f"Thôn {rng.randrange(1, 15)}, {place}",
            "phone": f"09{rng.randrange(10**8):08d}",
            # the ceremony takes no e-mail and gives the candidate's education
            "email": "" if timeline else email,
            "citizen": citizen,
            "ethnicity": ETHNICITIES[rng.randrange(len(ETHNICITIES))],
            "religion": RELIGIONS[rng.randrange(len(RELIGIONS))],
            "education_key": education_key,
            "education": (
                self.recruitment.education[education_key]
                if timeline
                else EDUCATION[rng.randrange(len(EDUCATION))]
            ),
            "occupation": occupation,
            "decided": decided,
            "admitted": admitted,
        }
        # The opening chain of register_members: probationary until recognised, then official;
        # for the members admitted since, recognition or removal as their procedure went.
        links: list[list[Any]] = []  # status, from, to, extent, basis number, basis day, reason
        roll_from = person.roll_from
        if timeline is not None:
            links.append([Status.PROBATIONARY, roll_from, None, "", "", None, ""])
            closing = (timeline.closing_no, timeline.closed)
            if timeline.recognised_on is not None:
                links[-1][2] = timeline.recognised_on - timedelta(days=1)
                links.append(
                    [Status.OFFICIAL, timeline.recognised_on, None, "", *closing, self.recognised]
                )
            elif timeline.removed_on is not None:
                links[-1][2] = timeline.removed_on - timedelta(days=1)
                reason = candidates.REMOVAL_NOTE
                links.append([Status.REMOVED, timeline.removed_on, None, "", *closing, reason])
                person.event, person.event_on = Status.REMOVED, timeline.removed_on
            recognised_on = timeline.recognised_on
        else:
            recognised_on = candidates.plus_months(admitted, 12)  # before LAST_DAY
            if recognised_on <= roll_from:
                links.append([Status.OFFICIAL, roll_from, None, "", "", None, ""])
            else:
                end = recognised_on - timedelta(days=1)
                links.append([Status.PROBATIONARY, roll_from, end, "", "", None, ""])
                links.append([Status.OFFICIAL, recognised_on, None, "", "", None, ""])
        person.details["recognised"] = recognised_on
        # Later changes of official members through the status services.
        if links[-1][0] == Status.OFFICIAL:
            person.official_from = links[-1][1]
            after = max(links[-1][1], EVENTS_FROM, timeline.closed if timeline else FOUNDED)
            after += timedelta(days=1)
            r = rng.random()
            event = None
            if age >= 65 and r < 0.15:
                event = Status.EXEMPTED
            elif r < (0.02 if age >= 75 else 0.003):
                event = Status.DECEASED
            elif 0.97 < r < 0.9715:
                event = Status.REMOVED
            if event and after < LAST_DAY:
                early = event == Status.EXEMPTED and rng.random() < 0.7
                on = (
                    after + timedelta(days=rng.randrange(30))
                    if early
                    else _days(rng, after, LAST_DAY)
                )
                links[-1][2] = on - timedelta(days=1)
                person.official_to = on - timedelta(days=1)
                extent = basis = reason = ""
                basis_day = None
                if event == Status.EXEMPTED:
                    extent = Extent.FULL if rng.random() < 0.7 else Extent.PARTIAL
                    basis = f"{rng.randrange(1, 40):02d}-NQ/CB"
                    basis_day, reason = on - timedelta(days=3), "Tuổi cao, sức yếu"
                elif event == Status.REMOVED:
                    basis, basis_day = f"{rng.randrange(1, 400)}-QĐ/ĐU", on
                    reason = "Bỏ sinh hoạt đảng"
                links.append([event, on, None, extent, basis, basis_day, reason])
                person.event, person.event_on = event, on
        person.details["links"] = links
        return person

    def _write_member(self, person: Person, unit: UnitNode) -> None:
        """The member's rows: Member, the status chain, the Membership in `unit`."""
        d, member_id = person.details, person.id
        occupation = d["occupation"]
        self.rows.add(
            "members_member",
            f"{member_id}\t{d['full_name']}\t{d['search']}\t{d['sort']}\t{d['sex']}\t"
            f"{d['born']}\t{d['place']}\t{d['address']}\t{d['phone']}\t{d['email']}\t"
            f"{d['citizen'] or N}\t{d['ethnicity']}\t{d['religion']}\t{d['education']}\t"
            f"{occupation[0]}\t{occupation[1]}\t{100_000_000 + member_id}\t{d['decided']}\t"
            f"{d['admitted']}\t{d['recognised'] or N}\t{occupation[2]}\t{person.dues}\t{N}\n",
        )
        for status, start, end, extent, basis, basis_day, reason in d["links"]:
            self.rows.add(
                "members_memberstatus",
                f"{self.ids.take('members_memberstatus')}\t{member_id}\t{status}\t{extent}\t"
                f"{start}\t{end or N}\t{basis}\t{basis_day or N}\t{reason}\n",
            )
        left = None
        if person.event_on is not None and person.event in (Status.DECEASED, Status.REMOVED):
            left = person.event_on - timedelta(days=1)
        basis = REGISTER_BASIS
        if person.timeline is not None:
            basis = self.recruitment.admission_basis(person.timeline) if person.candidacy else ""
        self.rows.add(
            "members_membership",
            f"{self.ids.take('members_membership')}\t{member_id}\t{unit.id}\t"
            f"{MembershipKind.OFFICIAL}\t{person.roll_from}\t{left or N}\t{basis}\n",
        )
        figures = self.recruitment.figures
        if figures is not None:
            recognised = d["recognised"]
            if person.timeline is not None:
                figures.events["admitted", d["admitted"].year, unit.id] += 1
                if person.timeline.removed_on is not None:
                    figures.events["removed", person.timeline.removed_on.year, unit.id] += 1
            if (
                recognised
                and person.roll_from <= recognised
                and (left is None or recognised <= left)
            ):
                figures.events["recognised", recognised.year, unit.id] += 1

    def _meeting_unit(self, unit: UnitNode, province: UnitNode, serial: int) -> None:
        rng = random.Random(self.scale.seed * 1_000_003 + unit.id)
        province_code = province.code[1:].zfill(3)
        people = [self._person(rng, unit, province_code, serial + i) for i in range(unit.members)]
        base = unit.parent if unit.kind == UnitKind.CELL and unit.parent else unit
        if unit.kind == UnitKind.CELL and base.children[0] is unit:
            self.recruitment.seat_committee(base, people)
        deciding = base.parent if base.parent is not None else base
        place = candidates.Place(unit, base, deciding, province)
        self.recruitment.unit(place, people, self._name)
        for person in people:
            self._write_member(person, unit)
        unit.on_roll = sum(
            1
            for p in people
            if p.roll_from <= LAST_DAY
            and not (p.event in FINAL and p.event_on is not None and p.event_on <= LAST_DAY)
        )
        lagging = unit.members != BIG_CELL and rng.random() < 0.08
        held_share = 0.75 if lagging else 0.985
        present = rng.uniform(0.55, 0.8) if lagging else rng.uniform(0.86, 0.97)
        excused_share = 0.45 if lagging else 0.7
        chair = people[0].id
        secretary = people[1].id if len(people) > 1 else N
        meetings: list[tuple[str, datetime, bool, date | None, str]] = []
        for month in MONTHS:
            day = self.regular_days[month]
            if rng.random() < 0.15:  # moved by a few days (move_meeting)
                day += timedelta(days=rng.randrange(1, 4))
            meetings.append(
                (MeetingKind.REGULAR, _local(day, 19), rng.random() < held_share, month, "")
            )
            if month.month % 3 == 2 and rng.random() < 0.25:
                day = month.replace(day=rng.randrange(12, 26))
                meetings.append(
                    (
                        MeetingKind.THEMATIC,
                        _local(day, 19, 30),
                        True,
                        None,
                        "Chuyên đề: " + THEMES[rng.randrange(len(THEMES))],
                    )
                )
        for kind, starts, held, series, title in meetings:
            meeting_id = self.ids.take("meetings_meeting")
            on = starts.date()
            state = MeetingState.PLANNED
            ends = None
            if held:
                state = MeetingState.CLOSED if rng.random() < 0.98 else MeetingState.HELD
                minutes = rng.randrange(85, 160) + (30 if kind == MeetingKind.THEMATIC else 0)
                ends = starts + timedelta(minutes=minutes)
            code = base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode()
            created = starts - timedelta(days=20)
            self.rows.add(
                "meetings_meeting",
                f"{meeting_id}\t{unit.id}\t{kind}\tin_person\t{state}\t{title}\t{_ts(starts)}\t"
                f"{_ts(ends) if ends and state == MeetingState.CLOSED else N}\t\t"
                f"{series or N}\t{N}\t{chair if held else N}\t{secretary if held else N}\t\t\t"
                f"{code}\t{_ts(created)}\n",
            )
            for position, (part, item) in enumerate(self.agenda, start=1):
                self.rows.add(
                    "meetings_agendaitem",
                    f"{self.ids.take('meetings_agendaitem')}\t{meeting_id}\t{position}\t{part}\t"
                    f"{item}\t{N}\t\n",
                )
            if not held:
                continue
            recorded = _ts(ends or starts)
            tally = [0, 0, 0, 0]  # expected, present or late, excused, unexcused
            for person in people:
                if person.roll_from > on:
                    continue
                gone = person.event_on is not None and person.event_on <= on
                if gone and person.event != Status.EXEMPTED:
                    continue
                if gone:  # exempted: may come, then present and not counted
                    if rng.random() < 0.15:
                        self._mark(meeting_id, person.id, Mark.PRESENT, "", "f", recorded)
                    continue
                tally[0] += 1
                r = rng.random()
                if r < present:
                    tally[1] += 1
                    mark = Mark.LATE if r < present * 0.04 else Mark.PRESENT
                    source = MarkSource.SELF if not lagging and rng.random() < 0.2 else SECRETARY
                    self._mark(meeting_id, person.id, mark, "", "t", recorded, source)
                elif rng.random() < excused_share:
                    tally[2] += 1
                    excuse = EXCUSES[rng.randrange(len(EXCUSES))]
                    self._mark(meeting_id, person.id, Mark.EXCUSED, excuse, "t", recorded)
                else:
                    tally[3] += 1
                    self._mark(meeting_id, person.id, Mark.UNEXCUSED, "", "t", recorded)
            if self.figures is not None:
                self.figures[meeting_id] = tuple(tally)
            if kind != MeetingKind.REGULAR or series is None:
                continue
            paid_share = 0.85 if lagging else 0.97
            collected = _ts(starts)
            for person in people:
                if person.roll_from > series:
                    continue
                gone = person.event_on is not None and person.event_on <= series
                if gone and person.event in (Status.DECEASED, Status.REMOVED):
                    continue
                paid = "t" if rng.random() < paid_share else "f"
                self.rows.add(
                    "meetings_duespayment",
                    f"{self.ids.take('meetings_duespayment')}\t{person.id}\t{unit.id}\t{series}\t"
                    f"{person.dues}\t{paid}\t{meeting_id}\t{collected}\n",
                )

    def _mark(
        self,
        meeting: int,
        member: int,
        mark: str,
        reason: str,
        counted: str,
        recorded: str,
        source: str = MarkSource.SECRETARY,
    ) -> None:
        self.rows.add(
            "meetings_attendance",
            f"{self.ids.take('meetings_attendance')}\t{meeting}\t{member}\t{mark}\t{reason}\t"
            f"{counted}\t{source}\t{N}\t{recorded}\n",
        )


# Loading ---------------------------------------------------------------------------------


class SqliteSink:
    """Writes COPY lines into the Django connection's tables (SQLite, or any engine slowly)."""

    def __init__(self) -> None:
        self.pending: dict[str, list[str]] = {t: [] for t in TABLES}
        self.converters: dict[str, list[Callable[[str], Any]]] = {}
        for table, columns in TABLES.items():
            model = next(m for m in apps.get_models() if m._meta.db_table == table)
            by_column = {f.column: f.get_internal_type() for f in model._meta.concrete_fields}
            self.converters[table] = [_converter(by_column[c]) for c in columns]

    def write(self, table: str, text: str) -> None:
        self.pending[table].append(text)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table, texts in self.pending.items():
                if not texts:
                    continue
                convert = self.converters[table]
                rows = (
                    [
                        None if v == N else f(v)
                        for f, v in zip(convert, line.split("\t"), strict=True)
                    ]
                    for text in texts
                    for line in text.splitlines()
                )
                columns = TABLES[table]
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({_names(columns)}) VALUES ({marks})", list(rows)
                )
                texts.clear()


def _names(columns: list[str]) -> str:
    """Column names quoted: `on` and `by` are SQL keywords."""
    return ", ".join(f'"{c}"' for c in columns)


def _converter(internal_type: str) -> Callable[[str], Any]:
    if internal_type == "BooleanField":
        return lambda v: v == "t"
    if internal_type == "DateTimeField":
        return lambda v: connection.ops.adapt_datetimefield_value(datetime.fromisoformat(v))
    if internal_type in (
        "AutoField",
        "BigAutoField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "OneToOneField",
    ):
        return int
    return str


class PostgresSink:
    """One COPY … FROM STDIN (FREEZE) per table, each on its own connection, fed in turn."""

    def __init__(self, dsn: str, stack: ExitStack):
        import psycopg

        self.copies: dict[str, Any] = {}
        self.connections = []
        for table, columns in TABLES.items():
            conn = stack.enter_context(psycopg.connect(dsn))
            conn.execute("SET synchronous_commit = off")
            conn.execute(f"TRUNCATE {table}")
            cursor = stack.enter_context(conn.cursor())
            self.copies[table] = stack.enter_context(
                cursor.copy(f"COPY {table} ({_names(columns)}) FROM STDIN (FREEZE)")
            )
            self.connections.append(conn)

    def write(self, table: str, text: str) -> None:
        self.copies[table].write(text)

    def flush(self) -> None:
        pass


@dataclass
class Schema:
    """The foreign keys, unique constraints and secondary indexes dropped for a load."""

    foreign_keys: list[tuple[str, str, str]]  # table, name, definition
    uniques: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]  # name, definition


def capture_and_drop(cursor: Any) -> Schema:
    tables = list(TABLES)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND "
        "(contype = 'f' OR (contype = 'u' AND conrelid::regclass::text = ANY(%s)))",
        [tables],
    )
    found = cursor.fetchall()
    fks = [(t, n, d) for t, n, d, kind in found if kind == "f"]
    uniques = [(t, n, d) for t, n, d, kind in found if kind == "u"]
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary AND i.indexrelid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE contype IN ('u', 'p', 'x'))",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _d in [*fks, *uniques]:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _d in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return Schema(fks, uniques, indexes)


def restore(
    cursor: Any, schema: Schema, timings: dict[str, float], say: Callable[[str], None]
) -> None:
    """Rebuild what `capture_and_drop` removed; every constraint is validated against the data."""
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET max_parallel_maintenance_workers = 1")
    for table in TABLES:
        cursor.execute(f"ANALYZE {table}")
    for label, statements in (
        ("indexes", [d for _n, d in schema.indexes]),
        (
            "unique constraints",
            [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in schema.uniques],
        ),
        (
            "foreign keys",
            [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in schema.foreign_keys],
        ),
    ):
        start = time.perf_counter()
        for statement in statements:
            cursor.execute(statement)
        timings[label] = round(time.perf_counter() - start, 1)
        say(f"{label}: {timings[label]} s")


@dataclass
class LoadReport:
    scale: str
    engine: str
    rows: dict[str, int]
    seconds: dict[str, float]
    units: list[UnitNode] = field(repr=False, default_factory=list)
    figures: dict[int, tuple[int, ...]] | None = field(repr=False, default=None)
    recruitment: candidates.Figures | None = field(repr=False, default=None)


def load(
    scale: Scale,
    *,
    dsn: str | None = None,
    say: Callable[[str], None] = print,
    keep_figures: bool = False,
) -> LoadReport:
    """Generate `scale` into the default database (empty, migrated). `dsn`: PostgreSQL, by COPY."""
    check_columns()
    timings: dict[str, float] = {}
    progress = Progress(scale.members, f"generate {scale.name}")
    start = time.perf_counter()
    if dsn is None:
        with transaction.atomic():
            rows = Rows(SqliteSink(), limit=1 << 18)
            generator = Generator(scale, rows, keep_figures)
            units = generator.run(progress.advance)
            _reset_sequences()
        timings["generate and insert"] = round(time.perf_counter() - start, 1)
    else:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as admin, admin.cursor() as cursor:
            schema = capture_and_drop(cursor)
            with ExitStack() as stack:
                sink = PostgresSink(dsn, stack)
                rows = Rows(sink)
                generator = Generator(scale, rows, keep_figures)
                units = generator.run(progress.advance)
                # Leaving the stack ends each COPY, then commits its connection.
            timings["generate and copy"] = round(time.perf_counter() - start, 1)
            say(f"generate and copy: {timings['generate and copy']} s")
            restore(cursor, schema, timings, say)
            start = time.perf_counter()
            for table in TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            timings["vacuum analyze"] = round(time.perf_counter() - start, 1)
    return LoadReport(
        scale.name,
        connection.vendor,
        dict(rows.count.rows),
        timings,
        units,
        generator.figures,
        generator.recruitment.figures,
    )


def _reset_sequences() -> None:
    """The id sequences past the ids written, where the database keeps them apart (PostgreSQL):
    rows created afterwards by the services take the next ids."""
    models = [m for m in apps.get_models() if m._meta.db_table in TABLES]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def meeting_units(units: list[UnitNode]) -> Iterator[UnitNode]:
    return (u for u in units if u.holds_meetings)
