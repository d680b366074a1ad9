"""Pages and API of the pipeline: what they show, the forms' errors, and query counts that do
not grow with the data."""

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from chibo.lib import downloads
from chibo.lib.dates import today
from chibo.recruitment import services
from chibo.recruitment.models import Attachment, Candidate, Stage, StepKind
from chibo.recruitment.tests.helpers import make_candidate, members_of, ready, seat_committee, step
from conftest import Tree, make_member


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def proposed(tree: Tree, name: str, on: date) -> Candidate:
    c = ready(
        make_candidate(tree.cell_a1, name),
        on - timedelta(days=60),
        members_of(tree.cell_a1)[:2],
        on - timedelta(days=500),
    )
    step(c, StepKind.CELL_RESOLUTION, on, votes_for=3, number="1")
    c.refresh_from_db()
    return c


def test_board_counts_steps_and_flags_the_overdue(tree: Tree, users: dict[str, User]) -> None:
    late = proposed(tree, "Quá Hạn Quyết Định", today() - timedelta(days=150))
    make_candidate(tree.cell_a1, "Mới Vào Danh Sách", listed=today() - timedelta(days=3))
    client = signed_in(users[Role.STAFF])
    page = client.get(reverse("recruitment:board", args=[tree.district.pk])).content.decode()
    assert "Quá Hạn Quyết Định" in page and "Đảng bộ xã Đa Lộc" in page  # the base answers for it
    assert 'id="overdue"' in page
    url = reverse("recruitment:board", args=[tree.district.pk])
    first = queries(client, url)
    for i in range(5):
        proposed(tree, f"Thêm Người {i}", today() - timedelta(days=100 + i))
    assert queries(client, url) == first
    assert late.stage == Stage.PROPOSED


def test_candidate_page_shows_the_due_date_and_only_allowed_steps(
    tree: Tree, users: dict[str, User]
) -> None:
    c = proposed(tree, "Chờ Đảng Ủy", today() - timedelta(days=5))
    due = services.decision_due(c)
    secretary = signed_in(users[Role.SECRETARY])
    page = secretary.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
    assert due is not None and due.strftime("%d/%m/%Y") in page
    # The committee resolution is the base committee's act, not the cell secretary's.
    assert reverse("recruitment:step", args=[c.pk, StepKind.COMMITTEE_RESOLUTION]) not in page
    assert (
        secretary.get(reverse("recruitment:step", args=[c.pk, "committee_resolution"])).status_code
        == 404
    )
    staff = signed_in(users[Role.STAFF])
    assert (
        reverse("recruitment:step", args=[c.pk, StepKind.COMMITTEE_RESOLUTION])
        in staff.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
    )


