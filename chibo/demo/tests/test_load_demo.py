"""The demo organisation matches the article, and its 2025 restructuring keeps the history."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from chibo.accounts.models import User
from chibo.members.models import Member
from chibo.units import selectors
from chibo.units.models import EndReason, Unit, UnitKind

ARTICLE_DAY = date(2021, 8, 31)
AFTER_REFORM = date(2025, 7, 1)


@pytest.fixture
def demo(db: None) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def counts(code: str, on: date) -> selectors.Counts:
    unit = Unit.objects.get(code=code)
    version = selectors.version_on(unit, on)
    assert version is not None
    return selectors.counts_below(version, on)[unit.pk]


def test_district_as_in_the_article(demo: str) -> None:
    district = Unit.objects.get(code="TH-HL")
    version = selectors.version_on(district, ARTICLE_DAY)
    assert version is not None
    bases = list(selectors.children_on(version, ARTICLE_DAY))
    assert len(bases) == 50
    assert {b.unit.kind for b in bases} == {UnitKind.BASE}
    assert counts("TH-HL", ARTICLE_DAY).members == 8900
    assert counts("TH-HL", ARTICLE_DAY).cells == 326
    assert counts("HL-DALOC", ARTICLE_DAY) == selectors.Counts(members=285, cells=14, units=15)
    names = {u.name for u in Unit.objects.filter(kind=UnitKind.CELL)}
    for village in ["Ninh Phú", "Đông Thành", "Vạn Thắng", "Hùng Thành", "Hiển Vinh", "Y Bích"]:
        assert f"Chi bộ thôn {village}" in names
    assert Unit.objects.filter(name="Chi bộ Trung tâm Chính trị huyện").exists()
    for commune in ["Triệu Lộc", "Ngư Lộc", "Phú Lộc", "Hoa Lộc", "Đa Lộc"]:
        assert Unit.objects.filter(name=f"Đảng bộ xã {commune}", kind=UnitKind.BASE).exists()


def test_cells_range_from_three_members(demo: str) -> None:
    district = Unit.objects.get(code="TH-HL")
    version = selectors.version_on(district, ARTICLE_DAY)
    assert version is not None
    per_unit = selectors.counts_below(version, ARTICLE_DAY)
    cells = [per_unit[u.pk].members for u in Unit.objects.filter(kind=UnitKind.CELL)]
    assert min(cells) >= 3
    assert max(cells) > 40


def test_restructuring_of_2025(demo: str) -> None:
    district = Unit.objects.get(code="TH-HL")
    assert (district.valid_to, district.end_reason) == (date(2025, 6, 30), EndReason.DISSOLVED)
    assert selectors.version_on(district, AFTER_REFORM) is None
    province = Unit.objects.get(code="TH")
    version = selectors.version_on(province, AFTER_REFORM)
    assert version is not None
    communes = {v.name for v in selectors.children_on(version, AFTER_REFORM)}
    assert communes == {
        "Đảng bộ xã Hậu Lộc",
        "Đảng bộ xã Triệu Lộc",
        "Đảng bộ xã Đông Thành",
        "Đảng bộ xã Hoa Lộc",
        "Đảng bộ xã Vạn Lộc",
    }
    # Every member and cell went somewhere: nobody was lost in the restructuring.
    assert counts("TH", AFTER_REFORM).members == counts("TH-HL", date(2025, 6, 30)).members
    assert counts("TH", AFTER_REFORM).cells == 326
    da_loc = Unit.objects.get(code="HL-DALOC")
    assert da_loc.successor == Unit.objects.get(code="TH-VANLOC")
    ninh_phu = Unit.objects.get(name="Chi bộ thôn Ninh Phú")
    assert selectors.version_on(ninh_phu, ARTICLE_DAY).parent == da_loc  # type: ignore[union-attr]
    assert selectors.version_on(ninh_phu, AFTER_REFORM).parent.code == "TH-VANLOC"  # type: ignore[union-attr]


def test_demo_accounts_and_members(demo: str) -> None:
    assert "HauLoc@2021" in demo
    assert "384 tổ chức, 8.900 đảng viên" in demo
    for username in ["quantri", "huyenuy", "xadaloc", "bithuninhphu", "dangvien"]:
        assert username in demo
        assert User.objects.get(username=username).check_password("HauLoc@2021")
    assert Member.objects.get(user__username="dangvien").full_name == "Trần Thị Lan"
    secretary = Client()
    secretary.force_login(User.objects.get(username="bithuninhphu"))
    page = secretary.get("/", follow=True)
    assert "Chi bộ thôn Ninh Phú" in page.content.decode()


def test_former_district_staff_read_their_period_only(demo: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="huyenuy"))
    district = Unit.objects.get(code="TH-HL")
    home = client.get("/").content.decode()
    assert "Đảng bộ huyện Hậu Lộc" in home
    past = client.get(f"/units/{district.pk}/?on=2021-08-31")
    assert past.status_code == 200
    assert "Hôm nay" not in past.content.decode()  # today is outside the role's period
    ninh_phu = Unit.objects.get(name="Chi bộ thôn Ninh Phú")
    assert client.get(f"/units/{ninh_phu.pk}/?on=2021-08-31").status_code == 200
    assert client.get(f"/units/{ninh_phu.pk}/").status_code == 404
    assert client.get(f"/units/{district.pk}/rename/").status_code == 404


def test_deterministic_and_refuses_a_second_load(demo: str) -> None:
    # A fixed seed: every load makes the same people in the same order.
    first = ["Nguyễn Thị Hà", "Nguyễn Đức Nghĩa", "Trần Minh Dung", "Trần Văn Tuấn"]
    assert first == list(Member.objects.order_by("pk").values_list("full_name", flat=True)[:4])
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "đã có sẵn" in out.getvalue()
    assert Member.objects.count() == 8900


def test_roll_life_exemptions_attachments_transfers_and_committees(demo: str) -> None:
    from chibo.committees.models import CommitteeSeat, SupervisionAssignment
    from chibo.members.models import Membership, MemberStatus, Transfer, TransferState

    assert MemberStatus.objects.filter(status="exempted").count() >= 40
    assert MemberStatus.objects.filter(status="deceased").count() == 8
    # Attached members count in their home cell, not in the host.
    attached = Membership.objects.filter(kind="temporary", valid_from__lte=ARTICLE_DAY)
    assert attached.count() == 3
    host = attached.first().unit  # type: ignore[union-attr]
    version = selectors.version_on(host, ARTICLE_DAY)
    assert version is not None
    on_roll_host = selectors.counts_below(version, ARTICLE_DAY)[host.pk].members
    assert Membership.objects.filter(unit=host, kind="official").count() >= on_roll_host
    assert counts("HL-DALOC", ARTICLE_DAY).members == 285
    pending = Transfer.objects.filter(state=TransferState.ISSUED)
    assert pending.count() == 2
    assert Transfer.objects.filter(destination_text__contains="Hà Nội").count() == 1
    assert CommitteeSeat.objects.filter(position="secretary").count() >= 2
    assert SupervisionAssignment.objects.count() == 2
    # Committees of the units that ended in 2025 ended with them.
    assert not CommitteeSeat.objects.filter(valid_to__isnull=True, unit__valid_to__isnull=False)
    assert Member.objects.exclude(citizen_id=None).count() == 8900


def test_meetings_held_with_their_roll_and_next_month_planned(demo: str) -> None:
    from chibo.meetings import selectors as meeting_selectors
    from chibo.meetings.models import Meeting, MeetingKind, MeetingState

    closed = list(Meeting.objects.filter(state=MeetingState.CLOSED))
    assert len(closed) >= 14 * 6
    rates = [meeting_selectors.turnout(m).rate or 0 for m in closed]
    assert sum(rates) / len(rates) > 85
    assert min(rates) < 85  # some cells lag behind
    assert Meeting.objects.filter(kind=MeetingKind.THEMATIC).exists()
    ninh_phu = Unit.objects.get(name="Chi bộ thôn Ninh Phú", code__startswith="HL-DALOC")
    assert Meeting.objects.filter(unit=ninh_phu, state=MeetingState.PLANNED).count() == 1
    from chibo.meetings.models import DuesPayment

    dues = DuesPayment.objects.filter(unit=ninh_phu)
    assert dues.filter(paid=True).count() > dues.filter(paid=False).count() > 0
