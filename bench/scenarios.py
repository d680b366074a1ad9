"""Timed scenarios on a generated database, each against its floor.

A scenario runs the real code path: a page through Django's test client (server time: URL
resolution, middleware, views, selectors, templates; no network), or a service. Its floor is
the hand-written SQL (or, for files, the bare library call) that returns the same answer on the
same database in the same run: what the question costs at the least. Before timing, the answer
of the code path's selector is checked against the floor's, so that both answer one question.

Each is run several times, alternating with its floor; the median, min and max are kept. Peak
memory is measured once for each, in a forked child, as the growth of its resident set (C
allocations of the database driver included), so that timing runs are not slowed down.

Import after `django.setup()`.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, connections, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from python_calamine import CalamineWorkbook

from bench import generate, memberfile
from chibo.accounts import services as account_services
from chibo.accounts.models import Role, User
from chibo.lib.dates import today
from chibo.lib.paging import CountedPaginator
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Attendance, Mark, Meeting, MeetingKind, MeetingState
from chibo.members.models import ON_ROLL, Member
from chibo.members.selectors import RollFilter, roll
from chibo.members.spreadsheets import columns, files
from chibo.members.spreadsheets import services as sheet_services
from chibo.recruitment import report as recruitment_report
from chibo.units import selectors as unit_selectors
from chibo.units import services as unit_services
from chibo.units import treepath
from chibo.units.counts import refresh_counts
from chibo.units.models import Unit, UnitKind

ROLL_STATUSES = sorted(ON_ROLL)
SEARCH = "nguyen thi huong"


@dataclass
class Scenario:
    name: str
    kind: str  # read, write, import, export
    action: Callable[[], Any]
    floor: Callable[[], Any] | None
    runs: int = 7
    reset: Callable[[], Any] | None = None  # untimed, before each run of the action and floor
    check: Callable[[], bool] | None = None  # the code path's answer equals the floor's
    rows: int | None = None  # rows handled, for a rate
    note: str = ""
    inner: Callable[[], Any] | None = None  # the page's selectors alone, to split the time


@dataclass
class Result:
    name: str
    kind: str
    runs: int
    median_ms: float
    min_ms: float
    max_ms: float
    floor_median_ms: float | None
    floor_min_ms: float | None
    floor_max_ms: float | None
    ratio: float | None
    queries: int
    peak_mib: float | None  # Python objects (tracemalloc)
    rss_growth_mib: float | None
    floor_peak_mib: float | None
    floor_rss_growth_mib: float | None
    same_answer: bool | None
    rows_per_second: float | None = None
    inner_median_ms: float | None = None
    note: str = ""


# Measuring -------------------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_mib(
    action: Callable[[], Any], reset: Callable[[], Any] | None = None
) -> tuple[float, float] | None:
    """Peak memory of one run of `action`, in a forked child: the peak of the Python objects
    it allocates (tracemalloc) and how far the resident set grows (C allocations of the driver
    included; memory the process had already freed and kept is reused, so it may read low)."""
    if reset:
        reset()
    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            base = _rss()
            tracemalloc.start()
            action()
            python_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            os.write(write, f"{python_peak} {max(0, peak - base)}".encode())
        finally:
            os._exit(0)
    os.close(write)
    data = os.read(read, 64)
    os.close(read)
    os.waitpid(pid, 0)
    if not data:
        return None
    python_peak, growth = (int(v) for v in data.split())
    return round(python_peak / 2**20, 1), round(growth / 2**20, 1)


def _time(action: Callable[[], Any], reset: Callable[[], Any] | None) -> float:
    if reset:
        reset()
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure(scenario: Scenario, memory: bool = True, say: Callable[[str], None] = print) -> Result:
    s = scenario
    if s.reset:
        s.reset()
    s.action()  # warm caches, connections, templates
    if s.floor:
        if s.reset:
            s.reset()
        s.floor()
    same = s.check() if s.check else None
    if s.reset:
        s.reset()
    reset_queries()  # a request empties the log: start it empty
    with CaptureQueriesContext(connection) as captured:
        s.action()
    queries = len(captured)  # now: the next request empties the log
    samples, floors, inner = [], [], []
    for _ in range(s.runs):
        samples.append(_time(s.action, s.reset))
        if s.floor:
            floors.append(_time(s.floor, s.reset))
        if s.inner:
            inner.append(_time(s.inner, s.reset))
    median = statistics.median(samples)
    floor = statistics.median(floors) if floors else None
    memory_of = peak_mib(s.action, s.reset) if memory else None
    floor_memory = peak_mib(s.floor, s.reset) if memory and s.floor else None
    result = Result(
        name=s.name,
        kind=s.kind,
        runs=s.runs,
        median_ms=round(median, 1),
        min_ms=round(min(samples), 1),
        max_ms=round(max(samples), 1),
        floor_median_ms=round(floor, 1) if floor is not None else None,
        floor_min_ms=round(min(floors), 1) if floors else None,
        floor_max_ms=round(max(floors), 1) if floors else None,
        ratio=round(median / floor, 2) if floor else None,
        queries=queries,
        peak_mib=memory_of[0] if memory_of else None,
        rss_growth_mib=memory_of[1] if memory_of else None,
        floor_peak_mib=floor_memory[0] if floor_memory else None,
        floor_rss_growth_mib=floor_memory[1] if floor_memory else None,
        same_answer=same,
        rows_per_second=round(s.rows / (median / 1000)) if s.rows else None,
        inner_median_ms=round(statistics.median(inner), 1) if inner else None,
        note=s.note,
    )
    ratio = f"{result.ratio:>7}×" if result.ratio is not None else " " * 8
    floor_ms = "" if floor is None else result.floor_median_ms
    say(
        f"{s.name:<62} {result.median_ms:>9} ms  floor {floor_ms:>8} ms {ratio} "
        f"{result.queries:>3} q  {result.peak_mib or 0:>6} MiB"
    )
    return result


# The database's landmarks ----------------------------------------------------------------


@dataclass
class Context:
    scale: generate.Scale
    on: date
    top: Unit
    mid: Unit
    province: Unit
    big_cell: Unit
    admin: User
    client: Client
    smoke: bool

    @property
    def runs(self) -> int:
        return 2 if self.smoke else 7


def bench_user(name: str, role: str, unit: Unit) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        user = account_services.create_user(name, actor=None, password="Bench-2026-chibo!")
        account_services.assign_role(
            user, actor=None, unit=unit, role=role, valid_from=generate.FOUNDED
        )
    return user


def context(scale: generate.Scale, smoke: bool = False) -> Context:
    marks = generate.landmarks(scale)
    top = Unit.objects.get(code=marks.top)
    mid_code = marks.province if scale.provinces else marks.commune
    admin = bench_user("bench-admin", Role.ADMIN, top)
    refresh_counts(today())  # what the nightly run stores; the generator bypasses the services
    client = Client()
    client.force_login(admin)
    return Context(
        scale,
        today(),
        top,
        Unit.objects.get(code=mid_code),
        Unit.objects.get(code=marks.province),
        Unit.objects.get(code=marks.big_cell),
        admin,
        client,
        smoke,
    )


def _get(client: Client, url: str, **headers: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def _sql(query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _active(alias: str, on: date) -> tuple[str, list[Any]]:
    return (
        f"{alias}.valid_from <= %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= %s)",
        [on, on],
    )


# 1. The unit page: what is below a unit ----------------------------------------------------


def floor_counts(path: str, on: date) -> dict[int, tuple[int, int, int]]:
    """Members, cells and units of each direct child's subtree, and of the unit itself: the
    subtree's versions once, labelled with their branch; the roll and the units summed by it."""
    uv, uv_p = _active("uv", on)
    ms, ms_p = _active("ms", on)
    st, st_p = _active("st", on)
    statuses = ", ".join(["%s"] * len(ROLL_STATUSES))
    width = len(path) + treepath.SEGMENT
    rows = _sql(
        f"""
        WITH sub AS MATERIALIZED (
            SELECT uv.unit_id, SUBSTR(uv.path, 1, %s) AS branch, u.kind
            FROM units_unitversion uv JOIN units_unit u ON u.id = uv.unit_id
            WHERE uv.path >= %s AND uv.path < %s AND {uv}
        )
        SELECT branch, SUM(members), SUM(cells), SUM(units) FROM (
            SELECT sub.branch, COUNT(*) AS members, 0 AS cells, 0 AS units FROM sub
            JOIN members_membership ms ON ms.unit_id = sub.unit_id
                AND ms.kind = 'official' AND {ms}
            JOIN members_memberstatus st ON st.member_id = ms.member_id AND {st}
                AND st.status IN ({statuses})
            GROUP BY sub.branch
            UNION ALL
            SELECT branch, 0, SUM(CASE WHEN kind = 'cell' THEN 1 ELSE 0 END), COUNT(*)
            FROM sub GROUP BY branch
        ) parts GROUP BY branch
        """,
        [width, path, treepath.upper_bound(path), *uv_p, *ms_p, *st_p, *ROLL_STATUSES],
    )
    answer = {}
    for branch, members, cells, units in rows:
        answer[treepath.ids(branch)[-1]] = (int(members), int(cells), int(units))
    own = treepath.ids(path)[-1]
    answer[own] = tuple(sum(v[i] for v in answer.values()) for i in range(3))  # type: ignore[assignment]
    return answer


