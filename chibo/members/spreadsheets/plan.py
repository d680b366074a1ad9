"""What an import file would do, checked in full before anything is written.

Every row becomes `MemberDetails`; every fault becomes a `Problem` naming the row as Excel
numbers it and the column by its header. A row whose citizen ID or party card number belongs
to a member already on record updates that member (only the cells it fills: a blank cell keeps
what is there); failing the numbers, a row names the one member with the same full name and
birth date whose numbers do not say otherwise. Any other row is a new member for the chosen
unit. The uniqueness
checks are done here for the whole file in a few queries, not in two queries a row.
"""

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.lib.bulk import among
from chibo.lib.dates import format_date
from chibo.lib.vntext import search_key
from chibo.members import services
from chibo.members.models import Member, card_number_format, citizen_id_format
from chibo.members.privacy import MASK, SENSITIVE_FIELDS
from chibo.members.services import DETAIL_FIELDS, MemberDetails, check_details, details_of
from chibo.members.spreadsheets import columns, files
from chibo.members.spreadsheets.files import Table
from chibo.units.models import Unit

IMPORT_REASON = "Nhập từ tệp Excel"
# The largest value of a PositiveIntegerField on every database engine.
MAX_INT = 2_147_483_647
DATE_INPUTS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_ORDER = {header: i for i, (_n, header, _g) in enumerate(columns.COLUMNS)}

Advance = Callable[[int], None]
ProgressFactory = Callable[[str, int], Advance]


