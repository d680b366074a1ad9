"""Working days, for deadlines the regulations count in working days (ngày làm việc).

A working day is Monday to Friday, minus the public holidays of Bộ luật Lao động 2019, Điều 112
(Tết Dương lịch, Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 and its second day, and from
2026 Ngày Văn hóa Việt Nam 24/11), their days off in lieu (nghỉ bù), and
the days the Government swaps every year: a swapped day off is a holiday and the Saturday worked
in exchange is a working day (e.g. 31/8/2026 off, Saturday 22/8/2026 worked).
The calendar comes from the `holidays` package (`holidays.country_holidays("VN")`, which cites
each year's government notice), so that a new year's schedule is a package upgrade, not our code.
See RULES.md §9.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=128)
def _year(country: str, year: int) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """Days off, weekend days worked in exchange, and weekend weekdays of one calendar year."""
    calendar = holidays.country_holidays(country, years=year)
    return frozenset(calendar), frozenset(calendar.weekend_workdays), frozenset(calendar.weekend)


def is_workday(day: date, country: str = "VN") -> bool:
    """Whether `day` is a working day in `country`."""
    days_off, _worked, weekend = _year(country, day.year)
    if day.weekday() not in weekend:
        return day not in days_off
    # A swap across New Year (a day off in December for a Saturday in January) is listed in the
    # year of the day off, so the neighbouring years are asked too.
    return any(day in _year(country, year)[1] for year in (day.year - 1, day.year, day.year + 1))


def add_workdays(start: date, n: int, country: str = "VN") -> date:
    """The n-th working day after `start` (before it if n < 0); `start` itself is not counted.

    "Within 30 working days of the letter's issue" ends on `add_workdays(letter_date, 30)`.
    With n == 0 the answer is `start`, working day or not.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    day = start
    for _ in range(abs(n)):
        day += step
        while not is_workday(day, country):
            day += step
    return day


def workdays_between(a: date, b: date, country: str = "VN") -> int:
    """Working days after `a` up to and including `b` (negative if b is before a).

    The inverse of `add_workdays`: `workdays_between(a, add_workdays(a, n)) == n` for n >= 0.
    """
    if b < a:
        return -workdays_between(b, a, country)
    return sum(is_workday(a + timedelta(days=i), country) for i in range(1, (b - a).days + 1))
