"""The demo's admissions: the article's 944 admitted from 1/2016 to 8/2021 (drawn by the roll in
`organisation._roll`) recognised a year later, a few removed during probation; admissions since
then; yearly targets below what was achieved; and today, candidates at every step across the
former district, some of them overdue.

Past admissions are written in bulk through the members service (`register_members`); today's
candidates go through the recruitment services step by step, with every check. It runs after
the meetings demo: Đa Lộc's cells, whose last months of meetings that demo holds through the
services, get no new member before those meetings, so that their rolls stay as they were taken.
"""

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from chibo.accounts.models import User
from chibo.committees import services as committee_services
from chibo.committees.models import Body, Position
from chibo.demo.names import EDUCATION, OCCUPATIONS, IdNumbers, person
from chibo.lib.dates import today
from chibo.lib.intervals import active_on
from chibo.members import services as member_services
from chibo.members.models import Member, MemberStatus, Status
from chibo.recruitment import report, services, steps
from chibo.recruitment.models import Candidate, IntroducerKind, Relation, Stage, StepKind, Verdict
from chibo.units.models import Unit, UnitKind

ARTICLE_DAY = date(2021, 8, 31)
REFORM_DAY = date(2025, 7, 1)
REMOVED_IN_PROBATION = 5
# Admissions after the article, per year (the current year up to two months ago).
LATER = {2021: 58, 2022: 181, 2023: 176, 2024: 186, 2025: 172, 2026: 140}
DA_LOC = "HL-DALOC"


def build(actor: User, rng: random.Random) -> None:
    own = random.Random(2021 + 5)
    _end_probations(actor, own)
    _later_admissions(actor, own)
    _targets(actor, own)
    _pipeline_today(actor, own)


def _end_probations(actor: User, rng: random.Random) -> None:
    """Members still on probation on the article's day: recognised from the end of their
    probation (however late the decision), a few outside Đa Lộc removed instead."""
    probationary = list(
        Member.objects.filter(admitted_on__isnull=False, recognised_on__isnull=True)
        .exclude(memberships__unit__code__startswith=DA_LOC)
        .order_by("pk")
    )
    removed = set(m.pk for m in rng.sample(probationary, REMOVED_IN_PROBATION))
    for member in Member.objects.filter(
        admitted_on__isnull=False, recognised_on__isnull=True
    ).order_by("pk"):
        assert member.admitted_on is not None
        end = member.admitted_on + relativedelta(months=12)
        decided = end + timedelta(days=rng.randrange(20, 70))
        current = MemberStatus.objects.get(member=member, valid_to__isnull=True)
        if member.pk in removed:
            member_services.remove_member(
                member,
                actor=actor,
                on=decided,
                basis=member_services.Basis(
                    f"{rng.randrange(100, 400)}-QĐ/HU", decided, "Không đủ tư cách đảng viên"
                ),
            )
        elif current.status == Status.PROBATIONARY:
            # Attached elsewhere during probation: the chain cannot take a change before the
            # link that followed, so recognition starts the day after it began (members service).
            member_services.recognise_member(
                member,
                actor=actor,
                on=max(end, current.valid_from + timedelta(days=1)),
                basis=member_services.Basis(f"{rng.randrange(100, 400)}-QĐ/HU", decided),
            )


def _details(rng: random.Random, ids: IdNumbers, admitted: date) -> member_services.MemberDetails:
    name, sex = person(rng)
    born = admitted - timedelta(days=rng.randrange(19 * 365, 38 * 365))
    occupation, workplace, _dues = rng.choice(OCCUPATIONS)
    end = admitted + relativedelta(months=12)
    return member_services.MemberDetails(
        full_name=name,
        sex=sex,
        birth_date=born,
        citizen_id=ids.citizen_id(sex, born.year),
        card_number=ids.card_number(),
        education=rng.choice(EDUCATION),
        occupation=occupation,
        workplace=workplace,
        admission_decided_on=admitted - timedelta(days=rng.randrange(7, 30)),
        admitted_on=admitted,
        recognised_on=end if end <= today() else None,
    )