def test_recording_a_step_on_its_page_with_its_errors(tree: Tree, users: dict[str, User]) -> None:
    c = make_candidate(tree.cell_a1)
    client = signed_in(users[Role.SECRETARY])
    url = reverse("recruitment:step", args=[c.pk, StepKind.APPLICATION])
    refused = client.post(url, {"on": "01/03/2025"})
    assert "Chưa thể ghi bước này" in refused.content.decode()
    url = reverse("recruitment:step", args=[c.pk, StepKind.CERTIFICATE])
    response = client.post(url, {"on": "01/03/2025", "by": "Trung tâm Chính trị", "number": "5"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.stage == Stage.CERTIFIED


def test_adding_a_candidate_and_the_monthly_review(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.SECRETARY])
    helper = members_of(tree.cell_a1)[0]
    response = client.post(
        reverse("recruitment:add", args=[tree.cell_a1.pk]),
        {
            "full_name": "Đỗ Thị Mai",
            "sex": "F",
            "birth_date": "02/03/2001",
            "education": "university",
            "listed_on": "01/06/2025",
            "helper": helper.pk,
        },
    )
    assert response.status_code == 302
    c = Candidate.objects.get(full_name="Đỗ Thị Mai")
    assert c.helper == helper
    client.post(
        reverse("recruitment:review", args=[tree.cell_a1.pk]), {"on": today().strftime("%d/%m/%Y")}
    )
    c.refresh_from_db()
    assert c.reviewed_on == today()


def test_targets_and_report_pages_with_constant_queries(tree: Tree, users: dict[str, User]) -> None:
    client = signed_in(users[Role.STAFF])
    response = client.post(
        reverse("recruitment:set_target", args=[tree.district.pk]),
        {"year": "2020", "target": "2", "basis": "Nghị quyết Đại hội"},
    )
    assert response.status_code == 302
    url = reverse("recruitment:report", args=[tree.district.pk]) + "?start=01/2019&end=08/2021"
    first = queries(client, url)
    targets_url = reverse("recruitment:targets", args=[tree.district.pk]) + "?year=2020"
    first_targets = queries(client, targets_url)
    for i in range(4):
        make_member(
            tree.cell_a1, f"Kết Nạp {i}", on=date(2020, 5, 1 + i), admitted_on=date(2020, 5, 1 + i)
        )
        make_member(
            tree.cell_b1, f"Kết Nạp B{i}", on=date(2020, 6, 1 + i), admitted_on=date(2020, 6, 1 + i)
        )
    assert queries(client, url) == first
    assert queries(client, targets_url) == first_targets
    page = client.get(url).content.decode()
    assert "<svg" in page and 'id="admitted">8<' in page and "Vượt chỉ tiêu" in page
    xlsx = client.get(url + "&format=xlsx&download=r3port0k")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.cookies[downloads.COOKIE].value == "r3port0k"  # the page's bar stops


def test_the_api_records_steps_with_the_same_checks(tree: Tree, users: dict[str, User]) -> None:
    for i in range(3):
        make_member(tree.cell_a1, f"Đảng Viên {i}")
    seat_committee(tree.commune_a, members_of(tree.cell_a1)[:3], date(2020, 1, 1))
    c = ready(
        make_candidate(tree.cell_a1),
        date(2025, 1, 6),
        members_of(tree.cell_a1)[:2],
        date(2023, 1, 1),
    )
    client = signed_in(users[Role.STAFF])
    base = f"/api/v1/recruitment/candidates/{c.pk}"
    short = client.post(
        f"{base}/steps/cell_resolution",
        {"on": "2025-03-03", "votes_for": 3},
        content_type="application/json",
    )
    assert short.status_code == 201 and short.json()["steps"][-1]["passed"] is False
    young = client.post(
        f"{base}/steps/decision",
        {"on": "2025-03-03", "number": "1"},
        content_type="application/json",
    )
    assert young.status_code == 400 and young.json()["code"] == "invalid"
    done = client.post(
        f"{base}/steps/cell_resolution",
        {"on": "2025-03-04", "votes_for": 4, "number": "2"},
        content_type="application/json",
    )
    assert done.json()["stage"] == "proposed"
    assert done.json()["due"]["responsible"] == "Đảng bộ xã Đa Lộc"
    board = client.get(f"/api/v1/recruitment/units/{tree.district.pk}/board").json()
    assert {s["stage"]: s["count"] for s in board["stages"]}["proposed"] == 1
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/recruitment/candidates/{candidate_id}/steps/{kind}" in spec["paths"]
    report = client.get(
        f"/api/v1/recruitment/units/{tree.district.pk}/report?from=2016-01&to=2021-08"
    )
    assert report.status_code == 200 and report.json()["admitted"] == 0


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER])
def test_read_only_roles_record_nothing(tree: Tree, users: dict[str, User], role: str) -> None:
    c = make_candidate(tree.cell_a1)
    client = signed_in(users[role])
    response = client.post(
        f"/api/v1/recruitment/candidates/{c.pk}/steps/certificate",
        {"on": "2025-03-03", "by": "TTCT"},
        content_type="application/json",
    )
    assert response.status_code == 404
    c.refresh_from_db()
    assert c.stage == Stage.LISTED