def selector_counts(unit: Unit, on: date) -> dict[int, tuple[int, int, int]]:
    version = unit_selectors.version_on(unit, on)
    assert version is not None
    counts = unit_selectors.counts_below(version, on)
    keep = {unit.pk, *(c.unit_id for c in unit_selectors.children_on(version, on))}
    return {k: (c.members, c.cells, c.units) for k, c in counts.items() if k in keep}


def floor_stored(unit: Unit, on: date) -> dict[int, tuple[int, int, int]]:
    """The stored figures of the unit and of its children that day: one indexed read of the
    rows the nightly refresh writes (decision 0015, change 1)."""
    uv, uv_p = _active("uv", on)
    rows = _sql(
        f"""
        SELECT c.unit_id, c.members, c.cells, c.units FROM units_subtreecount c
        WHERE c.day = %s AND c.unit_id IN (
            SELECT uv.unit_id FROM units_unitversion uv
            WHERE (uv.unit_id = %s OR uv.parent_id = %s) AND {uv})
        """,
        [on, unit.pk, unit.pk, *uv_p],
    )
    return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def unit_page(ctx: Context, unit: Unit, label: str) -> Scenario:
    """The page reads the stored figures; its floor reads the same rows by hand, and its
    answer is checked against the live count of the whole subtree."""
    return Scenario(
        f"unit page, {label} (stored counts below it)",
        "read",
        _get(ctx.client, f"/units/{unit.pk}/"),
        lambda: floor_stored(unit, ctx.on),
        runs=ctx.runs,
        check=lambda: (
            selector_counts(unit, ctx.on)
            == floor_counts(unit.path, ctx.on)
            == floor_stored(unit, ctx.on)
        ),
        inner=lambda: selector_counts(unit, ctx.on),
    )