def _ids(rng: random.Random) -> IdNumbers:
    ids = IdNumbers(rng)
    ids.used |= {v for v in Member.objects.values_list("citizen_id", flat=True) if v}
    ids.used |= {v for v in Member.objects.values_list("card_number", flat=True) if v}
    return ids


def _cells_on(day: date, cells: list[Unit]) -> list[Unit]:
    return [c for c in cells if c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)]


def _later_admissions(actor: User, rng: random.Random) -> None:
    """Admissions from 9/2021 to two months ago in the cells outside Đa Lộc, written in bulk
    through the members service; recognised a year later."""
    # Cells, and the base organisations that are one cell (chi bộ cơ sở): never a commune's
    # base organisation, whose cells moved away in 2025 (it has no children left to show it).
    cells = list(
        Unit.objects.filter(
            Q(kind=UnitKind.CELL) | Q(kind=UnitKind.BASE, name__startswith="Chi bộ"),
            code__startswith="HL-",
        )
        .exclude(code__startswith=DA_LOC)
        .order_by("code")
    )
    ids = _ids(rng)
    last = today() - timedelta(days=60)
    by_cell: dict[int, list[tuple[date, member_services.MemberDetails]]] = {}
    units = {c.pk: c for c in cells}
    for year, n in LATER.items():
        first = max(date(year, 1, 1), ARTICLE_DAY + timedelta(days=1))
        final = min(date(year, 12, 31), last)
        if final < first:
            continue
        for _ in range(n):
            day = first + timedelta(days=rng.randrange((final - first).days + 1))
            if day == REFORM_DAY:
                day += timedelta(days=1)
            open_cells = _cells_on(day, cells)
            cell = rng.choice(open_cells)
            by_cell.setdefault(cell.pk, []).append((day, _details(rng, ids, day)))
    for cell_id, people in by_cell.items():
        member_services.register_members(
            units[cell_id],
            actor=actor,
            people=[p for _d, p in people],
            on=[d for d, _p in people],
            basis="Lễ kết nạp (dữ liệu demo)",
        )


def _targets(actor: User, rng: random.Random) -> None:
    """Yearly targets below what was achieved: the district's and its bases' for 2016–2025, the
    new communes' for 2025 and 2026 (the current year's a little above the pro-rata point)."""
    district = Unit.objects.get(code="TH-HL")
    basis = "Nghị quyết Đại hội Đảng bộ huyện lần thứ XXIV, nhiệm kỳ 2015–2020 (minh họa)"
    figures = report.report(district, date(2016, 1, 1), date(2025, 6, 30))
    for line in figures.years:
        target = int(line.admitted / max(line.share, 0.01) * 0.85) // 5 * 5
        services.set_target(district, actor=actor, year=line.year, target=target, basis=basis)
    for child in figures.children:
        base = Unit.objects.get(pk=child.unit_id)
        per_year = report.report(base, date(2016, 1, 1), date(2021, 12, 31))
        for line in per_year.years:
            if line.admitted:
                target = max(1, line.admitted - rng.randrange(0, 2))
                services.set_target(
                    base,
                    actor=actor,
                    year=line.year,
                    target=target,
                    basis="Nghị quyết đại hội đảng bộ (minh họa)",
                )
    for commune in Unit.objects.filter(kind=UnitKind.COMMUNE, code__startswith="TH-").order_by(
        "code"
    ):
        done = report.report(commune, date(2025, 7, 1), date(2025, 12, 31)).total.admitted
        services.set_target(
            commune,
            actor=actor,
            year=2025,
            target=max(1, int(done * 0.9)),
            basis="Nghị quyết Đại hội Đảng bộ xã lần thứ I (minh họa)",
        )
        now = report.progress(commune, today().year)
        pace = now.report.total.admitted / max(now.share, 0.1)
        services.set_target(
            commune,
            actor=actor,
            year=today().year,
            target=max(2, int(pace * rng.uniform(0.85, 1.15))),
            basis="Nghị quyết Đảng ủy xã về nhiệm vụ năm (minh họa)",
        )


# Today's pipeline ----------------------------------------------------------------------------


