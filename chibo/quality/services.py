"""Writes on meeting quality: a committee's framework of criteria and levels, and a cell's
self-assessment of a held meeting against it. Each service is atomic and audited."""

from collections.abc import Mapping, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import diff, record
from chibo.lib.dates import format_date
from chibo.meetings.models import Meeting
from chibo.meetings.selectors import meeting_day
from chibo.quality import rules, selectors
from chibo.quality.models import Assessment, Criterion, Framework, Level, Score
from chibo.units.models import Unit

# (text, max points) per criterion in order; (name, min points) per level
Items = Sequence[tuple[str, int]]


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


def _clean(
    unit: Unit, name: str, criteria: Items, levels: Items
) -> tuple[str, list[tuple[str, int]], list[tuple[str, int]]]:
    """The framework's name, criteria and levels, tidied, or why they cannot stand."""
    if not rules.sets_frameworks(unit):
        raise _fail(
            _(
                "Khung tiêu chí do cấp ủy tỉnh, xã, phường hoặc đảng ủy cơ sở ban hành cho các "
                "chi bộ trực thuộc. (Set by a province or commune committee.)"
            )
        )
    name = " ".join(name.split())
    if not name:
        raise _fail(_("Hãy ghi tên khung tiêu chí. (A name is required.)"))
    tidy_criteria = [(" ".join(text.split()), points) for text, points in criteria]
    tidy_levels = [(" ".join(text.split()), points) for text, points in levels]
    if not tidy_criteria:
        raise _fail(_("Khung tiêu chí cần ít nhất một tiêu chí. (No criteria.)"))
    if any(not text or points < 1 for text, points in tidy_criteria):
        raise _fail(
            _("Mỗi tiêu chí cần nội dung và điểm tối đa lớn hơn 0. (Criterion without points.)")
        )
    top = sum(points for _text, points in tidy_criteria)
    if top > rules.MAX_POINTS:
        raise _fail(
            _("Tổng điểm tối đa không quá %(n)s. (Too many points.)") % {"n": rules.MAX_POINTS}
        )
    names = [text for text, _points in tidy_levels]
    minimums = [points for _text, points in tidy_levels]
    if not tidy_levels or any(not text for text in names):
        raise _fail(_("Hãy ghi các mức xếp loại, mỗi mức có tên. (Levels are required.)"))
    if len(set(names)) < len(names) or len(set(minimums)) < len(minimums):
        raise _fail(_("Mỗi mức xếp loại có tên và điểm riêng. (Levels must differ.)"))
    if 0 not in minimums:
        raise _fail(
            _(
                "Mức thấp nhất phải bắt đầu từ 0 điểm, để cuộc họp nào cũng được xếp loại. "
                "(The lowest level starts at 0.)"
            )
        )
    if max(minimums) > top or min(minimums) < 0:
        raise _fail(
            _("Điểm của mức xếp loại phải từ 0 đến %(n)s. (Level out of range.)") % {"n": top}
        )
    return name, tidy_criteria, sorted(tidy_levels, key=lambda level: -level[1])


def _check_start(unit: Unit, valid_from: date, framework: Framework | None = None) -> None:
    taken = Framework.objects.filter(unit=unit, valid_from=valid_from)
    if framework is not None:
        taken = taken.exclude(pk=framework.pk)
    if taken.exists():
        raise _fail(
            _("%(unit)s đã có khung tiêu chí áp dụng từ ngày %(day)s. (Same start date.)")
            % {"unit": unit.name, "day": format_date(valid_from)}
        )


def _write_items(framework: Framework, criteria: Items, levels: Items) -> None:
    framework.criteria.all().delete()
    framework.levels.all().delete()
    Criterion.objects.bulk_create(
        Criterion(framework=framework, position=i, text=text, max_points=points)
        for i, (text, points) in enumerate(criteria, start=1)
    )
    Level.objects.bulk_create(
        Level(framework=framework, name=name, min_points=points) for name, points in levels
    )


def _items_of(framework: Framework) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    criteria = [(c.text, c.max_points) for c in framework.criteria.order_by("position")]
    levels = [(level.name, level.min_points) for level in framework.levels.order_by("-min_points")]
    return criteria, levels


def _snapshot(framework: Framework, criteria: Items, levels: Items) -> dict[str, object]:
    return {
        "name": framework.name,
        "basis": framework.basis,
        "valid_from": framework.valid_from,
        "criteria": [list(c) for c in criteria],
        "levels": [list(level) for level in levels],
    }


@transaction.atomic
def create_framework(
    unit: Unit,
    *,
    actor: User | None,
    name: str,
    basis: str = "",
    valid_from: date,
    criteria: Items,
    levels: Items,
) -> Framework:
    """Issue a framework for `unit`'s subtree from `valid_from` (RULES.md §1.7)."""
    name, criteria, levels = _clean(unit, name, criteria, levels)
    _check_start(unit, valid_from)
    framework = Framework.objects.create(
        unit=unit, name=name, basis=basis.strip(), valid_from=valid_from
    )
    _write_items(framework, criteria, levels)
    record(
        "quality.framework.create",
        actor=actor,
        obj=framework,
        unit=unit,
        changes=_snapshot(framework, criteria, levels),
    )
    return framework


