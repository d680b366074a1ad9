"""Recruitment obligations: the yearly admission target against its pro-rata point, and the
pipeline's deadlines (RULES.md §3.3, §3.6), through the recruitment app's own selectors.

Admissions are counted as `recruitment.report` counts them (admitted in the year, on the roll
that day of a unit then in the target unit's subtree), for every unit with a target at once:
one query for the admitted members of the scope, summed up their units' paths in memory.
Registered when the recruitment app is installed. The pipeline's deadlines are as of the day of
evaluation (a candidate's stage has no history), so they are judged for the running month only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.compliance.facts import Month, UnitInfo
from chibo.compliance.models import Status
from chibo.compliance.obligations import NOT_DUE, Obligation, Verdict, register
from chibo.lib.intervals import overlaps
from chibo.members.models import Membership, MembershipKind
from chibo.recruitment import selectors
from chibo.recruitment.models import OPEN_STAGES, Candidate, Target
from chibo.units import treepath
from chibo.units.models import UnitVersion


def _targets(ctx: Month) -> dict[int, Target]:
    rows = Target.objects.filter(year=ctx.month.year, unit_id__in=ctx.subtree())
    return {t.unit_id: t for t in rows}


def _admitted(ctx: Month) -> dict[int, int]:
    """Members admitted in the month's year in the subtree of each unit with a target, the
    tree as it stood on the day of each admission (`recruitment.report`'s rule): the admitted
    members of the scope in one query, each added to the targets above them."""
    wanted = [t.unit_id for t in ctx.once("recruitment_targets", _targets).values() if t.target]
    if not wanted:
        return {}
    start, end = date(ctx.month.year, 1, 1), date(ctx.month.year, 12, 31)
    periods: dict[str, list[tuple[int, date, date]]] = defaultdict(list)
    for unit_id, path, valid_from, valid_to in UnitVersion.objects.filter(
        overlaps(start, end), unit_id__in=wanted
    ).values_list("unit_id", "path", "valid_from", "valid_to"):
        periods[path].append((unit_id, max(start, valid_from), min(end, valid_to or end)))
    scope = ctx.scope
    where = Q(unit__versions__path__gte=scope.low, unit__versions__path__lt=scope.high)
    if scope.ids:  # the units above the pieces: their whole subtrees
        where = Q()
        for path in periods:
            where |= treepath.within(path, "unit__versions__path")
    day = F("member__admitted_on")
    rows = (
        Membership.objects.filter(
            where,
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            Q(unit__versions__valid_to__isnull=True) | Q(unit__versions__valid_to__gte=day),
            kind=MembershipKind.OFFICIAL,
            member__admitted_on__gte=start,
            member__admitted_on__lte=end,
            valid_from__lte=day,
            unit__versions__valid_from__lte=day,
        )
        .values_list("member_id", "member__admitted_on", "unit__versions__path")
        .distinct()
    )
    found: dict[int, set[int]] = defaultdict(set)
    for member_id, admitted_on, path in rows:
        for width in range(treepath.SEGMENT, len(path) + 1, treepath.SEGMENT):
            for unit_id, low, high in periods.get(path[:width], ()):
                if admitted_on is not None and low <= admitted_on <= high:
                    found[unit_id].add(member_id)
    return {unit_id: len(members) for unit_id, members in found.items()}


def _year_gone(year: int, on: date) -> float:
    """The part of `year` gone by `on`, in days, as `recruitment.report.progress` has it."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if on < start:
        return 0.0
    return min(1.0, ((min(on, end) - start).days + 1) / ((end - start).days + 1))


def target_pace(ctx: Month, unit: UnitInfo) -> Verdict | None:
    """Admissions this year against the unit's target, pro rata to the part of the year gone;
    below the full target once the year is over."""
    target = ctx.once("recruitment_targets", _targets).get(unit.id)
    if target is None or not target.target:
        return None
    admitted = ctx.once("recruitment_admitted", _admitted).get(unit.id, 0)
    expected = math.floor(target.target * _year_gone(ctx.month.year, ctx.day))
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
    # The unit responsible for a step is the candidate's own or one or two levels above it.
    scope = ctx.scope
    where = scope.around("unit")
    if scope.ids:
        where |= scope.around("unit__parent") | scope.around("unit__parent__parent")
    candidates = Candidate.objects.filter(where, stage__in=OPEN_STAGES).select_related(
        "unit", "unit__parent", "unit__parent__parent"
    )
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