def _seat_committees(actor: User) -> dict[int, list[Member]]:
    """Each new commune's committee (from 1/7/2025): five official members of its cells."""
    seated: dict[int, list[Member]] = {}
    for commune in Unit.objects.filter(kind=UnitKind.COMMUNE, code__startswith="TH-").order_by(
        "code"
    ):
        members = list(
            Member.objects.filter(
                active_on(REFORM_DAY, "memberships__"),
                memberships__unit__parent=commune,
                statuses__status=Status.OFFICIAL,
                statuses__valid_to__isnull=True,
                birth_date__gt=date(1960, 1, 1),
            )
            .distinct()
            .order_by("pk")[:5]
        )
        for member in members:
            committee_services.appoint(
                member,
                actor=actor,
                unit=commune,
                body=Body.COMMITTEE,
                position=Position.MEMBER,
                valid_from=REFORM_DAY,
                basis="Quyết định chỉ định Ban Chấp hành Đảng bộ xã (minh họa)",
            )
        seated[commune.pk] = members
    return seated


def _officials(cell: Unit, on: date) -> list[Member]:
    return list(
        Member.objects.filter(
            active_on(on, "memberships__"),
            memberships__unit=cell,
            memberships__kind="official",
            statuses__status=Status.OFFICIAL,
            statuses__valid_to__isnull=True,
            memberships__valid_from__lte=on - relativedelta(months=13),
        )
        .distinct()
        .order_by("pk")[:4]
    )


def _step(c: Candidate, kind: str, on: date, actor: User, **values: object) -> None:
    steps.record_step(c, kind, actor=actor, data=steps.StepInput(on=on, **values))  # type: ignore[arg-type]


