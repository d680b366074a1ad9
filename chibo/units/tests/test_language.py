"""Vietnamese first, English on request; dates dd/mm/yyyy, numbers 8.900 in Vietnamese."""

from django.test import Client
from django.urls import reverse

from chibo.accounts.models import Role, User
from chibo.units.models import UnitKind
from conftest import Tree, make_member, make_unit


def test_vietnamese_by_default_and_english_on_request(tree: Tree, users: dict[str, User]) -> None:
    client = Client()
    client.force_login(users[Role.STAFF])
    url = reverse("units:detail", args=[tree.district.pk])
    assert "Tổ chức trực thuộc" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert 'lang="en"' in english
    assert "Tổ chức trực thuộc" not in english
    assert "Đăng xuất" not in english


def test_numbers_and_dates_in_vietnamese_format(tree: Tree, users: dict[str, User]) -> None:
    big = make_unit(tree.commune_b, UnitKind.CELL, "BIG")
    for i in range(1000):
        make_member(big, f"Đảng Viên Số {i}")
    client = Client()
    client.force_login(users[Role.STAFF])
    html = client.get(reverse("units:detail", args=[tree.district.pk]), {"on": "2025-12-31"})
    text = html.content.decode()
    assert 'id="stat-members">1.006<' in text
    assert "31/12/2025" in text