@dataclass(frozen=True)
class Problem:
    """One fault of the file, where the user will find it."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.row is not None and self.column is not None:
            return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % values
        if self.row is not None:
            return _("Dòng %(row)s: %(message)s") % values
        if self.column is not None:
            return _("Cột “%(column)s”: %(message)s") % values
        return self.message

    def sort_key(self) -> tuple[int, int]:
        return (self.row or 0, _ORDER.get(self.column or "", len(_ORDER)))


NEW, UPDATE, SAME = "new", "update", "same"


@dataclass
class Row:
    """One row of the file and what it will do."""

    number: int
    details: MemberDetails
    member: Member | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        if self.member is None:
            return NEW
        return UPDATE if self.changes else SAME

    @property
    def changed_headers(self) -> list[str]:
        return [columns.HEADERS[name] for name in DETAIL_FIELDS if name in self.changes]


@dataclass
class Plan:
    unit: Unit
    on: date
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def of(self, action: str) -> list[Row]:
        return [r for r in self.rows if r.action == action]

    @property
    def counts(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in (NEW, UPDATE, SAME)}


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Reading one cell -------------------------------------------------------------------------
# An .xlsx file read by calamine gives "" for an empty cell and a float for every number;
# openpyxl and the CSV reader give None and int. Each reader below takes all of them.


def _text(value: Any) -> str:
    if type(value) is str:
        return unicodedata.normalize("NFC", value).strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return format_date(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _digits(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else _text(value)
    if isinstance(value, int | float):
        digits = str(int(value))
        if name == "citizen_id" and len(digits) < 12:
            raise CellError(
                _(
                    "Ô kiểu số đã làm mất số 0 ở đầu; hãy định dạng cột là Văn bản (Text) rồi "
                    "ghi lại số. (A number cell dropped the leading zeros: use a text cell.)"
                )
            )
        return digits
    # Spaces, and the apostrophe some people type to keep a number as text.
    digits = "".join(_text(value).split()).lstrip("'")
    return digits or None


def _date(value: Any) -> date | None:
    kind = type(value)
    if kind is date:  # a date cell, as calamine reads it
        day: date | None = value
    elif value is None or (kind is str and not value.strip()):
        return None
    elif isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        day = from_excel(value).date()  # a date cell that lost its date format
    elif isinstance(value, str):
        day = None
        for pattern in DATE_INPUTS:
            try:
                day = datetime.strptime(value.strip(), pattern).date()
                break
            except ValueError:
                continue
    else:
        day = None
    if day is None or day.year < 1900:
        raise CellError(_("Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy. (Use dd/mm/yyyy.)"))
    return day


def _integer(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = re.sub(r"(?i)\s*(đồng|đ|vnđ|vnd)$", "", value.strip())
        text = re.sub(r"[.,\s]", "", text)
        number = int(text) if text.isdigit() else None
    if number is None or not 0 <= number <= MAX_INT:
        raise CellError(_("Phải là một số nguyên, ví dụ 25000. (A whole number.)"))
    return number


def _identifier(name: str) -> Callable[[Any], str | None]:
    validator = citizen_id_format if name == "citizen_id" else card_number_format
    valid = cast(re.Pattern[str], validator.regex).search  # its own pattern, called directly

    def parse(value: Any) -> str | None:
        digits = _digits(name, value)
        if digits is not None and not valid(digits):
            try:
                validator(digits)
            except ValidationError as error:
                raise CellError(" ".join(error.messages)) from None
        return digits

    return parse


def _phone() -> Callable[[Any], str]:
    text = _plain(columns.max_lengths().get("phone"))

    def parse(value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = str(int(value))
            # Vietnamese numbers start with 0, which a number cell drops: 912345678 → 0912345678.
            return "0" + digits if len(digits) == 9 else digits
        return text(value)

    return parse


def _choice(name: str) -> Callable[[Any], str]:
    lookup = columns.choice_lookup(name)

    def parse(value: Any) -> str:
        text = _text(value)
        return lookup.get(columns.normalise(text), text) if text else text

    return parse


def _plain(limit: int | None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if limit is not None and len(text) > limit:
            raise CellError(
                _("Dài quá %(n)s ký tự. (Longer than %(n)s characters.)") % {"n": limit}
            )
        return text

    return parse


def _unmasked(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str) and MASK[0] in value:
            raise CellError(
                _(
                    "Ô chứa giá trị đã che (•••) từ một tệp xuất; hãy ghi giá trị thật, hoặc để "
                    "trống để giữ thông tin đã có. (A masked value from an export.)"
                )
            )
        return parse(value)

    return check


@cache
def cell_parser(name: str) -> Callable[[Any], Any]:
    """How a cell of field `name` is read: the value, or CellError. Chosen once a column."""
    parse: Callable[[Any], Any]
    if name in columns.DATE_FIELDS:
        parse = _date
    elif name in columns.INT_FIELDS:
        parse = _integer
    elif name in columns.IDENTIFIERS:
        parse = _identifier(name)
    elif name == "phone":
        parse = _phone()
    elif name in ("sex", "dues_category"):
        parse = _choice(name)
    else:
        parse = _plain(columns.max_lengths().get(name))
    return _unmasked(parse) if name in SENSITIVE_FIELDS else parse


def parse_cell(name: str, value: Any) -> Any:
    """The value of field `name` from a cell, or CellError."""
    return cell_parser(name)(value)


# The whole file -----------------------------------------------------------------------------


def _map_headers(headers: list[Any]) -> tuple[dict[int, str], set[int], list[Problem], bool]:
    """Column index → field; the indexes of the columns not read; header faults; and whether
    every column of the template is there."""
    lookup = columns.field_for_header()
    ignored = {columns.normalise(h) for h in columns.IGNORED_HEADERS}
    at: dict[int, str] = {}
    skipped: set[int] = set()
    problems = []
    for index, header in enumerate(headers):
        key = columns.normalise(header) if header is not None else ""
        cell = f"{get_column_letter(index + 1)}1"
        if key in ignored:
            skipped.add(index)
        elif not key:
            continue
        elif key not in lookup:
            skipped.add(index)
            problems.append(
                Problem(
                    _("Cột “%(h)s” (ô %(cell)s) không có trong mẫu. (Unknown column.)")
                    % {"h": _text(header), "cell": cell}
                )
            )
        elif lookup[key] in at.values():
            skipped.add(index)
            problems.append(
                Problem(
                    _("Cột “%(h)s” có hai lần (ô %(cell)s). (Duplicate column.)")
                    % {"h": columns.HEADERS[lookup[key]], "cell": cell}
                )
            )
        else:
            at[index] = lookup[key]
    missing = [header for name, header, _gloss in columns.COLUMNS if name not in at.values()]
    for header in missing:
        problems.append(Problem(_("Thiếu cột “%(h)s”. (Missing column.)") % {"h": header}))
    return at, skipped, problems, not missing


@dataclass
class _Parsed:
    """A row's values by field; `bad` names the fields whose cell is at fault."""

    number: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def number_of(self, name: str) -> str | None:
        """The row's citizen ID or card number, if it is usable."""
        return None if name in self.bad else self.values.get(name) or None

    @cached_property
    def namesake_key(self) -> tuple[str, date] | None:
        """Full name and birth date: what names a person on record who has no numbers."""
        born = self.values.get("birth_date")
        if born is None or "birth_date" in self.bad:
            return None
        return (search_key(self.values.get("full_name") or ""), born)

    def has_numbers(self) -> bool:
        return any(self.values.get(n) for n in columns.IDENTIFIERS)

    def may_be(self, member: Member) -> bool:
        """Whether `member` may be this row's person: no number of theirs says otherwise."""
        return not any(getattr(member, n) and self.values.get(n) for n in columns.IDENTIFIERS)


