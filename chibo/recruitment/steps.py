"""The steps of admission and recognition, each with the checks the regulations ask for at
the moment they matter (RULES.md §2.1, §3, §13.1): the order of the steps; at the cell's
resolution age 18 to 60 counted in months, education, a valid certificate and qualified
introducers; two thirds of the real denominators; the ceremony admitting a probationary member
through the members service; recognition dated back to the end of probation; removal; three
votes without two thirds going to the higher committee.

`record_step` is the one entry: pages, the API, commands and the demo all come here. Every
step runs in one transaction with its audit event; bad input raises `ValidationError`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.committees.selectors import official_member_count
from chibo.lib.dates import format_date, today
from chibo.lib.documents import check_document
from chibo.lib.intervals import active_on
from chibo.members import services as member_services
from chibo.members.models import Member, Membership, MembershipKind
from chibo.recruitment.models import (
    QUALIFYING_EDUCATION,
    Attachment,
    Candidate,
    Introducer,
    IntroducerKind,
    Proposal,
    Stage,
    Step,
    StepKind,
    Verdict,
)
from chibo.recruitment.rules import rule_for
from chibo.recruitment.services import (
    _check_helper,
    _check_open,
    _fail,
    _line,
    _locked,
    _official_on,
    age_in_months,
    base_of,
    ceremony_due,
    certificate_expires,
    committee_size,
    deciding_unit,
    needs_committee,
    passes,
    probation_end,
)
from chibo.units import treepath

# Steps ------------------------------------------------------------------------------------


def _check_stage(candidate: Candidate, *allowed: str) -> None:
    if candidate.stage not in allowed:
        raise _fail(
            None,
            _(
                "Chưa thể ghi bước này: hồ sơ đang ở bước “%(stage)s”. "
                "(The earlier steps are not done yet.)"
            )
            % {"stage": candidate.get_stage_display()},
        )


def _check_day(on: date, after: date | None = None, what: str = "") -> None:
    if on > today():
        raise _fail("on", _("Ngày ở tương lai. (A future date.)"))
    if after is not None and on < after:
        raise _fail(
            "on",
            _("Ngày này trước %(what)s (%(day)s). (Before the previous step.)")
            % {"what": what, "day": format_date(after)},
        )


def _vote_figures(votes_for: int | None, votes_against: int | None, voters: int) -> None:
    if votes_for is None:
        raise _fail("votes_for", _("Cần số phiếu tán thành. (Votes for are required.)"))
    against = votes_against or 0
    if votes_for < 0 or against < 0:
        raise _fail("votes_for", _("Số phiếu không được là số âm. (Counts cannot be negative.)"))
    if votes_for + against > voters:
        raise _fail(
            "votes_for",
            _(
                "Tổng số phiếu (%(sum)s) nhiều hơn số người được biểu quyết (%(voters)s). "
                "(More votes than voters.)"
            )
            % {"sum": votes_for + against, "voters": voters},
        )


def _new_step(candidate: Candidate, kind: str, actor: User | None, **values: Any) -> Step:
    values = {k: _line(v) if isinstance(v, str) and k != "note" else v for k, v in values.items()}
    step = Step.objects.create(candidate=candidate, kind=kind, recorded_by=actor, **values)
    record(
        "recruitment.step.record",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        object_text=f"{candidate.full_name}: {step.get_kind_display()}",
        changes={
            "kind": kind,
            "stage": candidate.stage,
            **{k: v for k, v in values.items() if v not in (None, "")},
        },
    )
    return step


def _advance(candidate: Candidate, stage: str, **dates: Any) -> None:
    candidate.stage = stage
    for name, value in dates.items():
        setattr(candidate, name, value)
    candidate.save(update_fields=["stage", *dates])


@dataclass
class StepInput:
    """What a step form or API call sends; each step reads the fields it needs."""

    on: date
    number: str = ""
    by: str = ""
    note: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    workdays: int | None = None
    received_on: date | None = None
    consent: str = ""
    proposal: str = ""
    helper: Member | None = None
    card_number: str = ""
    file: UploadedFile | None = None
    file_title: str = ""


def _certificate(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The awareness-class certificate (issuer, date); a new one replaces an expired one."""
    _check_open(c, before=Stage.PROPOSED)
    _check_day(data.on)
    if not _line(data.by):
        raise _fail("by", _("Cần nơi cấp giấy chứng nhận. (The issuer is required.)"))
    step = _new_step(c, StepKind.CERTIFICATE, actor, on=data.on, number=data.number, by=data.by)
    stage = c.stage if c.stage != Stage.LISTED else Stage.CERTIFIED
    _advance(c, stage, certificate_on=data.on)
    return step


