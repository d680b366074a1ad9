"""The obligations checked each month: a registry of rules as data.

Each obligation has a code, the regulation it comes from (RULES.md), the rule keys it reads
(tunable per subtree in the rulebook, with a switch to turn it off), the units it applies to,
and a function that judges one unit's month from the facts read in bulk. Another app adds its
own with `register` (the recruitment pipeline's targets and deadlines plug in here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.compliance import facts, lapses
from chibo.compliance.facts import MeetingFact, Month, UnitInfo
from chibo.compliance.models import Status
from chibo.compliance.rules import enabled_key, register_switch
from chibo.lib.dates import format_date
from chibo.lib.workdays import add_workdays
from chibo.meetings.models import MeetingKind


@dataclass(frozen=True)
class Verdict:
    """One unit's result for one obligation and month."""

    status: str
    numerator: int = 0
    denominator: int = 0
    message: str = ""  # what is wrong, for the alert
    detail: dict[str, Any] = field(default_factory=dict)


NOT_DUE = Verdict(Status.NOT_APPLICABLE)
NO_MEMBERS = facts.Counts(0, 0, 0)
NO_BOOK = facts.Book(month=False, kept=False)


@dataclass(frozen=True)
class Obligation:
    code: str
    label: str | Promise  # a column heading
    title: str | Promise  # the obligation in a sentence
    source: str
    group: str  # meetings, members, recruitment
    judge: Callable[[Month, UnitInfo], Verdict | None]
    rules: tuple[str, ...] = ()
    leaves_only: bool = True  # judged on meeting units; otherwise on any unit with facts
    figure: str = "share"  # share: "13/14"; rate: "86,2 %"
    headline: str | Promise = ""  # "cells that met", for a roll-up sentence


REGISTRY: dict[str, Obligation] = {}


def register(obligation: Obligation) -> Obligation:
    if obligation.code in REGISTRY and REGISTRY[obligation.code] != obligation:
        raise ValueError(f"obligation {obligation.code!r} registered twice")
    REGISTRY[obligation.code] = obligation
    register_switch(obligation.code, obligation.source, obligation.title)
    return obligation


def active(ctx: Month, unit: UnitInfo) -> list[Obligation]:
    """The obligations switched on for `unit` that month."""
    everywhere, somewhere = ctx.once("switches", _switches)
    if not somewhere:
        return everywhere
    return [o for o in REGISTRY.values() if ctx.rule(enabled_key(o.code), unit)]


def _switches(ctx: Month) -> tuple[list[Obligation], bool]:
    """The obligations on for every unit if no committee set a switch, and whether one did."""
    keys = [enabled_key(code) for code in REGISTRY]
    somewhere = any(len(ctx.rules.values(key)) > 1 for key in keys)
    return [o for o in REGISTRY.values() if ctx.rules.values(enabled_key(o.code))[0]], somewhere


def _month(ctx: Month) -> str:
    return f"{ctx.month:%m/%Y}"


def _held(ctx: Month, unit: UnitInfo, kinds: tuple[str, ...] = facts.MONITORED_KINDS) -> list:
    """Meetings of `kinds` the unit held in the month."""
    found = ctx.once("meetings", facts.meetings).get(unit.id, [])
    return [m for m in found if m.kind in kinds]


# Meetings -----------------------------------------------------------------------------------


def regular_meeting(ctx: Month, unit: UnitInfo) -> Verdict:
    """Held in the month (Điều lệ Art. 24(2)), within the unit's fixed window if it has one."""
    first = ctx.rule("meetings.regular_window_first_day", unit)
    last = ctx.rule("meetings.regular_window_last_day", unit)
    held = _held(ctx, unit, (MeetingKind.REGULAR,))
    if held:
        inside = [m for m in held if not (first and last) or first <= m.day.day <= last]
        ids = [m.id for m in held]
        if inside:
            return Verdict(Status.OK, 1, 1, detail={"meetings": ids})
        message = _(
            "Sinh hoạt thường kỳ tháng %(month)s ngày %(day)s, ngoài khoảng ngày %(first)s–"
            "%(last)s hằng tháng."
        ) % {"month": _month(ctx), "day": format_date(held[0].day), "first": first, "last": last}
        return Verdict(Status.WARNING, 1, 1, message, {"meetings": ids})
    if ctx.over:
        message = _("Chi bộ không sinh hoạt thường kỳ tháng %(month)s.") % {"month": _month(ctx)}
        return Verdict(Status.FAILED, 0, 1, message)
    if last and ctx.as_of.day > last:
        message = _("Đã qua ngày %(last)s mà chi bộ chưa sinh hoạt thường kỳ tháng %(month)s.") % {
            "last": last,
            "month": _month(ctx),
        }
        return Verdict(Status.WARNING, 0, 1, message)
    return NOT_DUE