def _member_ids(names: tuple[str, ...], rows: list[Any]) -> set[int]:
    """The ids of the members whose field `names[0]` holds one of `rows`; with two names, whose
    two fields hold one of the pairs in `rows`. The SQL is written here: the ORM prepares each
    value of a long IN list on its own (a third of the plan's time for a file of 10.000 rows),
    and has no IN for pairs, which spares loading everyone with one of the names and one of the
    birth dates. All values go in one statement: on PostgreSQL as one array a column, on
    SQLite as one JSON list."""
    fields = [f for name in names if isinstance(f := Member._meta.get_field(name), models.Field)]
    quote = connection.ops.quote_name
    table = quote(Member._meta.db_table)
    quoted = [quote(str(f.column)) for f in fields]
    pairs = rows if len(fields) > 1 else [(value,) for value in rows]
    if connection.vendor == "postgresql":
        arrays = [f"%s::{f.db_type(connection)}[]" for f in fields]
        params: list[Any] = [list(column) for column in zip(*pairs, strict=True)]
        # The column's index probed for each value. Written as `= ANY(array)` the planner
        # may scan the table instead, testing each row against a hash of the values: 42 ms
        # for 10.000 citizen IDs at the province's 240.000 members, against 15 ms of probes.
        sql = (
            f"SELECT id FROM {table} WHERE ({', '.join(quoted)}) "  # noqa: S608
            f"IN (SELECT * FROM unnest({', '.join(arrays)}))"
        )
    else:
        # One JSON list as the one parameter, read by `json_each`: no limit to the number of
        # values, and 10.000 pairs in 7 ms instead of 51 as parameters. Joined, not `IN`:
        # SQLite probes a pair IN a subquery by its first column only.
        dates = {i for i, f in enumerate(fields) if f.get_internal_type() == "DateField"}
        database = connections[DEFAULT_DB_ALIAS]  # not the proxy: a lookup for each value
        values = [
            [
                fields[i].get_db_prep_value(v, database) if i in dates else v
                for i, v in enumerate(row)
            ]
            for row in pairs
        ]
        items = ", ".join(f"json_extract(value, '$[{i}]') AS k{i}" for i in range(len(fields)))
        on = " AND ".join(f"m.{column} = v.k{i}" for i, column in enumerate(quoted))
        sql = (
            f"SELECT DISTINCT m.id FROM {table} m JOIN (SELECT {items} "  # noqa: S608
            f"FROM json_each(%s)) v ON {on}"
        )
        params = [json.dumps(values)]
    with connection.cursor() as cursor:
        # Table and columns come from the model; every value is a parameter.
        cursor.execute(sql, params)
        return {pk for (pk,) in cursor.fetchall()}


def _parse_rows(
    table: Table, at: dict[int, str], skipped: set[int]
) -> tuple[list[_Parsed], list[Problem]]:
    parsed, problems = [], []
    readers = [(index, name, cell_parser(name)) for index, name in sorted(at.items())]
    unread: dict[int, list[int]] = {}  # row length → the columns without a header
    for number, values in table.rows:
        row = _Parsed(number, {})
        width = len(values)
        for index, name, parse in readers:
            if index >= width:
                break
            try:
                row.values[name] = parse(values[index])
            except CellError as error:
                problems.append(Problem(error.message, number, columns.HEADERS[name]))
                row.bad.add(name)
        loose = unread.get(width)
        if loose is None:
            loose = unread[width] = [i for i in range(width) if i not in at and i not in skipped]
        for index in loose:
            if _text(values[index]):
                cell = f"{get_column_letter(index + 1)}{number}"
                problems.append(
                    Problem(
                        _("Ô %(cell)s có dữ liệu nhưng cột không có tiêu đề. (No header.)")
                        % {"cell": cell},
                        number,
                    )
                )
        parsed.append(row)
    return parsed, problems


def _repeated_numbers(parsed: list[_Parsed]) -> list[Problem]:
    """The same citizen ID or card number on two rows: the later row is at fault."""
    problems = []
    for name in columns.IDENTIFIERS:
        seen: dict[str, int] = {}
        for row in parsed:
            value = row.number_of(name)
            if value is None:
                continue
            if value in seen:
                problems.append(
                    Problem(
                        _("Trùng với dòng %(row)s trong tệp. (Same as row %(row)s.)")
                        % {"row": seen[value]},
                        row.number,
                        columns.HEADERS[name],
                    )
                )
                row.bad.add(name)
            else:
                seen[value] = row.number
    return problems


