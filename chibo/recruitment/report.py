"""The recruitment report and the targets' progress, counted from the members' records.

"Admitted in a unit" means: the member's admission ceremony (`admitted_on`) fell in the period,
and on that day they were on the roll of a unit that then stood in the unit's subtree (the tree
as it stood that day, so a district dissolved in 2025 still reports its 2016–2021 admissions).
Recognised: likewise on the day recognition took effect. Removed during probation: a removal
(xóa tên) of a member never recognised, in the unit they left. Nothing is typed in by hand.
"""

import calendar
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DateField, F, Q
from django.db.models.functions import Cast, ExtractYear, Substr
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from chibo.lib.dates import today
from chibo.lib.intervals import overlaps
from chibo.members.models import Membership, MembershipKind, Status
from chibo.recruitment.models import Target
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion


@dataclass
class Figures:
    admitted: int = 0
    recognised: int = 0
    removed: int = 0
    target: float = 0.0  # pro rata to the part of each year inside the period
    targets_set: int = 0  # years with a target

    @property
    def above_target(self) -> bool:
        return self.targets_set > 0 and self.admitted >= self.target

    @property
    def percent(self) -> float | None:
        return 100 * self.admitted / self.target if self.target else None


@dataclass
class YearLine(Figures):
    year: int = 0
    share: float = 1.0  # the part of the year inside the period
    full_target: int | None = None


@dataclass
class ChildLine(Figures):
    unit_id: int = 0
    name: str = ""


