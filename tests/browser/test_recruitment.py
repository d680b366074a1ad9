"""A commune committee's staff takes a Ninh Phú candidate from the cell's resolution through the
admission ceremony on a phone: each step on its own form, the ceremony admitting a member."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chibo.committees.selectors import official_member_count
from chibo.lib.dates import today
from chibo.members.models import MemberStatus, Status
from chibo.recruitment import services
from chibo.recruitment.models import Candidate, Stage
from chibo.units.models import Unit
from tests.browser.test_phone import horizontal_overflow, load_demo, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def record(page: Page, link: str, fields: dict[str, str]) -> None:
    page.get_by_role("link", name=link).click()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    assert horizontal_overflow(page) <= 0
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi")


def test_from_the_cells_resolution_to_the_ceremony_on_a_phone(
    live_server: LiveServer, phone: Page, output: Path
) -> None:
    load_demo()
    ninh_phu = Unit.objects.get(name="Chi bộ thôn Ninh Phú", valid_to__isnull=True)
    candidate = Candidate.objects.get(unit=ninh_phu, stage=Stage.READY)
    day = today().strftime("%d/%m/%Y")
    votes = -(-official_member_count(ninh_phu, today()) * 2 // 3)
    committee = services.committee_size(services.base_of(ninh_phu), today())
    page = phone
    sign_in(page, live_server, "xadaloc")
    page.goto(f"{live_server.url}/recruitment/units/{ninh_phu.pk}/")
    expect(page.locator("#stages")).to_contain_text("Đủ hồ sơ, chờ chi bộ xét")
    page.get_by_role("link", name=candidate.full_name).first.click()
    expect(page).to_have_url(re.compile(rf"/recruitment/{candidate.pk}/"))
    record(
        page,
        "Nghị quyết của chi bộ đề nghị kết nạp",
        {"Ngày chi bộ họp xét": day, "Số văn bản": "07-NQ/CB", "Số tán thành": str(votes)},
    )
    expect(page.locator("#stage")).to_contain_text("chờ nghị quyết đảng ủy cơ sở")
    expect(page.locator("#due")).to_contain_text("quyết định kết nạp")
    record(
        page,
        "Nghị quyết của đảng ủy cơ sở",
        {"Ngày đảng ủy họp xét": day, "Số văn bản": "31-NQ/ĐU", "Số tán thành": str(committee)},
    )
    record(page, "Quyết định kết nạp", {"Ngày quyết định": day, "Số văn bản": "215-QĐ/ĐU"})
    expect(page.locator("#due")).to_contain_text("Lễ kết nạp")
    # The signed decision, scanned later, is added to its step and can be taken off again.
    decision = page.locator("#steps li").filter(has_text="Quyết định kết nạp")
    decision.get_by_text("Thêm tài liệu").click()
    scan = {"name": "qd-215.pdf", "mimeType": "application/pdf", "buffer": PDF}
    decision.get_by_label("Tệp (PDF, ảnh, Word, Excel; tối đa 10 MB)").set_input_files(scan)
    decision.get_by_label("Tên tài liệu").fill("Quyết định 215 (bản ký)")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=output / "recruitment-document-phone.png", full_page=True)
    decision.get_by_role("button", name="Tải lên").click()
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm")
    expect(decision.get_by_role("link", name="Quyết định 215 (bản ký)")).to_be_visible()
    decision.get_by_role("button", name="Gỡ tài liệu: Quyết định 215 (bản ký)").click()
    expect(page.locator(".messages")).to_contain_text("Đã gỡ tài liệu")
    expect(decision.get_by_role("link", name="Quyết định 215 (bản ký)")).to_have_count(0)
    page.get_by_role("link", name="Lễ kết nạp").click()
    page.get_by_label("Ngày lễ kết nạp").fill(day)
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=output / "recruitment-ceremony-phone.png", full_page=True)
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#stage")).to_contain_text("Đảng viên dự bị")
    candidate.refresh_from_db()
    assert candidate.member is not None and candidate.member.admitted_on == today()
    status = MemberStatus.objects.get(member=candidate.member, valid_to__isnull=True)
    assert status.status == Status.PROBATIONARY
    assert horizontal_overflow(page) <= 0