def refresh(ctx: Context) -> Scenario:
    """The nightly refresh of the stored counts of every unit; its floor counts the whole
    roll once by the top's children (the least any refresh must read)."""
    return Scenario(
        "stored counts refreshed for the whole tree (nightly)",
        "write",
        lambda: refresh_counts(ctx.on),
        lambda: floor_counts(ctx.top.path, ctx.on),
        runs=2 if ctx.smoke else 3,
        check=lambda: selector_counts(ctx.top, ctx.on) == floor_counts(ctx.top.path, ctx.on),
    )


# 1b. A cell's meetings with their turnout ------------------------------------------------


def _local_day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    return f"DATE({column}, '+7 hours')"


def floor_turnout(unit_id: int) -> dict[int, tuple[int, int]]:
    day = _local_day("m.starts_at")
    rows = _sql(
        f"""
        SELECT m.id,
          (SELECT COUNT(*) FROM members_membership ms
           JOIN members_memberstatus st ON st.member_id = ms.member_id
             AND st.valid_from <= {day} AND (st.valid_to IS NULL OR st.valid_to >= {day})
           WHERE ms.unit_id = m.unit_id AND ms.valid_from <= {day}
             AND (ms.valid_to IS NULL OR ms.valid_to >= {day})
             AND ((ms.kind = 'temporary' AND st.status = 'attached')
               OR (ms.kind <> 'temporary' AND st.status IN ('official', 'probationary')))),
          (SELECT COUNT(*) FROM meetings_attendance a WHERE a.meeting_id = m.id
             AND a.counted AND a.mark IN ('present', 'late'))
        FROM meetings_meeting m WHERE m.unit_id = %s ORDER BY m.starts_at DESC
        """,
        [unit_id],
    )
    return {meeting: (int(expected), int(present)) for meeting, expected, present in rows}


def meetings_page(ctx: Context, unit: Unit) -> Scenario:
    def selector() -> dict[int, tuple[int, int]]:
        meetings = meeting_selectors.with_turnout(meeting_selectors.meetings_of(unit.pk))
        return {m.pk: (m.expected_n, m.present_n) for m in meetings}  # type: ignore[attr-defined]

    return Scenario(
        f"meetings of a {generate.BIG_CELL}-member cell with turnout",
        "read",
        _get(ctx.client, f"/meetings/units/{unit.pk}/"),
        lambda: floor_turnout(unit.pk),
        runs=ctx.runs,
        check=lambda: selector() == floor_turnout(unit.pk),
        note="floor: every meeting of the cell with expected and present, one statement",
        inner=selector,
    )