def thematic_quarter(ctx: Month, unit: UnitInfo) -> Verdict:
    """At least one thematic meeting a quarter; judged in the quarter's last month."""
    held = ctx.once("thematic_before", facts.thematic_before).get(unit.id, [])
    held = held + [m.id for m in _held(ctx, unit, (MeetingKind.THEMATIC,))]
    if held:
        return Verdict(Status.OK, 1, 1, detail={"meetings": held})
    if ctx.month.month % 3:
        return NOT_DUE
    quarter = (ctx.month.month - 1) // 3 + 1
    message = _("Chưa sinh hoạt chuyên đề quý %(q)s/%(y)s.") % {"q": quarter, "y": ctx.month.year}
    return Verdict(Status.FAILED if ctx.over else Status.WARNING, 0, 1, message)


def minutes_closed(ctx: Month, unit: UnitInfo) -> Verdict:
    """Minutes closed within N days of the meeting (post-meeting duties: RULES.md §1.2(5))."""
    days = ctx.rule("compliance.minutes_close_days", unit)
    on_time, late, open_late = [], [], []
    for m in _held(ctx, unit):
        deadline = m.day + timedelta(days=days)
        if m.from_book:
            on_time.append(m.id)  # closed on paper; chibo cannot tell when
        elif m.closed_at is None:
            if ctx.as_of > deadline:
                open_late.append(m.id)
        elif m.closed_at.astimezone(m.starts_at.tzinfo).date() <= deadline:
            on_time.append(m.id)
        else:
            late.append(m.id)
    counted = len(on_time) + len(late) + len(open_late)
    if not counted:
        return NOT_DUE
    detail = {"meetings": on_time + late + open_late, "late": late + open_late}
    if open_late:
        message = _("%(n)s cuộc họp tháng %(month)s chưa khóa biên bản sau %(days)s ngày.") % {
            "n": len(open_late),
            "month": _month(ctx),
            "days": days,
        }
        return Verdict(Status.FAILED, len(on_time), counted, message, detail)
    if late:
        message = _("%(n)s cuộc họp tháng %(month)s khóa biên bản quá %(days)s ngày.") % {
            "n": len(late),
            "month": _month(ctx),
            "days": days,
        }
        return Verdict(Status.WARNING, len(on_time), counted, message, detail)
    return Verdict(Status.OK, counted, counted, detail=detail)


def documents_sent(ctx: Month, unit: UnitInfo) -> Verdict:
    """Documents posted at least a day before the meeting (42-HD/BTCTW 2025, RULES.md §1.2(4))."""
    days = ctx.rule("meetings.documents_days_before", unit)
    held = [m for m in _held(ctx, unit) if not m.from_book]
    if not held:
        return NOT_DUE
    on_time = [m for m in held if m.first_document_at and _before(m, m.first_document_at, days)]
    missing = [m for m in held if m.first_document_at is None]
    detail = {"meetings": [m.id for m in held], "late": [m.id for m in held if m not in on_time]}
    if missing:
        message = _("%(n)s cuộc họp tháng %(month)s không có tài liệu gửi trước.") % {
            "n": len(missing),
            "month": _month(ctx),
        }
        return Verdict(Status.FAILED, len(on_time), len(held), message, detail)
    if len(on_time) < len(held):
        message = _("Tài liệu cuộc họp tháng %(month)s gửi muộn (trước dưới %(days)s ngày).") % {
            "month": _month(ctx),
            "days": days,
        }
        return Verdict(Status.WARNING, len(on_time), len(held), message, detail)
    return Verdict(Status.OK, len(held), len(held), detail=detail)


def _before(meeting: MeetingFact, moment: Any, days: int) -> bool:
    return bool(moment <= meeting.starts_at - timedelta(days=days))


