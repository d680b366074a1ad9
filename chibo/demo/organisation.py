"""The demo organisation: Hậu Lộc district (Thanh Hóa) as the article describes it in 2021,
then the restructuring of 1/7/2025.

Figures from the article (../shared/seed/): 50 base organisations, 326 cells and 8.900 members
in 2021; Đa Lộc commune with 285 members in 14 cells, among them Ninh Phú, Đông Thành,
Vạn Thắng and Hùng Thành; Hiển Vinh (Quang Lộc), Y Bích (Hải Lộc) and the district political
centre's cell. The other villages, the agencies and the way the 25 old communes went into the
5 new communes (real names from the `vietnam-provinces` package) are illustrative.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from chibo.accounts import services as account_services
from chibo.accounts.models import Role, User
from chibo.committees import services as committee_services
from chibo.committees.models import Body, CommitteeSeat, Position, SupervisionAssignment
from chibo.demo import compliance as demo_compliance
from chibo.demo import meetings as demo_meetings
from chibo.demo import recruitment as demo_recruitment
from chibo.demo.names import EDUCATION, HOMETOWNS, OCCUPATIONS, IdNumbers, person
from chibo.lib.dates import today
from chibo.lib.progress import Progress
from chibo.lib.vntext import search_key
from chibo.members import selectors as member_selectors
from chibo.members import services as member_services
from chibo.members.models import Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitKind

SEED = 2021
DATA_FROM = date(2015, 1, 1)
ARTICLE_DAY = date(2021, 8, 31)
REFORM_DAY = date(2025, 7, 1)
TOTAL_MEMBERS = 8900
TOTAL_CELLS = 326
NEW_MEMBERS = 944  # admitted 1/2016 – 8/2021
REFORM_BASIS = "Quyết định của Ban Thường vụ Tỉnh ủy Thanh Hóa, hiệu lực 01/07/2025 (minh họa)"

# Old commune (2021) → new commune (1/7/2025). Đa Lộc's 14 cells and 285 members are fixed.
COMMUNES: dict[str, list[str]] = {
    "Hậu Lộc": ["thị trấn Hậu Lộc", "Lộc Sơn", "Mỹ Lộc", "Thuần Lộc", "Đồng Lộc"],
    "Triệu Lộc": ["Triệu Lộc", "Đại Lộc", "Tiến Lộc", "Lộc Tân", "Văn Lộc"],
    "Đông Thành": ["Thành Lộc", "Cầu Lộc", "Phong Lộc", "Tuy Lộc", "Xuân Lộc"],
    "Hoa Lộc": ["Hoa Lộc", "Liên Lộc", "Phú Lộc", "Quang Lộc"],
    "Vạn Lộc": ["Đa Lộc", "Ngư Lộc", "Hưng Lộc", "Minh Lộc", "Hải Lộc", "Hòa Lộc"],
}
KNOWN_VILLAGES = {
    "Đa Lộc": ["Ninh Phú", "Đông Thành", "Vạn Thắng", "Hùng Thành"],
    "Quang Lộc": ["Hiển Vinh"],
    "Hải Lộc": ["Y Bích"],
}
DA_LOC_CELLS, DA_LOC_MEMBERS = 14, 285
# Agency party committees with cells of their own, and their cell count.
AGENCY_COMMITTEES = {
    "Đảng bộ Quân sự huyện": ["Ban Chỉ huy", "Tham mưu", "Chính trị", "Hậu cần - Kỹ thuật"],
    "Đảng bộ Công an huyện": ["An ninh", "Cảnh sát", "Tham mưu - Hậu cần", "Trại tạm giam"],
    "Đảng bộ Cơ quan Chính quyền huyện": [
        "Văn phòng HĐND - UBND",
        "Phòng Tài chính - Kế hoạch",
        "Phòng Nội vụ",
        "Phòng Tài nguyên - Môi trường",
        "Phòng Kinh tế - Hạ tầng",
        "Phòng Nông nghiệp",
        "Phòng Văn hóa - Thông tin",
        "Phòng Lao động - TBXH",
    ],
    "Đảng bộ Khối Đảng - Đoàn thể huyện": [
        "Văn phòng Huyện ủy",
        "Ban Tổ chức",
        "Ban Tuyên giáo",
        "Ủy ban Kiểm tra",
        "Ủy ban MTTQ",
        "Các đoàn thể",
    ],
}
# Base organisations that are a single cell (chi bộ cơ sở): members sit in them directly.
AGENCY_CELLS = [
    "Chi bộ Trung tâm Chính trị huyện",
    "Chi bộ Trường THPT Hậu Lộc 1",
    "Chi bộ Trường THPT Hậu Lộc 2",
    "Chi bộ Trường THPT Hậu Lộc 3",
    "Chi bộ Trường THPT Hậu Lộc 4",
    "Chi bộ Trung tâm GDNN - GDTX",
    "Chi bộ Trung tâm Y tế huyện",
    "Chi bộ Bệnh viện Đa khoa huyện",
    "Chi bộ Viện Kiểm sát",
    "Chi bộ Tòa án",
    "Chi bộ Chi cục Thuế",
    "Chi bộ Kho bạc Nhà nước",
    "Chi bộ Ngân hàng NN&PTNT",
    "Chi bộ Ngân hàng Chính sách xã hội",
    "Chi bộ Chi cục Thi hành án",
    "Chi bộ Điện lực Hậu Lộc",
    "Chi bộ Bưu điện huyện",
    "Chi bộ Phòng Giáo dục - Đào tạo",
    "Chi bộ Trung tâm Văn hóa - Thể thao",
    "Chi bộ Hạt Kiểm lâm",
    "Chi bộ Ban Quản lý dự án",
]
SYLLABLES_1 = [
    "Phú",
    "Hưng",
    "Thịnh",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Yên",
    "Tân",
    "Minh",
    "Quang",
    "Hòa",
    "An",
    "Phúc",
    "Vinh",
    "Mỹ",
    "Xuân",
    "Thượng",
    "Hạ",
    "Đại",
    "Thọ",
]
SYLLABLES_2 = [
    "Lộc",
    "Thành",
    "Thắng",
    "Lợi",
    "Hải",
    "Sơn",
    "Bình",
    "Khang",
    "Phong",
    "Hậu",
    "Tiến",
    "Long",
    "Ninh",
    "Thuận",
    "Hòa",
    "Xá",
    "Giang",
    "Châu",
]
COMMUNE_CELLS = [
    "Trường Mầm non",
    "Trường Tiểu học",
    "Trường THCS",
    "Trạm Y tế",
    "Công an xã",
    "Quân sự xã",
]


def slug(text: str) -> str:
    return search_key(text).replace(" ", "").replace("-", "").upper()[:12]


# Demo accounts: user name, password, who they are. The password is public: demo only.
DEMO_PASSWORD = "HauLoc@2021"
ACCOUNTS = [
    ("quantri", DEMO_PASSWORD, "Quản trị hệ thống (toàn Đảng)"),
    ("huyenuy", DEMO_PASSWORD, "Cán bộ Ban Tổ chức Huyện ủy Hậu Lộc (đến 30/06/2025)"),
    ("xadaloc", DEMO_PASSWORD, "Cán bộ Đảng ủy xã Đa Lộc, từ 01/07/2025 xã Vạn Lộc"),
    ("bithuninhphu", DEMO_PASSWORD, "Bí thư Chi bộ thôn Ninh Phú"),
    ("dangvien", DEMO_PASSWORD, "Đảng viên Chi bộ thôn Ninh Phú"),
]
FULL_NAMES = {
    "quantri": "Quản trị hệ thống",
    "huyenuy": "Phạm Thị Hường",
    "xadaloc": "Lê Văn Chín",
    "bithuninhphu": "Nguyễn Văn Thắng",
    "dangvien": "Trần Thị Lan",
}


class Named(NamedTuple):
    """Someone the article or a demo account names, placed in a cell (one of the 8.900)."""

    key: str
    full_name: str
    base: str
    cell: str
    sex: str
    admitted: date
    born: date
    username: str | None = None


DA_LOC = "Đảng bộ xã Đa Lộc"
NAMED_MEMBERS = [
    Named(
        "secretary",
        "Nguyễn Văn Thắng",
        DA_LOC,
        "Chi bộ thôn Ninh Phú",
        "M",
        date(1995, 3, 26),
        date(1968, 10, 2),
        "bithuninhphu",
    ),
    Named(
        "member",
        "Trần Thị Lan",
        DA_LOC,
        "Chi bộ thôn Ninh Phú",
        "F",
        date(2018, 5, 19),
        date(1994, 3, 8),
        "dangvien",
    ),
    Named(
        "da_loc_secretary",
        "Lê Văn Chín",
        DA_LOC,
        "Chi bộ thôn Đông Thành",
        "M",
        date(1992, 9, 2),
        date(1966, 4, 12),
    ),
    Named(
        "district_deputy",
        "Phạm Thị Hường",
        "Đảng bộ Khối Đảng - Đoàn thể huyện",
        "Chi bộ Văn phòng Huyện ủy",
        "F",
        date(1994, 5, 19),
        date(1970, 8, 20),
    ),
]


@dataclass
class Demo:
    """What `build` made, for the command's summary and for later features' demo parts."""

    units: int = 0
    members: int = 0
    ninh_phu: Unit | None = None
    people: dict[str, Member] = field(default_factory=dict)


def build(
    progress_stream: object | None = None, history_from: date = demo_meetings.HISTORY_FROM
) -> Demo:
    rng = random.Random(SEED)
    ids = IdNumbers(rng)
    demo = Demo()
    users = {
        username: account_services.create_user(
            username, actor=None, password=password, full_name=FULL_NAMES[username]
        )
        for username, password, _about in ACCOUNTS
    }
    actor: User = users["quantri"]
    central = unit_services.create_unit(
        None,
        actor=actor,
        kind=UnitKind.CENTRAL,
        name="Đảng Cộng sản Việt Nam",
        code="TW",
        on=date(1930, 2, 3),
    )
    province = unit_services.create_unit(
        central,
        actor=actor,
        kind=UnitKind.PROVINCE,
        name="Đảng bộ tỉnh Thanh Hóa",
        code="TH",
        on=date(1930, 7, 29),
    )
    district = unit_services.create_unit(
        province,
        actor=actor,
        kind=UnitKind.DISTRICT,
        name="Đảng bộ huyện Hậu Lộc",
        code="TH-HL",
        on=DATA_FROM,
        basis="Dữ liệu từ 01/01/2015",
    )

    plan = _plan_cells(rng)
    members_per_cell = _plan_members(rng, plan)
    bar = Progress(len(plan) + 60, "Tổ chức demo / demo units", stream=progress_stream)  # type: ignore[arg-type]
    created_bases: dict[str, Unit] = {}
    for (base_name, base_code, _base_is_commune), cells in _group(plan).items():
        base = unit_services.create_unit(
            district,
            actor=actor,
            kind=UnitKind.BASE,
            name=base_name,
            code=base_code,
            on=DATA_FROM,
        )
        created_bases[base_name] = base
        if not cells:  # a chi bộ cơ sở holds its members itself
            _roll(base, members_per_cell[(base_name, None)], rng, ids, actor)
        for cell_name, cell_code in cells:
            cell = unit_services.create_unit(
                base,
                actor=actor,
                kind=UnitKind.CELL,
                name=cell_name,
                code=cell_code,
                on=DATA_FROM,
            )
            named = [n for n in NAMED_MEMBERS if (n.base, n.cell) == (base_name, cell_name)]
            if cell_name == "Chi bộ thôn Ninh Phú":
                demo.ninh_phu = cell
            _roll(cell, members_per_cell[(base_name, cell_name)] - len(named), rng, ids, actor)
            for n in named:
                demo.people[n.key] = member_services.register_member(
                    cell,
                    actor=actor,
                    details=_person(rng, ids, n.full_name, n.sex, n.born, n.admitted),
                    on=max(n.admitted, DATA_FROM),
                    user=users[n.username] if n.username else None,
                    basis="Danh sách demo",
                )
            bar.advance()
        bar.advance()

    _roles_2021(users, central, district, created_bases, demo, actor)
    _life_of_members(demo, district, created_bases, actor, rng)
    _reform_2025(province, district, created_bases, actor)
    _transfers(actor)
    # Admissions since 2021 first: the meeting books then expect every member of their day.
    demo_recruitment.build(actor, rng)
    demo_meetings.build_history(actor, rng, since=history_from, stream=progress_stream)
    demo_meetings.build(actor, rng)
    account_services.assign_role(
        users["xadaloc"],
        actor=actor,
        unit=Unit.objects.get(code="TH-VANLOC"),
        role=Role.STAFF,
        valid_from=REFORM_DAY,
    )
    demo_compliance.build(actor, rng)
    bar.advance(60)
    demo.units = Unit.objects.count()
    demo.members = Member.objects.count()
    return demo


def _plan_cells(rng: random.Random) -> list[tuple[tuple[str, str, bool], tuple[str, str] | None]]:
    """(base organisation, cell or None) pairs: 326 cells under 50 base organisations."""
    plan: list[tuple[tuple[str, str, bool], tuple[str, str] | None]] = []
    used: set[str] = set()

    def unique(code: str) -> str:
        # Names that differ only by their tone marks (Hoa Lộc, Hòa Lộc) get a number.
        candidate, n = code, 1
        while candidate in used:
            n += 1
            candidate = f"{code}{n}"
        used.add(candidate)
        return candidate

    communes = [c for olds in COMMUNES.values() for c in olds]
    agency_cells = sum(len(v) for v in AGENCY_COMMITTEES.values())
    others = [c for c in communes if c != "Đa Lộc"]
    remaining = TOTAL_CELLS - DA_LOC_CELLS - agency_cells
    counts = _split_total(rng, remaining, len(others), low=8, high=17)
    per_commune = dict(zip(others, counts, strict=True)) | {"Đa Lộc": DA_LOC_CELLS}
    for commune in communes:
        title = commune if commune.startswith("thị trấn") else f"xã {commune}"
        base = (f"Đảng bộ {title}", unique(f"HL-{slug(commune)}"), True)
        n = per_commune[commune]
        service_cells = COMMUNE_CELLS[: min(len(COMMUNE_CELLS), max(2, n // 4))]
        villages = list(KNOWN_VILLAGES.get(commune, []))
        pool = [f"{a} {b}" for a in SYLLABLES_1 for b in SYLLABLES_2 if a != b]
        rng.shuffle(pool)
        while len(villages) < n - len(service_cells):
            name = pool.pop()
            if name not in villages:
                villages.append(name)
        names = [f"Chi bộ thôn {v}" for v in villages] + [
            f"Chi bộ {s} {commune}" for s in service_cells
        ]
        for name in names:
            plan.append((base, (name, unique(f"{base[1]}-{slug(name.removeprefix('Chi bộ '))}"))))
    for committee, cells in AGENCY_COMMITTEES.items():
        base = (committee, unique(f"HL-{slug(committee.removeprefix('Đảng bộ '))}"), False)
        for cell in cells:
            plan.append((base, (f"Chi bộ {cell}", unique(f"{base[1]}-{slug(cell)}"))))
    for agency in AGENCY_CELLS:
        plan.append(((agency, unique(f"HL-{slug(agency.removeprefix('Chi bộ '))}"), False), None))
    return plan


def _split_total(rng: random.Random, total: int, parts: int, *, low: int, high: int) -> list[int]:
    """`parts` whole numbers between about `low` and `high` that add up to `total` exactly."""
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(parts), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _group(plan):  # type: ignore[no-untyped-def]
    grouped: dict[tuple[str, str, bool], list[tuple[str, str]]] = {}
    for base, cell in plan:
        grouped.setdefault(base, [])
        if cell is not None:
            grouped[base].append(cell)
    return grouped


def _plan_members(rng: random.Random, plan) -> dict[tuple[str, str | None], int]:  # type: ignore[no-untyped-def]
    """Members per cell (or per chi bộ cơ sở): 8.900 in all, 285 in Đa Lộc, at least 3 each."""
    keys = [(base[0], cell[0] if cell else None) for base, cell in plan]
    da_loc = [k for k in keys if k[0] == "Đảng bộ xã Đa Lộc"]
    rest = [k for k in keys if k[0] != "Đảng bộ xã Đa Lộc"]
    result = dict(zip(da_loc, _at_least(rng, DA_LOC_MEMBERS, da_loc), strict=True))
    result |= dict(zip(rest, _at_least(rng, TOTAL_MEMBERS - DA_LOC_MEMBERS, rest), strict=True))
    return result


def _at_least(rng: random.Random, total: int, keys: list[tuple[str, str | None]]) -> list[int]:
    # Village cells are the large ones; school, station and agency cells are small.
    def weight(key: tuple[str, str | None]) -> float:
        name = key[1] or key[0]
        return rng.uniform(18, 45) if "thôn" in name else rng.uniform(4, 14)

    weights = [weight(k) for k in keys]
    floor = 3
    spare = total - floor * len(keys)
    scale = spare / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(keys)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: spare - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


def _person(
    rng: random.Random, ids: IdNumbers, name: str, sex: str, born: date, admitted: date
) -> member_services.MemberDetails:
    occupation, workplace, dues = rng.choice(OCCUPATIONS)
    decided = admitted - timedelta(days=rng.randrange(7, 30))
    recognised = admitted + relativedelta(months=12, days=rng.randrange(0, 60))
    retired = (ARTICLE_DAY - born).days > 62 * 365
    if retired:
        occupation, workplace, dues = "Hưu trí", "", "pension"
    return member_services.MemberDetails(
        full_name=name,
        sex=sex,
        birth_date=born,
        hometown=rng.choice(HOMETOWNS),
        address=f"Thôn {rng.choice(['Ninh Phú', 'Đông Thành', 'Vạn Thắng', 'Phú Thượng'])}",
        phone=f"09{rng.randrange(10**8):08d}",
        citizen_id=ids.citizen_id(sex, born.year),
        ethnicity="Kinh" if rng.random() < 0.99 else "Mường",
        religion="Không" if rng.random() < 0.93 else "Công giáo",
        education=rng.choice(EDUCATION),
        occupation=occupation,
        workplace=workplace,
        card_number=ids.card_number(),
        admission_decided_on=decided,
        admitted_on=admitted,
        recognised_on=recognised,
        dues_category=dues,
        dues_monthly=rng.choice([5_000, 10_000, 15_000, 20_000]) if dues == "other" else None,
    )


# Admissions 1/2016 – 8/2021 drawn by _roll, per year: with Trần Thị Lan (2018), the article's 944.
ROLL_ADMISSIONS = {2016: 160, 2017: 165, 2018: 171, 2019: 168, 2020: 149, 2021: 130}


class _NewMembers:
    """Which of the members _roll draws were admitted in 1/2016 – 8/2021, and when: exactly
    ROLL_ADMISSIONS of them, spread over the roll by a generator of their own so that the
    other members (and their names) come out of the demo's generator as before."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng  # the build's generator: a new build starts a new plan
        own = random.Random(SEED + 16)
        slots = TOTAL_MEMBERS - len(NAMED_MEMBERS)
        days: list[date] = []
        for year, n in ROLL_ADMISSIONS.items():
            last = min(date(year, 12, 31), ARTICLE_DAY)
            span = (last - date(year, 1, 1)).days + 1
            days += [date(year, 1, 1) + timedelta(days=own.randrange(span)) for _ in range(n)]
        own.shuffle(days)
        chosen = sorted(own.sample(range(3, slots), len(days)))
        self.days = dict(zip(chosen, days, strict=True))
        self.seen = 0

    def next(self) -> date | None:
        day = self.days.get(self.seen)
        self.seen += 1
        return day