def test_correcting_a_candidates_details_until_the_ceremony(
    tree: Tree, users: dict[str, User]
) -> None:
    from chibo.audit.models import AuditEvent

    c = make_candidate(tree.cell_a1, "Lê Thị Hoa")
    client = signed_in(users[Role.SECRETARY])
    page = client.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
    url = reverse("recruitment:edit", args=[c.pk])
    assert url in page
    form = client.get(url).content.decode()
    assert 'value="Lê Thị Hoa"' in form and "listed_on" not in form
    data = {
        "full_name": "Lê Thị Hoà",
        "sex": "F",
        "birth_date": "02/03/2001",
        "education": "university",
        "citizen_id": "038301000123",
    }
    bad = client.post(url, {**data, "citizen_id": "12345"})
    assert "12 digits" in bad.content.decode() or "12 chữ số" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert (c.full_name, c.education, c.citizen_id) == ("Lê Thị Hoà", "university", "038301000123")
    event = AuditEvent.objects.get(action="recruitment.candidate.edit")
    assert event.changes["citizen_id"] == {"before": "…", "after": "…"}  # not the number itself
    c.admitted_on = date(2025, 1, 1)
    c.save()
    refused = client.post(url, {**data, "full_name": "Khác"})
    assert "Admitted: correct the member" in refused.content.decode()


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_a_steps_documents_are_added_checked_served_and_removed(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks
) -> None:
    c = make_candidate(tree.cell_a1)
    done = step(c, StepKind.CERTIFICATE, date(2025, 3, 1), by="Trung tâm Chính trị")
    client = signed_in(users[Role.SECRETARY])
    url = reverse("recruitment:add_document", args=[done.pk])
    page = reverse("recruitment:candidate", args=[c.pk])
    assert url in client.get(page).content.decode()

    renamed = SimpleUploadedFile("giay-chung-nhan.pdf", b"MZ\x90\x00 not a pdf")
    refused = client.post(url, {"file": renamed, "title": "Giấy chứng nhận"}, follow=True)
    assert "nội dung không phải PDF" in refused.content.decode()
    assert not Attachment.objects.exists()

    scan = SimpleUploadedFile("gcn.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"file": scan, "title": "Giấy chứng nhận (bản quét)"})
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{done.pk}")
    document = Attachment.objects.get()
    assert document.title == "Giấy chứng nhận (bản quét)" and document.step == done
    served = client.get(reverse("recruitment:attachment", args=[document.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == PDF  # type: ignore[attr-defined]
    stored = document.file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(reverse("recruitment:remove_document", args=[document.pk]))
    assert removed.status_code == 302
    assert not Attachment.objects.exists()
    assert not default_storage.exists(stored)
    event = AuditEvent.objects.filter(action="recruitment.attachment.remove").get()
    assert event.changes["title"] == "Giấy chứng nhận (bản quét)"


def test_only_who_records_a_step_keeps_its_documents(tree: Tree, users: dict[str, User]) -> None:
    c = proposed(tree, "Chờ Đảng Ủy", today() - timedelta(days=5))
    seat_committee(tree.commune_a, members_of(tree.cell_a1)[:3], date(2020, 1, 1))
    done = step(c, StepKind.COMMITTEE_RESOLUTION, today(), votes_for=3, number="7")
    url = reverse("recruitment:add_document", args=[done.pk])
    scan = {"file": SimpleUploadedFile("nq.pdf", PDF), "title": "Nghị quyết"}
    secretary = signed_in(users[Role.SECRETARY])
    assert url not in secretary.get(reverse("recruitment:candidate", args=[c.pk])).content.decode()
    assert secretary.post(url, scan).status_code == 404
    assert not Attachment.objects.exists()
    staff = signed_in(users[Role.STAFF])
    scan = {"file": SimpleUploadedFile("nq.pdf", PDF), "title": "Nghị quyết"}
    assert staff.post(url, scan).status_code == 302
    document = Attachment.objects.get()
    remove = reverse("recruitment:remove_document", args=[document.pk])
    assert secretary.post(remove).status_code == 404
    assert Attachment.objects.exists()