def supervisor_notified(ctx: Month, unit: UnitInfo) -> Verdict:
    """The supervising committee member told of time, place and content (RULES.md §1.2(3))."""
    held = [m for m in _held(ctx, unit) if not m.from_book]
    if not held:
        return NOT_DUE
    periods = ctx.once("supervised", facts.supervised).get(unit.id, [])
    unsupervised, silent, ok = [], [], []
    for m in held:
        if not any(start <= m.day and (end is None or end >= m.day) for start, end in periods):
            unsupervised.append(m.id)
        elif m.first_notice_at is None or m.first_notice_at >= m.starts_at:
            silent.append(m.id)
        else:
            ok.append(m.id)
    detail = {"meetings": [m.id for m in held], "late": unsupervised + silent}
    if silent:
        message = _(
            "%(n)s cuộc họp tháng %(month)s không gửi thông báo cho cấp ủy viên phụ trách."
        ) % {"n": len(silent), "month": _month(ctx)}
        return Verdict(Status.FAILED, len(ok), len(held), message, detail)
    if unsupervised:
        message = _("Chi bộ chưa được phân công cấp ủy viên phụ trách (tháng %(month)s).") % {
            "month": _month(ctx)
        }
        return Verdict(Status.WARNING, len(ok), len(held), message, detail)
    return Verdict(Status.OK, len(ok), len(held), detail=detail)


def attendance_rate(ctx: Month, unit: UnitInfo) -> Verdict:
    """Members present over members expected at the month's meetings, against the target."""
    held = [m for m in _held(ctx, unit) if m.expected]
    if not held:
        return NOT_DUE
    present, expected = sum(m.present for m in held), sum(m.expected for m in held)
    target = ctx.rule("meetings.attendance_target_percent", unit)
    margin = ctx.rule("compliance.attendance_warning_points", unit)
    detail = {"meetings": [m.id for m in held]}
    # Compared in whole numbers: 85 % of 20 members is 17 present, exactly on target.
    if present * 100 >= target * expected:
        return Verdict(Status.OK, present, expected, detail=detail)
    message = _("Tỷ lệ dự sinh hoạt tháng %(month)s: %(rate)s%%, dưới chỉ tiêu %(target)s%%.") % {
        "month": _month(ctx),
        "rate": f"{100 * present / expected:.1f}".replace(".", ","),
        "target": target,
    }
    status = Status.WARNING if present * 100 >= (target - margin) * expected else Status.FAILED
    return Verdict(status, present, expected, message, detail)


def meeting_length(ctx: Month, unit: UnitInfo) -> Verdict:
    """At least 90 minutes, 120 with a thematic part (42-HD/BTCTW 2025, RULES.md §1.1)."""
    timed = [m for m in _held(ctx, unit) if m.ends_at]
    if not timed:
        return NOT_DUE
    short = []
    for m in timed:
        name = "min_minutes_with_thematic" if m.kind == MeetingKind.THEMATIC else "min_minutes"
        needed = ctx.rule(f"meetings.{name}", unit)
        if m.ends_at and (m.ends_at - m.starts_at).total_seconds() < needed * 60:
            short.append(m.id)
    detail = {"meetings": [m.id for m in timed], "late": short}
    if short:
        message = _("%(n)s cuộc họp tháng %(month)s ngắn hơn thời lượng tối thiểu.") % {
            "n": len(short),
            "month": _month(ctx),
        }
        return Verdict(Status.FAILED, len(timed) - len(short), len(timed), message, detail)
    return Verdict(Status.OK, len(timed), len(timed), detail=detail)


def dues_collected(ctx: Month, unit: UnitInfo) -> Verdict:
    """The month's dues collected from the roll (342-QĐ/TW, RULES.md §5)."""
    if not ctx.begun:
        return NOT_DUE
    counts = ctx.once("members", facts.members).get(unit.id, NO_MEMBERS)
    roll = counts.roll
    if not roll:
        return NOT_DUE
    book = ctx.once("dues_books", facts.dues_books).get(unit.id, NO_BOOK)
    if not book.month:
        if not ctx.over or not book.kept:
            return NOT_DUE
        message = _("Chưa thu đảng phí tháng %(month)s.") % {"month": _month(ctx)}
        return Verdict(Status.FAILED, 0, roll, message)
    n = min(counts.paid, roll)
    if n == roll:
        return Verdict(Status.OK, n, roll)
    message = _("%(n)s đảng viên chưa đóng đảng phí tháng %(month)s.") % {
        "n": roll - n,
        "month": _month(ctx),
    }
    return Verdict(Status.WARNING, n, roll, message)


