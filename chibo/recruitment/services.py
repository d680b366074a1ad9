"""Writes on the admission pipeline: the cell's list of candidates, each step of admission with
the checks the regulations ask for at the moment they matter, the ceremony that admits the
person through the members service, probation, recognition or removal, and yearly targets.

Every service checks everything before writing, runs in one transaction and records its audit
event. Bad input raises `ValidationError` (keyed by field where a field is at fault) with a
Vietnamese message followed by its English gist, and writes nothing. RULES.md §2.1, §3, §13.1.
"""

import re
from dataclasses import asdict, dataclass, fields
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.committees.models import Body, CommitteeSeat
from chibo.lib.dates import format_date, today
from chibo.lib.intervals import active_on
from chibo.lib.vntext import name_order, search_key
from chibo.lib.workdays import add_workdays
from chibo.members import rules as member_rules
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MembershipKind, Sex, Status
from chibo.recruitment.models import (
    OPEN_STAGES,
    Candidate,
    Education,
    Introducer,
    IntroducerKind,
    Relation,
    Relative,
    Stage,
    Target,
    Verdict,
)
from chibo.recruitment.rules import rule_for
from chibo.units import treepath
from chibo.units.models import Unit, UnitKind

# Units that keep a list of candidates: cells, and base organisations that are one cell.
KEEPING_KINDS = (UnitKind.CELL, UnitKind.BASE)
# Kinds of unit whose committee decides admissions (the level directly above the base
# organisations; after 1/7/2025 the commune committee).
DECIDING_KINDS = (UnitKind.COMMUNE, UnitKind.DISTRICT, UnitKind.PROVINCE, UnitKind.CENTRAL)


def _fail(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: [message]} if field else message)


def _line(text: str | None) -> str:
    return " ".join((text or "").split())


# Who does what --------------------------------------------------------------------------


def base_of(unit: Unit) -> Unit:
    """The committee directly above a cell (its base organisation, or since 2025 the commune
    committee); a base organisation that is one cell (chi bộ cơ sở) is its own base."""
    if unit.kind == UnitKind.CELL and unit.parent is not None:
        return unit.parent
    return unit


def needs_committee(unit: Unit) -> bool:
    """A cell's resolution goes to its base committee; a chi bộ cơ sở proposes directly."""
    return unit.kind == UnitKind.CELL and unit.parent is not None


def deciding_unit(unit: Unit, on: date | None = None) -> Unit:
    """The committee competent to decide admission and recognition (29-QĐ/TW §4.3.2): a base
    committee authorised to do so (rule `base_decides`), else the committee above the base.
    A commune committee (directly above the base level) decides itself."""
    base = base_of(unit)
    if base.kind in DECIDING_KINDS or rule_for(base, "base_decides", on) or base.parent is None:
        return base
    return base.parent


# Ages, votes and deadlines ---------------------------------------------------------------


def age_in_months(born: date, on: date) -> int:
    """Whole months of age on `on`: 216 on the 18th birthday, 215 the day before."""
    span = relativedelta(on, born)
    return span.years * 12 + span.months


def passes(votes_for: int, voters: int, unit: Unit, on: date) -> bool:
    """At least two thirds (the rule's fraction) of the denominator voted for."""
    numerator = rule_for(unit, "vote_numerator", on)
    denominator = rule_for(unit, "vote_denominator", on)
    return voters > 0 and votes_for * denominator >= voters * numerator


def committee_size(unit: Unit, on: date) -> int:
    """Members of `unit`'s committee on `on` (a standing-committee seat is a committee seat)."""
    return (
        CommitteeSeat.objects.filter(
            active_on(on), unit=unit, body__in=[Body.COMMITTEE, Body.STANDING]
        )
        .values("member_id")
        .distinct()
        .count()
    )


def decision_due(candidate: Candidate) -> date | None:
    """Within 60 working days of the cell's resolution, plus any extension (up to 30)."""
    if candidate.resolved_on is None:
        return None
    days = rule_for(candidate.unit, "decision_workdays", candidate.resolved_on)
    return add_workdays(candidate.resolved_on, days + candidate.extension_workdays)


def ceremony_due(candidate: Candidate) -> date | None:
    """Within 30 working days of the day the cell received the decision."""
    received = candidate.decision_received_on or candidate.decided_on
    if received is None:
        return None
    return add_workdays(received, rule_for(candidate.unit, "ceremony_workdays", received))


