"""The dashboard, the inbox, an alert and a removal review through their pages and the API;
the commands. The dashboard's queries do not grow with the units below it."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import Role, User
from chibo.compliance import selectors
from chibo.compliance.models import Alert, AlertState, RemovalReview, Result, ReviewOutcome, Status
from chibo.compliance.selectors import OPEN_STATES
from chibo.compliance.tests.helpers import evaluate, hold
from chibo.lib.dates import today
from chibo.members.models import Member
from chibo.units.models import Unit, UnitKind
from conftest import Tree, make_member, make_unit

MARCH = date(2026, 3, 1)
END = date(2026, 3, 31)


@pytest.fixture
def march(tree: Tree) -> Tree:
    """Ninh Phú met with everyone; Đông Thành (2 members) met with one away; Y Bích did not."""
    hold(tree.cell_a1, date(2026, 3, 4))
    hold(tree.cell_a2, date(2026, 3, 4), absent=1)
    evaluate(tree.central, MARCH, as_of=END)
    return tree


def page(client: Client, user: User, unit_id: int, month: str = "2026-03") -> str:
    client.force_login(user)
    response = client.get(reverse("compliance:dashboard", args=[unit_id]), {"month": month})
    assert response.status_code == 200
    return response.content.decode()


def test_district_dashboard(client: Client, march: Tree, users: dict[str, User]) -> None:
    html = page(client, users[Role.STAFF], march.district.pk)
    # 2 of 3 cells met; 4 of 5 expected members came: 80,0 %.
    assert "2/3" in html
    assert "80,0\u00a0%" in html
    assert 'id="matrix"' in html
    # Đa Lộc (both cells met) is listed above Hải Lộc, which is lagging.
    assert html.index("Đảng bộ xã Đa Lộc") < html.index("Đảng bộ xã Hải Lộc")
    lagging = html[html.index('id="lagging"') :]
    assert "Đảng bộ xã Hải Lộc" in lagging
    assert reverse("compliance:dashboard", args=[march.commune_b.pk]) in lagging
    # Traffic lights carry an icon and words, not only a colour.
    assert "✕" in html
    assert '<span class="visually-hidden">Không đạt:</span>' in html
    assert "<svg" in html


def test_cell_dashboard_links_its_meetings(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    html = page(client, users[Role.SECRETARY], march.cell_a1.pk)
    meeting = march.cell_a1.meetings.get()
    assert reverse("meetings:detail", args=[meeting.pk]) in html
    assert 'id="obligations"' in html


def test_dashboard_reads_the_same_queries_whatever_the_units_below(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    url = reverse("compliance:dashboard", args=[march.district.pk]) + "?month=2026-03"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        base = make_unit(march.district, UnitKind.BASE, f"X{i}")
        for j in range(3):
            cell = make_unit(base, UnitKind.CELL, f"X{i}C{j}")
            make_member(cell, f"Nguyễn Văn X {i} {j}")
    evaluate(march.central, MARCH, as_of=END)
    assert (
        Result.objects.filter(parent=march.district, month=MARCH).values("unit").distinct().count()
        == 8
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_dashboard_counts_the_open_alerts_of_the_month_below_the_unit(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    from chibo.compliance import selectors, services
    from chibo.units import services as unit_services

    def below(unit: Unit) -> int:
        return Alert.objects.filter(
            unit__path__startswith=unit.path, month=MARCH, state__in=selectors.OPEN_STATES
        ).count()

    admin = users[Role.ADMIN]
    district = below(march.district)
    assert district > below(march.commune_b) > 0
    assert selectors.dashboard(admin, march.district, MARCH).open_alerts == district
    html = page(client, users[Role.STAFF], march.district.pk)
    assert f"{district} cảnh báo chưa xử lý" in html
    # A resolved alert is no longer counted, here or above.
    services.resolve_alert(
        Alert.objects.filter(unit=march.cell_b1, month=MARCH).first(), actor=None, note="Đã họp bù"
    )
    assert selectors.dashboard(admin, march.district, MARCH).open_alerts == district - 1
    assert selectors.dashboard(admin, march.central, MARCH).open_alerts == below(march.central)
    # March is counted where the units stood in March, as the matrix of that month shows them:
    # Hải Lộc moved to another province in May stays in the district's March.
    other = below(march.other_province)
    unit_services.move_unit(
        march.commune_b, actor=None, new_parent=march.other_province, on=date(2026, 5, 4)
    )
    assert below(march.other_province) > other  # its alerts are the other province's to see
    assert selectors.dashboard(admin, march.district, MARCH).open_alerts == district - 1
    assert selectors.dashboard(admin, march.other_province, MARCH).open_alerts == other


def test_the_count_links_to_the_months_alerts_as_the_units_stood(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    from chibo.units import services as unit_services

    staff = users[Role.STAFF]
    url = reverse("compliance:unit_alerts", args=[march.district.pk])
    assert f'{url}?month=2026-03"' in page(client, staff, march.district.pk)
    # An alert of another month of the same units is not in March's list.
    Alert.objects.create(
        unit=march.cell_b1,
        obligation="cell_size",
        month=date(2026, 2, 1),
        path=march.cell_b1.path,
        status=Status.FAILED,
        message="Tháng hai",
        level=march.cell_b1,
        level_since=timezone.now(),
        raised_at=timezone.now(),
    )
    in_march = Alert.objects.filter(month=MARCH, state__in=OPEN_STATES)
    below = in_march.filter(unit__path__startswith=march.district.path)
    html = client.get(url, {"month": "2026-03"}).content.decode()
    assert f"{below.count()} cảnh báo" in html
    assert "tháng 03/2026" in html
    assert "Tháng hai" not in html
    assert all(reverse("compliance:alert", args=[a.pk]) in html for a in below)
    assert "Tháng hai" in client.get(url).content.decode()  # all months
    # Hải Lộc moved away in May: its March alerts stay in the district's March list, as the
    # dashboard counts them, for those who may still open them (the administrator); the
    # district's staff no longer may (their alert pages are the other province's).
    moved = below.filter(unit=march.cell_b1).first()
    assert moved is not None
    march_total = below.count()
    unit_services.move_unit(
        march.commune_b, actor=None, new_parent=march.other_province, on=date(2026, 5, 4)
    )
    link = reverse("compliance:alert", args=[moved.pk])
    assert link not in client.get(url, {"month": "2026-03"}).content.decode()
    client.force_login(users[Role.ADMIN])
    html = client.get(url, {"month": "2026-03"}).content.decode()
    assert link in html
    assert f"{march_total} cảnh báo" in html


def test_the_alert_list_pages_and_keeps_the_month(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    Alert.objects.bulk_create(
        Alert(
            unit=march.cell_a1,
            obligation=f"bench_{i:02d}",
            month=MARCH,
            path=march.cell_a1.path,
            status=Status.WARNING,
            message=f"Cảnh báo số {i:02d}",
            level=march.cell_a1,
            level_since=timezone.now(),
            raised_at=timezone.now(),
        )
        for i in range(60)
    )
    total = Alert.objects.filter(
        month=MARCH, state__in=OPEN_STATES, path__startswith=march.commune_a.path
    ).count()
    client.force_login(users[Role.STAFF])
    url = reverse("compliance:unit_alerts", args=[march.commune_a.pk])
    first = client.get(url, {"month": "2026-03"}).content.decode()
    assert f"{total} cảnh báo" in first
    assert first.count('class="alert-row"') == 50
    assert "?month=2026-03&amp;page=2" in first
    second = client.get(url, {"month": "2026-03", "page": "2"}).content.decode()
    assert second.count('class="alert-row"') == total - 50
    resolved = client.get(url, {"month": "2026-03", "resolved": "1"}).content.decode()
    assert "0 cảnh báo" in resolved
    assert 'href="?month=2026-03"' in resolved  # back to the open ones of the month


def test_the_alert_list_of_a_unit_out_of_scope_is_not_found(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    url = reverse("compliance:unit_alerts", args=[march.other_province.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"month": "2026-03"}).status_code == 404


def test_the_api_lists_a_months_alerts_as_the_page_does(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    url = f"/api/v1/compliance/units/{march.district.pk}/alerts"
    march_ids = {a["id"] for a in client.get(url, {"month": "2026-03"}).json()["items"]}
    expected = Alert.objects.filter(
        month=MARCH, state__in=OPEN_STATES, path__startswith=march.district.path
    )
    assert march_ids == set(expected.values_list("pk", flat=True)) != set()
    assert client.get(url, {"month": "2026-13"}).status_code == 422
    other = f"/api/v1/compliance/units/{march.other_province.pk}/alerts"
    assert client.get(other, {"month": "2026-03"}).status_code == 404


def test_a_province_reads_its_childrens_rows_only(march: Tree) -> None:
    """What a dashboard reads for a month: the unit's rows and its children's, a few per
    obligation, not the attendance of the cells below."""
    rows = Result.objects.filter(month=MARCH, parent=march.province).count()
    own = Result.objects.filter(month=MARCH, unit=march.province).count()
    assert rows + own <= 2 * 12


def test_months_are_chosen_and_future_ones_refused(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    html = page(client, users[Role.STAFF], march.district.pk, month="2099-01")
    assert "?month=" in html  # falls back to last month, with its pager
    assert "tháng 01/2099" not in html


def test_inbox_acknowledge_and_resolve(client: Client, tree: Tree, users: dict[str, User]) -> None:
    last = today().replace(day=1)
    evaluate(tree.cell_a1, last)  # no meeting yet this month, past the window: a warning
    found = Alert.objects.filter(unit=tree.cell_a1, obligation="regular_meeting").first()
    if found is None:  # early in the month nothing is due yet: use the cell's size instead
        pytest.skip("nothing due yet this month")
    client.force_login(users[Role.SECRETARY])
    inbox = client.get(reverse("compliance:inbox")).content.decode()
    assert reverse("compliance:alert", args=[found.pk]) in inbox
    response = client.post(reverse("compliance:acknowledge", args=[found.pk]))
    assert response.status_code == 302
    response = client.post(reverse("compliance:resolve", args=[found.pk]), {"note": ""})
    assert "Đã xử lý thế nào" in response.content.decode()
    client.post(reverse("compliance:resolve", args=[found.pk]), {"note": "Đã họp ngày 10."})
    found.refresh_from_db()
    assert (found.state, found.note) == (AlertState.RESOLVED, "Đã họp ngày 10.")


def test_the_cell_decides_a_removal_review(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    dung = Member.objects.get(full_name="Đặng Văn Dũng")
    for month in (1, 2, 3):
        hold(tree.cell_a1, date(2026, month, 4), unexcused=[dung.pk])
    evaluate(tree.cell_a1, MARCH, as_of=END)
    review = RemovalReview.objects.get()
    client.force_login(users[Role.SECRETARY])
    html = page(client, users[Role.SECRETARY], tree.cell_a1.pk)
    assert reverse("compliance:review", args=[review.pk]) in html
    assert "2026-01, 2026-02, 2026-03" in html
    response = client.post(
        reverse("compliance:decide", args=[review.pk]),
        {"outcome": ReviewOutcome.PROPOSED, "note": "Nghị quyết số 05-NQ/CB ngày 4/4/2026."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.outcome == ReviewOutcome.PROPOSED
    # The member role does not open a review that names a member.
    client.force_login(users[Role.MEMBER])
    assert client.get(reverse("compliance:review", args=[review.pk])).status_code == 404


# The API ------------------------------------------------------------------------------------


def test_api_results_of_a_unit_and_its_children(
    client: Client, march: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.STAFF])
    response = client.get(
        f"/api/v1/compliance/units/{march.district.pk}/results", {"month": "2026-03"}
    )
    assert response.status_code == 200
    rows = response.json()
    own = next(
        r
        for r in rows
        if r["unit_id"] == march.district.pk and r["obligation"] == "attendance_rate"
    )
    assert (own["numerator"], own["denominator"]) == (4, 5)
    assert {r["unit_id"] for r in rows} == {
        march.district.pk,
        march.commune_a.pk,
        march.commune_b.pk,
    }
    obligations = client.get("/api/v1/compliance/obligations").json()
    attendance = next(o for o in obligations if o["code"] == "attendance_rate")
    assert attendance["rules"]["meetings.attendance_target_percent"] == 85
    assert attendance["rules"]["compliance.attendance_rate_enabled"] is True
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/compliance/alerts/{alert_id}/resolve" in spec["paths"]


def test_api_alerts_mine_and_resolve(client: Client, march: Tree, users: dict[str, User]) -> None:
    found = Alert.objects.get(unit=march.cell_a1, obligation="supervisor_notified")
    client.force_login(users[Role.SECRETARY])
    mine = client.get("/api/v1/compliance/alerts/mine").json()
    assert found.pk in [a["id"] for a in mine["items"]]
    url = f"/api/v1/compliance/alerts/{found.pk}/resolve"
    refused = client.post(url, {"note": ""}, content_type="application/json")
    assert refused.status_code == 422
    done = client.post(url, {"note": "Đã đề nghị phân công."}, content_type="application/json")
    assert (done.status_code, done.json()["state"]) == (200, "resolved")
    again = client.post(url, {"note": "Lần nữa."}, content_type="application/json")
    assert again.json()["code"] == "invalid"
    client.force_login(users[Role.INSPECTOR])
    assert client.post(url, {"note": "x"}, content_type="application/json").status_code == 404


# Commands -----------------------------------------------------------------------------------


def test_evaluate_compliance_command(tree: Tree) -> None:
    hold(tree.cell_a1, date(2026, 3, 4))
    out = StringIO()
    call_command(
        "evaluate_compliance", "--month", "2026-03", "--unit", "d1", stdout=out, stderr=StringIO()
    )
    assert "Đã đánh giá 03/2026 (Đảng bộ huyện Một)" in out.getvalue()
    assert Result.objects.filter(unit=tree.cell_a1, month=MARCH).exists()
    out = StringIO()
    call_command(
        "evaluate_compliance",
        "--month",
        "2026-03",
        "--months",
        "3",
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )
    assert "Sẽ đánh giá 01/2026–03/2026 (mọi đơn vị)" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("evaluate_compliance", "--month", "03/2026", stdout=StringIO())
    with pytest.raises(CommandError, match="No such unit"):
        call_command("evaluate_compliance", "--unit", "KHONG", stdout=StringIO())


def test_send_alert_digest_command(march: Tree, users: dict[str, User]) -> None:
    out = StringIO()
    call_command("send_alert_digest", "--dry-run", stdout=out)
    assert "Sẽ gửi thư tổng hợp" in out.getvalue()


def test_closing_a_meeting_evaluates_its_month(
    tree: Tree, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # Last month: whatever today's date, the other cells' window to meet has passed.
    day = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        hold(tree.cell_a1, day + timedelta(days=2), documents=False, notice=False)
    row = Result.objects.get(unit=tree.cell_a1, obligation="regular_meeting", month=day)
    assert row.numerator == 1
    above = Result.objects.get(unit=tree.district, obligation="regular_meeting", month=day)
    assert (above.numerator, above.units_ok + above.units_warning) == (1, 1)


def test_collecting_dues_and_a_status_change_evaluate_their_month(
    tree: Tree, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from chibo.meetings.dues import services as dues_services
    from chibo.members import services as member_services
    from chibo.members.models import Member

    month = today().replace(day=1)
    members = list(Member.objects.filter(memberships__unit=tree.cell_a1).order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        dues_services.collect_dues(
            tree.cell_a1,
            actor=None,
            month=month,
            payments={m.pk: (20_000, True) for m in members},
        )
    row = Result.objects.get(unit=tree.cell_a1, obligation="dues_collected", month=month)
    assert row.numerator == len(members)
    with django_capture_on_commit_callbacks(execute=True):
        member_services.record_death(
            members[0], actor=None, on=today(), basis=member_services.Basis(reason="Từ trần")
        )
    # Three official members before, two after: the cell now needs restructuring.
    size = Result.objects.get(unit=tree.cell_a1, obligation="cell_size", month=month)
    assert size.status == Status.FAILED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partial indexes")
@pytest.mark.parametrize(
    ("resolved", "index"), [(False, "alert_open_path_idx"), (True, "alert_resolved_path_idx")]
)
def test_a_months_alerts_below_a_unit_are_read_by_their_index(
    march: Tree, users: dict[str, User], resolved: bool, index: str
) -> None:
    """The month's open and resolved alerts below a unit each have a partial index on
    (month, path): resolved alerts pile up month after month and must not be scanned. The
    cell is given three years of alerts, so that its other indexes (by unit) are no longer
    the cheaper way to the month's, as on a real table."""
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            unit=march.cell_a1,
            obligation=f"bench_{i:02d}",
            month=date(2023 + n // 12, n % 12 + 1, 1),
            path=march.cell_a1.path,
            status=Status.WARNING,
            state=AlertState.RESOLVED if n % 2 else AlertState.OPEN,
            resolved_at=now if n % 2 else None,
            message="",
            level=march.cell_a1,
            level_since=now,
            raised_at=now,
        )
        for n in range(36)
        for i in range(40)
    )
    alerts = selectors.unit_alerts(
        users[Role.STAFF], march.commune_a, resolved=resolved, month=MARCH
    )
    sql, params = alerts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Alert._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a table of millions
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
