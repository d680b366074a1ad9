"""The admission pipeline in the JSON API: a unit's board and candidates, a candidate's file
with its open deadline, every step with the same checks as the pages, introducers and the
background verification, yearly targets and the recruitment report.

Candidates are personal files: reading needs a role that opens the members' records of the
cell that keeps them; recording a step needs a write role over the committee that acts at that
step (the cell, its base committee, or the competent committee). Anything else is a 404.
"""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.accounts.models import User
from chibo.api.errors import ERRORS
from chibo.lib.dates import today
from chibo.members.models import Member
from chibo.recruitment import report, selectors, services, steps
from chibo.recruitment.models import (
    Candidate,
    Education,
    IntroducerKind,
    Proposal,
    Relation,
    Stage,
    StepKind,
    Verdict,
)
from chibo.units.models import Unit

router = Router()
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _readable_unit(user: User, unit_id: int) -> Unit:
    unit = access.access_unit(user, unit_id)
    if not access.sees_members_of(user, unit):
        raise Http404
    return unit


def _member(user: User, member_id: int | None) -> Member | None:
    return access.access_member(user, member_id) if member_id is not None else None


# Shapes -----------------------------------------------------------------------------------


class DueOut(Schema):
    what: str = Field(description="What is awaited.")
    due: date = Field(description="The last day, counted in working days (Vietnam's holidays).")
    responsible_unit_id: int = Field(description="The committee that answers for it.")
    responsible: str = Field(description="Its name.")
    overdue: bool = Field(description="Past the due day and still not done.")
    workdays_left: int = Field(description="Working days left; negative once overdue.")


def _due(due: selectors.Due | None) -> DueOut | None:
    if due is None:
        return None
    return DueOut(
        what=str(due.what),
        due=due.due,
        responsible_unit_id=due.responsible.pk,
        responsible=due.responsible.name,
        overdue=due.overdue,
        workdays_left=due.workdays_left,
    )


class CandidateRow(Schema):
    id: int = Field(description="Candidate id.")
    unit_id: int = Field(description="The cell that keeps the candidate.")
    full_name: str = Field(description="Full name.")
    stage: Stage = Field(description="The last step done (so the step awaited).")
    due: DueOut | None = Field(description="The deadline running now, if any.")


class StepOut(Schema):
    id: int
    kind: StepKind = Field(description="The step.")
    on: date = Field(description="Its date.")
    number: str = Field(description="Document number.")
    by: str = Field(description="Who did it (issuer, committee).")
    note: str
    proposal: str = Field(description="recognise or remove, for probation votes.")
    votes_for: int | None
    votes_against: int | None
    voters: int | None = Field(
        description="The denominator: official members of the cell, or committee members, that day."
    )
    passed: bool | None = Field(description="Whether the vote reached two thirds.")
    received_on: date | None = Field(description="The day the cell received the decision.")
    workdays: int | None = Field(description="Extension, in working days.")


class IntroducerOut(Schema):
    id: int
    kind: IntroducerKind
    member_id: int | None
    name: str
    since: date | None = Field(description="Working, studying or living together since.")
    assigned_on: date
    ended_on: date | None
    replaces_id: int | None = Field(description="The introducer this one replaces.")


class RelativeOut(Schema):
    id: int
    relation: Relation
    full_name: str
    verdict: Verdict
    concluded_on: date | None


class CandidateOut(CandidateRow):
    sex: str
    birth_date: date
    education: Education
    youth_union: bool
    helper_id: int | None = Field(description="The official member assigned to help.")
    listed_on: date
    reviewed_on: date | None
    certificate_expires: date | None = Field(description="First day the certificate is invalid.")
    admitted_on: date | None = Field(description="Admission ceremony (member from that day).")
    probation_ends_on: date | None = Field(description="Official from that day if recognised.")
    escalated_on: date | None = Field(
        description="Three votes without two thirds: the higher committee decides."
    )
    member_id: int | None = Field(description="The member's record, once admitted.")
    next_steps: list[StepKind] = Field(description="Steps that may be recorded now.")
    steps: list[StepOut]
    introducers: list[IntroducerOut]
    relatives: list[RelativeOut]