_NEW: _NewMembers | None = None


def _roll(unit: Unit, count: int, rng: random.Random, ids: IdNumbers, actor: User) -> None:
    global _NEW
    if _NEW is None or _NEW.rng is not rng:
        _NEW = _NewMembers(rng)
    people, days = [], []
    for _ in range(count):
        name, sex = person(rng)
        rng.random()  # the draw that once chose who was new: kept, so the names stay the same
        admitted_new = _NEW.next()
        if admitted_new is not None:
            admitted = admitted_new
            born = admitted - timedelta(days=rng.randrange(19 * 365, 40 * 365))
            joined = admitted
        else:
            born = date(1938, 1, 1) + timedelta(days=rng.randrange(58 * 365))
            earliest = born + timedelta(days=19 * 365)
            admitted = earliest + timedelta(days=rng.randrange(max(1, (DATA_FROM - earliest).days)))
            joined = DATA_FROM
        details = _person(rng, ids, name, sex, born, admitted)
        if admitted_new is not None:
            # Official from the end of probation (Điều lệ Art. 5); those still on probation on
            # the article's day are recognised (or removed) by the recruitment demo.
            end = admitted + relativedelta(months=12)
            details.recognised_on = end if end <= ARTICLE_DAY else None
        people.append(details)
        days.append(joined)
    member_services.register_members(
        unit, actor=actor, people=people, on=days, basis="Danh sách demo"
    )