# Members ------------------------------------------------------------------------------------


def removal_review(ctx: Month, unit: UnitInfo) -> Verdict | None:
    """Members who skipped meetings, or left dues unpaid, in 3 months of the year: the cell
    must consider their case (24-QĐ/TW §8.1, RULES.md §2.2). A proposal, never a removal."""
    if not ctx.begun:
        return NOT_DUE
    roll = ctx.once("members", facts.members).get(unit.id, NO_MEMBERS).roll
    found = ctx.once("lapses", lapses.lapses)
    window = _window(ctx, unit)
    absent_limit = ctx.rule("compliance.absence_months_flag", unit)
    unpaid_limit = ctx.rule("meetings.dues_unpaid_months_flag", unit)
    flagged: dict[str, dict[str, list[str]]] = {}
    for member_id in sorted(ctx.once("lapsed", _lapsed_by_unit).get(unit.id, ())):
        absent = _in_window(found.absent.get((member_id, unit.id), 0), found.months, window)
        unpaid = _in_window(found.unpaid.get((member_id, unit.id), 0), found.months, window)
        if len(absent) >= absent_limit or len(unpaid) >= unpaid_limit:
            flagged[str(member_id)] = {
                "absent": [f"{m:%Y-%m}" for m in absent],
                "unpaid": [f"{m:%Y-%m}" for m in unpaid],
            }
    if not roll and not flagged:
        return NOT_DUE
    detail = {"members": flagged, "period_start": f"{min(window):%Y-%m-%d}"}
    if not flagged:
        return Verdict(Status.OK, 0, roll, detail=detail)
    message = _(
        "%(n)s đảng viên vắng sinh hoạt không lý do hoặc không đóng đảng phí từ %(limit)s tháng "
        "trong năm: đề nghị chi bộ xem xét."
    ) % {"n": len(flagged), "limit": min(absent_limit, unpaid_limit)}
    return Verdict(Status.WARNING, len(flagged), max(roll, len(flagged)), message, detail)


def _window(ctx: Month, unit: UnitInfo) -> list[date]:
    """The unit's removal-review window (the same for most units: read once a value)."""
    kind = ctx.rule("meetings.dues_unpaid_window", unit)
    windows: dict[str, list[date]] = ctx.once("windows", lambda _ctx: {})
    if kind not in windows:
        windows[kind] = lapses.window_months(ctx, unit)
    return windows[kind]


def _in_window(mask: int, months: list[date], window: list[date]) -> list[date]:
    return sorted(lapses.months_of(mask, months) & set(window))


def _lapsed_by_unit(ctx: Month) -> dict[int, set[int]]:
    found = ctx.once("lapses", lapses.lapses)
    members: dict[int, set[int]] = {}
    for member_id, unit_id in [*found.absent, *found.unpaid]:
        members.setdefault(unit_id, set()).add(member_id)
    return members


def cell_size(ctx: Month, unit: UnitInfo) -> Verdict:
    """At least 3 official members, or the cell must be restructured (Điều lệ Art. 24(1))."""
    official = ctx.once("members", facts.members).get(unit.id, NO_MEMBERS).official
    least = ctx.rule("compliance.min_official_members", unit)
    if official >= least:
        return Verdict(Status.OK, 1, 1, detail={"official": official})
    message = _(
        "Chi bộ chỉ có %(n)s đảng viên chính thức (tối thiểu %(least)s): cần kiện toàn, sáp nhập."
    ) % {"n": official, "least": least}
    return Verdict(Status.FAILED, 0, 1, message, {"official": official})


