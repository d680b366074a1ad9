"""A valid member import file of any length, deterministic: the import benchmark's input.

Import after `django.setup()` (the column labels are translated strings).
"""

import io
import random
from datetime import date, timedelta

from openpyxl import Workbook  # type: ignore[import-untyped]

from chibo.members.spreadsheets import columns, files

ROWS = 10_000
SEED = 2025
ROLL_DAY = date(2025, 7, 1)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang"]
GIVEN = ["An", "Bình", "Chín", "Dũng", "Hoa", "Hường", "Lan", "Mai", "Nam", "Sơn", "Tâm", "Yến"]
PLACES = ["Đa Lộc", "Hải Lộc", "Ninh Phú", "Đông Thành", "Y Bích", "Hoa Lộc", "Minh Lộc"]


def generate(rows: int = ROWS, seed: int = SEED, first: int = 0) -> bytes:
    """A valid import file: every member with a unique citizen ID and card number."""
    rng = random.Random(seed)
    dues = list(columns.dues_labels().values())
    book = Workbook(write_only=True)
    sheet = book.create_sheet(files.DATA_SHEET)
    sheet.append([header for _name, header, _gloss in columns.COLUMNS])
    for i in range(first, first + rows):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
        decided = born + timedelta(days=365 * 18 + rng.randrange(365 * 10, 365 * 25))
        decided = min(decided, ROLL_DAY - timedelta(days=60))
        admitted = decided + timedelta(days=rng.randrange(0, 30))
        recognised = admitted + timedelta(days=366 + rng.randrange(0, 60))
        place = rng.choice(PLACES)
        sex = rng.choice(["Nam", "Nữ"])
        values = {
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "sex": sex,
            "birth_date": born,
            "hometown": f"Xã {place}, tỉnh Thanh Hóa",
            "address": f"Thôn {rng.randrange(1, 12)}, xã {place}",
            "phone": f"09{rng.randrange(10**8):08d}",
            "email": f"dv{i}@example.vn",
            "citizen_id": f"038{born.year % 100:02d}{i:07d}",
            "ethnicity": "Kinh",
            "religion": "Không",
            "education": "12/12",
            "occupation": rng.choice(["Nông dân", "Giáo viên", "Công chức", "Hưu trí"]),
            "workplace": f"Xã {place}",
            "card_number": f"{10_000_000 + i}",
            "admission_decided_on": decided,
            "admitted_on": admitted,
            "recognised_on": recognised if recognised <= ROLL_DAY else None,
            "dues_category": rng.choice(dues),
            "dues_monthly": None,
        }
        if values["dues_category"] == columns.dues_labels()["other"]:
            values["dues_monthly"] = 10_000
        sheet.append([values[name] for name, _h, _g in columns.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