# 3. Member search by a name typed without diacritics -------------------------------------


def floor_search(path: str, on: date, text: str) -> tuple[int, list[int]]:
    """The matches, found once (materialized, so that no plan walks the name index hoping to
    stop after 50), then counted and the first 50 taken in name order."""
    uv, uv_p = _active("uv", on)
    ms, ms_p = _active("ms", on)
    st, st_p = _active("st", on)
    statuses = ", ".join(["%s"] * len(ROLL_STATUSES))
    rows = _sql(
        f"""
        WITH hits AS MATERIALIZED (
            SELECT m.id, m.sort_name FROM members_membership ms
            JOIN members_member m ON m.id = ms.member_id
            JOIN members_memberstatus st ON st.member_id = ms.member_id AND {st}
                AND st.status IN ({statuses})
            WHERE ms.kind = 'official' AND {ms}
              AND ms.unit_id IN (SELECT uv.unit_id FROM units_unitversion uv
                                 WHERE uv.path >= %s AND uv.path < %s AND {uv})
              AND (m.search_name LIKE %s OR m.card_number = %s)
        )
        SELECT (SELECT COUNT(*) FROM hits), page.id FROM
            (SELECT id, sort_name FROM hits ORDER BY sort_name, id LIMIT 50) page
        ORDER BY page.sort_name, page.id
        """,
        [
            *st_p,
            *ROLL_STATUSES,
            *ms_p,
            path,
            treepath.upper_bound(path),
            *uv_p,
            f"%{text}%",
            text,
        ],
    )
    return (int(rows[0][0]) if rows else 0), [row[1] for row in rows]


def search_page(ctx: Context, unit: Unit, label: str) -> Scenario:
    def selector() -> tuple[int, list[int]]:
        # As the page reads them: counted and paged in one statement (chibo.lib.paging).
        page = CountedPaginator(roll(unit.path, ctx.on, RollFilter(text=SEARCH)), 50).get_page(1)
        return page.paginator.count, [r.member_id for r in page.object_list]

    return Scenario(
        f"member search '{SEARCH}', {label}",
        "read",
        _get(ctx.client, f"/members/units/{unit.pk}/?text={SEARCH.replace(' ', '+')}"),
        lambda: floor_search(unit.path, ctx.on, SEARCH),
        runs=ctx.runs,
        check=lambda: selector() == floor_search(unit.path, ctx.on, SEARCH),
        note="first page of 50 and the count",
        inner=selector,
    )


# 4. The roll call of a 300-member cell --------------------------------------------------


def open_meeting(ctx: Context) -> Meeting:
    """An extraordinary meeting of the big cell that started ten minutes ago."""
    starts = timezone.now() - timedelta(minutes=10)
    meeting = Meeting.objects.filter(
        unit=ctx.big_cell, kind=MeetingKind.EXTRAORDINARY, title="Bench"
    ).first()
    if meeting is None:
        meeting = meeting_services.plan_meeting(
            ctx.big_cell,
            actor=ctx.admin,
            kind=MeetingKind.EXTRAORDINARY,
            starts_at=starts,
            title="Bench",
        )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, state=MeetingState.PLANNED)
    return meeting


def floor_roll(meeting: Meeting) -> list[tuple[int, str, str | None]]:
    day = meeting_selectors.meeting_day(meeting)
    ms, ms_p = _active("ms", day)
    st, st_p = _active("st", day)
    rows = _sql(
        f"""
        SELECT m.id, m.full_name, a.mark FROM members_membership ms
        JOIN members_member m ON m.id = ms.member_id
        JOIN members_memberstatus st ON st.member_id = ms.member_id AND {st}
        LEFT JOIN meetings_attendance a ON a.meeting_id = %s AND a.member_id = m.id
        WHERE ms.unit_id = %s AND {ms}
          AND ((ms.kind = 'temporary' AND st.status = 'attached')
            OR (ms.kind <> 'temporary' AND st.status IN ('official', 'probationary')))
        ORDER BY m.sort_name, m.id
        """,
        [*st_p, meeting.pk, meeting.unit_id, *ms_p],
    )
    return [(r[0], r[1], r[2]) for r in rows]


