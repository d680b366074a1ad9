"""Benchmark of the member import and export on a 10,000-row file.

Usage: `.venv/bin/python bench/import_members.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://... .venv/bin/python bench/import_members.py`.
Builds a small unit tree in a fresh database, generates a valid 10,000-row .xlsx file
(deterministic), then times the floors (reading the file with calamine alone, and with openpyxl
alone as before), reading it, checking it, the import itself, a second import of the same file
(nothing changes), one with 1.000 rows changed and the export; the steps that write nothing and
the import into an empty unit are timed three times (median). Writes
bench/results/import-<engine>.json and prints it.
"""

import io
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="chibo-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import load_workbook  # type: ignore[import-untyped]  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from bench import memberfile  # noqa: E402
from chibo.members.models import Member  # noqa: E402
from chibo.members.spreadsheets import columns, files, services  # noqa: E402
from chibo.members.spreadsheets.plan import plan_import  # noqa: E402
from chibo.units import services as unit_services  # noqa: E402
from chibo.units.models import Unit, UnitKind  # noqa: E402

ROLL_DAY = memberfile.ROLL_DAY
ROWS = memberfile.ROWS
generate = memberfile.generate


@contextmanager
def counting() -> Iterator[list[int]]:
    """Counts queries without keeping them (the debug log stops at 9000)."""
    count = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, ctx)

    with connection.execute_wrapper(wrapper):
        yield count


def timed(
    label: str, action: Callable[[], Any], runs: int = 1, reset: Callable[[], Any] | None = None
) -> tuple[dict[str, Any], Any]:
    """The median of `runs` runs of `action` (`reset` untimed before each but the first)."""
    seconds, result = [], None
    for run in range(runs):
        if reset and run:
            reset()
        with counting() as queries:
            start = time.perf_counter()
            result = action()
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    entry = {"name": label, "seconds": round(median, 3), "queries": queries[0]}
    if runs > 1:
        entry["runs"] = runs
        entry["min_max"] = [round(min(seconds), 3), round(max(seconds), 3)]
    entry["rows_per_second"] = round(ROWS / median)
    print(f"{label:<62} {median:>7.3f} s  {ROWS / median:>8,.0f} rows/s  {queries[0]:>6} queries")
    return entry, result


def read_calamine(content: bytes) -> int:
    """The floor: calamine reading every cell of the first sheet, nothing more."""
    with CalamineWorkbook.from_object(io.BytesIO(content)) as book:
        return len(book.get_sheet_by_index(0).to_python(skip_empty_area=False))


def read_openpyxl(content: bytes) -> int:
    """The floor before calamine: openpyxl reading every row, nothing more."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def build_tree() -> Unit:
    def unit(parent: Unit | None, kind: str, code: str, name: str) -> Unit:
        return unit_services.create_unit(
            parent, actor=None, kind=kind, name=name, code=code, on=date(2000, 1, 1)
        )

    central = unit(None, UnitKind.CENTRAL, "TW", "Trung ương")
    province = unit(central, UnitKind.PROVINCE, "TH", "Đảng bộ tỉnh Thanh Hóa")
    commune = unit(province, UnitKind.BASE, "TH-DL", "Đảng bộ xã Đa Lộc")
    return unit(commune, UnitKind.CELL, "TH-DL-NP", "Chi bộ thôn Ninh Phú")


def main() -> None:
    call_command("migrate", verbosity=0)
    cell = build_tree()
    results = []

    entry, content = timed(f"generate a {ROWS:,}-row .xlsx file".replace(",", "."), generate)
    results.append(entry)
    for label, reader in [
        ("floor: read every cell with calamine alone", read_calamine),
        ("floor before: read every row with openpyxl alone", read_openpyxl),
    ]:
        entry, rows = timed(label, lambda r=reader: r(content), runs=3)
        assert rows == ROWS + 1
        results.append(entry)
    entry, table = timed(
        "read the file (read_table)",
        lambda: files.read_table(io.BytesIO(content), "xlsx", name="bench.xlsx"),
        runs=3,
    )
    results.append(entry)
    entry, plan = timed(
        "check every row (plan, nothing written)",
        lambda: plan_import(cell, table, on=ROLL_DAY, actor=None),
        runs=3,
    )
    assert not plan.problems, plan.problems[:5]
    results.append(entry)

    def clear() -> None:
        Member.objects.filter(memberships__unit=cell).delete()

    entry, plan = timed(
        "import into an empty unit (check + write, one transaction)",
        lambda: services.import_members(cell, actor=None, table=table, on=ROLL_DAY),
        runs=3,
        reset=clear,
    )
    assert plan.counts["new"] == ROWS
    assert Member.objects.count() == ROWS
    results.append(entry)
    clear()
    entry, plan = timed(
        "read and import (the bench scenario's action)",
        lambda: services.import_members(
            cell,
            actor=None,
            table=files.read_table(io.BytesIO(content), "xlsx", name="bench.xlsx"),
            on=ROLL_DAY,
        ),
        runs=3,
        reset=clear,
    )
    assert plan.counts["new"] == ROWS
    results.append(entry)
    entry, plan = timed(
        "import the same file again (all unchanged)",
        lambda: services.import_members(cell, actor=None, table=table, on=ROLL_DAY),
    )
    assert plan.counts["same"] == ROWS
    results.append(entry)
    workplace = [name for name, _h, _g in columns.COLUMNS].index("workplace")
    for _number, values in table.rows[:1000]:
        values[workplace] = "Ủy ban nhân dân xã"
    entry, plan = timed(
        "import with 1.000 rows changed (updates, audited)",
        lambda: services.import_members(cell, actor=None, table=table, on=ROLL_DAY),
    )
    assert plan.counts["update"] == 1000
    results.append(entry)
    for file_format in files.FORMATS:
        entry, export = timed(
            f"export {ROWS:,} members as .{file_format}".replace(",", "."),
            lambda f=file_format: services.export_members(
                cell, actor=None, on=ROLL_DAY, file_format=f
            ),
        )
        assert export.rows == ROWS
        results.append(entry)

    report = {
        "engine": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": date.today().isoformat(),
        "rows": ROWS,
        "file_bytes": len(content),
        "results": results,
    }
    out = ROOT / "bench" / "results" / f"import-{connection.vendor}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    connection.close()
    shutil.rmtree(_tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
