"""The columns of member spreadsheets: one list for the template, the import and the export.

The headers are the file format, so they stay in Vietnamese whatever the interface language.
Each column is one field of `MemberDetails`; the export adds the unit and the status on the day.
"""

import unicodedata
from datetime import date, datetime
from functools import cache
from typing import Any, get_args, get_type_hints

from django.db import models
from django.utils import translation

from chibo.members import rules
from chibo.members.models import DuesCategory, Member, Sex, Status
from chibo.members.services import DETAIL_FIELDS, MemberDetails

# (field name, Vietnamese header, English gloss), in the order of the party record (RULES.md §15.3).
COLUMNS: list[tuple[str, str, str]] = [
    ("full_name", "Họ và tên", "Full name"),
    ("sex", "Giới tính", "Sex (Nam/Nữ)"),
    ("birth_date", "Ngày sinh", "Date of birth"),
    ("hometown", "Quê quán", "Home town"),
    ("address", "Nơi ở hiện nay", "Current address"),
    ("phone", "Điện thoại", "Phone"),
    ("email", "Thư điện tử", "E-mail"),
    ("citizen_id", "Số CCCD", "Citizen ID number"),
    ("ethnicity", "Dân tộc", "Ethnicity"),
    ("religion", "Tôn giáo", "Religion"),
    ("education", "Trình độ học vấn", "General education"),
    ("occupation", "Nghề nghiệp", "Occupation"),
    ("workplace", "Nơi làm việc", "Workplace"),
    ("card_number", "Số thẻ đảng viên", "Party card number"),
    ("admission_decided_on", "Ngày quyết định kết nạp", "Date of the admission decision"),
    ("admitted_on", "Ngày vào Đảng", "Date of admission (ceremony)"),
    ("recognised_on", "Ngày công nhận chính thức", "Date recognised as official member"),
    ("dues_category", "Đối tượng đóng đảng phí", "Dues category"),
    ("dues_monthly", "Đảng phí hằng tháng", "Monthly dues (đồng)"),
]
HEADERS = {name: header for name, header, _gloss in COLUMNS}

# Only in exports; an import ignores them, so that an exported file can be sent back.
UNIT_HEADER, STATUS_HEADER = "Đơn vị", "Tình trạng"
EXPORT_HEADERS = [header for _name, header, _gloss in COLUMNS] + [UNIT_HEADER, STATUS_HEADER]
IGNORED_HEADERS = (UNIT_HEADER, STATUS_HEADER, "STT")

_HINTS = get_type_hints(MemberDetails)
DATE_FIELDS = frozenset(n for n in DETAIL_FIELDS if date in (get_args(_HINTS[n]) or [_HINTS[n]]))
INT_FIELDS = frozenset(n for n in DETAIL_FIELDS if int in (get_args(_HINTS[n]) or [_HINTS[n]]))
# Digits that must stay text in Excel: a number cell drops the leading zeros.
TEXT_DIGIT_FIELDS = frozenset({"citizen_id", "card_number", "phone"})
IDENTIFIERS = ("citizen_id", "card_number")

WIDTHS = {
    "full_name": 26,
    "hometown": 28,
    "address": 34,
    "email": 26,
    "workplace": 28,
    "dues_category": 36,
}
DATE_FORMAT = "DD/MM/YYYY"

