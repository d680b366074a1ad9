"""Working days in Vietnam: weekends, public holidays, days off in lieu and swapped days."""

from datetime import date

import pytest

from chibo.lib.workdays import add_workdays, is_workday, workdays_between


@pytest.mark.parametrize(
    "day",
    [
        # Tết Đinh Mùi 2027 (RULES.md §9): 29 Tết and Giao thừa (4–5/2), then 6–10/2, of which
        # 6–7/2 fall on a weekend.
        date(2027, 2, 4),
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2027, 4, 30),
        date(2027, 5, 3),  # 1/5/2027 is a Saturday: the day off moves to Monday
        date(2026, 9, 1),  # 2/9 with its second day: Tuesday 1/9 and Wednesday 2/9/2026
        date(2026, 9, 2),
        date(2026, 8, 31),  # a swapped day off, worked back on Saturday 22/8/2026
        date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, a day off from 2026
    ],
)
def test_holidays_are_not_working_days(day: date) -> None:
    assert not is_workday(day)


def test_weekends_and_ordinary_days() -> None:
    assert is_workday(date(2027, 2, 11))  # the Thursday after Tết
    assert not is_workday(date(2026, 11, 28))  # Saturday
    assert not is_workday(date(2026, 11, 29))  # Sunday
    assert is_workday(date(2026, 8, 22))  # the Saturday worked for 31/8/2026
    assert is_workday(date(2025, 11, 24))  # 24/11 is a working day before 2026


def test_a_swap_across_new_year_makes_the_january_saturday_a_working_day() -> None:
    # 31/12/2018 was given off in exchange for Saturday 5/1/2019.
    assert not is_workday(date(2018, 12, 31))
    assert is_workday(date(2019, 1, 5))


def test_add_workdays_across_tet_2027() -> None:
    # Monday 1/2/2027: Tue 2, Wed 3, then nothing until Thu 11, Fri 12, Mon 15.
    assert add_workdays(date(2027, 2, 1), 5) == date(2027, 2, 15)
    assert add_workdays(date(2027, 2, 3), 1) == date(2027, 2, 11)
    # 30 working days from Wednesday 20/1/2027: 7 in January, 3 before Tết, 20 after it;
    # without Tết the 30th would be Wednesday 3/3.
    assert add_workdays(date(2027, 1, 20), 30) == date(2027, 3, 10)


def test_add_workdays_across_30_4_and_1_5() -> None:
    # Wednesday 29/4/2026 → Thursday 30/4 and Friday 1/5 off → Monday 4/5.
    assert add_workdays(date(2026, 4, 29), 1) == date(2026, 5, 4)
    # Thursday 29/4/2027 → Fri 30/4 off, Sat 1/5, Mon 3/5 in lieu → Tuesday 4/5.
    assert add_workdays(date(2027, 4, 29), 1) == date(2027, 5, 4)


def test_add_workdays_across_national_day_and_the_swapped_saturday() -> None:
    # Friday 21/8/2026: Saturday 22/8 is worked, so it is the first working day after.
    assert add_workdays(date(2026, 8, 21), 1) == date(2026, 8, 22)
    # Friday 28/8/2026: 31/8, 1/9 and 2/9 off → Thursday 3/9.
    assert add_workdays(date(2026, 8, 28), 1) == date(2026, 9, 3)


def test_add_workdays_across_cultural_day() -> None:
    assert add_workdays(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert add_workdays(date(2025, 11, 21), 1) == date(2025, 11, 24)


def test_add_workdays_zero_and_backwards() -> None:
    assert add_workdays(date(2026, 11, 29), 0) == date(2026, 11, 29)
    assert add_workdays(date(2026, 5, 4), -1) == date(2026, 4, 29)


def test_workdays_between_counts_after_the_start_up_to_the_end() -> None:
    assert workdays_between(date(2026, 8, 21), date(2026, 9, 4)) == 8
    assert workdays_between(date(2027, 2, 1), date(2027, 2, 15)) == 5
    assert workdays_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert workdays_between(date(2026, 11, 25), date(2026, 11, 23)) == -1


@pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 8, 14), date(2027, 1, 25)])
@pytest.mark.parametrize("n", [1, 10, 30, 60])
def test_workdays_between_is_the_inverse_of_add_workdays(start: date, n: int) -> None:
    assert workdays_between(start, add_workdays(start, n)) == n