def _candidate_out(c: Candidate) -> CandidateOut:
    on = today()
    return CandidateOut(
        id=c.pk,
        unit_id=c.unit_id,
        full_name=c.full_name,
        stage=Stage(c.stage),
        due=_due(selectors.open_due(c, on)),
        sex=c.sex,
        birth_date=c.birth_date,
        education=Education(c.education),
        youth_union=c.youth_union,
        helper_id=c.helper_id,
        listed_on=c.listed_on,
        reviewed_on=c.reviewed_on,
        certificate_expires=services.certificate_expires(c),
        admitted_on=c.admitted_on,
        probation_ends_on=c.probation_ends_on,
        escalated_on=c.escalated_on,
        member_id=c.member_id,
        next_steps=[StepKind(k) for k in selectors.next_steps(c)],
        steps=[StepOut.from_orm(s) for s in selectors.steps_of(c)],
        introducers=[
            IntroducerOut(
                id=i.pk,
                kind=IntroducerKind(i.kind),
                member_id=i.member_id,
                name=str(i),
                since=i.since,
                assigned_on=i.assigned_on,
                ended_on=i.ended_on,
                replaces_id=i.replaces_id,
            )
            for i in c.introducers.select_related("member").order_by("assigned_on", "id")
        ],
        relatives=[RelativeOut.from_orm(r) for r in c.relatives.all()],
    )


class CandidateIn(Schema):
    full_name: str = Field(max_length=120)
    sex: str = Field(pattern="^[MF]$", description="M or F.")
    birth_date: date
    education: Education
    education_exception: str = Field("", max_length=200)
    youth_union: bool = False
    citizen_id: str = Field(
        "", max_length=12, description="12 digits; written to the member record at admission."
    )
    occupation: str = Field("", max_length=100)
    workplace: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    listed_on: date | None = Field(None, description="Default today.")
    helper_id: int | None = Field(None, description="An official member of the cell.")


class StepIn(Schema):
    on: date = Field(description="The step's date: never in the future.")
    number: str = Field("", max_length=60, description="Document number (resolution, decision).")
    by: str = Field(
        "", max_length=200, description="Issuer of the certificate, organisations consulted…"
    )
    note: str = Field("", description="Reason (extension, withdrawal, removal) or remarks.")
    votes_for: int | None = Field(None, ge=0, description="Resolutions: votes for.")
    votes_against: int | None = Field(None, ge=0, description="Resolutions: votes against.")
    proposal: Proposal | None = Field(None, description="probation_cell: recognise or remove.")
    workdays: int | None = Field(None, ge=1, description="extension: up to 30 working days.")
    received_on: date | None = Field(None, description="decision: the day the cell received it.")
    consent: str = Field(
        "", max_length=120, description="ceremony: the superior's consent, when late."
    )
    helper_id: int | None = Field(None, description="ceremony: the member assigned to help.")
    card_number: str = Field("", max_length=12, description="ceremony: party card number.")


class IntroducerIn(Schema):
    kind: IntroducerKind
    assigned_on: date
    member_id: int | None = Field(None, description="For kind=member.")
    since: date | None = Field(None, description="For kind=member: together since (12 months).")
    organisation: str = Field("", max_length=200, description="For a Youth or trade union.")
    number: str = Field("", max_length=60, description="The union's resolution number.")


class ReplaceIn(Schema):
    member_id: int = Field(description="The official member who replaces the introducer.")
    on: date
    reason: str = Field(max_length=200)


class RelativeIn(Schema):
    relation: Relation
    full_name: str = Field(max_length=120)
    verdict: Verdict = Verdict.PENDING
    concluded_on: date | None = None
    by: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class BoardLine(Schema):
    stage: Stage
    label: str
    count: int


class BoardOut(Schema):
    unit_id: int
    on: date
    total: int = Field(description="Candidates and probationary members followed.")
    stages: list[BoardLine]
    overdue: list[CandidateRow] = Field(description="Past their deadline, with who answers.")
    probation_ending: list[CandidateRow] = Field(description="Probation ends within 30 days.")
    escalated: list[CandidateRow] = Field(description="Sent to the higher committee.")


class TargetIn(Schema):
    target: int = Field(ge=0)
    basis: str = Field(max_length=300, description="The congress or committee resolution.")


class ProgressLine(Schema):
    unit_id: int
    name: str
    target: float | None
    admitted: int