def _vote(cell: Unit, on: date) -> int:
    from chibo.committees.selectors import official_member_count

    return -(-official_member_count(cell, on) * 2 // 3)


# Where each of today's candidates stands, and how long ago they were listed (days).
PLAN: list[tuple[str, int]] = [
    (Stage.LISTED, 20),
    (Stage.CERTIFIED, 60),
    (Stage.APPLIED, 80),
    (Stage.DECLARED, 100),
    (Stage.VERIFIED, 120),
    (Stage.READY, 150),
    (Stage.PROPOSED, 100),
    (Stage.PROPOSED, 250),  # overdue: no decision within 60 working days
    (Stage.ENDORSED, 110),
    (Stage.DECIDED, 90),
    (Stage.DECIDED, 200),  # overdue: no ceremony within 30 working days
    (Stage.PROBATION, 445),  # probation ends within 30 days
    (Stage.PROBATION, 400),
    (Stage.PROBATION, 540),  # overdue: the cell has not considered recognition
    (Stage.PROBATION, 470),
]
ORDER: list[str] = [
    Stage.LISTED,
    Stage.CERTIFIED,
    Stage.APPLIED,
    Stage.DECLARED,
    Stage.VERIFIED,
    Stage.READY,
    Stage.PROPOSED,
    Stage.ENDORSED,
    Stage.DECIDED,
    Stage.PROBATION,
]


def _pipeline_today(actor: User, rng: random.Random) -> None:
    """Candidates at every step in cells of each new commune, through the real services."""
    ids = _ids(random.Random("candidates"))  # their own draws: the rest of the demo is unchanged
    seated = _seat_committees(actor)
    now = today()
    cells = list(
        Unit.objects.filter(
            kind=UnitKind.CELL, valid_to__isnull=True, parent__kind=UnitKind.COMMUNE
        )
        .select_related("parent")
        .order_by("code")
    )
    ninh_phu = next(c for c in cells if c.name == "Chi bộ thôn Ninh Phú")
    plans: list[tuple[Unit, str, int]] = [
        (ninh_phu, Stage.READY, 200),
        (ninh_phu, Stage.LISTED, 30),
        (ninh_phu, Stage.VERIFIED, 150),
    ]
    others = [c for c in cells if not c.code.startswith(DA_LOC)]
    for i, (stage, back) in enumerate(PLAN * 2):
        plans.append((others[(i * 37) % len(others)], stage, back + rng.randrange(0, 8)))
    for cell, stage, back in plans:
        if not seated.get(cell.parent_id or 0):
            continue
        _candidate(cell, stage, now - timedelta(days=back), actor, rng, ids)


def _candidate(
    cell: Unit, stage: str, listed: date, actor: User, rng: random.Random, ids: IdNumbers
) -> None:
    name, sex = person(rng)
    youth = rng.random() < 0.4
    born = listed - timedelta(days=rng.randrange(19 * 365, 29 * 365 if youth else 45 * 365))
    officials = _officials(cell, listed)
    if len(officials) < 3:
        return
    c = services.add_candidate(
        cell,
        actor=actor,
        details=services.CandidateDetails(
            full_name=name,
            sex=sex,
            birth_date=born,
            education=rng.choice(
                ["lower_secondary", "upper_secondary", "vocational", "university"]
            ),
            occupation=rng.choice(["Nông dân", "Giáo viên", "Công nhân", "Kinh doanh", "Ngư dân"]),
            youth_union=youth,
            citizen_id=ids.citizen_id(sex, born.year),
        ),
        listed_on=listed,
        helper=officials[2],
    )
    target = ORDER.index(stage)
    day = listed + timedelta(days=7)
    gap = 9
    if target >= 1:
        _step(
            c,
            StepKind.CERTIFICATE,
            day,
            actor,
            by="Trung tâm Chính trị huyện Hậu Lộc",
            number=f"{rng.randrange(100, 999)}/GCN",
        )
    if target >= 2:
        _step(c, StepKind.APPLICATION, day + timedelta(days=gap), actor)
    if target >= 3:
        _step(c, StepKind.HISTORY, day + timedelta(days=2 * gap), actor, number="2-KNĐ")
    if target >= 4:
        for relation, who in (
            (Relation.SELF, name),
            (Relation.FATHER, person(rng)[0]),
            (Relation.MOTHER, person(rng)[0]),
        ):
            services.add_relative(
                c,
                actor=actor,
                relation=relation,
                full_name=who,
                verdict=Verdict.CLEAR,
                concluded_on=day + timedelta(days=3 * gap),
                by="Đảng ủy xã",
            )
        _step(
            c,
            StepKind.VERIFICATION,
            day + timedelta(days=3 * gap + 2),
            actor,
            number=f"{rng.randrange(1, 90)}-KL/ĐU",
            by=cell.parent.name if cell.parent else "",
        )
        for member in officials[:2]:
            services.add_introducer(
                c,
                actor=actor,
                kind=IntroducerKind.MEMBER,
                member=member,
                since=listed - relativedelta(months=15),
                assigned_on=day + timedelta(days=3 * gap + 3),
            )
    if target >= 5:
        _step(
            c,
            StepKind.OPINIONS,
            day + timedelta(days=4 * gap),
            actor,
            by="Chi đoàn, Hội Phụ nữ, Ban công tác Mặt trận thôn",
        )
    resolved = day + timedelta(days=5 * gap)
    if target >= 6:
        _step(
            c,
            StepKind.CELL_RESOLUTION,
            resolved,
            actor,
            number=f"{rng.randrange(1, 30):02d}-NQ/CB",
            votes_for=_vote(cell, resolved),
        )
    if target >= 7:
        assert cell.parent is not None
        size = services.committee_size(cell.parent, resolved + timedelta(days=gap))
        _step(
            c,
            StepKind.COMMITTEE_RESOLUTION,
            resolved + timedelta(days=gap),
            actor,
            number=f"{rng.randrange(1, 90)}-NQ/ĐU",
            votes_for=size,
        )
    if target >= 8:
        _step(
            c,
            StepKind.DECISION,
            resolved + timedelta(days=3 * gap),
            actor,
            number=f"{rng.randrange(100, 900)}-QĐ/ĐU",
        )
    if target >= 9:
        _step(
            c,
            StepKind.CEREMONY,
            resolved + timedelta(days=5 * gap),
            actor,
            by="Chi bộ",
            note="Lễ kết nạp trang trọng tại nhà văn hóa thôn",
        )