def roll_call(ctx: Context) -> list[Scenario]:
    meeting = open_meeting(ctx)
    expected = [m.pk for m in meeting_selectors.expected(meeting).members]
    htmx = {"HX-Request": "true"}

    def clear() -> None:
        Attendance.objects.filter(meeting=meeting).delete()
        Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.PLANNED)

    def submit() -> None:
        url = f"/meetings/{meeting.pk}/roll-call/all-present/"
        response = ctx.client.post(url, headers=htmx)
        assert response.status_code == 200, response.status_code
        assert Attendance.objects.filter(meeting=meeting).count() == len(expected)

    def floor_submit() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO meetings_attendance (meeting_id, member_id, mark, reason, counted, "
                "source, recorded_at) VALUES (%s, %s, 'present', '', %s, 'secretary', %s)",
                [(meeting.pk, member, True, timezone.now()) for member in expected],
            )
            cursor.execute("UPDATE meetings_meeting SET state = 'held' WHERE id = %s", [meeting.pk])

    target = expected[len(expected) // 2]

    def everyone_present() -> None:
        clear()
        floor_submit()

    def tap() -> None:
        response = ctx.client.post(
            f"/meetings/{meeting.pk}/roll-call/{target}/",
            {"mark": Mark.EXCUSED, "reason": "Ốm"},
            headers=htmx,
        )
        assert response.status_code == 200, response.status_code

    def floor_tap() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE meetings_attendance SET mark = 'excused', reason = 'Ốm' "
                "WHERE meeting_id = %s AND member_id = %s",
                [meeting.pk, target],
            )

    def back_to_present() -> None:
        if not Attendance.objects.filter(meeting=meeting).exists():
            everyone_present()
        Attendance.objects.filter(meeting=meeting, member_id=target).update(
            mark=Mark.PRESENT, reason=""
        )

    return [
        Scenario(
            f"roll-call page of the {generate.BIG_CELL}-member cell ({len(expected)} expected)",
            "read",
            _get(ctx.client, f"/meetings/{meeting.pk}/roll-call/"),
            lambda: floor_roll(meeting),
            runs=ctx.runs,
            reset=clear,
            check=lambda: [r[0] for r in floor_roll(meeting)] == expected,
            inner=lambda: meeting_selectors.turnout(meeting),
            note="inner: expected members and turnout, the selectors of the page",
        ),
        Scenario(
            f"roll call submitted: everyone present ({len(expected)} rows, htmx)",
            "write",
            submit,
            floor_submit,
            runs=ctx.runs,
            reset=clear,
            note="floor: one multi-row INSERT and the meeting's state",
        ),
        Scenario(
            "roll call: one tap, a member excused with a reason (htmx)",
            "write",
            tap,
            floor_tap,
            runs=ctx.runs,
            reset=back_to_present,
            note="floor: one UPDATE",
        ),
    ]


# 6. Import and export of member files ------------------------------------------------------


def import_file(ctx: Context) -> Scenario:
    rows = 1_000 if ctx.smoke else memberfile.ROWS
    content = memberfile.generate(rows)
    base = Unit.objects.filter(kind=UnitKind.BASE).order_by("path").first()
    assert base is not None
    cell = Unit.objects.filter(code="BENCH-IMPORT").first() or unit_services.create_unit(
        base,
        actor=None,
        kind=UnitKind.CELL,
        name="Chi bộ nhập liệu",
        code="BENCH-IMPORT",
        on=generate.FOUNDED,
    )

    def clear() -> None:
        Member.objects.filter(memberships__unit=cell).delete()

    def run() -> None:
        table = files.read_table(io.BytesIO(content), files.XLSX)
        plan = sheet_services.import_members(
            cell, actor=ctx.admin, table=table, on=memberfile.ROLL_DAY
        )
        assert plan.counts["new"] == rows, plan.counts

    def floor() -> int:
        with CalamineWorkbook.from_object(io.BytesIO(content)) as book:
            return len(book.get_sheet_by_index(0).to_python(skip_empty_area=False))

    return Scenario(
        f"import a {rows:,}-row .xlsx file into an empty cell".replace(",", "."),
        "import",
        run,
        floor,
        runs=2 if ctx.smoke else 3,
        reset=clear,
        note="read + check + write in one transaction; floor: calamine reading the file alone",
    )


