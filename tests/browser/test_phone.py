"""The demo through a real browser: a cell secretary on a 360 px phone, a keyboard-only user,
and the district as it was in 2021 on a desktop screen. Screenshots go to test-output/."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

from chibo.demo.organisation import ARTICLE_DAY, DEMO_PASSWORD
from chibo.lib.dates import today
from chibo.members.models import Membership
from chibo.units.models import Unit
from conftest import demo_args

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

# The live server reads what the test commits, so no test transaction to roll back.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360
# Every control that is not a hidden input, with no label a sighted user can see.
UNLABELLED_CONTROLS = """() => {
  const seen = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0
      && getComputedStyle(el).visibility !== "hidden" && el.innerText.trim() !== "";
  };
  return [...document.querySelectorAll("input, select, textarea, button")]
    .filter((el) => el.type !== "hidden")
    .filter((el) => !(el.tagName === "BUTTON" ? [el] : [...el.labels]).some(seen))
    .map((el) => el.outerHTML);
}"""
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "button, input:not([type=hidden]), select, .user a, .actions a, form > a")]
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width && r.height < 44; })
  .map((el) => el.outerHTML)"""


def load_demo() -> None:
    # Browser tests look at today's pages: three months of books are enough.
    call_command("load_demo", *demo_args(months=3), stdout=StringIO(), stderr=StringIO())


def members_of(unit: Unit, on: date) -> int:
    """Written out here rather than through the selectors the page itself uses."""
    return Membership.objects.filter(unit=unit, valid_from__lte=on).exclude(valid_to__lt=on).count()


def number(text: str) -> int:
    """8.900 (Vietnamese) or 8,900 (English) as an int."""
    return int(re.sub(r"\D", "", text))


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def horizontal_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth") - PHONE_WIDTH


def small_targets(page: Page) -> list[str]:
    """Controls and button-like links less than 44 px high, too small for an older thumb."""
    return page.evaluate(SMALL_TARGETS)


def test_secretary_opens_her_cell_on_a_phone(
    live_server: LiveServer, phone: Page, output: Path
) -> None:
    load_demo()
    cell = Unit.objects.get(name="Chi bộ thôn Ninh Phú")
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    assert horizontal_overflow(page) <= 0
    assert small_targets(page) == []
    page.screenshot(path=output / "login-phone.png")

    sign_in(page, live_server, "bithuninhphu")

    # Her only unit, so the home page sends her straight to it.
    expect(page).to_have_url(f"{live_server.url}/units/{cell.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi bộ thôn Ninh Phú")
    assert number(page.locator("#stat-members").inner_text()) == members_of(cell, today())
    crumbs = page.get_by_role("navigation", name="Cấp trên")
    expect(crumbs).to_contain_text("Đảng bộ xã Vạn Lộc")
    expect(crumbs).not_to_contain_text("huyện")
    assert horizontal_overflow(page) <= 0
    assert small_targets(page) == []
    page.screenshot(path=output / "cell-phone-top.png")
    page.screenshot(path=output / "cell-phone.png", full_page=True)

    page.get_by_label("Xem tại ngày").fill(ARTICLE_DAY.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Xem", exact=True).click()

    expect(crumbs).to_contain_text("Đảng bộ xã Đa Lộc")
    expect(crumbs).to_contain_text("Đảng bộ huyện Hậu Lộc")
    expect(page).to_have_url(re.compile(r"\?on=31%2F08%2F2021$"))
    expect(page.locator(".asof-note")).to_contain_text("31/08/2021")
    assert number(page.locator("#stat-members").inner_text()) == members_of(cell, ARTICLE_DAY)
    assert horizontal_overflow(page) <= 0
    assert small_targets(page) == []
    page.screenshot(path=output / "cell-phone-2021.png", full_page=True)

    # Her cell's roll searched by a name typed without diacritics, the filters open: every
    # field fits the screen (number fields too, which browsers size on their own).
    page.goto(f"{live_server.url}/members/units/{cell.pk}/?text=nguyen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách đảng viên")
    expect(page.locator("#roll")).to_contain_text("Nguyễn")
    expect(page.get_by_label("Tuổi đảng đến")).to_be_visible()
    right_edges = page.evaluate(
        "[...document.querySelectorAll('.filters input, .filters select')]"
        ".map(e => e.getBoundingClientRect().right)"
    )
    assert right_edges and max(right_edges) <= PHONE_WIDTH, right_edges
    assert horizontal_overflow(page) <= 0
    assert small_targets(page) == []
    page.screenshot(path=output / "cell-roll-search-phone.png", full_page=True)


def test_keyboard_alone_signs_in_and_searches(live_server: LiveServer, desktop: Page) -> None:
    load_demo()
    page = desktop
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate(UNLABELLED_CONTROLS) == []

    # The form has the focus on arrival (autofocus): the user name can be typed at once.
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.type("dangvien")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi bộ thôn Ninh Phú")

    # Tab from the top: first the skip link, which takes the next Tab into the content.
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Bỏ qua, tới nội dung chính")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    # From the top again, a few presses reach the search box.
    page.reload()
    tab_to(page, "#q")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("ninh phu")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Chi bộ thôn Ninh Phú")).to_be_visible()


def tab_to(page: Page, selector: str, presses: int = 4) -> None:
    """Press Tab until `selector` has the focus; fail if it takes more than `presses`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached in {presses} presses of Tab")


def test_district_in_2021_on_a_desktop(
    live_server: LiveServer, desktop: Page, output: Path
) -> None:
    """The figures of the 2021 article: 50 base organisations, 326 cells, 8.900 members."""
    load_demo()
    district = Unit.objects.get(name="Đảng bộ huyện Hậu Lộc")
    page = desktop
    sign_in(page, live_server, "quantri")
    page.goto(f"{live_server.url}/units/{district.pk}/?on={ARTICLE_DAY.isoformat()}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Đảng bộ huyện Hậu Lộc")
    expect(page.locator("#stat-members")).to_have_text("8.900")
    expect(page.locator("#stat-cells")).to_have_text("326")
    expect(page.locator("#stat-children")).to_have_text("50")
    page.screenshot(path=output / "district-2021-desktop.png")
    page.screenshot(path=output / "district-2021-desktop-full.png", full_page=True)