def probation_end(admitted: date, unit: Unit) -> date:
    """The day 12 months of probation are complete: the member is official from that day."""
    return admitted + relativedelta(months=member_rules.rule("probation_months", unit, admitted))


def recognition_due(candidate: Candidate) -> date | None:
    """The cell considers recognition within 30 working days of the end of probation."""
    end = candidate.probation_ends_on
    if end is None:
        return None
    return add_workdays(end, rule_for(candidate.unit, "recognition_workdays", end))


def recognition_decision_due(candidate: Candidate) -> date | None:
    """The competent committee decides within 30 working days of the cell's resolution."""
    resolved = candidate.probation_resolved_on
    if resolved is None:
        return None
    return add_workdays(
        resolved, rule_for(candidate.unit, "recognition_decision_workdays", resolved)
    )


def certificate_expires(candidate: Candidate) -> date | None:
    """The first day the awareness-class certificate is no longer valid."""
    if candidate.certificate_on is None:
        return None
    months = rule_for(candidate.unit, "certificate_valid_months", candidate.certificate_on)
    return candidate.certificate_on + relativedelta(months=months)


# The list of candidates -------------------------------------------------------------------


@dataclass
class CandidateDetails:
    """What can be written about a candidate as a person."""

    full_name: str
    sex: str
    birth_date: date
    education: str
    hometown: str = ""
    address: str = ""
    phone: str = ""
    ethnicity: str = ""
    religion: str = ""
    education_exception: str = ""
    occupation: str = ""
    workplace: str = ""
    youth_union: bool = False
    citizen_id: str = ""


DETAIL_FIELDS = [f.name for f in fields(CandidateDetails)]


def _check_details(details: CandidateDetails) -> CandidateDetails:
    errors: dict[str, list[str]] = {}
    details.full_name = _line(details.full_name)
    if not details.full_name:
        errors["full_name"] = [_("Họ và tên không được để trống. (Full name is required.)")]
    if details.sex not in Sex.values:
        errors["sex"] = [_("Giới tính phải là Nam hoặc Nữ. (Sex must be M or F.)")]
    if details.education not in Education.values:
        errors["education"] = [_("Hãy chọn trình độ học vấn. (Education is required.)")]
    if details.birth_date is None or details.birth_date > today():
        errors["birth_date"] = [_("Ngày sinh không hợp lệ. (Invalid birth date.)")]
    for name in ("hometown", "address", "phone", "ethnicity", "religion", "occupation"):
        setattr(details, name, _line(getattr(details, name)))
    details.workplace = _line(details.workplace)
    details.citizen_id = "".join((details.citizen_id or "").split())
    if details.citizen_id and not re.fullmatch(r"\d{12}", details.citizen_id):
        errors["citizen_id"] = [
            _("Số căn cước công dân gồm đúng 12 chữ số. (Citizen ID: 12 digits.)")
        ]
    details.education_exception = _line(details.education_exception)
    if errors:
        raise ValidationError(errors)
    return details


def _check_helper(helper: Member | None, unit: Unit, on: date) -> None:
    """The member assigned to help is an official member of the cell that day."""
    if helper is None:
        return
    status = member_services.status_on(helper, on)
    on_roll = Membership.objects.filter(
        active_on(on),
        treepath.within(unit.path, "unit__path"),
        member=helper,
        kind=MembershipKind.OFFICIAL,
    ).exists()
    if status is None or status.status != Status.OFFICIAL or not on_roll:
        raise _fail(
            "helper",
            _(
                "Đồng chí %(name)s không phải đảng viên chính thức của %(unit)s ngày %(day)s. "
                "(The helper must be an official member of the cell.)"
            )
            % {"name": helper.full_name, "unit": unit.name, "day": format_date(on)},
        )


@transaction.atomic
def add_candidate(
    unit: Unit,
    *,
    actor: User | None,
    details: CandidateDetails,
    listed_on: date,
    helper: Member | None = None,
) -> Candidate:
    """Put an outstanding person on the cell's list of candidates (quần chúng ưu tú), with the
    official member assigned to help them (RULES.md §3.1, step 0)."""
    if unit.kind not in KEEPING_KINDS:
        raise _fail(
            None,
            _("Chỉ chi bộ giữ danh sách quần chúng ưu tú. (Only a cell keeps the list.)"),
        )
    if listed_on > today():
        raise _fail("listed_on", _("Ngày ở tương lai. (A future date.)"))
    if not unit.is_active_on(listed_on):
        raise _fail(
            "listed_on",
            _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active on that date.)")
            % {"unit": unit.name, "day": format_date(listed_on)},
        )
    details = _check_details(details)
    _check_helper(helper, unit, listed_on)
    candidate = Candidate.objects.create(
        unit=unit,
        **asdict(details),
        search_name=(key := search_key(details.full_name)),
        sort_name=name_order(key),
        helper=helper,
        listed_on=listed_on,
        reviewed_on=listed_on,
    )
    record(
        "recruitment.candidate.add",
        actor=actor,
        obj=candidate,
        unit=unit,
        changes={"listed_on": listed_on, "helper": helper.full_name if helper else None},
    )
    return candidate


