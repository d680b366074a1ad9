"""Plausible Vietnamese names for demo members, family names in their real proportions.

Family-name shares follow the commonly cited national survey figures (Nguyễn about 38 %,
Trần 11 %, Lê 9.5 %, Phạm 7 % ...); the rest is spread over the next most common names.
"""

import random
from collections.abc import Callable

FAMILY = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 51),
    ("Phan", 45),
    ("Vũ", 39),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Mai", 8),
    ("Trịnh", 9),
    ("Đinh", 7),
    ("Lương", 5),
    ("Cao", 5),
    ("Hà", 5),
    ("Tạ", 3),
    ("Văn", 3),
    ("Đào", 5),
    ("Đoàn", 4),
    ("Lại", 2),
]
MIDDLE = {
    "M": [
        "Văn",
        "Văn",
        "Văn",
        "Đình",
        "Đức",
        "Xuân",
        "Hữu",
        "Minh",
        "Quang",
        "Ngọc",
        "Công",
        "Bá",
        "Thế",
        "Trọng",
    ],
    "F": ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Kim", "Phương"],
}
GIVEN = {
    "M": [
        "Hùng",
        "Dũng",
        "Tuấn",
        "Minh",
        "Nam",
        "Hải",
        "Long",
        "Thắng",
        "Chín",
        "Bình",
        "Cường",
        "Sơn",
        "Trung",
        "Hòa",
        "Phong",
        "Quân",
        "Thành",
        "Tiến",
        "Hưng",
        "Đạt",
        "Khánh",
        "Lâm",
        "Toàn",
        "Vinh",
        "Hiếu",
        "Tâm",
        "Nghĩa",
        "Lợi",
        "Thịnh",
        "Phúc",
        "Đông",
        "Huy",
    ],
    "F": [
        "Hường",
        "Lan",
        "Hoa",
        "Hương",
        "Mai",
        "Thủy",
        "Nga",
        "Hà",
        "Huyền",
        "Linh",
        "Trang",
        "Thảo",
        "Yến",
        "Hạnh",
        "Loan",
        "Dung",
        "Nhung",
        "Hằng",
        "Liên",
        "Oanh",
        "Phượng",
        "Tuyết",
        "Vân",
        "Xuân",
        "Ngọc",
        "Thơm",
        "Quyên",
        "Giang",
    ],
}


def person(rng: random.Random) -> tuple[str, str]:
    """A (full name, sex) pair; about a third of members are women."""
    sex = "F" if rng.random() < 0.34 else "M"
    family = rng.choices([f for f, _w in FAMILY], weights=[w for _f, w in FAMILY])[0]
    return f"{family} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}", sex


HOMETOWNS = [
    "Hậu Lộc, Thanh Hóa",
    "Hoằng Hóa, Thanh Hóa",
    "Nga Sơn, Thanh Hóa",
    "Hà Trung, Thanh Hóa",
    "Thành phố Thanh Hóa",
    "Quỳnh Lưu, Nghệ An",
    "Ninh Bình",
]
OCCUPATIONS = [
    ("Nông dân", "", "other"),
    ("Ngư dân", "", "other"),
    ("Giáo viên", "Trường học", "salary"),
    ("Cán bộ xã", "UBND xã", "salary"),
    ("Công nhân", "Công ty may", "enterprise"),
    ("Kinh doanh", "", "other"),
    ("Y sĩ", "Trạm Y tế", "salary"),
]
EDUCATION = ["9/12", "12/12", "12/12", "12/12", "Cao đẳng", "Đại học", "Đại học"]


class IdNumbers:
    """Unique, well-formed citizen IDs and party card numbers for one demo run.

    A citizen ID is 12 digits: the province (038, Thanh Hóa), a digit for sex and century, two
    for the birth year, then six. A party card number has 8 digits. All are invented.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        value = make()
        while value in self.used:
            value = make()
        self.used.add(value)
        return value

    def citizen_id(self, sex: str, born_year: int) -> str:
        century = 0 if born_year < 2000 else 2
        code = century + (1 if sex == "F" else 0)
        return self._unique(
            lambda: f"038{code}{born_year % 100:02d}{self.rng.randrange(10**6):06d}"
        )

    def card_number(self) -> str:
        return self._unique(lambda: f"{self.rng.randrange(10**7, 10**8)}")