def _roles_2021(
    users: dict[str, User],
    central: Unit,
    district: Unit,
    bases: dict[str, Unit],
    demo: Demo,
    actor: User,
) -> None:
    ninh_phu = demo.ninh_phu
    assert ninh_phu is not None
    grants = [
        ("quantri", central, Role.ADMIN, date(2020, 1, 1), None),
        ("huyenuy", district, Role.STAFF, date(2016, 1, 1), REFORM_DAY - timedelta(days=1)),
        (
            "xadaloc",
            bases["Đảng bộ xã Đa Lộc"],
            Role.STAFF,
            date(2016, 1, 1),
            REFORM_DAY - timedelta(days=1),
        ),
        ("bithuninhphu", ninh_phu, Role.SECRETARY, date(2020, 8, 1), None),
        ("dangvien", ninh_phu, Role.MEMBER, date(2018, 5, 19), None),
    ]
    for username, unit, role, start, end in grants:
        account_services.assign_role(
            users[username], actor=actor, unit=unit, role=role, valid_from=start, valid_to=end
        )


def _life_of_members(
    demo: Demo, district: Unit, bases: dict[str, Unit], actor: User, rng: random.Random
) -> None:
    """Committees, supervision, exemptions and deaths: what a district's roll looks like."""
    people = demo.people
    da_loc = bases["Đảng bộ xã Đa Lộc"]
    term = date(2020, 8, 1)  # the 2020–2025 term (illustrative day)
    seats = [
        ("district_deputy", district, Body.STANDING, Position.STANDING_DEPUTY),
        ("da_loc_secretary", da_loc, Body.COMMITTEE, Position.SECRETARY),
        ("secretary", demo.ninh_phu, Body.CELL_COMMITTEE, Position.SECRETARY),
    ]
    for key, unit, body, position in seats:
        assert unit is not None
        committee_services.appoint(
            people[key],
            actor=actor,
            unit=unit,
            body=body,
            position=position,
            valid_from=term,
            basis="Đại hội nhiệm kỳ 2020–2025",
        )
    # The district standing committee watches over communes, commune committees over cells.
    committee_services.assign_supervisor(
        people["district_deputy"],
        actor=actor,
        unit=da_loc,
        valid_from=term,
        basis="Quyết định phân công của Ban Thường vụ Huyện ủy",
    )
    committee_services.assign_supervisor(
        people["da_loc_secretary"],
        actor=actor,
        unit=Unit.objects.get(name="Chi bộ thôn Ninh Phú", code__startswith="HL-DALOC"),
        valid_from=term,
        basis="Nghị quyết phân công của Đảng ủy xã",
    )
    # Elderly, frail members exempted by their cell (RULES.md §2.3), and a few deaths.
    elderly = list(Member.objects.filter(birth_date__lt=date(1944, 1, 1)).order_by("pk")[::9][:60])
    for number, member in enumerate(elderly, start=1):
        day = date(2019, 1, 5) + timedelta(days=rng.randrange(900))
        member_services.exempt_member(
            member,
            actor=actor,
            on=day,
            extent=rng.choice(["full", "full", "partial"]),
            basis=member_services.Basis(f"{number:02d}-NQ/CB", day, "Tuổi cao, sức yếu"),
        )
    for member in elderly[:8]:
        member_services.record_death(
            member,
            actor=actor,
            on=date(2022, 3, 1) + timedelta(days=rng.randrange(1000)),
            basis=member_services.Basis(reason="Từ trần"),
        )