def floor_export(path: str, on: date) -> bytes:
    """The same rows straight from SQL into a write-only workbook, no formatting."""
    names = [name for name, _h, _g in columns.COLUMNS]
    uv, uv_p = _active("uv", on)
    ms, ms_p = _active("ms", on)
    st, st_p = _active("st", on)
    statuses = ", ".join(["%s"] * len(ROLL_STATUSES))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(files.DATA_SHEET)
    sheet.append(list(columns.EXPORT_HEADERS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {", ".join("m." + n for n in names)}, uv.name, st.status
            FROM members_membership ms
            JOIN members_member m ON m.id = ms.member_id
            JOIN members_memberstatus st ON st.member_id = ms.member_id AND {st}
                AND st.status IN ({statuses})
            JOIN units_unitversion uv ON uv.unit_id = ms.unit_id AND {uv}
            WHERE ms.kind = 'official' AND {ms} AND uv.path >= %s AND uv.path < %s
            ORDER BY m.sort_name, m.id
            """,
            [*st_p, *ROLL_STATUSES, *uv_p, *ms_p, path, treepath.upper_bound(path)],
        )
        while chunk := cursor.fetchmany(2000):
            for row in chunk:
                sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_file(ctx: Context, unit: Unit, label: str) -> Scenario:
    def run() -> None:
        sheet_services.export_members(unit, actor=None, on=ctx.on, file_format=files.XLSX)

    return Scenario(
        f"export the roll of {label} as .xlsx",
        "export",
        run,
        lambda: floor_export(unit.path, ctx.on),
        runs=1 if ctx.smoke or ctx.scale.members > 100_000 else 3,
        note="floor: the same rows from one SQL statement into a write-only workbook",
    )


# 5. The recruitment report of a province over five years -----------------------------------

REPORT_PERIOD = (date(2022, 1, 1), date(2026, 12, 31))  # whole years: targets count in full
Figures = dict[str, dict[Any, tuple[Any, ...]]]


def _year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def _day_before(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - 1)"
    return f"date({column}, '-1 day')"


def floor_recruitment(unit: Unit, start: date, end: date) -> Figures:
    """The report's figures in one statement: members admitted, recognised and removed during
    probation in the period by year and by the unit's branch (the unit they were on the roll of
    that day, the day before a removal, in the tree as it stood), and the targets of the unit
    and of the units directly below it. For a unit that kept its place in the tree all the
    period, as the generated provinces do (the report takes each of its versions in turn)."""
    width = len(unit.path) + treepath.SEGMENT
    rows = _sql(
        f"""
        WITH events AS (
            SELECT 'admitted' AS kind, id AS member_id, admitted_on AS day, admitted_on AS at
            FROM members_member WHERE admitted_on >= %s AND admitted_on <= %s
            UNION ALL
            SELECT 'recognised', id, recognised_on, recognised_on
            FROM members_member WHERE recognised_on >= %s AND recognised_on <= %s
            UNION ALL
            SELECT 'removed', st.member_id, st.valid_from, {_day_before("st.valid_from")}
            FROM members_memberstatus st JOIN members_member m ON m.id = st.member_id
            WHERE st.status = 'removed' AND st.valid_from >= %s AND st.valid_from <= %s
              AND m.recognised_on IS NULL AND m.admitted_on IS NOT NULL
        )
        SELECT e.kind, {_year("e.day")}, SUBSTR(uv.path, 1, %s),
               CASE WHEN e.kind = 'removed' THEN COUNT(*) ELSE COUNT(DISTINCT e.member_id) END
        FROM events e
        JOIN members_membership ms ON ms.member_id = e.member_id AND ms.kind = 'official'
            AND ms.valid_from <= e.at AND (ms.valid_to IS NULL OR ms.valid_to >= e.at)
        JOIN units_unitversion uv ON uv.unit_id = ms.unit_id
            AND uv.valid_from <= e.at AND (uv.valid_to IS NULL OR uv.valid_to >= e.at)
        WHERE uv.path >= %s AND uv.path < %s
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'target', t.year, CAST(t.unit_id AS varchar(20)), t.target
        FROM recruitment_target t
        WHERE t.year >= %s AND t.year <= %s AND (t.unit_id = %s OR t.unit_id IN (
            SELECT unit_id FROM units_unitversion WHERE parent_id = %s
              AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)))
        """,
        [
            *(start, end) * 3,
            width,
            unit.path,
            treepath.upper_bound(unit.path),
            start.year,
            end.year,
            unit.pk,
            unit.pk,
            end,
            start,
        ],
    )
    years = {y: [0, 0, 0, None] for y in range(start.year, end.year + 1)}
    children: dict[int, list[Any]] = {}
    direct = [0, 0, 0]
    kinds = ["admitted", "recognised", "removed"]
    for kind, year, branch, n in rows:
        if kind == "target":
            if int(branch) == unit.pk:
                years[year][3] = int(n)
            else:
                children.setdefault(int(branch), [0, 0, 0, 0.0])[3] += int(n)
            continue
        i = kinds.index(kind)
        years[year][i] += int(n)
        if len(branch) <= len(unit.path):
            direct[i] += int(n)
        else:
            children.setdefault(treepath.ids(branch)[-1], [0, 0, 0, 0.0])[i] += int(n)
    return {
        "years": {y: tuple(v) for y, v in years.items()},
        "children": {c: (*v[:3], round(v[3], 1)) for c, v in children.items()},
        "direct": {0: tuple(direct)},
    }


def report_figures(figures: recruitment_report.Report) -> Figures:
    """The same figures from the report the page shows."""
    return {
        "years": {
            y.year: (y.admitted, y.recognised, y.removed, y.full_target) for y in figures.years
        },
        "children": {
            c.unit_id: (c.admitted, c.recognised, c.removed, round(c.target, 1))
            for c in figures.children
        },
        "direct": {0: (figures.direct.admitted, figures.direct.recognised, figures.direct.removed)},
    }


def workbook_figures(content: bytes) -> dict[int, tuple[Any, ...]]:
    """Admitted, recognised and removed by year, as the downloaded workbook has them."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheet = book.worksheets[1]  # by year: year, admitted, target, target pro rata, recognised…
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    book.close()
    return {row[0]: (row[1], row[4], row[5]) for row in rows}