@transaction.atomic
def edit_framework(
    framework: Framework,
    *,
    actor: User | None,
    name: str,
    basis: str = "",
    valid_from: date,
    criteria: Items,
    levels: Items,
) -> Framework:
    """Change a framework. Once a meeting has been assessed against it, only its name and
    basis may change: new criteria, levels or a new date make a new framework."""
    framework = Framework.objects.select_for_update().select_related("unit").get(pk=framework.pk)
    name, criteria, levels = _clean(framework.unit, name, criteria, levels)
    old_criteria, old_levels = _items_of(framework)
    before = _snapshot(framework, old_criteria, old_levels)
    items_change = (criteria, levels) != (old_criteria, old_levels)
    if (items_change or valid_from != framework.valid_from) and selectors.is_used(framework):
        raise _fail(
            _(
                "Khung tiêu chí đã dùng để đánh giá cuộc họp: chỉ sửa được tên và căn cứ. Muốn "
                "đổi tiêu chí, mức xếp loại hay ngày áp dụng, hãy ban hành khung mới. "
                "(Framework in use.)"
            )
        )
    _check_start(framework.unit, valid_from, framework)
    framework.name, framework.basis, framework.valid_from = name, basis.strip(), valid_from
    framework.save(update_fields=["name", "basis", "valid_from"])
    if items_change:
        _write_items(framework, criteria, levels)
    changes = diff(before, _snapshot(framework, criteria, levels))
    if changes:
        record(
            "quality.framework.edit",
            actor=actor,
            obj=framework,
            unit=framework.unit,
            changes=changes,
        )
    return framework


@transaction.atomic
def assess_meeting(
    meeting: Meeting, *, actor: User | None, points: Mapping[int, tuple[int, str]]
) -> Assessment:
    """Record the cell's self-assessment of a held meeting: points per criterion (criterion
    id → (points, note)) of the framework in force on the meeting's day, each from 0 to the
    criterion's maximum; every criterion is scored. The total and the level are computed.
    Assessing again replaces the earlier assessment; the audit log keeps both.
    """
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    if meeting.kind not in rules.ASSESSED_KINDS:
        raise _fail(
            _(
                "Chỉ tự đánh giá buổi sinh hoạt thường kỳ hoặc chuyên đề của chi bộ. "
                "(Not a cell meeting.)"
            )
        )
    if meeting.state not in rules.ASSESSED_STATES:
        raise _fail(_("Chỉ đánh giá được cuộc họp đã diễn ra. (The meeting has not been held.)"))
    framework = selectors.framework_for(meeting.unit, meeting_day(meeting))
    if framework is None:
        raise _fail(
            _(
                "Chưa có khung tiêu chí nào áp dụng cho chi bộ vào ngày họp. "
                "(No framework in force.)"
            )
        )
    criteria = {c.pk: c for c in framework.criteria.all()}
    if set(points) - set(criteria):
        raise _fail(_("Có tiêu chí không thuộc khung đang áp dụng. (Unknown criterion.)"))
    if set(criteria) - set(points):
        raise _fail(_("Hãy chấm điểm đủ mọi tiêu chí. (Every criterion needs its points.)"))
    for criterion_id, (given, _note) in points.items():
        criterion = criteria[criterion_id]
        whole = isinstance(given, int) and not isinstance(given, bool)
        if not whole or not 0 <= given <= criterion.max_points:
            raise _fail(
                _("Tiêu chí %(n)s: điểm từ 0 đến %(max)s. (Points out of range.)")
                % {"n": criterion.position, "max": criterion.max_points}
            )
    total = sum(given for given, _note in points.values())
    level = selectors.level_for(list(framework.levels.all()), total)
    if level is None:  # a framework always has a level from 0 (services._clean)
        raise _fail(_("Khung tiêu chí không có mức xếp loại phù hợp. (No level.)"))
    earlier = Assessment.objects.filter(meeting=meeting).select_related("level").first()
    before = {"total": earlier.total, "level": earlier.level.name} if earlier else None
    assessment = earlier or Assessment(meeting=meeting)
    assessment.framework, assessment.total, assessment.level = framework, total, level
    assessment.assessed_by, assessment.assessed_at = actor, timezone.now()
    assessment.save()
    Score.objects.filter(assessment=assessment).delete()
    Score.objects.bulk_create(
        Score(assessment=assessment, criterion_id=cid, points=given, note=" ".join(note.split()))
        for cid, (given, note) in sorted(points.items(), key=lambda p: criteria[p[0]].position)
    )
    record(
        "quality.assessment.record",
        actor=actor,
        obj=meeting,
        unit=meeting.unit,
        changes={
            "framework": framework.pk,
            "total": total,
            "level": level.name,
            "points": {str(criteria[cid].position): given for cid, (given, _n) in points.items()},
            "before": before,
        },
    )
    return assessment