def transfers_on_time(ctx: Month, unit: UnitInfo) -> Verdict | None:
    """Transfer letters presented and confirmed within 30 working days (RULES.md §2.4); judged
    for the sending and the receiving unit alike."""
    mine = ctx.once("transfers_by_unit", _transfers_by_unit).get(unit.id)
    if not mine:
        return None
    overdue, late = [], []
    for t in mine:
        days = ctx.rules("members.transfer_presentation_workdays", t.from_path)
        deadline = _workdays_after(t.letter_date, days)
        pending = t.confirmed_on is None or t.confirmed_on > ctx.day
        if pending and ctx.day > deadline:
            overdue.append(t.id)
        elif not pending and t.confirmed_on and t.confirmed_on > deadline:
            late.append(t.id)
    detail = {"transfers": [t.id for t in mine], "late": overdue + late}
    on_time = len(mine) - len(overdue) - len(late)
    if overdue:
        message = _("%(n)s giấy giới thiệu chuyển sinh hoạt quá hạn chưa được tiếp nhận.") % {
            "n": len(overdue)
        }
        return Verdict(Status.FAILED, on_time, len(mine), message, detail)
    if late:
        message = _("%(n)s chuyển sinh hoạt được tiếp nhận sau hạn.") % {"n": len(late)}
        return Verdict(Status.WARNING, on_time, len(mine), message, detail)
    return Verdict(Status.OK, on_time, len(mine), detail=detail)


def _transfers_by_unit(ctx: Month) -> dict[int, list[facts.TransferFact]]:
    found: dict[int, list[facts.TransferFact]] = {}
    for t in facts.transfers(ctx):
        for unit_id in dict.fromkeys((t.from_unit_id, t.to_unit_id)):
            if unit_id is not None:
                found.setdefault(unit_id, []).append(t)
    return found


@lru_cache(maxsize=4096)
def _workdays_after(start: date, days: int) -> date:
    """A deadline in working days; many members share their dates, so each is counted once."""
    return add_workdays(start, days)


@lru_cache(maxsize=4096)
def _months_after(start: date, months: int) -> date:
    return start + relativedelta(months=months)


# Recruitment --------------------------------------------------------------------------------


def probation_ending(ctx: Month, unit: UnitInfo) -> Verdict:
    """Probation ends in 30 days: the cell prepares recognition; past the 30 working days the
    cell has after the 12 months (RULES.md §3.4), it is late."""
    people = ctx.once("probation", facts.probationers).get(unit.id, [])
    if not people:
        return NOT_DUE
    months = ctx.rule("members.probation_months", unit)
    notice = ctx.rule("compliance.probation_notice_days", unit)
    allowed = ctx.rule("compliance.recognition_workdays", unit)
    soon, late = [], []
    for p in people:
        ends = _months_after(p.admitted_on, months)
        if ctx.day > _workdays_after(ends, allowed):
            late.append(p.member_id)
        elif ends - timedelta(days=notice) <= ctx.day:
            soon.append(p.member_id)
    detail = {"members": {"late": late, "soon": soon}}
    n = len(people)
    if late:
        message = _("%(n)s đảng viên dự bị quá hạn xét công nhận chính thức.") % {"n": len(late)}
        return Verdict(Status.FAILED, n - len(late), n, message, detail)
    if soon:
        message = _("%(n)s đảng viên dự bị sắp hết 12 tháng: chuẩn bị xét công nhận.") % {
            "n": len(soon)
        }
        return Verdict(Status.WARNING, n - len(soon), n, message, detail)
    return Verdict(Status.OK, n, n, detail=detail)