def recruitment(ctx: Context) -> list[Scenario]:
    """The province's report over five years, as a page and as the .xlsx download."""
    unit = ctx.province
    start, end = REPORT_PERIOD
    url = f"/recruitment/units/{unit.pk}/report/?start={start:%m/%Y}&end={end:%m/%Y}"
    period = f"{start.year}–{end.year}"

    def floor() -> Figures:
        return floor_recruitment(unit, start, end)

    def selector() -> Figures:
        return report_figures(recruitment_report.report(unit, start, end))

    def download() -> bytes:
        response = ctx.client.get(url + "&format=xlsx")
        assert response.status_code == 200, response.status_code
        return response.content

    def same_download() -> bool:
        years = floor()["years"]
        return workbook_figures(download()) == {y: v[:3] for y, v in years.items()}

    admitted = sum(v[0] for v in floor()["years"].values())
    note = f"{admitted:,} admitted in the period; floor: one statement".replace(",", ".")
    return [
        Scenario(
            f"recruitment report of a province, {period}",
            "read",
            _get(ctx.client, url),
            floor,
            runs=ctx.runs,
            check=lambda: selector() == floor(),
            note=note,
            inner=selector,
        ),
        Scenario(
            f"recruitment report of a province, {period}, as .xlsx",
            "export",
            download,
            floor,
            runs=ctx.runs,
            check=same_download,
            note=note,
        ),
    ]


# 2. The floor of the monthly compliance evaluation ----------------------------------------


def floor_month(month: date) -> list[tuple[Any, ...]]:
    """One month's attendance aggregated per unit in one statement: the evaluation's floor."""
    start, end = _month_bounds(month)
    return _sql(
        """
        SELECT m.unit_id, COUNT(DISTINCT m.id),
               SUM(CASE WHEN a.counted THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.counted AND a.mark IN ('present', 'late') THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.mark = 'unexcused' THEN 1 ELSE 0 END)
        FROM meetings_meeting m JOIN meetings_attendance a ON a.meeting_id = m.id
        WHERE m.starts_at >= %s AND m.starts_at < %s AND m.state IN ('held', 'closed')
        GROUP BY m.unit_id
        """,
        [start, end],
    )


def month_floor(ctx: Context) -> Scenario:
    month = generate.MONTHS[-2]
    return Scenario(
        f"floor only: attendance of {month:%m/%Y} per unit, whole tree",
        "floor",
        lambda: floor_month(month),
        None,
        runs=ctx.runs,
        note="the floor of the monthly compliance evaluation (issue 7, goal 2)",
    )