def _simple(kind: str, after: str, to: str, needs_number: bool = False) -> Callable[..., Step]:
    def act(c: Candidate, data: StepInput, actor: User | None) -> Step:
        _check_stage(c, after)
        _check_day(data.on)
        if needs_number and not _line(data.number):
            raise _fail("number", _("Cần số văn bản. (The document number is required.)"))
        step = _new_step(c, kind, actor, on=data.on, number=data.number, by=data.by, note=data.note)
        _advance(c, to)
        return step

    return act


def _verification(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The base committee concludes the verification once every person covered has a result,
    and none is left with a concern (RULES.md §3.1(3–4))."""
    _check_stage(c, Stage.DECLARED)
    _check_day(data.on)
    relatives = list(c.relatives.all())
    if not relatives:
        raise _fail(
            None,
            _("Chưa có người nào được thẩm tra lý lịch. (No one has been verified yet.)"),
        )
    pending = [r.full_name for r in relatives if r.verdict == Verdict.PENDING]
    if pending:
        raise _fail(
            None,
            _("Chưa có kết quả thẩm tra: %(names)s. (Verification still pending.)")
            % {"names": ", ".join(pending)},
        )
    concerns = [r.full_name for r in relatives if r.verdict == Verdict.CONCERN]
    if concerns:
        raise _fail(
            None,
            _("Còn vấn đề cần làm rõ về lý lịch: %(names)s. (A concern is unresolved.)")
            % {"names": ", ".join(concerns)},
        )
    step = _new_step(c, StepKind.VERIFICATION, actor, on=data.on, number=data.number, by=data.by)
    _advance(c, Stage.VERIFIED)
    return step


def check_eligibility(c: Candidate, on: date) -> None:
    """What must hold on the day the cell considers admission (RULES.md §2.1, §3.2, §13.1):
    age 18 to 60 counted in months, education, a valid certificate, qualified introducers."""
    unit = c.unit
    months = age_in_months(c.birth_date, on)
    low, high = rule_for(unit, "min_age_months", on), rule_for(unit, "max_age_months", on)
    if months < low:
        raise _fail(
            None,
            _(
                "Ngày %(day)s %(name)s mới %(y)s tuổi %(m)s tháng, chưa đủ %(low)s tuổi tính theo "
                "tháng. (Under age on that day.)"
            )
            % {
                "day": format_date(on),
                "name": c.full_name,
                "y": months // 12,
                "m": months % 12,
                "low": low // 12,
            },
        )
    if months > high:
        raise _fail(
            None,
            _(
                "Ngày %(day)s %(name)s đã quá %(high)s tuổi tính theo tháng: việc kết nạp do cấp "
                "ủy trực thuộc Trung ương xem xét. (Over age: the provincial committee decides.)"
            )
            % {"day": format_date(on), "name": c.full_name, "high": high // 12},
        )
    if c.education not in QUALIFYING_EDUCATION and not c.education_exception:
        raise _fail(
            None,
            _(
                "Trình độ học vấn chưa tốt nghiệp trung học cơ sở và không có căn cứ ngoại lệ. "
                "(Lower-secondary education is required.)"
            ),
        )
    expires = certificate_expires(c)
    if expires is None or c.certificate_on is None or c.certificate_on > on:
        raise _fail(None, _("Chưa có giấy chứng nhận lớp nhận thức về Đảng. (No certificate.)"))
    if on >= expires:
        raise _fail(
            None,
            _(
                "Giấy chứng nhận lớp nhận thức về Đảng cấp ngày %(issued)s đã hết giá trị từ "
                "ngày %(day)s: cần học lại. (The certificate has expired.)"
            )
            % {"issued": format_date(c.certificate_on), "day": format_date(expires)},
        )
    check_introducers(c, on)


def introducers_on(c: Candidate, on: date) -> list[Introducer]:
    return [
        i
        for i in c.introducers.select_related("member").order_by("assigned_on", "id")
        if i.assigned_on <= on and (i.ended_on is None or i.ended_on > on)
    ]


def check_introducers(c: Candidate, on: date) -> None:
    """Two official members; or the Youth Union's (else trade union's) resolution and one
    official member. Each member: official that day, on the roll of a unit of the candidate's
    base organisation, and with the candidate for 12 months unless a replacement."""
    current = introducers_on(c, on)
    members = [i for i in current if i.kind == IntroducerKind.MEMBER]
    unions = [i for i in current if i.kind != IntroducerKind.MEMBER]
    if not (len(members) >= 2 or (unions and members)):
        raise _fail(
            None,
            _(
                "Chưa đủ người giới thiệu ngày %(day)s: cần hai đảng viên chính thức, hoặc nghị "
                "quyết của Đoàn (Công đoàn) và một đảng viên chính thức. (Introducers missing.)"
            )
            % {"day": format_date(on)},
        )
    if any(i.kind == IntroducerKind.YOUTH_UNION for i in unions):
        limit = rule_for(c.unit, "youth_max_age", on)
        if relativedelta(on, c.birth_date).years > limit:
            raise _fail(
                None,
                _(
                    "Quá tuổi đoàn (%(limit)s): Đoàn thanh niên không giới thiệu được. "
                    "(Past Youth Union age.)"
                )
                % {"limit": limit},
            )
    months = rule_for(c.unit, "introducer_months", on)
    base = base_of(c.unit)
    for introducer in members:
        member = introducer.member
        assert member is not None
        if not _official_on(member, on):
            raise _fail(
                None,
                _(
                    "Người giới thiệu %(name)s không phải đảng viên chính thức ngày %(day)s. "
                    "(An introducer is not an official member that day.)"
                )
                % {"name": member.full_name, "day": format_date(on)},
            )
        on_roll = Membership.objects.filter(
            active_on(on),
            treepath.within(base.path, "unit__path"),
            member=member,
            kind=MembershipKind.OFFICIAL,
        ).exists()
        if not on_roll:
            raise _fail(
                None,
                _(
                    "Người giới thiệu %(name)s không sinh hoạt trong %(unit)s ngày %(day)s. "
                    "(An introducer is not in the same unit.)"
                )
                % {"name": member.full_name, "unit": base.name, "day": format_date(on)},
            )
        if introducer.replaces_id is None:
            since = introducer.since
            assert since is not None
            enough = since + relativedelta(months=months)
            if enough > on:
                raise _fail(
                    None,
                    _(
                        "Người giới thiệu %(name)s mới cùng công tác với người vào Đảng từ "
                        "%(since)s, chưa đủ %(months)s tháng (đủ từ ngày %(day)s). "
                        "(Fewer than 12 months together.)"
                    )
                    % {
                        "name": member.full_name,
                        "since": format_date(since),
                        "months": months,
                        "day": format_date(enough),
                    },
                )


def _cell_vote(c: Candidate, data: StepInput) -> tuple[int, bool]:
    voters = official_member_count(c.unit, data.on)
    if voters == 0:
        raise _fail(
            None,
            _("%(unit)s không có đảng viên chính thức ngày %(day)s. (No official members.)")
            % {"unit": c.unit.name, "day": format_date(data.on)},
        )
    _vote_figures(data.votes_for, data.votes_against, voters)
    assert data.votes_for is not None
    return voters, passes(data.votes_for, voters, c.unit, data.on)


def _committee_vote(c: Candidate, data: StepInput) -> tuple[int, bool]:
    base = base_of(c.unit)
    voters = committee_size(base, data.on)
    if voters == 0:
        raise _fail(
            None,
            _(
                "Chưa có danh sách cấp ủy viên của %(unit)s ngày %(day)s: hãy ghi cấp ủy trước. "
                "(No committee members are recorded for that day.)"
            )
            % {"unit": base.name, "day": format_date(data.on)},
        )
    _vote_figures(data.votes_for, data.votes_against, voters)
    assert data.votes_for is not None
    return voters, passes(data.votes_for, voters, c.unit, data.on)


def _vote_step(
    c: Candidate, kind: str, data: StepInput, actor: User | None, voters: int, passed: bool
) -> Step:
    if not _line(data.number) and passed:
        raise _fail("number", _("Cần số nghị quyết. (The resolution number is required.)"))
    return _new_step(
        c,
        kind,
        actor,
        on=data.on,
        number=data.number,
        note=data.note,
        proposal=data.proposal,
        votes_for=data.votes_for,
        votes_against=data.votes_against or 0,
        voters=voters,
        passed=passed,
    )


def _cell_resolution(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The cell's resolution proposing admission: two thirds of its official members that day.
    A vote that falls short is recorded and the candidate stays where they were."""
    _check_stage(c, Stage.READY)
    _check_day(data.on)
    check_eligibility(c, data.on)
    voters, passed = _cell_vote(c, data)
    step = _vote_step(c, StepKind.CELL_RESOLUTION, data, actor, voters, passed)
    if passed:
        endorsed = None if needs_committee(c.unit) else data.on
        stage = Stage.PROPOSED if needs_committee(c.unit) else Stage.ENDORSED
        _advance(c, stage, resolved_on=data.on, endorsed_on=endorsed)
    return step