def _ordinary_members(cell: Unit, on: date, count: int) -> list[Member]:
    """`count` members on the cell's roll on `on` in ordinary standing, none of the named ones."""
    named = {n.full_name for n in NAMED_MEMBERS}
    rows = (
        member_selectors.members_on(cell.pk, on)
        .filter(status__in=["official", "probationary"])  # type: ignore[misc]  # annotated
        .exclude(member__full_name__in=named)
        .order_by("member_id")
    )
    return [row.member for row in rows[:count]]


def _transfers(actor: User) -> None:
    """Transfers of every kind, some across the 2025 restructuring, two still pending today."""
    cells = {
        u.name: u for u in Unit.objects.filter(kind=UnitKind.CELL, code__startswith="HL-DALOC")
    }
    ninh_phu, dong_thanh = cells["Chi bộ thôn Ninh Phú"], cells["Chi bộ thôn Đông Thành"]
    van_thang, hung_thanh = cells["Chi bộ thôn Vạn Thắng"], cells["Chi bộ thôn Hùng Thành"]
    y_bich = Unit.objects.get(name="Chi bộ thôn Y Bích", code__startswith="HL-HAILOC")
    official, temporary = TransferKind.OFFICIAL, TransferKind.TEMPORARY

    def move(
        member: Member,
        kind: str,
        to: Unit | None,
        letter: date,
        confirm: date | None,
        number: str,
        **extra: object,
    ) -> None:
        transfer = transfer_services.issue_transfer(
            member,
            actor=actor,
            kind=kind,
            to_unit=to,
            letter_number=number,
            letter_date=letter,
            effective_on=letter,
            **extra,  # type: ignore[arg-type]
        )
        if confirm is not None:
            transfer_services.confirm_transfer(transfer, actor=actor, on=confirm)

    # Study away for most of 2021: attached to Vạn Thắng, still counted in Hùng Thành.
    for i, member in enumerate(_ordinary_members(hung_thanh, date(2021, 2, 1), 3), start=1):
        move(
            member,
            temporary,
            van_thang,
            date(2021, 2, 1),
            date(2021, 2, 8),
            f"{i:02d}-GGT/ĐU",
            until=date(2021, 12, 31),
            reason="Học tập",
        )
    # A family moving within the commune (2023), and across the 2025 merger.
    for i, member in enumerate(_ordinary_members(ninh_phu, date(2023, 3, 1), 2), start=11):
        move(member, official, dong_thanh, date(2023, 3, 1), date(2023, 3, 10), f"{i}-GGT/ĐU")
    for member in _ordinary_members(y_bich, date(2025, 6, 20), 1):
        move(
            member,
            official,
            ninh_phu,
            date(2025, 6, 20),
            date(2025, 7, 8),
            "21-GGT/ĐU",
            reason="Chuyển nơi cư trú",
        )
    # Out of the system: to Hà Nội.
    for member in _ordinary_members(van_thang, date(2024, 9, 1), 1):
        move(
            member,
            official,
            None,
            date(2024, 9, 1),
            None,
            "30-GGT/ĐU",
            destination_text="Đảng bộ phường Ba Đình, thành phố Hà Nội",
        )
    # Still pending today: one recent, one past the 30 working days.
    now = today()
    for member in _ordinary_members(ninh_phu, now - timedelta(days=10), 1):
        move(member, official, dong_thanh, now - timedelta(days=10), None, "41-GGT/ĐU")
    for member in _ordinary_members(dong_thanh, now - timedelta(days=70), 1):
        move(member, official, ninh_phu, now - timedelta(days=70), None, "35-GGT/ĐU")


