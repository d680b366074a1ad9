"""Benchmarks of the organisation tree on the demo organisation.

Usage: `.venv/bin/python bench/tree.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://... .venv/bin/python bench/tree.py`.
Loads the demo into a fresh database, then times the reads that every page depends on; writes
the figures to bench/results/<engine>.json and prints them.
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="chibo-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ["CHIBO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from chibo.accounts.models import User  # noqa: E402
from chibo.units import selectors  # noqa: E402
from chibo.units.models import Unit  # noqa: E402


def timed(label: str, action: Callable[[], object], runs: int = 20) -> dict[str, object]:
    action()
    samples = []
    reset_queries()  # the query log holds at most 9000 entries: start it empty
    with CaptureQueriesContext(connection) as queries:
        action()
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    result = {
        "name": label,
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(sorted(samples)[int(runs * 0.9) - 1], 2),
        "queries": len(queries),
    }
    print(f"{label:<55} {result['median_ms']:>8} ms  {result['queries']:>3} queries")
    return result


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    load_seconds = round(time.perf_counter() - start, 2)
    print(f"load_demo: {load_seconds} s")

    province = Unit.objects.get(code="TH")
    district = Unit.objects.get(code="TH-HL")
    today, article = date.today(), date(2021, 8, 31)
    client = Client()
    client.force_login(User.objects.get(username="quantri"))
    page = client.get(f"/units/{province.pk}/")
    assert page.status_code == 200, page.status_code

    def counts(unit: Unit, on: date) -> Callable[[], object]:
        def run() -> object:
            version = selectors.version_on(unit, on)
            assert version is not None
            return selectors.counts_below(version, on)

        return run

    results = [
        timed("counts below the province, today", counts(province, today)),
        timed("counts below the district, 31/08/2021", counts(district, article)),
        timed("province page, today", lambda: client.get(f"/units/{province.pk}/")),
        timed(
            "district page as of 31/08/2021",
            lambda: client.get(f"/units/{district.pk}/?on=2021-08-31"),
        ),
        timed(
            "API subtree of the district, 31/08/2021, first page",
            lambda: client.get(f"/api/v1/units/{district.pk}/subtree?on=2021-08-31"),
        ),
        timed("search 'ninh phu'", lambda: client.get("/search/?q=ninh+phu")),
    ]
    report = {
        "engine": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": today.isoformat(),
        "load_demo_seconds": load_seconds,
        "units": Unit.objects.count(),
        "results": results,
    }
    out = ROOT / "bench" / "results" / f"tree-{connection.vendor}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
