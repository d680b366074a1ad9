"""The results table of docs/performance.md, from the JSON files of bench/results/.

Usage: `.venv/bin/python bench/report.py bench/results/province-postgresql-2026-11-29.json …`
Prints one Markdown table per file: time (median, min–max), floor, ratio, queries, memory; a
result measured on another machine than the file's last run names its processor.
"""

import json
import sys
from pathlib import Path
from typing import Any


def number(value: float | None, digits: int = 0) -> str:
    """8.900 and 1,5: the way numbers are written in the project's documents."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return number(value, 1 if value < 100 else 0)


def table(report: dict[str, Any]) -> str:
    scale = report["scale"]
    lines = [
        f"#### {scale['name']}: {number(scale['members'])} members, "
        f"{number(scale['cells'])} cells, {report['engine']} ({report['date']})",
        "",
        "| scenario | time ms (median, min–max) | floor ms | ratio | queries | "
        "memory MiB (Python peak / RSS growth) | floor memory MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    machine = report.get("machine", {}).get("cpu")
    for r in report.get("results", []):
        # A day's file may hold runs on two machines: the results of the other one say so.
        where = f" [{r['cpu']}]" if r.get("cpu") and r["cpu"] != machine else ""
        rate = f"; {number(r['rows_per_second'])} rows/s" if r.get("rows_per_second") else ""
        inner = f"; selectors {ms(r['inner_median_ms'])}" if r.get("inner_median_ms") else ""
        ratio = number(r["ratio"], 2) + "×" if r["ratio"] is not None else "–"
        lines.append(
            f"| {r['name']}{where} | {ms(r['median_ms'])} ({ms(r['min_ms'])}–{ms(r['max_ms'])})"
            f"{inner}{rate} | {ms(r['floor_median_ms'])} | {ratio} | {r['queries']} | "
            f"{number(r.get('peak_mib'), 1)} / {number(r.get('rss_growth_mib'), 1)} | "
            f"{number(r.get('floor_peak_mib'), 1)} / {number(r.get('floor_rss_growth_mib'), 1)} |"
        )
    load = report.get("load")
    if load:
        seconds = ", ".join(f"{k} {number(v, 1)} s" for k, v in load["seconds"].items())
        rows = sum(load["rows"].values())
        candidates = sum(n for t, n in load["rows"].items() if t.startswith("recruitment_"))
        of = f" ({number(candidates)} of candidates and their steps)" if candidates else ""
        lines += ["", f"Load: {number(rows)} rows{of}; {seconds}."]
    return "\n".join(lines)


def main() -> None:
    for name in sys.argv[1:]:
        print(table(json.loads(Path(name).read_text())))
        print()


if __name__ == "__main__":
    main()