@transaction.atomic
def update_candidate(
    candidate: Candidate, *, actor: User | None, details: CandidateDetails
) -> Candidate:
    """Correct what is written about a candidate as a person, until the ceremony: after it the
    person is a member and their record is corrected there. The changes are audited."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.admitted_on is not None:
        raise _fail(
            None,
            _(
                "Đã kết nạp: sửa thông tin trong hồ sơ đảng viên. (Admitted: correct the "
                "member's record instead.)"
            ),
        )
    details = _check_details(details)
    before = {name: getattr(candidate, name) for name in DETAIL_FIELDS}
    after = asdict(details)
    changed = {k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v}
    if not changed:
        return candidate
    for name, value in after.items():
        setattr(candidate, name, value)
    candidate.search_name = search_key(details.full_name)
    candidate.sort_name = name_order(candidate.search_name)
    candidate.save()
    if "citizen_id" in changed:  # a sensitive number: the log says it changed, not to what
        changed["citizen_id"] = {"before": "…", "after": "…"}
    record(
        "recruitment.candidate.edit",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes=changed,
    )
    return candidate


@transaction.atomic
def assign_helper(
    candidate: Candidate, *, actor: User | None, helper: Member, on: date
) -> Candidate:
    """Assign (or change) the official member who helps the candidate or the new member."""
    candidate = _locked(candidate)
    _check_helper(helper, candidate.unit, on)
    before = candidate.helper.full_name if candidate.helper else None
    candidate.helper = helper
    candidate.save(update_fields=["helper"])
    record(
        "recruitment.candidate.assign_helper",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes={"helper": {"before": before, "after": helper.full_name}, "on": on},
    )
    return candidate


@transaction.atomic
def review_candidates(unit: Unit, *, actor: User | None, on: date, note: str = "") -> int:
    """The cell's monthly review of its list: every open candidate is marked reviewed on `on`
    (12-HD/BTCTW 2022, RULES.md §3.1); returns how many."""
    if on > today():
        raise _fail("on", _("Ngày ở tương lai. (A future date.)"))
    pending = Candidate.objects.filter(unit=unit, stage__in=OPEN_STAGES, listed_on__lte=on).exclude(
        stage=Stage.PROBATION
    )
    count = pending.update(reviewed_on=on)
    record(
        "recruitment.candidate.review",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={"on": on, "candidates": count, "note": _line(note)},
    )
    return count


def _locked(candidate: Candidate) -> Candidate:
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__parent", "member", "helper")
        .get(pk=candidate.pk)
    )


# Introducers and background verification --------------------------------------------------


def _official_on(member: Member, on: date) -> bool:
    status = member_services.status_on(member, on)
    return status is not None and status.status == Status.OFFICIAL


@transaction.atomic
def add_introducer(
    candidate: Candidate,
    *,
    actor: User | None,
    kind: str,
    assigned_on: date,
    member: Member | None = None,
    since: date | None = None,
    organisation: str = "",
    number: str = "",
) -> Introducer:
    """An introducer: an official member (who has worked, studied or lived with the candidate
    since `since`), or the Youth Union's or trade union's resolution. The 12-month condition
    is checked on the day of the cell's resolution, when it matters (RULES.md §3.2)."""
    candidate = _locked(candidate)
    _check_open(candidate, before=Stage.PROPOSED)
    if kind not in IntroducerKind.values:
        raise _fail("kind", _("Hình thức giới thiệu không hợp lệ. (Unknown kind.)"))
    if assigned_on > today():
        raise _fail("assigned_on", _("Ngày ở tương lai. (A future date.)"))
    organisation, number = _line(organisation), _line(number)
    current = list(candidate.introducers.filter(ended_on__isnull=True))
    if kind == IntroducerKind.MEMBER:
        if member is None:
            raise _fail("member", _("Hãy chọn đảng viên giới thiệu. (Choose a member.)"))
        if since is None or since > assigned_on:
            raise _fail(
                "since",
                _(
                    "Cần ngày bắt đầu cùng công tác, học tập, cư trú, trước ngày giới thiệu. "
                    "(The day they began working together is required.)"
                ),
            )
        if not _official_on(member, assigned_on):
            raise _fail(
                "member",
                _(
                    "Đồng chí %(name)s không phải đảng viên chính thức ngày %(day)s. "
                    "(An introducer must be an official member.)"
                )
                % {"name": member.full_name, "day": format_date(assigned_on)},
            )
        if any(i.member_id == member.pk for i in current):
            raise _fail("member", _("Đồng chí này đã là người giới thiệu. (Already introducing.)"))
        organisation = number = ""
    else:
        member, since = None, None
        if not organisation:
            raise _fail("organisation", _("Cần tên tổ chức giới thiệu. (Organisation required.)"))
        if kind == IntroducerKind.YOUTH_UNION and not candidate.youth_union:
            raise _fail(
                "kind",
                _(
                    "Người vào Đảng không phải đoàn viên: Đoàn không giới thiệu được. "
                    "(Only a Youth Union member is introduced by the Youth Union.)"
                ),
            )
        if kind == IntroducerKind.TRADE_UNION and candidate.youth_union:
            raise _fail(
                "kind",
                _(
                    "Đoàn viên do Đoàn thanh niên giới thiệu; công đoàn chỉ giới thiệu nơi không "
                    "có tổ chức Đoàn. (A Youth Union member is introduced by the Youth Union.)"
                ),
            )
        if any(i.kind != IntroducerKind.MEMBER for i in current):
            raise _fail(
                "kind", _("Đã có tổ chức giới thiệu. (An organisation already introduces.)")
            )
    members = sum(i.kind == IntroducerKind.MEMBER for i in current)
    unions = len(current) - members
    if (members + unions >= 2) or (unions and kind == IntroducerKind.MEMBER and members >= 1):
        raise _fail(
            None,
            _(
                "Đã đủ người giới thiệu; khi một người thôi, hãy cử người thay thế. "
                "(Enough introducers; replace one who leaves.)"
            ),
        )
    introducer = Introducer.objects.create(
        candidate=candidate,
        kind=kind,
        member=member,
        organisation=organisation,
        number=number,
        since=since,
        assigned_on=assigned_on,
    )
    record(
        "recruitment.introducer.add",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes={
            "kind": kind,
            "member": member.full_name if member else None,
            "organisation": organisation,
            "since": since,
            "assigned_on": assigned_on,
        },
    )
    return introducer