def _committee_resolution(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The base committee's resolution: two thirds of its members that day."""
    _check_stage(c, Stage.PROPOSED)
    _check_day(data.on, c.resolved_on, _("nghị quyết của chi bộ"))
    voters, passed = _committee_vote(c, data)
    step = _vote_step(c, StepKind.COMMITTEE_RESOLUTION, data, actor, voters, passed)
    if passed:
        _advance(c, Stage.ENDORSED, endorsed_on=data.on)
    return step


def _extension(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """A special case: the competent committee takes up to 30 more working days."""
    _check_stage(c, Stage.PROPOSED, Stage.ENDORSED)
    _check_day(data.on, c.resolved_on, _("nghị quyết của chi bộ"))
    most = rule_for(c.unit, "extension_workdays", data.on)
    if c.extension_workdays:
        raise _fail(None, _("Đã gia hạn một lần. (Already extended.)"))
    if not data.workdays or not 0 < data.workdays <= most:
        raise _fail(
            "workdays",
            _("Gia hạn từ 1 đến %(most)s ngày làm việc. (1 to %(most)s working days.)")
            % {"most": most},
        )
    if not _line(data.note):
        raise _fail("note", _("Cần ghi lý do gia hạn. (A reason is required.)"))
    step = _new_step(
        c, StepKind.EXTENSION, actor, on=data.on, workdays=data.workdays, note=data.note
    )
    c.extension_workdays = data.workdays
    c.save(update_fields=["extension_workdays"])
    return step


def _decision(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The admission decision. One that comes after the deadline is recorded all the same
    (the committee explains the delay to its superior); the page shows it as late."""
    _check_stage(c, Stage.ENDORSED)
    _check_day(data.on, c.endorsed_on, _("nghị quyết đề nghị kết nạp"))
    if not _line(data.number):
        raise _fail("number", _("Cần số quyết định. (The decision number is required.)"))
    received = data.received_on or data.on
    if received < data.on or received > today():
        raise _fail(
            "received_on",
            _("Ngày nhận quyết định phải từ ngày quyết định đến hôm nay. (Invalid date.)"),
        )
    by = data.by or deciding_unit(c.unit, data.on).name
    step = _new_step(
        c, StepKind.DECISION, actor, on=data.on, number=data.number, by=by, received_on=received
    )
    _advance(c, Stage.DECIDED, decided_on=data.on, decision_received_on=received)
    return step


def _ceremony(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The admission ceremony admits the person through the members service: a probationary
    member of the cell from that day, with the official member assigned to help them. Later
    than 30 working days after the decision was received only with the superior's consent."""
    _check_stage(c, Stage.DECIDED)
    assert c.decided_on is not None
    _check_day(data.on, c.decision_received_on or c.decided_on, _("ngày nhận quyết định"))
    due = ceremony_due(c)
    if due is not None and data.on > due and not _line(data.consent):
        raise _fail(
            "consent",
            _(
                "Quá hạn tổ chức lễ kết nạp (hết ngày %(day)s): cần văn bản đồng ý của cấp ủy "
                "cấp trên trực tiếp. (Late: the superior committee's consent is required.)"
            )
            % {"day": format_date(due)},
        )
    helper = data.helper or c.helper
    if helper is None:
        raise _fail("helper", _("Hãy phân công đảng viên giúp đỡ. (Assign a helper.)"))
    _check_helper(helper, c.unit, data.on)
    decision = c.steps.filter(kind=StepKind.DECISION).order_by("-on", "-id").first()
    number = decision.number if decision else ""
    details = member_services.MemberDetails(
        full_name=c.full_name,
        sex=c.sex,
        birth_date=c.birth_date,
        hometown=c.hometown,
        address=c.address,
        phone=c.phone,
        ethnicity=c.ethnicity,
        religion=c.religion,
        education=c.get_education_display(),
        occupation=c.occupation,
        workplace=c.workplace,
        citizen_id=c.citizen_id or None,
        card_number=_line(data.card_number) or None,
        admission_decided_on=c.decided_on,
        admitted_on=data.on,
    )
    member = member_services.register_member(
        c.unit,
        actor=actor,
        details=details,
        on=data.on,
        basis=_("Quyết định kết nạp %(n)s") % {"n": number},
    )
    step = _new_step(
        c,
        StepKind.CEREMONY,
        actor,
        on=data.on,
        by=data.by,
        note=data.note,
        consent=data.consent,
    )
    c.member, c.helper = member, helper
    _advance(
        c,
        Stage.PROBATION,
        admitted_on=data.on,
        probation_ends_on=probation_end(data.on, c.unit),
        member=member,
        helper=helper,
    )
    return step


def _failures(c: Candidate, kind: str) -> int:
    return c.steps.filter(kind=kind, passed=False).count()


def _escalate_after(c: Candidate, kind: str, on: date) -> None:
    """Three votes without two thirds, for recognition or removal: the higher committee
    decides (RULES.md §3.4)."""
    if c.escalated_on is None and _failures(c, kind) >= rule_for(
        c.unit, "failed_votes_to_escalate", on
    ):
        c.escalated_on = on
        c.save(update_fields=["escalated_on"])


def _probation_cell(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The cell's resolution after the 12 months: propose recognition, or removal for a
    member not qualified; two thirds of its official members."""
    _check_stage(c, Stage.PROBATION)
    assert c.probation_ends_on is not None
    _check_day(data.on, c.probation_ends_on, _("ngày hết thời gian dự bị"))
    if data.proposal not in Proposal.values:
        raise _fail("proposal", _("Hãy chọn nội dung đề nghị. (Choose the proposal.)"))
    if c.probation_resolved_on is not None:
        raise _fail(None, _("Chi bộ đã có nghị quyết. (The cell has resolved already.)"))
    voters, passed = _cell_vote(c, data)
    step = _vote_step(c, StepKind.PROBATION_CELL, data, actor, voters, passed)
    if passed:
        endorsed = None if needs_committee(c.unit) else data.on
        c.proposal = data.proposal
        c.probation_resolved_on, c.probation_endorsed_on = data.on, endorsed
        c.save(update_fields=["proposal", "probation_resolved_on", "probation_endorsed_on"])
    else:
        _escalate_after(c, StepKind.PROBATION_CELL, data.on)
    return step


def _probation_committee(c: Candidate, data: StepInput, actor: User | None) -> Step:
    _check_stage(c, Stage.PROBATION)
    if c.probation_resolved_on is None or c.probation_endorsed_on is not None:
        raise _fail(
            None,
            _("Chưa có nghị quyết của chi bộ, hoặc đã có nghị quyết. (Nothing to endorse.)"),
        )
    _check_day(data.on, c.probation_resolved_on, _("nghị quyết của chi bộ"))
    data.proposal = c.proposal
    voters, passed = _committee_vote(c, data)
    step = _vote_step(c, StepKind.PROBATION_COMMITTEE, data, actor, voters, passed)
    if passed:
        c.probation_endorsed_on = data.on
        c.save(update_fields=["probation_endorsed_on"])
    else:
        _escalate_after(c, StepKind.PROBATION_COMMITTEE, data.on)
    return step


def _check_proposed(c: Candidate, proposal: str) -> None:
    """The decision follows the proposal of the cell and base committee, or, after three votes
    without two thirds, the higher committee decides itself."""
    if c.escalated_on is not None:
        return
    if c.proposal != proposal or c.probation_endorsed_on is None:
        raise _fail(
            None,
            _(
                "Chưa có đề nghị của chi bộ và đảng ủy cơ sở về việc này. "
                "(No proposal from the cell and the base committee.)"
            ),
        )


def _recognition(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """Recognition, dated back to the end of probation however late the decision comes
    (RULES.md §3.4); the member's status chain changes through the members service."""
    _check_stage(c, Stage.PROBATION)
    _check_proposed(c, Proposal.RECOGNISE)
    assert c.member is not None
    assert c.probation_ends_on is not None
    _check_day(data.on, c.probation_endorsed_on or c.probation_ends_on, _("đề nghị công nhận"))
    if not _line(data.number):
        raise _fail("number", _("Cần số quyết định. (The decision number is required.)"))
    member_services.recognise_member(
        c.member,
        actor=actor,
        on=c.probation_ends_on,
        basis=member_services.Basis(
            _line(data.number), data.on, _("Công nhận đảng viên chính thức")
        ),
    )
    by = data.by or deciding_unit(c.unit, data.on).name
    step = _new_step(c, StepKind.RECOGNITION, actor, on=data.on, number=data.number, by=by)
    _advance(c, Stage.RECOGNISED, closed_on=data.on)
    return step


def _removal(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """Removal of a probationary member not qualified for recognition, from the decision's day."""
    _check_stage(c, Stage.PROBATION)
    _check_proposed(c, Proposal.REMOVE)
    assert c.member is not None
    _check_day(data.on, c.admitted_on, _("ngày kết nạp"))
    if not _line(data.number):
        raise _fail("number", _("Cần số quyết định. (The decision number is required.)"))
    member_services.remove_member(
        c.member,
        actor=actor,
        on=data.on,
        basis=member_services.Basis(
            _line(data.number), data.on, _line(data.note) or _("Không đủ tư cách đảng viên")
        ),
    )
    by = data.by or deciding_unit(c.unit, data.on).name
    step = _new_step(
        c, StepKind.REMOVAL, actor, on=data.on, number=data.number, by=by, note=data.note
    )
    _advance(c, Stage.REMOVED, closed_on=data.on)
    return step


def _withdrawal(c: Candidate, data: StepInput, actor: User | None) -> Step:
    """The cell stops following a candidate (moved away, no longer outstanding)."""
    _check_open(c, before=Stage.PROBATION)
    _check_day(data.on)
    if not _line(data.note):
        raise _fail("note", _("Cần ghi lý do. (A reason is required.)"))
    step = _new_step(c, StepKind.WITHDRAWAL, actor, on=data.on, note=data.note)
    _advance(c, Stage.WITHDRAWN, closed_on=data.on)
    return step


STEPS: dict[str, Callable[[Candidate, StepInput, User | None], Step]] = {
    StepKind.CERTIFICATE: _certificate,
    StepKind.APPLICATION: _simple(StepKind.APPLICATION, Stage.CERTIFIED, Stage.APPLIED),
    StepKind.HISTORY: _simple(StepKind.HISTORY, Stage.APPLIED, Stage.DECLARED),
    StepKind.VERIFICATION: _verification,
    StepKind.OPINIONS: _simple(StepKind.OPINIONS, Stage.VERIFIED, Stage.READY),
    StepKind.CELL_RESOLUTION: _cell_resolution,
    StepKind.COMMITTEE_RESOLUTION: _committee_resolution,
    StepKind.EXTENSION: _extension,
    StepKind.DECISION: _decision,
    StepKind.CEREMONY: _ceremony,
    StepKind.PROBATION_CELL: _probation_cell,
    StepKind.PROBATION_COMMITTEE: _probation_committee,
    StepKind.RECOGNITION: _recognition,
    StepKind.REMOVAL: _removal,
    StepKind.WITHDRAWAL: _withdrawal,
}


@transaction.atomic
def record_step(candidate: Candidate, kind: str, *, actor: User | None, data: StepInput) -> Step:
    """Record step `kind` of the candidate's procedure with the checks of that step; pages,
    the API, commands and the demo all come here. An attached file is kept with the step."""
    if kind not in STEPS:
        raise _fail(None, _("Bước không hợp lệ. (Unknown step.)"))
    candidate = _locked(candidate)
    step = STEPS[kind](candidate, data, actor)
    if data.file is not None:
        attach(step, actor=actor, file=data.file, title=data.file_title or str(step))
    return step


def attach(step: Step, *, actor: User | None, file: UploadedFile, title: str) -> Attachment:
    """Keep a scanned document with a step: PDF, an image or an office file, checked by its
    content (`chibo.lib.documents`), at most 10 MB."""
    check_document(file)
    title = _line(title)[:200] or PurePath(file.name or "").stem[:200]
    attachment = Attachment.objects.create(step=step, title=title, file=file, uploaded_by=actor)
    record(
        "recruitment.attachment.add",
        actor=actor,
        obj=step.candidate,
        unit=step.candidate.unit,
        changes={"step": step.kind, "title": title},
    )
    return attachment


@transaction.atomic
def add_document(step: Step, *, actor: User | None, file: UploadedFile, title: str) -> Attachment:
    """A document added later to a step already recorded (the scan of a resolution, say)."""
    _locked(step.candidate)
    return attach(step, actor=actor, file=file, title=title)


@transaction.atomic
def remove_document(attachment: Attachment, *, actor: User | None) -> None:
    """Take a document off its step (attached by mistake, or a better scan replaces it); the
    file goes once this commits, the audit log keeps its title and step."""
    step = attachment.step
    candidate = _locked(step.candidate)
    changes = {"step": step.kind, "title": attachment.title, "file": attachment.file.name}
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    record(
        "recruitment.attachment.remove",
        actor=actor,
        obj=candidate,
        unit=candidate.unit,
        changes=changes,
    )