class ProgressOut(Schema):
    unit_id: int
    year: int
    target: int | None
    admitted: int
    expected_now: float = Field(description="Target × the part of the year gone.")
    children_target: int = Field(description="The targets of the units below, added up.")
    units: list[ProgressLine]


class Period(Schema):
    from_: str = Field(alias="from", pattern=MONTH, description="First month, YYYY-MM.")
    to: str = Field(pattern=MONTH, description="Last month, YYYY-MM.")


def _row(row: selectors.Row) -> CandidateRow:
    c = row.candidate
    return CandidateRow(
        id=c.pk, unit_id=c.unit_id, full_name=c.full_name, stage=Stage(c.stage), due=_due(row.due)
    )


# Routes -----------------------------------------------------------------------------------


@router.get("/units/{unit_id}/board", response={200: BoardOut, **ERRORS}, summary="Pipeline board")
def recruitment_board(request: HttpRequest, unit_id: int) -> BoardOut:
    """How many stand at each step in the unit and below, who is overdue, whose probation ends
    in the next 30 days, which cases went to the higher committee."""
    unit = _readable_unit(user_of(request), unit_id)
    on = today()
    figures = selectors.board(unit, on)
    return BoardOut(
        unit_id=unit.pk,
        on=on,
        total=figures.total,
        stages=[BoardLine(stage=Stage(s), label=label, count=n) for s, label, n in figures.counts],
        overdue=[_row(r) for r in figures.overdue],
        probation_ending=[_row(r) for r in figures.ending_soon],
        escalated=[_row(r) for r in figures.escalated],
    )


@router.get(
    "/units/{unit_id}/candidates",
    response={200: list[CandidateRow], **ERRORS},
    summary="Candidates of a unit",
)
@paginate(PageNumberPagination, page_size=100)
def recruitment_candidates(request: HttpRequest, unit_id: int) -> list[CandidateRow]:
    """Candidates and probationary members followed in the unit and below, in name order."""
    unit = _readable_unit(user_of(request), unit_id)
    return [_row(r) for r in selectors.board(unit, today()).listed]


@router.post(
    "/units/{unit_id}/candidates", response={201: CandidateOut, **ERRORS}, summary="Add a candidate"
)
def recruitment_add_candidate(
    request: HttpRequest, unit_id: int, data: CandidateIn
) -> Status[CandidateOut]:
    """Put a person on the cell's list of outstanding candidates, with a helper."""
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    values = data.dict()
    details = services.CandidateDetails(
        **{k: values[k] for k in services.DETAIL_FIELDS if k in values}
    )
    candidate = services.add_candidate(
        unit,
        actor=user,
        details=details,
        listed_on=data.listed_on or today(),
        helper=_member(user, data.helper_id),
    )
    return Status(201, _candidate_out(access.access_candidate(user, candidate.pk)))


@router.get(
    "/candidates/{candidate_id}", response={200: CandidateOut, **ERRORS}, summary="A candidate"
)
def recruitment_candidate(request: HttpRequest, candidate_id: int) -> CandidateOut:
    """The file: details, steps with their figures, the open deadline, introducers,
    verification, and the steps that may be recorded now."""
    return _candidate_out(access.access_candidate(user_of(request), candidate_id))


@router.post(
    "/candidates/{candidate_id}/steps/{kind}",
    response={201: CandidateOut, **ERRORS},
    summary="Record a step",
)
def recruitment_record_step(
    request: HttpRequest, candidate_id: int, kind: StepKind, data: StepIn
) -> Status[CandidateOut]:
    """Record one step with the checks the pages apply: the order of the steps; at the cell's
    resolution age 18–60 in months, education, a valid certificate and qualified introducers;
    two thirds of the cell's official members (or of the committee's members) that day;
    working-day deadlines; the ceremony admitting a probationary member; recognition dated
    back to the end of probation. A vote short of two thirds is recorded (`passed: false`)."""
    user = user_of(request)
    candidate = access.access_candidate(user, candidate_id)
    if not selectors.may_record(user, candidate, kind):
        raise Http404
    values: dict[str, Any] = data.dict(exclude={"helper_id"})
    values["proposal"] = values["proposal"] or ""
    values = {k: v for k, v in values.items() if v is not None}
    step_input = steps.StepInput(**values, helper=_member(user, data.helper_id))
    steps.record_step(candidate, kind, actor=user, data=step_input)
    return Status(201, _candidate_out(access.access_candidate(user, candidate_id)))