class _Matcher:
    """Which member on record each row names, and whether the actor may update them.

    A row names a member by citizen ID or party card number. Failing that, by full name and
    birth date, if no number contradicts it: so that sending the same file twice enters nobody
    twice, and a file that brings the numbers of members entered without them fills them in.
    A few queries for the whole file: the members with those numbers, those with those names and
    birth dates, and which of them the actor may change.
    """

    def __init__(self, parsed: list[_Parsed], actor: User | None) -> None:
        numbers = {n: {v for p in parsed if (v := p.number_of(n))} for n in columns.IDENTIFIERS}
        keys = {key for p in parsed if (key := p.namesake_key)}
        ids: set[int] = set()
        for name, values in numbers.items():
            if values:
                ids |= _member_ids((name,), list(values))
        if keys:
            ids |= _member_ids(("search_name", "birth_date"), list(keys))
        self.by_number: dict[str, dict[str, Member]] = {n: {} for n in columns.IDENTIFIERS}
        self.namesakes: dict[tuple[str, date], list[Member]] = defaultdict(list)
        found_members = list(Member.objects.filter(among("pk", list(ids)))) if ids else []
        for member in found_members:
            for name in columns.IDENTIFIERS:
                if (value := getattr(member, name)) and value in numbers[name]:
                    self.by_number[name][value] = member
            if member.birth_date and (member.search_name, member.birth_date) in keys:
                self.namesakes[(member.search_name, member.birth_date)].append(member)
        found = [m for by in self.by_number.values() for m in by.values()]
        self.writable = self._writable(
            actor, found + [m for ms in self.namesakes.values() for m in ms]
        )
        self.claimed: dict[int, int] = {}  # member id → the row that updates them
        self.new: set[tuple[str, date]] = set()  # new people without numbers so far

    @staticmethod
    def _writable(actor: User | None, members: list[Member]) -> set[int]:
        ids = {m.pk for m in members}
        if actor is None:  # a command run by the operator
            return ids
        if not ids:
            return set()
        visible = access.members_visible_to(actor, write=True).filter(among("pk", list(ids)))
        return set(visible.values_list("pk", flat=True))

    def match(self, row: _Parsed) -> tuple[Member | None, list[Problem]]:
        """The member `row` updates (None: a new person), or the problems that block it."""
        hits = {
            name: member
            for name in columns.IDENTIFIERS
            if (value := row.number_of(name)) and (member := self.by_number[name].get(value))
        }
        if len({m.pk for m in hits.values()}) > 1:
            message = _(
                "Số CCCD và số thẻ đảng viên thuộc về hai đảng viên khác nhau. "
                "(The citizen ID and the card number belong to two different members.)"
            )
            return None, [Problem(message, row.number)]
        column = columns.HEADERS[next(iter(hits))] if hits else None
        member = next(iter(hits.values())) if hits else None
        key = row.namesake_key
        if member is None and key is not None:
            namesakes = [m for m in self.namesakes.get(key, []) if row.may_be(m)]
            if len(namesakes) > 1 or (key in self.new and not row.has_numbers()):
                message = _(
                    "Có nhiều người cùng họ tên và ngày sinh mà không có số CCCD, số thẻ đảng "
                    "viên để phân biệt; hãy ghi các số đó. (Several people with this name and "
                    "birth date and no numbers to tell them apart.)"
                )
                return None, [Problem(message, row.number)]
            if not namesakes and not row.has_numbers():
                self.new.add(key)
            member = namesakes[0] if namesakes else None
        if member is None:
            return None, []
        if member.pk not in self.writable:
            message = _(
                "Số này là của một đảng viên ngoài phạm vi bạn được sửa. "
                "(It belongs to a member outside your scope.)"
            )
            if column is None:
                message = _(
                    "Đã có một đảng viên cùng họ tên và ngày sinh ngoài phạm vi bạn được sửa. "
                    "(A member with this name and birth date is outside your scope.)"
                )
            return None, [Problem(message, row.number, column)]
        if member.pk in self.claimed:
            message = _("Cùng một đảng viên với dòng %(row)s. (Same member as row %(row)s.)") % {
                "row": self.claimed[member.pk]
            }
            return None, [Problem(message, row.number)]
        self.claimed[member.pk] = row.number
        return member, []