for item in [
    Obligation(
        "regular_meeting",
        gettext_lazy("Họp thường kỳ"),
        gettext_lazy(
            "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần, trong khoảng ngày cố định nếu có"
        ),
        "Điều lệ Đảng, Điều 24(2); khoảng ngày: quy định địa phương — RULES.md §1.1",
        "meetings",
        regular_meeting,
        ("meetings.regular_window_first_day", "meetings.regular_window_last_day"),
        headline=gettext_lazy("chi bộ đã sinh hoạt"),
    ),
    Obligation(
        "thematic_quarter",
        gettext_lazy("Chuyên đề quý"),
        gettext_lazy("Sinh hoạt chuyên đề ít nhất mỗi quý một lần"),
        "12-HD/BTCTW (2018); 42-HD/BTCTW (2025) CHƯA XÁC NHẬN — RULES.md §1.1",
        "meetings",
        thematic_quarter,
    ),
    Obligation(
        "minutes_closed",
        gettext_lazy("Khóa biên bản"),
        gettext_lazy("Khóa biên bản trong số ngày quy định sau cuộc họp"),
        "RULES.md §1.2(5), §1.4 (mặc định của chibo)",
        "meetings",
        minutes_closed,
        ("compliance.minutes_close_days",),
        figure="share",
    ),
    Obligation(
        "documents_sent",
        gettext_lazy("Tài liệu trước"),
        gettext_lazy("Tài liệu cuộc họp gửi trước ít nhất 1 ngày"),
        "42-HD/BTCTW (2025) — RULES.md §1.2(4)",
        "meetings",
        documents_sent,
        ("meetings.documents_days_before",),
    ),
    Obligation(
        "supervisor_notified",
        gettext_lazy("Báo cấp ủy viên"),
        gettext_lazy("Thông báo thời gian, địa điểm, nội dung cho cấp ủy viên phụ trách"),
        "42-HD/BTCTW (2025) — RULES.md §1.2(3)",
        "meetings",
        supervisor_notified,
    ),
    Obligation(
        "attendance_rate",
        gettext_lazy("Tỷ lệ dự họp"),
        gettext_lazy("Tỷ lệ đảng viên dự sinh hoạt đạt chỉ tiêu"),
        "Chỉ tiêu địa phương (Hậu Lộc: trên 85%) — RULES.md §1.1",
        "meetings",
        attendance_rate,
        ("meetings.attendance_target_percent", "compliance.attendance_warning_points"),
        figure="rate",
        headline=gettext_lazy("dự sinh hoạt"),
    ),
    Obligation(
        "meeting_length",
        gettext_lazy("Thời lượng"),
        gettext_lazy("Thời lượng ít nhất 90 phút, 120 phút khi có chuyên đề"),
        "42-HD/BTCTW (2025) — RULES.md §1.1",
        "meetings",
        meeting_length,
        ("meetings.min_minutes", "meetings.min_minutes_with_thematic"),
    ),
    Obligation(
        "dues_collected",
        gettext_lazy("Đảng phí"),
        gettext_lazy("Thu đảng phí hằng tháng"),
        "342-QĐ/TW — RULES.md §5",
        "meetings",
        dues_collected,
        figure="rate",
        headline=gettext_lazy("đã đóng đảng phí"),
    ),
    Obligation(
        "removal_review",
        gettext_lazy("Xem xét xóa tên"),
        gettext_lazy(
            "Đề nghị chi bộ xem xét đảng viên vắng sinh hoạt hoặc không đóng đảng phí 3 tháng"
        ),
        "24-QĐ/TW §8.1 — RULES.md §2.2",
        "members",
        removal_review,
        (
            "compliance.absence_months_flag",
            "meetings.dues_unpaid_months_flag",
            "meetings.dues_unpaid_window",
        ),
    ),
    Obligation(
        "cell_size",
        gettext_lazy("Đủ 3 đảng viên"),
        gettext_lazy("Chi bộ có ít nhất 3 đảng viên chính thức"),
        "Điều lệ Đảng, Điều 24(1) — RULES.md §1.1",
        "members",
        cell_size,
        ("compliance.min_official_members",),
    ),
    Obligation(
        "transfers_on_time",
        gettext_lazy("Chuyển sinh hoạt"),
        gettext_lazy("Giấy giới thiệu chuyển sinh hoạt được nộp và tiếp nhận đúng hạn"),
        "29-QĐ/TW §6.3 — RULES.md §2.4",
        "members",
        transfers_on_time,
        ("members.transfer_presentation_workdays",),
        leaves_only=False,
    ),
    Obligation(
        "probation_ending",
        gettext_lazy("Hết dự bị"),
        gettext_lazy("Xét công nhận đảng viên chính thức đúng hạn khi hết 12 tháng dự bị"),
        "Điều lệ Đảng, Điều 5; 29-QĐ/TW §4.2 — RULES.md §3.4",
        "recruitment",
        probation_ending,
        (
            "members.probation_months",
            "compliance.probation_notice_days",
            "compliance.recognition_workdays",
        ),
    ),
]:
    register(item)


def ordered() -> list[Obligation]:
    return list(REGISTRY.values())


def first_of(day: date) -> date:
    return day.replace(day=1)
