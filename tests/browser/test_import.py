"""A cell secretary imports a small Excel file through the pages and sees the members listed."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from chibo.members.models import Member
from chibo.members.spreadsheets import files
from chibo.units.models import Unit
from tests.browser.test_phone import load_demo, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Đinh Thị Mơ", "Nữ", "12/04/1996", "038196001122"),
    ("Cao Văn Bảo", "Nam", "03/11/1990", "038090003344"),
]


def small_file(path: Path) -> Path:
    """The template the page offers, with two people filled in."""
    workbook = load_workbook(BytesIO(files.template()))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for name, sex, born, citizen_id in PEOPLE:
        row = {"Họ và tên": name, "Giới tính": sex, "Ngày sinh": born, "Số CCCD": citizen_id}
        sheet.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


def test_secretary_imports_a_file_and_sees_the_members(
    live_server: LiveServer, phone: Page, output: Path
) -> None:
    load_demo()
    cell = Unit.objects.get(name="Chi bộ thôn Ninh Phú", code__startswith="HL-DALOC")
    upload = small_file(output / "import-small.xlsx")
    page = phone
    sign_in(page, live_server, "bithuninhphu")
    page.get_by_role("link", name="Danh sách đảng viên").click()
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp danh sách (.xlsx hoặc .csv)").set_input_files(str(upload))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    # The preview says what will happen, and nothing is written yet.
    expect(page.locator("main")).to_contain_text("Đinh Thị Mơ")
    assert not Member.objects.filter(full_name="Đinh Thị Mơ").exists()
    page.screenshot(path=output / "import-preview-phone.png", full_page=True)
    page.get_by_role("button", name=re.compile("Xác nhận")).click()
    expect(page).to_have_url(re.compile(rf"/members/units/{cell.pk}/"))
    for name, *_rest in PEOPLE:
        expect(page.locator("#roll")).to_contain_text(name)
    assert Member.objects.filter(full_name__in=[p[0] for p in PEOPLE]).count() == 2
    page.screenshot(path=output / "import-done-phone.png", full_page=True)
    export_the_list(page, output)


def export_the_list(page: Page, output: Path) -> None:
    """The list exported from the same page: while the file is being prepared the progress bar
    runs and a message says so, even when the page's own requests come and go meanwhile (the
    file is held back while the list is filtered); once the file has arrived both are gone;
    the file opens and lists the people just imported. Each change of the message is recorded
    by the page itself."""
    page.evaluate(WATCH_STATUS)
    page.evaluate(FILTER_WHEN_ASKED)
    held: list[Route] = []
    page.route(re.compile(r"/export/\?.*download="), lambda route: held.append(route))
    filtered: list[str] = []
    page.on("requestfinished", lambda r: filtered.append(r.url) if "text=M" in r.url else None)
    # Dispatched, not clicked, and the page left to its scripts until the file is let through:
    # Playwright's clicks, checks and scripts wait for the navigation that is held back.
    page.get_by_role("link", name="Xuất Excel").dispatch_event("click")
    while not (held and filtered):
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # the list swapped in
    with page.expect_download() as arrival:
        held[0].fulfill(response=held[0].fetch())
    saved = output / "export-phone.xlsx"
    arrival.value.save_as(saved)
    expect(page.locator("#download-status")).to_contain_text("Tệp đã tạo xong")
    page.screenshot(path=output / "export-done-phone.png")
    expect(page.locator("#progress")).not_to_have_class(re.compile("downloading"))
    expect(page.locator("#download-status")).to_be_empty(timeout=8000)
    # A request of the page's own (the list filtered) ended while the file was awaited.
    bar, roll = page.evaluate("window.filtered")
    assert "downloading" in bar, bar
    assert "Đinh Thị Mơ" in roll and "Cao Văn Bảo" not in roll, roll
    said = page.evaluate("window.said")
    assert said[0][0].startswith("Đang tạo tệp") and "downloading" in said[0][1], said
    assert said[1][0].startswith("Tệp đã tạo xong") and "downloading" not in said[1][1], said
    names = {row[0] for row in load_workbook(saved).worksheets[0].iter_rows(values_only=True)}
    assert {name for name, *_rest in PEOPLE} <= names


# Once the page says a file is being prepared, the list filtered through htmx as the search
# button does; the bar's classes and the list once that request is done.
FILTER_WHEN_ASKED = """() => {
  const status = document.getElementById("download-status");
  const observer = new MutationObserver(async () => {
    if (!status.textContent.startsWith("Đang tạo tệp")) return;
    observer.disconnect();
    const form = document.querySelector("form[hx-get]");
    form.querySelector("[name=text]").value = "Mơ";
    await htmx.ajax("GET", form.getAttribute("hx-get"), {source: form, target: "#roll"});
    window.filtered = [document.getElementById("progress").className,
                       document.getElementById("roll").textContent];
  });
  observer.observe(status, {childList: true, characterData: true, subtree: true});
}"""


# Every message of the download's status, with the progress bar's classes at that moment.
WATCH_STATUS = """() => {
  const status = document.getElementById("download-status");
  const bar = document.getElementById("progress");
  window.said = [];
  new MutationObserver(() => {
    if (status.textContent) window.said.push([status.textContent, bar.className]);
  }).observe(status, {childList: true, characterData: true, subtree: true});
}"""
