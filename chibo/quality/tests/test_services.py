"""Meeting quality: frameworks issued by committees and inherited down the dated tree, the
self-assessment of a held meeting, its validation and levels, and the results by month."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Mark, Meeting, MeetingKind
from chibo.quality import selectors, services
from chibo.quality.models import Assessment, Criterion, Framework, Level, Score
from chibo.quality.tests.helpers import CRITERIA, LEVELS, make_framework
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit


def at(day: date, hour: int = 19) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def held(
    unit: Unit, day: date, kind: str = MeetingKind.REGULAR, close: bool = False, hour: int = 19
) -> Meeting:
    """A meeting of `unit` on `day` with everyone expected present."""
    meeting = meeting_services.plan_meeting(
        unit,
        actor=None,
        kind=kind,
        starts_at=at(day, hour),
        title="Chuyên đề" if kind == MeetingKind.THEMATIC else "",
    )
    marks = {m.pk: (Mark.PRESENT, "") for m in meeting_selectors.expected(meeting).members}
    meeting_services.record_attendance(meeting, actor=None, marks=marks)
    if close:
        meeting_services.close_meeting(
            meeting, actor=None, ends_at=meeting.starts_at + timedelta(minutes=120)
        )
    meeting.refresh_from_db()
    return meeting


def scores(framework: Framework, *points: int) -> dict[int, tuple[int, str]]:
    criteria = list(framework.criteria.order_by("position"))
    return {c.pk: (p, "") for c, p in zip(criteria, points, strict=True)}


def writes() -> tuple[int, ...]:
    return (
        Framework.objects.count(),
        Criterion.objects.count(),
        Level.objects.count(),
        Assessment.objects.count(),
        Score.objects.count(),
        AuditEvent.objects.count(),
    )


# Frameworks and inheritance


def test_the_nearest_framework_up_the_tree_on_the_day(tree: Tree) -> None:
    province = make_framework(tree.province, date(2018, 11, 14), name="Tỉnh")
    district = make_framework(tree.district, date(2021, 1, 1), name="Huyện")
    newer = make_framework(tree.district, date(2025, 1, 1), name="Huyện 2025")
    commune = make_framework(tree.commune_a, date(2023, 1, 1), name="Xã Đa Lộc")
    make_framework(tree.other_province, date(2010, 1, 1), name="Tỉnh khác")

    def used(unit: Unit, on: date) -> str | None:
        found = selectors.framework_for(unit, on)
        return found.name if found else None

    assert used(tree.cell_a1, date(2017, 6, 1)) is None
    assert used(tree.cell_a1, date(2018, 11, 14)) == province.name
    assert used(tree.cell_a1, date(2022, 6, 1)) == district.name
    assert used(tree.cell_a1, date(2023, 1, 1)) == commune.name
    # A lower unit's own framework wins over a newer one above it.
    assert used(tree.cell_a1, date(2025, 6, 1)) == commune.name
    assert used(tree.cell_b1, date(2024, 12, 31)) == district.name
    assert used(tree.cell_b1, date(2025, 1, 1)) == newer.name
    assert used(tree.other_cell, date(2025, 1, 1)) == "Tỉnh khác"


def test_inheritance_follows_the_tree_as_it_stood(tree: Tree) -> None:
    """A cell moved to another commune keeps its earlier meetings under the old framework."""
    make_framework(tree.commune_a, date(2020, 1, 1), name="Xã Đa Lộc")
    make_framework(tree.commune_b, date(2020, 1, 1), name="Xã Hải Lộc")
    unit_services.move_unit(
        tree.cell_b1, actor=None, new_parent=tree.commune_a, on=date(2024, 1, 1)
    )
    before = selectors.framework_for(tree.cell_b1, date(2023, 6, 1))
    after = selectors.framework_for(tree.cell_b1, date(2024, 6, 1))
    assert before is not None and before.name == "Xã Hải Lộc"
    assert after is not None and after.name == "Xã Đa Lộc"


def test_framework_for_reads_a_fixed_number_of_queries(tree: Tree) -> None:
    make_framework(tree.province, date(2018, 1, 1))
    make_framework(tree.district, date(2021, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        found = selectors.framework_for(tree.cell_a1, date(2024, 1, 1))
        assert found is not None
        assert [c.max_points for c in found.criteria.all()] == [20, 20, 30, 30]
        assert [lv.name for lv in found.levels.all()] == ["Tốt", "Khá", "Trung bình", "Kém"]
    assert len(captured) == 4


def test_a_framework_is_recorded_with_its_items(tree: Tree) -> None:
    framework = make_framework(tree.district)
    assert [(c.position, c.text, c.max_points) for c in framework.criteria.all()] == [
        (i, text, points) for i, (text, points) in enumerate(CRITERIA, start=1)
    ]
    assert [(lv.name, lv.min_points) for lv in framework.levels.all()] == LEVELS
    event = AuditEvent.objects.get(action="quality.framework.create")
    assert event.object_id == str(framework.pk)
    assert event.changes["criteria"][0] == [CRITERIA[0][0], 20]


@pytest.mark.parametrize(
    ("unit", "criteria", "levels", "message"),
    [
        ("cell_a1", CRITERIA, LEVELS, "cấp ủy"),
        ("central", CRITERIA, LEVELS, "cấp ủy"),
        ("district", [], LEVELS, "ít nhất một tiêu chí"),
        ("district", [("Chuẩn bị", 0)], LEVELS[-1:], "điểm tối đa"),
        ("district", [(" ", 10)], LEVELS[-1:], "điểm tối đa"),
        ("district", CRITERIA, [("Tốt", 85), ("Khá", 50)], "từ 0"),
        ("district", CRITERIA, [("Tốt", 85), ("Tốt", 0)], "riêng"),
        ("district", CRITERIA, [("Tốt", 85), ("Khá", 85), ("Kém", 0)], "riêng"),
        ("district", CRITERIA, [("Xuất sắc", 101), ("Kém", 0)], "từ 0 đến 100"),
        ("district", [("Một", 600), ("Hai", 600)], [("Kém", 0)], "không quá"),
    ],
)
def test_a_bad_framework_writes_nothing(
    tree: Tree,
    unit: str,
    criteria: list[tuple[str, int]],
    levels: list[tuple[str, int]],
    message: str,
) -> None:
    before = writes()
    with pytest.raises(ValidationError, match=message):
        make_framework(getattr(tree, unit), criteria=criteria, levels=levels)
    assert writes() == before


def test_one_framework_per_unit_and_start_date(tree: Tree) -> None:
    make_framework(tree.district, date(2021, 1, 1))
    before = writes()
    with pytest.raises(ValidationError, match="đã có khung"):
        make_framework(tree.district, date(2021, 1, 1))
    assert writes() == before
    make_framework(tree.province, date(2021, 1, 1))  # another unit may


def test_editing_a_framework_until_it_is_used(tree: Tree) -> None:
    framework = make_framework(tree.district, date(2021, 1, 1))
    criteria = [*CRITERIA[:3], ("Thực hiện nghị quyết tháng trước", 30)]
    services.edit_framework(
        framework,
        actor=None,
        name="Khung mới",
        basis="",
        valid_from=date(2021, 2, 1),
        criteria=criteria,
        levels=LEVELS,
    )
    framework.refresh_from_db()
    assert (framework.name, framework.valid_from) == ("Khung mới", date(2021, 2, 1))
    assert framework.criteria.get(position=4).text == "Thực hiện nghị quyết tháng trước"
    event = AuditEvent.objects.get(action="quality.framework.edit")
    assert set(event.changes) == {"name", "basis", "valid_from", "criteria"}
    # Once a meeting has been assessed against it, only the name and basis change.
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    services.assess_meeting(meeting, actor=None, points=scores(framework, 20, 20, 30, 30))
    before = writes()
    for change in (
        {"criteria": CRITERIA},
        {"levels": [("Đạt", 50), ("Không đạt", 0)]},
        {"valid_from": date(2021, 3, 1)},
    ):
        args = {"criteria": criteria, "levels": LEVELS, "valid_from": date(2021, 2, 1)} | change
        with pytest.raises(ValidationError, match="ban hành khung mới"):
            services.edit_framework(framework, actor=None, name="Khung mới", **args)  # type: ignore[arg-type]
    assert writes() == before
    services.edit_framework(
        framework,
        actor=None,
        name="Khung mới (sửa tên)",
        basis="QĐ 15",
        valid_from=date(2021, 2, 1),
        criteria=criteria,
        levels=LEVELS,
    )
    assert Framework.objects.get(pk=framework.pk).name == "Khung mới (sửa tên)"
    assert Assessment.objects.get().framework == framework


# Assessing a meeting


@pytest.mark.parametrize(
    ("points", "total", "level"),
    [
        ((20, 20, 30, 30), 100, "Tốt"),
        ((20, 20, 30, 15), 85, "Tốt"),
        ((20, 20, 30, 14), 84, "Khá"),
        ((10, 10, 30, 20), 70, "Khá"),
        ((10, 10, 20, 10), 50, "Trung bình"),
        ((10, 10, 20, 9), 49, "Kém"),
        ((0, 0, 0, 0), 0, "Kém"),
    ],
)
def test_the_total_and_level_are_computed(
    tree: Tree, points: tuple[int, ...], total: int, level: str
) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    assessment = services.assess_meeting(meeting, actor=None, points=scores(framework, *points))
    assert (assessment.total, assessment.level.name) == (total, level)
    assert assessment.framework == framework
    assert [s.points for s in Score.objects.filter(assessment=assessment).order_by("pk")] == list(
        points
    )


def test_assessing_again_replaces_the_assessment(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    services.assess_meeting(meeting, actor=None, points=scores(framework, 10, 10, 10, 10))
    points = scores(framework, 20, 20, 30, 20)
    first = next(iter(points))
    points[first] = (20, "  Tài liệu gửi   trước 2 ngày ")
    services.assess_meeting(meeting, actor=users[Role.SECRETARY], points=points)
    assessment = Assessment.objects.get()
    assert (assessment.total, assessment.level.name) == (90, "Tốt")
    assert assessment.assessed_by == users[Role.SECRETARY]
    assert Score.objects.count() == 4
    assert Score.objects.get(criterion_id=first).note == "Tài liệu gửi trước 2 ngày"
    events = AuditEvent.objects.filter(action="quality.assessment.record").order_by("pk")
    assert [e.changes["total"] for e in events] == [40, 90]
    assert events.last().changes["before"] == {"total": 40, "level": "Kém"}  # type: ignore[union-attr]
    assert events.last().object_id == str(meeting.pk)  # type: ignore[union-attr]


def test_a_closed_meeting_and_a_thematic_meeting_are_assessed(tree: Tree) -> None:
    framework = make_framework(tree.district)
    closed = held(tree.cell_a1, date(2025, 3, 4), close=True)
    thematic = held(tree.cell_a1, date(2025, 3, 18), kind=MeetingKind.THEMATIC)
    for meeting in (closed, thematic):
        services.assess_meeting(meeting, actor=None, points=scores(framework, 20, 20, 20, 20))
    assert Assessment.objects.count() == 2


def test_bad_points_write_nothing(tree: Tree) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    services.assess_meeting(meeting, actor=None, points=scores(framework, 10, 10, 10, 10))
    criteria = list(framework.criteria.order_by("position"))
    other = make_framework(tree.other_province).criteria.first()
    assert other is not None
    good = scores(framework, 20, 20, 30, 30)
    bad_inputs = [
        (scores(framework, 21, 20, 30, 30), "từ 0 đến 20"),
        (scores(framework, 20, 20, 30, -1), "từ 0 đến 30"),
        (good | {criteria[0].pk: (True, "")}, "từ 0 đến 20"),
        (good | {criteria[0].pk: ("15", "")}, "từ 0 đến 20"),
        ({c.pk: (10, "") for c in criteria[:3]}, "đủ mọi tiêu chí"),
        (good | {other.pk: (5, "")}, "không thuộc khung"),
        ({}, "đủ mọi tiêu chí"),
    ]
    before = writes()
    for points, message in bad_inputs:
        with pytest.raises(ValidationError, match=message):
            services.assess_meeting(meeting, actor=None, points=points)  # type: ignore[arg-type]
    assert writes() == before
    assert Assessment.objects.get().total == 40  # the earlier assessment stands


def test_only_a_held_cell_meeting_with_a_framework(tree: Tree) -> None:
    planned = meeting_services.plan_meeting(
        tree.cell_a1, actor=None, kind=MeetingKind.REGULAR, starts_at=at(date(2025, 3, 4))
    )
    without = held(tree.cell_a2, date(2025, 3, 4))
    with pytest.raises(ValidationError, match="khung tiêu chí"):
        services.assess_meeting(without, actor=None, points={})
    framework = make_framework(tree.district)
    committee = held(tree.cell_a1, date(2025, 3, 10), kind=MeetingKind.PREPARATORY)
    early = held(tree.cell_a1, date(2019, 3, 4))
    before = writes()
    with pytest.raises(ValidationError, match="đã diễn ra"):
        services.assess_meeting(planned, actor=None, points=scores(framework, 1, 1, 1, 1))
    with pytest.raises(ValidationError, match="thường kỳ hoặc chuyên đề"):
        services.assess_meeting(committee, actor=None, points=scores(framework, 1, 1, 1, 1))
    # A meeting before the framework started has none in force.
    with pytest.raises(ValidationError, match="khung tiêu chí"):
        services.assess_meeting(early, actor=None, points=scores(framework, 1, 1, 1, 1))
    assert writes() == before


# Results


def test_results_by_month_and_unit(tree: Tree) -> None:
    framework = make_framework(tree.district)
    a1_march = held(tree.cell_a1, date(2025, 3, 4))
    a2_march = held(tree.cell_a2, date(2025, 3, 4))
    held(tree.cell_b1, date(2025, 3, 4))  # held, not assessed
    a1_april = held(tree.cell_a1, date(2025, 4, 3))
    last_year = held(tree.cell_a1, date(2024, 12, 4))
    for meeting, points in [
        (a1_march, (20, 20, 30, 30)),
        (a2_march, (10, 10, 20, 20)),
        (a1_april, (20, 20, 30, 20)),
        (last_year, (0, 0, 0, 0)),
    ]:
        services.assess_meeting(meeting, actor=None, points=scores(framework, *points))
    found = selectors.results(tree.district, 2025)
    assert found.level_names == ["Tốt", "Trung bình"]  # the levels reached
    months = dict(found.months)
    assert (months[date(2025, 3, 1)].held, months[date(2025, 3, 1)].levels) == (
        3,
        {"Tốt": 1, "Trung bình": 1},
    )
    assert months[date(2025, 3, 1)].columns == [1, 1]
    assert months[date(2025, 4, 1)].levels == {"Tốt": 1}
    assert months[date(2025, 5, 1)].held == 0
    units = {u.code: t for u, t in found.units}
    assert (units["A"].held, units["A"].assessed, units["A"].columns) == (3, 3, [2, 1])
    assert (units["B"].held, units["B"].assessed) == (1, 0)
    assert (found.total.held, found.total.assessed) == (4, 3)
    # A cell's own results: itself only.
    cell = selectors.results(tree.cell_a1, 2025)
    assert [(u.code, t.assessed) for u, t in cell.units] == [("A1", 2)]
    assert selectors.results(tree.district, 2024).total.levels == {"Kém": 1}


def test_the_month_is_the_month_in_vietnam(tree: Tree) -> None:
    """1/1/2025 at 05:00 in Vietnam is still 31/12/2024 in UTC."""
    framework = make_framework(tree.district)
    early = held(tree.cell_a1, date(2025, 1, 1), hour=5)
    services.assess_meeting(early, actor=None, points=scores(framework, 20, 20, 30, 30))
    found = selectors.results(tree.district, 2025)
    assert dict(found.months)[date(2025, 1, 1)].levels == {"Tốt": 1}
    assert selectors.results(tree.district, 2024).total.held == 0


def test_results_read_a_fixed_number_of_queries(tree: Tree) -> None:
    framework = make_framework(tree.district)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.results(tree.district, 2025)
        return len(captured)

    services.assess_meeting(
        held(tree.cell_a1, date(2025, 3, 4)), actor=None, points=scores(framework, 5, 5, 5, 5)
    )
    few = count()
    for i in range(4):
        cell = make_unit(tree.commune_b, UnitKind.CELL, f"X{i}", f"Chi bộ số {i}")
        make_member(cell, f"Đảng Viên {i}")
        for month in (1, 2):
            meeting = held(cell, date(2025, month, 4))
            services.assess_meeting(meeting, actor=None, points=scores(framework, 5, 5, 5, 5))
    assert count() == few