@dataclass
class Report:
    unit: Unit
    start: date
    end: date
    total: Figures = field(default_factory=Figures)
    years: list[YearLine] = field(default_factory=list)
    children: list[ChildLine] = field(default_factory=list)
    direct: Figures = field(default_factory=Figures)  # members on the unit's own roll
    months: int = 0

    @property
    def whole_years(self) -> int:
        """Whole years in the period (at least one): 2016 to 8/2021 is five."""
        return max(1, self.months // 12)

    @property
    def per_year(self) -> float:
        """Admitted per whole year, the way committees' reports give it (944 ÷ 5 = 188,8)."""
        return self.total.admitted / self.whole_years

    @property
    def per_twelve_months(self) -> float:
        return self.total.admitted * 12 / self.months if self.months else 0.0

    @property
    def peak(self) -> float:
        return max([1.0, *(max(y.admitted, y.target) for y in self.years)])


def month_range(first: date, last: date) -> tuple[date, date]:
    """From the first day of `first`'s month to the last day of `last`'s month."""
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return first.replace(day=1), end


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _share(year: int, start: date, end: date) -> float:
    """The part of `year` inside [start, end], in days."""
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    days = 366 if calendar.isleap(year) else 365
    return max(0, (last - first).days + 1) / days


def _events(day_field: str, lo: date, hi: date, path: str) -> list[dict[str, Any]]:
    """(year, child path prefix, members) for members whose `day_field` falls in [lo, hi] and
    who were that day on the roll of a unit then standing under `path` (one query)."""
    day = F(f"member__{day_field}")
    width = len(path) + treepath.SEGMENT
    rows = (
        Membership.objects.filter(
            Q(**{f"member__{day_field}__gte": lo, f"member__{day_field}__lte": hi}),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            Q(unit__versions__valid_to__isnull=True) | Q(unit__versions__valid_to__gte=day),
            kind=MembershipKind.OFFICIAL,
            valid_from__lte=day,
            unit__versions__valid_from__lte=day,
            unit__versions__path__gte=path,
            unit__versions__path__lt=treepath.upper_bound(path),
        )
        .annotate(
            year=ExtractYear(f"member__{day_field}"),
            prefix=Substr("unit__versions__path", 1, width),
        )
        .values("year", "prefix")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    return [dict(row) for row in rows]


def _removed(lo: date, hi: date, path: str) -> list[dict[str, Any]]:
    """(year, child path prefix, removals) for removals in [lo, hi] of members never
    recognised (removed during probation), counted in the unit they left: the one whose roll
    they were on the day before, standing then under `path` (one query)."""
    removal = F("member__statuses__valid_from")
    before = Cast(removal - timedelta(days=1), DateField())
    width = len(path) + treepath.SEGMENT
    rows = (
        Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=before),
            Q(unit__versions__valid_to__isnull=True) | Q(unit__versions__valid_to__gte=before),
            member__statuses__status=Status.REMOVED,
            member__statuses__valid_from__gte=lo,
            member__statuses__valid_from__lte=hi,
            member__recognised_on__isnull=True,
            member__admitted_on__isnull=False,
            kind=MembershipKind.OFFICIAL,
            valid_from__lte=before,
            unit__versions__valid_from__lte=before,
            unit__versions__path__gte=path,
            unit__versions__path__lt=treepath.upper_bound(path),
        )
        .annotate(year=ExtractYear(removal), prefix=Substr("unit__versions__path", 1, width))
        .values("year", "prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [dict(row) for row in rows]


def report(unit: Unit, start: date, end: date) -> Report:
    """Admitted, recognised and removed during probation in `unit`'s subtree from `start` to
    `end`, by year and by the units directly below it, with the targets pro rata. A fixed
    number of queries, whatever the number of members."""
    result = Report(unit=unit, start=start, end=end, months=_months(start, end))
    versions = list(  # from the day before: a removal on the first day is placed by it
        UnitVersion.objects.filter(overlaps(start - timedelta(days=1), end), unit=unit).order_by(
            "valid_from"
        )
    )
    years = {
        y: YearLine(year=y, share=_share(y, start, end)) for y in range(start.year, end.year + 1)
    }
    children: dict[int, ChildLine] = {}
    for child in (
        UnitVersion.objects.filter(overlaps(start, end), parent=unit)
        .order_by("unit_id", "-valid_from")
        .values_list("unit_id", "name")
    ):
        children.setdefault(child[0], ChildLine(unit_id=child[0], name=child[1]))

    def place(prefix: str, path: str) -> Figures:
        if len(prefix) <= len(path):
            return result.direct
        child_id = int(prefix[-treepath.SEGMENT :])
        return children.setdefault(child_id, ChildLine(unit_id=child_id, name=str(child_id)))

    day = timedelta(days=1)
    for version in versions:
        lo, hi = max(start, version.valid_from), min(end, version.valid_to or end)
        # A removal is placed where the member stood the day before: in this version if that
        # day falls in it, so one on the day the unit moved belongs to the version before.
        after = min(end, version.valid_to + day) if version.valid_to else end
        found = {
            "admitted": _events("admitted_on", lo, hi, version.path),
            "recognised": _events("recognised_on", lo, hi, version.path),
            "removed": _removed(max(start, version.valid_from + day), after, version.path),
        }
        for name, rows in found.items():
            for row in rows:
                for figures in (
                    result.total,
                    years[row["year"]],
                    place(row["prefix"], version.path),
                ):
                    setattr(figures, name, getattr(figures, name) + row["n"])
    targets = Target.objects.filter(
        unit_id__in=[unit.pk, *children], year__gte=start.year, year__lte=end.year
    ).values_list("unit_id", "year", "target")
    for unit_id, year, target in targets:
        line = years[year]
        owner: Figures = result.total if unit_id == unit.pk else children[unit_id]
        owner.target += target * line.share
        owner.targets_set += 1
        if unit_id == unit.pk:
            line.full_target, line.target, line.targets_set = target, target * line.share, 1
    result.years = list(years.values())
    result.children = sorted(
        (c for c in children.values() if c.admitted or c.recognised or c.removed or c.targets_set),
        key=lambda c: c.name,
    )
    return result


@dataclass
class Progress:
    """A unit's admissions in one year against its target and the pro-rata point of the year."""

    year: int
    on: date
    share: float  # how much of the year has passed
    report: Report
    children_target: int = 0  # the targets the units below set, added up

    @property
    def target(self) -> int | None:
        return self.report.years[0].full_target if self.report.years else None

    @property
    def expected(self) -> float:
        """Where the admissions should stand today, pro rata to the part of the year gone."""
        return (self.target or 0) * self.share


def progress(unit: Unit, year: int, on: date | None = None) -> Progress:
    """Targets and results of `unit` and the units below it for `year`, rolled up the tree."""
    on = on or today()
    start, end = date(year, 1, 1), date(year, 12, 31)
    share = 0.0 if on < start else min(1.0, _share(year, start, min(on, end)))
    figures = report(unit, start, end)
    children_target = int(sum(c.target for c in figures.children))
    return Progress(year, on, share, figures, children_target)


def xlsx(figures: Report) -> bytes:
    """The report as a workbook: summary, years, units below."""
    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = _("Tổng hợp")
    rows: list[list[Any]] = [
        [_("Báo cáo phát triển đảng viên"), figures.unit.name],
        [_("Mã đơn vị"), figures.unit.code],
        [_("Từ ngày"), figures.start],
        [_("Đến ngày"), figures.end],
        [_("Kết nạp"), figures.total.admitted],
        [_("Công nhận chính thức"), figures.total.recognised],
        [_("Xóa tên trong thời gian dự bị"), figures.total.removed],
        [_("Bình quân mỗi năm (theo số năm trọn)"), round(figures.per_year, 1)],
        [_("Bình quân 12 tháng"), round(figures.per_twelve_months, 1)],
        [_("Chỉ tiêu (theo tỷ lệ thời gian)"), round(figures.total.target, 1)],
        [_("Vượt chỉ tiêu"), _("Có") if figures.total.above_target else _("Không")],
    ]
    for row in rows:
        summary.append(row)
    for cell in summary["A"]:
        cell.font = bold
    for cell in (summary["B3"], summary["B4"]):
        cell.number_format = "DD/MM/YYYY"
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 40
    by_year = book.create_sheet(_("Theo năm"))
    by_year.append(
        [
            _("Năm"),
            _("Kết nạp"),
            _("Chỉ tiêu năm"),
            _("Chỉ tiêu theo kỳ"),
            _("Công nhận"),
            _("Xóa tên"),
        ]
    )
    for y in figures.years:
        by_year.append(
            [y.year, y.admitted, y.full_target, round(y.target, 1), y.recognised, y.removed]
        )
    by_unit = book.create_sheet(_("Theo đơn vị"))
    by_unit.append([_("Đơn vị"), _("Kết nạp"), _("Chỉ tiêu"), _("Công nhận"), _("Xóa tên")])
    for c in figures.children:
        by_unit.append([c.name, c.admitted, round(c.target, 1), c.recognised, c.removed])
    for sheet in (by_year, by_unit):
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_dict(figures: Report) -> dict[str, Any]:
    """The report as JSON-ready data (the command's and the API's shape)."""

    def numbers(f: Figures) -> dict[str, Any]:
        return {
            "admitted": f.admitted,
            "recognised": f.recognised,
            "removed_in_probation": f.removed,
            "target": round(f.target, 1) if f.targets_set else None,
            "above_target": f.above_target if f.targets_set else None,
        }

    return {
        "unit": {"id": figures.unit.pk, "code": figures.unit.code, "name": figures.unit.name},
        "from": figures.start.isoformat(),
        "to": figures.end.isoformat(),
        **numbers(figures.total),
        "per_year": round(figures.per_year, 1),
        "whole_years": figures.whole_years,
        "per_twelve_months": round(figures.per_twelve_months, 1),
        "years": [{"year": y.year, **numbers(y)} for y in figures.years],
        "units": [{"id": c.unit_id, "name": c.name, **numbers(c)} for c in figures.children],
    }