def _reform_2025(province: Unit, district: Unit, bases: dict[str, Unit], actor: User) -> None:
    """1/7/2025: the district ends; its communes merge into five communes under the province."""
    new_communes = {}
    for new_name, olds in COMMUNES.items():
        commune = unit_services.create_unit(
            province,
            actor=actor,
            kind=UnitKind.COMMUNE,
            name=f"Đảng bộ xã {new_name}",
            code=f"TH-{slug(new_name)}",
            on=REFORM_DAY,
            basis=REFORM_BASIS,
        )
        new_communes[new_name] = commune
        sources = [bases[f"Đảng bộ {o if o.startswith('thị trấn') else 'xã ' + o}"] for o in olds]
        unit_services.merge_units(
            sources, actor=actor, into=commune, on=REFORM_DAY, basis=REFORM_BASIS
        )
    hau_loc = new_communes["Hậu Lộc"]
    for name, base in bases.items():
        if not name.startswith("Đảng bộ xã") and not name.startswith("Đảng bộ thị trấn"):
            unit_services.move_unit(
                base, actor=actor, new_parent=hau_loc, on=REFORM_DAY, basis=REFORM_BASIS
            )
    # The committees of the ended units end with them, and so does the supervision they gave.
    for assignment in SupervisionAssignment.objects.filter(valid_to__isnull=True):
        committee_services.end_supervision(
            assignment, actor=actor, on=REFORM_DAY, basis=REFORM_BASIS
        )
    for seat in CommitteeSeat.objects.filter(
        valid_to__isnull=True, unit__in=[district, *bases.values()]
    ):
        committee_services.end_seat(seat, actor=actor, on=REFORM_DAY, basis=REFORM_BASIS)
    unit_services.dissolve_unit(district, actor=actor, on=REFORM_DAY, basis=REFORM_BASIS)
