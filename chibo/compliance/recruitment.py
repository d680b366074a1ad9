"""Recruitment obligations, read through the recruitment app's own selectors: the yearly
admission target against its pro-rata point, and the pipeline's deadlines (RULES.md §3.3, §3.6).

Registered when the recruitment app is installed. The pipeline's deadlines are as of the day of
evaluation (a candidate's stage has no history), so they are judged for the running month only.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.compliance.facts import Month, UnitInfo
from chibo.compliance.models import Status
from chibo.compliance.obligations import NOT_DUE, Obligation, Verdict, register
from chibo.recruitment import report, selectors
from chibo.recruitment.models import OPEN_STAGES, Candidate, Target
from chibo.units import treepath
from chibo.units.models import Unit


def _targets(ctx: Month) -> dict[int, Target]:
    rows = Target.objects.filter(year=ctx.month.year, unit_id__in=ctx.subtree())
    return {t.unit_id: t for t in rows}


def target_pace(ctx: Month, unit: UnitInfo) -> Verdict | None:
    """Admissions this year against the unit's target, pro rata to the part of the year gone;
    below the full target once the year is over."""
    target = ctx.once("recruitment_targets", _targets).get(unit.id)
    if target is None or not target.target:
        return None
    figures = report.progress(Unit(pk=unit.id, path=unit.path), ctx.month.year, on=ctx.day)
    admitted = figures.report.total.admitted
    expected = math.floor(figures.expected)
    if admitted >= expected:
        return Verdict(Status.OK, admitted, target.target)
    year_over = ctx.over and ctx.month.month == 12
    message = _("Kết nạp %(n)s/%(target)s đảng viên, chậm so với tiến độ (%(expected)s).") % {
        "n": admitted,
        "target": target.target,
        "expected": expected,
    }
    status = Status.FAILED if year_over else Status.WARNING
    return Verdict(status, admitted, target.target, message)


def _dues(ctx: Month) -> dict[int, list[bool]]:
    """Each responsible unit's running deadlines in the pipeline: overdue or not."""
    found: dict[int, list[bool]] = defaultdict(list)
    candidates = Candidate.objects.filter(
        treepath.within(ctx.root_path, "unit__path"), stage__in=OPEN_STAGES
    ).select_related("unit", "unit__parent", "unit__parent__parent")
    for candidate in candidates:
        due = selectors.open_due(candidate, ctx.as_of)
        if due is not None:
            found[due.responsible.pk].append(due.overdue)
    return found


def steps_on_time(ctx: Month, unit: UnitInfo) -> Verdict | None:
    """No step of the admission pipeline past its deadline (decision, ceremony, recognition)."""
    if ctx.over:
        return None
    dues = ctx.once("recruitment_dues", _dues).get(unit.id)
    if not dues:
        return NOT_DUE if unit.leaf else None
    late = sum(dues)
    if not late:
        return Verdict(Status.OK, len(dues), len(dues))
    message = _("%(n)s bước kết nạp, công nhận đảng viên quá hạn.") % {"n": late}
    return Verdict(Status.FAILED, len(dues) - late, len(dues), message)


for item in [
    Obligation(
        "recruitment_target",
        gettext_lazy("Chỉ tiêu kết nạp"),
        gettext_lazy("Kết nạp đảng viên theo kịp tiến độ chỉ tiêu năm"),
        "Nghị quyết đại hội, chỉ tiêu kết nạp hằng năm — RULES.md §3.6",
        "recruitment",
        target_pace,
        leaves_only=False,
        figure="share",
    ),
    Obligation(
        "recruitment_steps",
        gettext_lazy("Hạn kết nạp"),
        gettext_lazy("Các bước kết nạp, công nhận đảng viên đúng hạn"),
        "29-QĐ/TW §4.3, 232-QĐ/TW §4.1, §4.2 — RULES.md §3.3, §3.4",
        "recruitment",
        steps_on_time,
        leaves_only=False,
    ),
]:
    register(item)
