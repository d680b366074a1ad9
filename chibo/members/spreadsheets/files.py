"""Spreadsheet files in and out: .xlsx read by calamine and written by openpyxl, .csv as Excel
writes it (UTF-8 with BOM).

Reading returns the raw cells with the row numbers Excel shows; what they mean is decided in
`plan`. Writing takes rows of cell values already in file form (see `columns.to_cell`).
"""

import csv
import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from python_calamine import CalamineWorkbook, SheetTypeEnum

from chibo.members.spreadsheets import columns

XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
# A roll this long is already a whole province; beyond it, a file is a mistake or an attack.
MAX_ROWS = 20_000
DATA_SHEET, GUIDE_SHEET, LISTS_SHEET = "Danh sách đảng viên", "Hướng dẫn", "Danh mục"
TEXT_FORMAT = "@"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F4F4F2")


@dataclass
class Table:
    """The cells of one sheet: the header row, then each non-blank row with its number; and
    which file they came from (its name as the user knows it, the SHA-256 of its bytes)."""

    headers: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    name: str = ""
    digest: str = ""


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _collect(rows: Iterable[Sequence[Any]]) -> Table:
    table: Table | None = None
    for number, values in enumerate(rows, start=1):
        if table is None:
            table = Table(headers=list(values))
            continue
        if _blank(values):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise ValidationError(
                _("Tệp có hơn %(n)s dòng; hãy chia nhỏ tệp. (More than %(n)s rows.)")
                % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        table.rows.append((number, list(values)))
    if table is None or _blank(table.headers):
        raise ValidationError(
            _("Tệp trống: dòng 1 phải là dòng tiêu đề. (Empty file: row 1 must be the headers.)")
        )
    return table


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile. A file of 20.000 rows is some 500.000 small
    objects that live until the import ends and make no cycles; the collector would walk them
    again and again (a sixth of the import's time). Reference counting frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_table(file: IO[bytes], file_format: str, *, name: str | None = None) -> Table:
    """The first sheet of an .xlsx file (the member sheet if there is one), or a .csv file.

    `name`: the file's name as uploaded; by default the last part of `file.name`."""
    data = file.read()
    with gc_paused():
        table = _read_csv(data) if file_format == CSV else _read_xlsx(data)
    if name is None:
        path = getattr(file, "name", None)
        name = PurePath(path).name if isinstance(path, str) else ""
    table.name = name
    table.digest = hashlib.sha256(data).hexdigest()
    return table


def _read_xlsx(data: bytes) -> Table:
    try:
        plain = _plain_cells(data)
        return _collect(_calamine_rows(data)) if plain else _read_openpyxl(data)
    except ValidationError:
        raise
    except Exception:  # a damaged file fails inside the readers in many different ways
        raise ValidationError(
            _("Không đọc được tệp Excel; hãy lưu lại dạng .xlsx. (Not a readable .xlsx file.)")
        ) from None


def _calamine_rows(data: bytes) -> list[list[Any]]:
    """Every row from A1 on, as Excel numbers them. calamine gives "" for an empty cell, a
    float for every number, a date or datetime for a cell formatted as a date, and the value
    a formula had when the file was saved ("" if none, and for an error such as #N/A); a merged
    area has its value in its first cell only. `plan` reads "" as an empty cell."""
    with CalamineWorkbook.from_object(io.BytesIO(data)) as book:
        sheets = [s.name for s in book.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
        sheet = book.get_sheet_by_name(DATA_SHEET if DATA_SHEET in sheets else sheets[0])
        return sheet.to_python(skip_empty_area=False)


def _read_openpyxl(data: bytes) -> Table:
    """Row by row, and A1:AZ49999 only: beyond it, openpyxl would fill every row up to the
    last cell, however far."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
        return _collect(sheet.iter_rows(max_row=LAST_ROW, max_col=LAST_COLUMN, values_only=True))
    finally:
        book.close()


# calamine holds a sheet as one block from its first to its last cell with a value, allocated
# at once: two cells, A1 and XFD1048576, ask for 17 billion cells and abort the process. So it
# reads only files whose every cell is written <c r="A1" …> and whose values lie within
# A1:AZ49999 (2,6 million cells at most): what Excel, LibreOffice, Google Sheets and openpyxl
# write for a member list. A value beyond is a fault of the file; a file written otherwise goes
# to openpyxl, which reads that area row by row. Every part of the archive is looked at,
# wherever the workbook says its sheets are.
LAST_ROW, LAST_COLUMN = 49_999, 52
# Two patterns, each starting with a fixed text that the search skips to (one is 6× slower).
_ODD_CELL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="))')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_FAR_CELL = re.compile(rb'<c r="(?!A?[A-Z](?:[1-9]\d{0,3}|[1-4]\d{4})")([^"]*)"([^>]*)>')
_VALUE = re.compile(rb"<v>[^<]|<is>")
_PART_BYTES = 64 * 2**20  # a 20.000-row sheet is about 20 MB of XML


def _plain_cells(data: bytes) -> bool:
    """Whether calamine may read the .xlsx file `data` (see above)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.infolist():
            if part.file_size > _PART_BYTES:
                return False
            xml = archive.read(part)
            if _ODD_CELL.search(xml) or _PREFIXED_CELL.search(xml):
                return False
            for far in _FAR_CELL.finditer(xml):  # formatting far below is no value
                if not far[2].endswith(b"/"):
                    body = xml[far.end() : xml.find(b"</c>", far.end())]
                    if _VALUE.search(body):
                        raise ValidationError(
                            _(
                                "Ô %(cell)s có dữ liệu nhưng nằm ngoài vùng A1:AZ49999 của "
                                "danh sách; hãy xóa hoặc chuyển vào trong vùng đó. (A value "
                                "beyond A1:AZ49999.)"
                            )
                            % {"cell": far[1].decode(errors="replace")[:20]}
                        )
    return True


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("Tệp CSV phải lưu với bảng mã UTF-8. (The CSV file must be UTF-8.)")
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" instead of "," where the decimal mark is a comma, as in Vietnam.
    delimiter = max(",;\t", key=first_line.count)
    return _collect(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _is_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (CSV injection): "=…", "@…", and
    "+…" or "-…" unless it is a plain number such as a phone number."""
    if text[:1] in ("=", "@", "\t", "\r"):
        return True
    return text[:1] in ("+", "-") and not text[1:].replace(" ", "").replace(".", "").isdigit()


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and _is_formula(value):
        return "'" + value  # Excel shows the text as typed, and runs nothing
    return value


def write_csv(headers: list[str], rows: Iterable[list[Any]], out: IO[bytes]) -> int:
    """Write UTF-8 with a BOM (so that Excel shows the Vietnamese letters right) into `out`,
    row by row; returns how many rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
        count += 1
    text.detach()  # leave `out` open for the caller
    return count


def _width(header: str, name: str | None) -> float:
    return columns.WIDTHS.get(name or "", max(len(header) + 2, 12))


def write_xlsx(
    title: str,
    headers: list[str],
    names: list[str | None],
    rows: Iterable[list[Any]],
    out: IO[bytes],
) -> int:
    """One sheet into `out`: a bold, frozen header row, then the rows; returns how many.
    `names[i]` is the field of column i (None for columns that are not member fields): dates
    get dd/mm/yyyy, digits stay text. The write-only workbook keeps the rows in its own
    temporary file, so memory does not grow with them."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for i, (header, name) in enumerate(zip(headers, names, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(header, name)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    dates = {i for i, n in enumerate(names) if n in columns.DATE_FIELDS}
    texts = {i for i, n in enumerate(names) if n in columns.TEXT_DIGIT_FIELDS}
    count = 0
    for row in rows:
        count += 1
        cells: list[Any] = list(row)
        for i, value in enumerate(cells):
            if value is None:
                continue
            if i in dates:
                cells[i] = WriteOnlyCell(sheet, value)
                cells[i].number_format = columns.DATE_FORMAT
            # openpyxl writes a string that starts with "=" as a formula: keep it text.
            elif i in texts or (isinstance(value, str) and value.startswith("=")):
                cells[i] = WriteOnlyCell(sheet, str(value))
                cells[i].data_type = "s"
                cells[i].number_format = TEXT_FORMAT
        sheet.append(cells)
    book.save(out)
    return count


def template() -> bytes:
    """The empty import file: the member sheet ready to type in, and a guide sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.freeze_panes = "A2"
    sheet.append([header for _name, header, _gloss in columns.COLUMNS])
    lists = book.create_sheet(LISTS_SHEET)
    labels = list(columns.dues_labels().values())
    for label in labels:
        lists.append([label])
    lists.sheet_state = "hidden"
    # Dropdowns; a dues label holds commas, so its list lives on a sheet, not in the formula.
    sex = DataValidation(type="list", formula1='"Nam,Nữ"', allow_blank=True)
    dues = DataValidation(
        type="list", formula1=f"='{LISTS_SHEET}'!$A$1:$A${len(labels)}", allow_blank=True
    )
    sheet.add_data_validation(sex)
    sheet.add_data_validation(dues)
    for i, (name, header, _gloss) in enumerate(columns.COLUMNS, start=1):
        letter = get_column_letter(i)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(header, name)
        # A column style applies to every cell typed later: ids stay text, dates show dd/mm/yyyy.
        if name in columns.TEXT_DIGIT_FIELDS:
            dimension.number_format = TEXT_FORMAT
        elif name in columns.DATE_FIELDS:
            dimension.number_format = columns.DATE_FORMAT
        cell = sheet.cell(row=1, column=i)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.number_format = "General"
        if name == "sex":
            sex.add(f"{letter}2:{letter}{MAX_ROWS}")
        elif name == "dues_category":
            dues.add(f"{letter}2:{letter}{MAX_ROWS}")
    _guide(book.create_sheet(GUIDE_SHEET, 1))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GENERAL_NOTES = [
    "Mỗi dòng một đảng viên; dòng 1 là dòng tiêu đề, giữ nguyên tên các cột.",
    "Đơn vị nhận đảng viên và ngày vào danh sách chọn trên trang nhập, không ghi trong tệp.",
    "Dòng có Số CCCD hoặc Số thẻ đảng viên trùng với một đảng viên đã có sẽ cập nhật hồ sơ "
    "người đó; ô để trống giữ nguyên thông tin cũ. Không có các số đó thì đối chiếu theo họ tên "
    "và ngày sinh.",
    "Ngày ghi dd/mm/yyyy (ví dụ 05/09/1985) hoặc dùng ô kiểu ngày của Excel.",
    "Số CCCD, số thẻ đảng viên và điện thoại để ô kiểu Văn bản (Text) để không mất số 0 ở đầu.",
    "Tệp có lỗi thì không ghi gì: trang kiểm tra liệt kê mọi lỗi theo dòng và cột để sửa.",
    "Các cột “Đơn vị”, “Tình trạng” và “STT” của tệp xuất được bỏ qua khi nhập.",
    "Có thể lưu dạng .csv (UTF-8) thay cho .xlsx.",
]


def _guide(sheet: Any) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 26
    sheet.append(["Hướng dẫn nhập danh sách đảng viên (Member import guide)"])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in GENERAL_NOTES:
        sheet.append([f"• {note}"])
    sheet.append([])
    sheet.append(["Cột", "Tiếng Anh (English)", "Cách ghi", "Ví dụ"])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    wrap = Alignment(wrap_text=True, vertical="top")
    for header, gloss, how, example in columns.guide_rows():
        sheet.append([header, gloss, how, example])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            cell.number_format = TEXT_FORMAT
