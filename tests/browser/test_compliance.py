"""District staff on a 360 px phone open the compliance dashboard, drill down through the
lagging commune to the lagging cell and open its meeting. The matrix scrolls inside its own
box; the page itself never overflows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from dateutil.relativedelta import relativedelta

from chibo.accounts.models import Role
from chibo.compliance import services
from chibo.compliance.tests.helpers import hold
from chibo.lib.dates import today
from chibo.units.models import UnitKind
from conftest import PASSWORD, make_member, make_unit, make_user
from tests.browser.test_phone import horizontal_overflow

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def organisation() -> date:
    """A district of two communes: every cell of the first met in full last month; in the
    second, Chi bộ thôn Y Bích met with half its members away."""
    month = today().replace(day=1) - relativedelta(months=1)
    province = make_unit(None, UnitKind.PROVINCE, "TH", "Đảng bộ tỉnh Thanh Hóa")
    district = make_unit(province, UnitKind.DISTRICT, "HL", "Đảng bộ huyện Hậu Lộc")
    make_user("huyenuy", Role.STAFF, district)
    for c, (commune, cells) in enumerate(
        [
            ("Đảng bộ xã Đa Lộc", ["Chi bộ thôn Ninh Phú", "Chi bộ thôn Đông Thành"]),
            ("Đảng bộ xã Hải Lộc", ["Chi bộ thôn Y Bích", "Chi bộ thôn Hải Thanh"]),
        ]
    ):
        base = make_unit(district, UnitKind.BASE, f"HL{c}", commune)
        for n, name in enumerate(cells):
            cell = make_unit(base, UnitKind.CELL, f"HL{c}{n}", name)
            for i in range(6):
                make_member(cell, f"Đảng Viên {c}{n}{i}")
            away = 3 if name == "Chi bộ thôn Y Bích" else 0
            hold(cell, month + timedelta(days=3), absent=away)
    services.evaluate(province, month, actor=None)
    return month


def test_district_staff_drill_down_to_a_lagging_cell(
    live_server: LiveServer, phone: Page, output: Path
) -> None:
    month = organisation()
    page = phone
    page.goto(f"{live_server.url}/")
    page.get_by_label("Tên đăng nhập").fill("huyenuy")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.get_by_role("link", name="Chấp hành quy định").click()
    expect(page.locator("h1")).to_contain_text(f"tháng {month:%m/%Y}")
    expect(page.locator("#matrix")).to_contain_text("Đảng bộ xã Đa Lộc")
    assert horizontal_overflow(page) <= 0
    # The matrix is wider than the phone: it scrolls inside its box.
    box = page.locator(".table-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    page.screenshot(path=output / "compliance-district-phone.png", full_page=True)

    page.locator("#lagging").get_by_role("link", name="Đảng bộ xã Hải Lộc").click()
    expect(page.locator("#lagging")).to_contain_text("Chi bộ thôn Y Bích")
    page.wait_for_load_state()
    assert horizontal_overflow(page) <= 0
    page.locator("#lagging").get_by_role("link", name="Chi bộ thôn Y Bích").click()
    expect(page.locator("#obligations")).to_contain_text("Tỷ lệ đảng viên dự sinh hoạt")
    expect(page.locator("#obligations")).to_contain_text(re.compile(r"50,0\s%"))
    page.wait_for_load_state()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=output / "compliance-cell-phone.png", full_page=True)

    page.locator("#meetings").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    expect(page.locator("main")).to_contain_text("Sinh hoạt thường kỳ")