# What the guide sheet of the template says about each column: how to write it, an example.
# %(age)s and %(months)s come from the rules; the dues categories from DuesCategory.
GUIDE: dict[str, tuple[str, str]] = {
    "full_name": ("Bắt buộc. Họ, chữ đệm và tên như trên căn cước.", "Nguyễn Văn An"),
    "sex": ("Bắt buộc. Ghi Nam hoặc Nữ.", "Nam"),
    "birth_date": ("Ngày/tháng/năm (dd/mm/yyyy) hoặc ô kiểu ngày của Excel.", "05/09/1985"),
    "hometown": ("Xã/phường, tỉnh/thành phố.", "Xã Đa Lộc, tỉnh Thanh Hóa"),
    "address": ("Nơi ở hiện nay. Thông tin cá nhân nhạy cảm.", "Thôn Ninh Phú, xã Đa Lộc"),
    "phone": ("Ô kiểu Văn bản (Text), để giữ số 0 ở đầu.", "0912345678"),
    "email": ("Địa chỉ thư điện tử.", "an.nguyen@example.vn"),
    "citizen_id": (
        "Đúng 12 chữ số, ô kiểu Văn bản (Text). Dòng có số CCCD của một đảng viên đã có sẽ "
        "cập nhật hồ sơ người đó. Thông tin cá nhân nhạy cảm.",
        "038085001234",
    ),
    "ethnicity": ("Thông tin cá nhân nhạy cảm.", "Kinh"),
    "religion": ("Thông tin cá nhân nhạy cảm. Ghi Không nếu không theo tôn giáo nào.", "Không"),
    "education": ("Trình độ giáo dục phổ thông.", "12/12"),
    "occupation": ("Nghề nghiệp hiện nay.", "Giáo viên"),
    "workplace": ("Cơ quan, đơn vị, nơi làm việc.", "Trường THCS Đa Lộc"),
    "card_number": (
        "6 đến 12 chữ số (thẻ cấp từ năm 2003 có 8 chữ số), ô kiểu Văn bản (Text). Dòng có số "
        "thẻ của một đảng viên đã có sẽ cập nhật hồ sơ người đó.",
        "01234567",
    ),
    "admission_decided_on": (
        "dd/mm/yyyy. Người được kết nạp phải đủ %(age)s tuổi vào ngày này.",
        "15/03/2010",
    ),
    "admitted_on": (
        "Ngày lễ kết nạp, dd/mm/yyyy; không trước ngày quyết định kết nạp và không sau ngày "
        "vào danh sách chọn trên trang nhập.",
        "19/05/2010",
    ),
    "recognised_on": (
        "dd/mm/yyyy; ít nhất %(months)s tháng sau ngày vào Đảng. Để trống nếu còn dự bị.",
        "19/05/2011",
    ),
    "dues_category": ("Một trong: %(dues)s; hoặc mã salary, pension, enterprise, other.", ""),
    "dues_monthly": ("Số đồng mỗi tháng, chỉ ghi số (25000 hoặc 25.000).", "25.000"),
}


def normalise(text: object) -> str:
    """A header or a label as typed: composed accents, single spaces, any case."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def field_for_header() -> dict[str, str]:
    """Normalised header (or field name, or English gloss) → field name."""
    found: dict[str, str] = {}
    for name, _header, gloss in COLUMNS:
        found[normalise(name)] = name
        found[normalise(gloss)] = name
    for name, header, _gloss in COLUMNS:  # the Vietnamese header wins any clash
        found[normalise(header)] = name
    return found


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    with translation.override("vi"):
        return {value: str(label) for value, label in choices}


@cache
def sex_labels() -> dict[str, str]:
    return _labels(Sex.choices)


@cache
def dues_labels() -> dict[str, str]:
    return _labels(DuesCategory.choices)


@cache
def status_labels() -> dict[str, str]:
    return _labels(Status.choices)


@cache
def choice_lookup(name: str) -> dict[str, str]:
    """What may be written in a choice column → the stored code: the code itself, the label,
    and for dues categories the label without its bracket ("Hưởng lương")."""
    labels = sex_labels() if name == "sex" else dues_labels()
    found: dict[str, str] = {}
    for value, label in labels.items():
        found[normalise(value)] = value
        found[normalise(label)] = value
        found[normalise(label.split(" (")[0])] = value
    return found


@cache
def max_lengths() -> dict[str, int]:
    """The longest text each text column holds in the database (the services do not check it)."""
    found = {}
    for name in DETAIL_FIELDS:
        field = Member._meta.get_field(name)
        if isinstance(field, models.Field) and field.max_length is not None:
            found[name] = field.max_length
    return found


def guide_rows() -> list[tuple[str, str, str, str]]:
    """One row per column for the guide sheet: header, English gloss, how to write it, example."""
    values = {
        "age": rules.rule("min_admission_age"),
        "months": rules.rule("probation_months"),
        "dues": "; ".join(dues_labels().values()),
    }
    rows = []
    for name, header, gloss in COLUMNS:
        how, example = GUIDE[name]
        if name == "dues_category":
            example = dues_labels()[DuesCategory.SALARY]
        rows.append((header, gloss, how % values if "%(" in how else how, example))
    return rows


def to_cell(name: str, value: Any) -> Any:
    """A member's stored value as a spreadsheet cell value (dates stay dates)."""
    if value is None:
        return None
    if name == "sex":
        return sex_labels().get(value, value)
    if name == "dues_category":
        return dues_labels().get(value, value) if value else ""
    if isinstance(value, datetime):
        return value.date()
    return value