def _faults(error: ValidationError, number: int, skip: set[str]) -> list[Problem]:
    problems = []
    for name, messages in error.message_dict.items():
        if name in skip:
            continue
        column = None if name == NON_FIELD_ERRORS else columns.HEADERS.get(name)
        problems += [Problem(m, number, column) for m in messages]
    return problems


def plan_import(
    unit: Unit,
    table: Table,
    *,
    on: date,
    actor: User | None,
    progress: ProgressFactory | None = None,
) -> Plan:
    """Check every row of `table` for an import into `unit` from `on`, writing nothing.

    `actor` may update only members in their write scope (None: anyone, for commands).
    """
    with files.gc_paused():
        return _plan(unit, table, on=on, actor=actor, progress=progress)


def _plan(
    unit: Unit, table: Table, *, on: date, actor: User | None, progress: ProgressFactory | None
) -> Plan:
    plan = Plan(unit=unit, on=on)
    if not unit.is_active_on(on):
        plan.problems.append(
            Problem(
                _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active on that date.)")
                % {"unit": unit.name, "day": format_date(on)}
            )
        )
    at, skipped, header_problems, complete = _map_headers(table.headers)
    plan.problems += header_problems
    if not complete:  # without a column, every row would only repeat the same fault
        return plan
    if not table.rows:
        plan.problems.append(
            Problem(_("Tệp không có dòng dữ liệu nào. (No rows below the headers.)"))
        )
    parsed, problems = _parse_rows(table, at, skipped)
    plan.problems += problems + _repeated_numbers(parsed)
    matcher = _Matcher(parsed, actor)
    advance = progress("Kiểm tra / checking", len(parsed)) if progress else None
    for row in parsed:
        member, blocked = matcher.match(row)
        # A blocked row is still checked for its own faults, but not as a newcomer to the roll.
        checked = _check_row(row, member, None if blocked else on, plan)
        plan.problems += blocked
        if checked is not None and not blocked:
            plan.rows.append(checked)
        if advance:
            advance(1)
    _check_chains(plan)
    plan.problems.sort(key=Problem.sort_key)
    return plan


def _check_row(row: _Parsed, member: Member | None, on: date | None, plan: Plan) -> Row | None:
    """Check one row as the member services will: the new record, or the record after update;
    a new person also against the day `on` they join the roll. The faults go to `plan`; None
    if there are any."""
    filled = {k: v for k, v in row.values.items() if k not in row.bad} if row.bad else row.values
    before = details_of(member).values() if member is not None else None
    if before is None:
        values = {"full_name": "", "sex": "", **filled}
    else:  # a blank cell keeps what is on record
        values = {**before, **{k: v for k, v in filled.items() if v not in (None, "")}}
    # The numbers were checked for the whole file above: check the rest without them.
    numbers = {name: values.get(name) for name in columns.IDENTIFIERS}
    try:
        details = check_details(MemberDetails(**{**values, **dict.fromkeys(numbers)}))
    except ValidationError as error:
        plan.problems += _faults(error, row.number, row.bad)
        return None
    for name, number in numbers.items():
        setattr(details, name, number)
    if row.bad:
        return None
    if member is None or before is None:
        if on is not None and details.admitted_on and on < details.admitted_on:
            plan.problems.append(
                Problem(
                    _(
                        "Ngày vào Đảng sau ngày vào danh sách (%(day)s). "
                        "(Admitted after the day they join the roll.)"
                    )
                    % {"day": format_date(on)},
                    row.number,
                    columns.HEADERS["admitted_on"],
                )
            )
            return None
        return Row(row.number, details)
    changes = {k: v for k, v in details.values().items() if v != before[k]}
    return Row(row.number, details, member, changes)


def _check_chains(plan: Plan) -> None:
    """The updates that change an admission or recognition date, against the member's status
    chain (`check_chain_against_dates`): the chains read in one query, a faulty row dropped
    from the plan with its problems."""
    dated = [
        (row, row.member)
        for row in plan.of(UPDATE)
        if row.member is not None and {"admitted_on", "recognised_on"} & set(row.changes)
    ]
    chains = services.chains_of([member.pk for _row, member in dated]) if dated else {}
    faulty = set()
    for row, member in dated:
        try:
            services.check_chain_against_dates(member, row.details, chain=chains[member.pk])
        except ValidationError as error:
            plan.problems += _faults(error, row.number, set())
            faulty.add(row.number)
    if faulty:
        plan.rows = [r for r in plan.rows if r.number not in faulty]
