"""Quality pages: committees issue frameworks, the cell's secretary assesses a held meeting
from its page, everyone in scope reads the results; query counts stay flat."""

from datetime import date, datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Mark, Meeting, MeetingKind
from chibo.quality import services
from chibo.quality.models import Assessment, Framework
from chibo.quality.tests.helpers import make_framework
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def held(unit: Unit, day: date) -> Meeting:
    meeting = meeting_services.plan_meeting(
        unit,
        actor=None,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.make_aware(datetime(day.year, day.month, day.day, 19)),
    )
    marks = {m.pk: (Mark.PRESENT, "") for m in meeting_selectors.expected(meeting).members}
    meeting_services.record_attendance(meeting, actor=None, marks=marks)
    meeting.refresh_from_db()
    return meeting


def form_data(framework: Framework, *points: int) -> dict[str, str]:
    data = {}
    for criterion, given in zip(framework.criteria.order_by("position"), points, strict=True):
        data[f"points_{criterion.pk}"] = str(given)
        data[f"note_{criterion.pk}"] = ""
    return data


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_staff_issue_a_framework_for_the_cells_below(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    page = text(client.get(reverse("quality:frameworks", args=[tree.district.pk])))
    url = reverse("quality:framework_new", args=[tree.district.pk])
    assert url in page
    response = client.post(
        url,
        {
            "name": "Khung tiêu chí đánh giá chất lượng sinh hoạt chi bộ",
            "basis": "Quy định 15-QĐi/TU (14/11/2018) của Tỉnh ủy Quảng Nam",
            "valid_from": "01/01/2025",
            "criteria": "Chuẩn bị chu đáo | 40\n\nThảo luận dân chủ | 60\n",
            "levels": "Tốt | 80\nKhá | 60\nKém | 0",
        },
    )
    assert response.status_code == 302
    framework = Framework.objects.get()
    assert (framework.unit, framework.valid_from) == (tree.district, date(2025, 1, 1))
    assert [(c.text, c.max_points) for c in framework.criteria.all()] == [
        ("Chuẩn bị chu đáo", 40),
        ("Thảo luận dân chủ", 60),
    ]
    # The cells below see it in force, issued from above; they cannot issue one.
    secretary = signed_in(users[Role.SECRETARY])
    page = text(secretary.get(reverse("quality:frameworks", args=[tree.cell_a1.pk])))
    assert "Thảo luận dân chủ" in page
    assert "Đảng bộ huyện Một" in page
    assert reverse("quality:framework_new", args=[tree.cell_a1.pk]) not in page
    assert (
        secretary.get(reverse("quality:framework_new", args=[tree.cell_a1.pk])).status_code == 404
    )


def test_a_badly_written_framework_comes_back(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    url = reverse("quality:framework_new", args=[tree.district.pk])
    for criteria, levels, message in [
        ("Chuẩn bị chu đáo 40", "Tốt | 80\nKém | 0", "Dòng 1"),
        ("Chuẩn bị chu đáo | 40", "Tốt | 80", "từ 0 điểm"),
    ]:
        response = client.post(
            url,
            {"name": "Khung", "valid_from": "01/01/2025", "criteria": criteria, "levels": levels},
        )
        assert response.status_code == 200
        assert message in text(response)
    assert not Framework.objects.exists()


def test_a_used_framework_keeps_its_items_on_the_edit_page(
    tree: Tree, users: dict[str, User]
) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    points = {c.pk: (10, "") for c in framework.criteria.all()}
    services.assess_meeting(meeting, actor=None, points=points)
    client = signed_in(users[Role.STAFF])
    url = reverse("quality:framework_edit", args=[framework.pk])
    page = text(client.get(url))
    assert "chỉ sửa được tên và căn cứ" in page
    response = client.post(
        url,
        {
            "name": "Tên mới",
            "basis": "",
            "valid_from": "01/01/2030",
            "criteria": "Một tiêu chí khác | 100",
            "levels": "Đạt | 50\nKém | 0",
        },
    )
    assert response.status_code == 302
    framework.refresh_from_db()
    assert (framework.name, framework.valid_from) == ("Tên mới", date(2020, 1, 1))
    assert framework.criteria.count() == 4


def test_the_secretary_assesses_a_held_meeting(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    client = signed_in(users[Role.SECRETARY])
    detail = text(client.get(reverse("meetings:detail", args=[meeting.pk])))
    page_url = reverse("quality:meeting", args=[meeting.pk])
    assert page_url in detail
    page = text(client.get(page_url))
    assert "chưa tự đánh giá" in page
    url = reverse("quality:assess", args=[meeting.pk])
    assert url in page
    form = text(client.get(url))
    assert "Đảng viên dự họp đầy đủ, đúng giờ" in form
    assert 'inputmode="numeric"' in form
    data = form_data(framework, 20, 18, 25, 27)
    first = framework.criteria.get(position=1)
    data[f"note_{first.pk}"] = "Tài liệu gửi trước 2 ngày"
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == page_url
    page = text(client.get(page_url))
    assert 'id="level">Tốt<' in page
    assert 'id="total">90<' in page
    assert "Tài liệu gửi trước 2 ngày" in page
    # Again: the form comes prefilled, and the new result replaces the old one.
    form = text(client.get(url))
    assert 'value="Tài liệu gửi trước 2 ngày"' in form
    client.post(url, form_data(framework, 10, 10, 10, 10))
    assert Assessment.objects.get().level.name == "Kém"


def test_points_out_of_range_write_nothing(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    client = signed_in(users[Role.SECRETARY])
    events = AuditEvent.objects.count()
    url = reverse("quality:assess", args=[meeting.pk])
    response = client.post(url, form_data(framework, 25, 20, 30, 30))
    assert response.status_code == 200
    assert "20" in text(response)
    missing = form_data(framework, 20, 20, 30, 30)
    missing.pop(next(iter(missing)))
    assert client.post(url, missing).status_code == 200
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_meeting_not_yet_held_or_without_a_framework(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.SECRETARY])
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    page = text(client.get(reverse("quality:assess", args=[meeting.pk])))
    assert "Chưa có khung tiêu chí" in page
    assert 'name="points_' not in page
    make_framework(tree.district)
    planned = meeting_services.plan_meeting(
        tree.cell_a1,
        actor=None,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=3),
    )
    page = text(client.get(reverse("quality:assess", args=[planned.pk])))
    assert "Chỉ đánh giá được cuộc họp đã diễn ra" in page
    assert client.post(reverse("quality:assess", args=[planned.pk]), {}).status_code == 200
    detail = text(client.get(reverse("meetings:detail", args=[planned.pk])))
    assert reverse("quality:meeting", args=[planned.pk]) not in detail
    assert not Assessment.objects.exists()


def test_readers_see_the_assessment_but_do_not_assess(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    services.assess_meeting(
        meeting, actor=None, points={c.pk: (15, "") for c in framework.criteria.all()}
    )
    for role in (Role.INSPECTOR, Role.MEMBER):
        client = signed_in(users[role])
        page = text(client.get(reverse("quality:meeting", args=[meeting.pk])))
        assert 'id="total">60<' in page
        assert reverse("quality:assess", args=[meeting.pk]) not in page
        assert client.get(reverse("quality:assess", args=[meeting.pk])).status_code == 404
    other = held(tree.cell_a2, date(2025, 3, 4))
    secretary = signed_in(users[Role.SECRETARY])
    assert secretary.get(reverse("quality:meeting", args=[other.pk])).status_code == 404
    assert secretary.post(reverse("quality:assess", args=[other.pk]), {}).status_code == 404


def test_results_page_by_month_and_unit(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    for cell in (tree.cell_a1, tree.cell_b1):
        meeting = held(cell, date(2025, 3, 4))
        services.assess_meeting(
            meeting, actor=None, points={c.pk: (20, "") for c in framework.criteria.all()}
        )
    client = signed_in(users[Role.STAFF])
    page = text(client.get(reverse("quality:results", args=[tree.district.pk]), {"year": "2025"}))
    assert "Chất lượng sinh hoạt năm 2025" in page
    assert 'id="assessed">2<' in page
    assert "03/2025" in page
    assert reverse("quality:results", args=[tree.commune_a.pk]) in page
    assert reverse("quality:frameworks", args=[tree.district.pk]) in page
    meetings_page = text(client.get(reverse("meetings:unit", args=[tree.district.pk])))
    assert reverse("quality:results", args=[tree.district.pk]) in meetings_page


def test_pages_read_a_fixed_number_of_queries(tree: Tree, users: dict[str, User]) -> None:
    framework = make_framework(tree.district)
    make_framework(tree.commune_b, date(2021, 1, 1))
    client = signed_in(users[Role.STAFF])
    meeting = held(tree.cell_a1, date(2025, 3, 4))
    services.assess_meeting(
        meeting, actor=None, points={c.pk: (10, "") for c in framework.criteria.all()}
    )
    urls = [
        reverse("quality:results", args=[tree.district.pk]) + "?year=2025",
        reverse("quality:frameworks", args=[tree.district.pk]),
        reverse("quality:meeting", args=[meeting.pk]),
        reverse("quality:assess", args=[meeting.pk]),
    ]
    for url in urls:
        client.get(url)
    few = [queries(client, url) for url in urls]
    for i in range(4):
        cell = make_unit(tree.commune_a, UnitKind.CELL, f"X{i}", f"Chi bộ số {i}")
        make_member(cell, f"Đảng Viên {i}")
        make_framework(make_unit(tree.district, UnitKind.BASE, f"Y{i}"), date(2022, 1, 1))
        for month in (1, 2):
            other = held(cell, date(2025, month, 4))
            services.assess_meeting(
                other,
                actor=None,
                points={c.pk: (10, "") for c in framework.criteria.all()},
            )
    assert [queries(client, url) for url in urls] == few
