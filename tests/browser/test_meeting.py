"""The Ninh Phú secretary holds a meeting on her phone: plans it, takes the roll in one tap,
records a vote, closes the meeting and downloads the minutes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from pypdf import PdfReader

from chibo.meetings.models import Meeting, MeetingState, Vote
from tests.browser.test_phone import horizontal_overflow, load_demo, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_holds_a_meeting_on_her_phone(
    live_server: LiveServer, phone: Page, output: Path
) -> None:
    load_demo()
    page = phone
    sign_in(page, live_server, "bithuninhphu")
    page.get_by_role("link", name="Sinh hoạt chi bộ").click()
    page.get_by_role("link", name="Lên lịch cuộc họp").click()
    started = timezone.localtime() - timedelta(minutes=5)
    page.get_by_label("Loại cuộc họp").select_option("extraordinary")
    page.get_by_label("Ngày họp").fill(started.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu").fill(started.strftime("%H:%M"))
    page.get_by_label("Địa điểm").fill("Hội trường thôn Ninh Phú")
    page.get_by_role("button", name="Lưu").click()
    meeting = Meeting.objects.get(place="Hội trường thôn Ninh Phú", kind="extraordinary")
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/"))

    page.get_by_role("link", name="Điểm danh", exact=True).click()
    page.get_by_role("button", name="Tất cả có mặt").click()
    expect(page.locator("#roll")).to_contain_text("Đã ghi có mặt")  # the roll came back
    # One tap on a name: the line opens; excused with a reason, it closes with the counts.
    page.locator("ul.roll li a").first.click()
    page.get_by_label("Lý do vắng").fill("Ốm")
    page.get_by_role("button", name="Vắng có lý do").click()
    expect(page.locator("ul.roll li").first).to_contain_text("Vắng có lý do: Ốm")
    expect(page.locator("#roll-counts dd").nth(2)).to_have_text("1")
    assert horizontal_overflow(page) <= 0
    page.evaluate("window.scrollTo(0, 0)")  # the counts stick to the top while scrolling
    page.screenshot(path=output / "roll-call-phone.png", full_page=True)

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/records/")
    present = meeting.attendance.filter(mark__in=["present", "late"]).count()
    page.get_by_label("Vấn đề biểu quyết").fill("Thông qua nghị quyết tháng")
    page.get_by_label("Tán thành", exact=True).fill(str(present))
    page.get_by_role("button", name="Ghi biểu quyết").click()
    expect(page.locator("main")).to_contain_text("Thông qua nghị quyết tháng")
    assert Vote.objects.get(meeting=meeting).passed

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/close/")
    ended = min(timezone.localtime() + timedelta(minutes=100), started.replace(hour=23, minute=59))
    page.get_by_label("Giờ kết thúc").fill(ended.strftime("%H:%M"))
    page.get_by_role("button", name="Lưu").click()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED

    link = page.get_by_role("link", name="Biên bản (PDF)")
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.headers["content-type"] == "application/pdf"
    pdf = output / "minutes.pdf"
    pdf.write_bytes(response.body())
    text = PdfReader(pdf).pages[0].extract_text()
    assert "BIÊN BẢN" in text.upper()
    assert "Ninh Phú" in text