@router.post(
    "/candidates/{candidate_id}/introducers",
    response={201: CandidateOut, **ERRORS},
    summary="Add an introducer",
)
def recruitment_add_introducer(
    request: HttpRequest, candidate_id: int, data: IntroducerIn
) -> Status[CandidateOut]:
    user = user_of(request)
    candidate = access.access_candidate(user, candidate_id, write=True)
    services.add_introducer(
        candidate,
        actor=user,
        kind=data.kind,
        assigned_on=data.assigned_on,
        member=_member(user, data.member_id),
        since=data.since,
        organisation=data.organisation,
        number=data.number,
    )
    return Status(201, _candidate_out(candidate))


@router.post(
    "/candidates/{candidate_id}/introducers/{introducer_id}/replace",
    response={201: CandidateOut, **ERRORS},
    summary="Replace an introducer",
)
def recruitment_replace_introducer(
    request: HttpRequest, candidate_id: int, introducer_id: int, data: ReplaceIn
) -> Status[CandidateOut]:
    """A replacement introducer, exempt from the 12 months, when one leaves."""
    user = user_of(request)
    candidate = access.access_candidate(user, candidate_id, write=True)
    introducer = candidate.introducers.filter(pk=introducer_id).first()
    if introducer is None:
        raise Http404
    member = _member(user, data.member_id)
    assert member is not None
    services.replace_introducer(
        introducer, actor=user, member=member, on=data.on, reason=data.reason
    )
    return Status(201, _candidate_out(candidate))


@router.post(
    "/candidates/{candidate_id}/relatives",
    response={201: CandidateOut, **ERRORS},
    summary="Add a verified person",
)
def recruitment_add_relative(
    request: HttpRequest, candidate_id: int, data: RelativeIn
) -> Status[CandidateOut]:
    """A person the background verification covers, with the result once known."""
    user = user_of(request)
    candidate = access.access_candidate(user, candidate_id, write=True)
    services.add_relative(candidate, actor=user, **data.dict())
    return Status(201, _candidate_out(candidate))


def _progress(unit: Unit, year: int) -> ProgressOut:
    figures = report.progress(unit, year)
    return ProgressOut(
        unit_id=unit.pk,
        year=year,
        target=figures.target,
        admitted=figures.report.total.admitted,
        expected_now=round(figures.expected, 1),
        children_target=figures.children_target,
        units=[
            ProgressLine(
                unit_id=c.unit_id,
                name=c.name,
                target=c.target if c.targets_set else None,
                admitted=c.admitted,
            )
            for c in figures.report.children
        ],
    )


@router.get(
    "/units/{unit_id}/targets/{year}", response={200: ProgressOut, **ERRORS}, summary="Target"
)
def recruitment_target(request: HttpRequest, unit_id: int, year: int) -> ProgressOut:
    """The unit's target for the year, its admissions and the pro-rata point, and the same
    for each unit below it."""
    unit = access.access_unit(user_of(request), unit_id, on=min(date(year, 12, 31), today()))
    return _progress(unit, year)


@router.put(
    "/units/{unit_id}/targets/{year}", response={200: ProgressOut, **ERRORS}, summary="Set a target"
)
def recruitment_set_target(
    request: HttpRequest, unit_id: int, year: int, data: TargetIn
) -> ProgressOut:
    user = user_of(request)
    unit = access.access_unit(user, unit_id, write=True)
    services.set_target(unit, actor=user, year=year, target=data.target, basis=data.basis)
    return _progress(unit, year)


@router.get("/units/{unit_id}/report", response={200: dict[str, Any], **ERRORS}, summary="Report")
def recruitment_report(request: HttpRequest, unit_id: int, period: Query[Period]) -> dict[str, Any]:
    """Admitted, recognised and removed during probation from `from` to `to` (months), by year
    and by unit below, with the average per whole year and the targets pro rata."""
    first = date(int(period.from_[:4]), int(period.from_[5:]), 1)
    last = date(int(period.to[:4]), int(period.to[5:]), 1)
    start, end = report.month_range(first, last)
    unit = access.access_unit(user_of(request), unit_id, on=min(end, today()))
    return report.as_dict(report.report(unit, start, end))
