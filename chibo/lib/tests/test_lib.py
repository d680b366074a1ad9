import unicodedata
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from chibo.lib.dates import add_months, format_date
from chibo.lib.vntext import _strip_marks, name_sort_key, search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Phạm Thị Hường", "pham thi huong"),
        ("Đặng  Văn   Đức", "dang van duc"),
        ("ĐẢNG BỘ XÃ ĐA LỘC", "dang bo xa da loc"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
    ],
)
def test_search_key_ignores_diacritics_case_and_spaces(text: str, key: str) -> None:
    assert search_key(text) == key


def _key_by_decomposing(text: str) -> str:
    return " ".join(_strip_marks(text).casefold().split())


def test_the_table_of_letters_gives_the_key_decomposing_gives() -> None:
    # Every letter and mark up to the CJK block, alone and after a Vietnamese name.
    for code in range(0x20, 0x3000):
        char = chr(code)
        if unicodedata.category(char).startswith("C"):
            continue
        for text in (char, f"Đặng Thị{char}Hường ", f"{char}\u0301e"):
            assert search_key(text) == _key_by_decomposing(text), hex(code)


@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF, exclude_categories=("Cs",))))
def test_search_keys_of_any_text_are_those_of_decomposing(text: str) -> None:
    assert search_key(text) == _key_by_decomposing(text)


def test_names_sort_by_given_then_middle_then_family_name() -> None:
    names = ["Lê Văn Chín", "Đặng Văn An", "Nguyễn Thị An", "Phạm Thị Hường", "An"]
    assert sorted(names, key=name_sort_key) == [
        "An",
        "Nguyễn Thị An",
        "Đặng Văn An",
        "Lê Văn Chín",
        "Phạm Thị Hường",
    ]


def test_dates_are_written_day_first() -> None:
    assert format_date(date(2021, 8, 31)) == "31/08/2021"
    assert format_date(None) == ""


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=-1200, max_value=1200),
)
def test_months_are_added_as_relativedelta_adds_them(day: date, months: int) -> None:
    assert add_months(day, months) == day + relativedelta(months=months)


def test_a_month_end_stays_in_its_month() -> None:
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2004, 2, 29), 12 * 18) == date(2022, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
