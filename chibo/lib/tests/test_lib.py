from datetime import date

import pytest

from chibo.lib.dates import format_date
from chibo.lib.vntext import name_sort_key, search_key


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