@transaction.atomic
def replace_introducer(
    introducer: Introducer, *, actor: User | None, member: Member, on: date, reason: str
) -> Introducer:
    """The cell assigns another official member when an introducer transfers, is disciplined or
    otherwise cannot continue; the replacement is exempt from the 12 months (RULES.md §3.2)."""
    candidate = _locked(introducer.candidate)
    introducer = Introducer.objects.select_for_update().get(pk=introducer.pk)
    _check_open(candidate, before=Stage.PROBATION)
    reason = _line(reason)
    if introducer.ended_on is not None:
        raise _fail(None, _("Người giới thiệu này đã thôi. (Already replaced.)"))
    if not reason:
        raise _fail("reason", _("Cần ghi lý do thay người giới thiệu. (A reason is required.)"))
    if on > today() or on < introducer.assigned_on:
        raise _fail("on", _("Ngày thay không hợp lệ. (Invalid date.)"))
    if not _official_on(member, on):
        raise _fail(
            "member",
            _(
                "Đồng chí %(name)s không phải đảng viên chính thức ngày %(day)s. "
                "(An introducer must be an official member.)"
            )
            % {"name": member.full_name, "day": format_date(on)},
        )
    if candidate.introducers.filter(ended_on__isnull=True, member=member).exists():
        raise _fail("member", _("Đồng chí này đã là người giới thiệu. (Already introducing.)"))
    introducer.ended_on = on
    introducer.reason = reason
    introducer.save(update_fields=["ended_on", "reason"])
    replacement = Introducer.objects.create(
        candidate=candidate,
        kind=IntroducerKind.MEMBER,
        member=member,
        assigned_on=on,
        replaces=introducer,
    )
    record(
        "recruitment.introducer.replace",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes={"before": str(introducer), "after": member.full_name, "on": on, "reason": reason},
    )
    return replacement