def all_scenarios(ctx: Context) -> list[Scenario]:
    mid_label = "province" if ctx.scale.provinces else "commune"
    export_unit = ctx.mid if ctx.scale.provinces else ctx.top
    export_label = "a province" if ctx.scale.provinces else "the whole tree"
    return [
        unit_page(ctx, ctx.top, "top unit"),
        unit_page(ctx, ctx.mid, f"mid unit ({mid_label})"),
        refresh(ctx),
        meetings_page(ctx, ctx.big_cell),
        search_page(ctx, ctx.top, "top unit"),
        search_page(ctx, ctx.mid, f"mid unit ({mid_label})"),
        *roll_call(ctx),
        month_floor(ctx),
        *(compliance(ctx) if apps.is_installed("chibo.compliance") else []),
        *recruitment(ctx),
        import_file(ctx),
        export_file(ctx, export_unit, export_label),
    ]


# 2. The monthly compliance evaluation (chibo.compliance) ----------------------------------


def floor_unit_month(month: date, unit_id: int) -> list[tuple[Any, ...]]:
    """One unit's month of attendance in one statement: the floor of its re-evaluation."""
    return _sql(
        """
        SELECT m.unit_id, COUNT(DISTINCT m.id),
               SUM(CASE WHEN a.counted THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.counted AND a.mark IN ('present', 'late') THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.mark = 'unexcused' THEN 1 ELSE 0 END)
        FROM meetings_meeting m JOIN meetings_attendance a ON a.meeting_id = m.id
        WHERE m.unit_id = %s AND m.starts_at >= %s AND m.starts_at < %s
          AND m.state IN ('held', 'closed')
        GROUP BY m.unit_id
        """,
        [unit_id, *_month_bounds(month)],
    )


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    following = (month + timedelta(days=32)).replace(day=1)
    return start, timezone.make_aware(datetime.combine(following, datetime.min.time()))


def compliance(ctx: Context) -> list[Scenario]:
    from chibo.compliance import services as compliance_services

    month = generate.MONTHS[-2]
    meeting = Meeting.objects.filter(
        unit=ctx.big_cell, kind=MeetingKind.REGULAR, series_month=month
    ).first()
    assert meeting is not None

    def whole_tree() -> None:
        compliance_services.evaluate(ctx.top, month, actor=None, as_of=ctx.on)

    def one_meeting() -> None:
        # What closing a meeting triggers: its unit's month (and the rest of its quarter)
        # evaluated again once the transaction commits (here at once: autocommit).
        compliance_services.meeting_changed(meeting)

    return [
        Scenario(
            f"compliance evaluation of {month:%m/%Y}, whole tree",
            "write",
            whole_tree,
            lambda: floor_month(month),
            runs=1 if ctx.smoke or ctx.scale.members > 1_000_000 else 3,
            note="goal: within 3× of the floor (one statement over the month's attendance)",
        ),
        Scenario(
            f"compliance re-evaluation after a meeting of {month:%m/%Y} is closed",
            "write",
            one_meeting,
            lambda: floor_unit_month(month, ctx.big_cell.pk),
            runs=ctx.runs,
            note="the cell's month and the rest of its quarter, rolled up to the top",
        ),
        *(dashboard(ctx, unit, label, month) for unit, label in _dashboard_units(ctx)),
    ]


def _dashboard_units(ctx: Context) -> list[tuple[Unit, str]]:
    mid_label = "province" if ctx.scale.provinces else "commune"
    return [(ctx.top, "top unit"), (ctx.mid, f"mid unit ({mid_label})")]


def floor_dashboard(unit: Unit, month: date) -> list[tuple[Any, ...]]:
    """The stored results a dashboard needs: the unit's and its children's for the month, and
    the unit's own for the last twelve months (decision 0014): never attendance."""
    first = (month - timedelta(days=335)).replace(day=1)
    return _sql(
        """
        SELECT r.unit_id, r.obligation, r.month, r.status, r.numerator, r.denominator
        FROM compliance_result r JOIN units_unit u ON u.id = r.unit_id
        WHERE (r.month = %s AND (u.id = %s OR u.parent_id = %s))
           OR (r.unit_id = %s AND r.month >= %s AND r.month <= %s)
        """,
        [month, unit.pk, unit.pk, unit.pk, first, month],
    )


def dashboard(ctx: Context, unit: Unit, label: str, month: date) -> Scenario:
    rows = len(floor_dashboard(unit, month))
    return Scenario(
        f"compliance dashboard of {month:%m/%Y}, {label}",
        "read",
        _get(ctx.client, f"/compliance/units/{unit.pk}/?month={month:%Y-%m}"),
        lambda: floor_dashboard(unit, month),
        runs=ctx.runs,
        note=f"reads {rows} stored result rows, whatever the number of members below",
    )