@transaction.atomic
def add_relative(
    candidate: Candidate,
    *,
    actor: User | None,
    relation: str,
    full_name: str,
    verdict: str = Verdict.PENDING,
    concluded_on: date | None = None,
    by: str = "",
    note: str = "",
) -> Relative:
    """A person the background verification covers, with its result once known."""
    candidate = _locked(candidate)
    _check_open(candidate, before=Stage.VERIFIED)
    full_name = _line(full_name)
    if relation not in Relation.values:
        raise _fail("relation", _("Quan hệ không hợp lệ. (Unknown relation.)"))
    if not full_name:
        raise _fail("full_name", _("Họ và tên không được để trống. (Full name is required.)"))
    _check_verdict(verdict, concluded_on)
    relative = Relative.objects.create(
        candidate=candidate,
        relation=relation,
        full_name=full_name,
        verdict=verdict,
        concluded_on=concluded_on if verdict != Verdict.PENDING else None,
        by=_line(by),
        note=_line(note),
    )
    record(
        "recruitment.relative.add",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes={"relation": relation, "full_name": full_name, "verdict": verdict},
    )
    return relative


def _check_verdict(verdict: str, concluded_on: date | None) -> None:
    if verdict not in Verdict.values:
        raise _fail("verdict", _("Kết quả không hợp lệ. (Unknown result.)"))
    if verdict != Verdict.PENDING and (concluded_on is None or concluded_on > today()):
        raise _fail(
            "concluded_on", _("Cần ngày có kết quả thẩm tra. (The date of the result is required.)")
        )


@transaction.atomic
def conclude_relative(
    relative: Relative,
    *,
    actor: User | None,
    verdict: str,
    concluded_on: date,
    by: str = "",
    note: str = "",
) -> Relative:
    candidate = _locked(relative.candidate)
    _check_open(candidate, before=Stage.VERIFIED)
    _check_verdict(verdict, concluded_on)
    relative.verdict, relative.concluded_on = verdict, concluded_on
    relative.by, relative.note = _line(by) or relative.by, _line(note)
    relative.save(update_fields=["verdict", "concluded_on", "by", "note"])
    record(
        "recruitment.relative.conclude",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes={"relative": str(relative), "verdict": verdict, "on": concluded_on},
    )
    return relative


def _check_open(candidate: Candidate, *, before: str) -> None:
    """The candidate is still followed and has not reached `before` yet."""
    if candidate.stage not in OPEN_STAGES:
        raise _fail(
            None,
            _("Hồ sơ đã kết thúc: %(stage)s. (The candidacy is closed.)")
            % {"stage": candidate.get_stage_display()},
        )
    if OPEN_STAGES.index(candidate.stage) >= OPEN_STAGES.index(before):
        raise _fail(None, _("Bước này đã qua. (This step is behind the candidate.)"))


# Targets ----------------------------------------------------------------------------------


@transaction.atomic
def set_target(unit: Unit, *, actor: User | None, year: int, target: int, basis: str) -> Target:
    """Set (or change) a unit's admission target for a year, as its congress or committee
    resolved (RULES.md §3.6)."""
    basis = _line(basis)
    if not 2000 <= year <= today().year + 5:
        raise _fail("year", _("Năm không hợp lệ. (Invalid year.)"))
    if target < 0:
        raise _fail("target", _("Chỉ tiêu không được là số âm. (Cannot be negative.)"))
    if not basis:
        raise _fail("basis", _("Cần căn cứ (nghị quyết đại hội, cấp ủy). (A basis is required.)"))
    if not (unit.valid_from.year <= year and (unit.valid_to is None or unit.valid_to.year >= year)):
        raise _fail(
            "year",
            _("%(unit)s không hoạt động trong năm %(year)s. (Unit not active that year.)")
            % {"unit": unit.name, "year": year},
        )
    existing = Target.objects.select_for_update().filter(unit=unit, year=year).first()
    before = existing.target if existing else None
    if existing is None:
        existing = Target(unit=unit, year=year)
    existing.target, existing.basis, existing.set_by = target, basis, actor
    existing.save()
    record(
        "recruitment.target.set",
        actor=actor,
        obj=existing,
        unit=unit,
        changes={"year": year, "target": {"before": before, "after": target}, "basis": basis},
    )
    return existing
