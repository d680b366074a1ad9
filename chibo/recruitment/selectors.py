"""Reads on the admission pipeline: each candidate's open deadline and who answers for it, the
board of a unit and its subtree, and what a user may record next. Permission comes from
`accounts.access`; deadlines are computed in memory from the holiday calendar."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.lib.workdays import workdays_between
from chibo.recruitment import services
from chibo.recruitment.models import (
    OPEN_STAGES,
    Candidate,
    Introducer,
    IntroducerKind,
    Proposal,
    Stage,
    Step,
    StepKind,
)
from chibo.recruitment.rules import rule_for
from chibo.units import treepath
from chibo.units.models import Unit

CELL, BASE, DECIDING = "cell", "base", "deciding"
# Which committee records each step: the cell, its base committee, or the competent committee.
ACTED_BY: dict[str, str] = {
    StepKind.CERTIFICATE: CELL,
    StepKind.APPLICATION: CELL,
    StepKind.HISTORY: CELL,
    StepKind.VERIFICATION: BASE,
    StepKind.OPINIONS: CELL,
    StepKind.CELL_RESOLUTION: CELL,
    StepKind.COMMITTEE_RESOLUTION: BASE,
    StepKind.EXTENSION: DECIDING,
    StepKind.DECISION: DECIDING,
    StepKind.CEREMONY: CELL,
    StepKind.PROBATION_CELL: CELL,
    StepKind.PROBATION_COMMITTEE: BASE,
    StepKind.RECOGNITION: DECIDING,
    StepKind.REMOVAL: DECIDING,
    StepKind.WITHDRAWAL: CELL,
}
SOON_DAYS = 30  # "whose probation ends in the next 30 days"


def acting_unit(candidate: Candidate, kind: str, on: date | None = None) -> Unit:
    who = ACTED_BY[kind]
    if who == CELL:
        return candidate.unit
    if who == BASE:
        return services.base_of(candidate.unit)
    return services.deciding_unit(candidate.unit, on)


def candidates_within(unit: Unit) -> QuerySet[Candidate]:
    """Candidates of the cells in `unit`'s subtree today, with what the deadlines need."""
    return Candidate.objects.filter(treepath.within(unit.path, "unit__path")).select_related(
        "unit", "unit__parent", "unit__parent__parent", "member", "helper"
    )


# Deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """The candidate's open deadline: what is awaited, by when, from whom."""

    what: str | Promise
    due: date
    responsible: Unit
    overdue: bool
    workdays_left: int  # negative once overdue


def open_due(candidate: Candidate, on: date) -> Due | None:
    """The deadline running for the candidate on `on`, if any (RULES.md §3.3, §3.4, §13.1)."""
    c = candidate
    found: tuple[str | Promise, date | None, str] | None = None
    what: str | Promise
    if c.stage in (Stage.PROPOSED, Stage.ENDORSED):
        who = BASE if c.stage == Stage.PROPOSED else DECIDING
        what = (
            _("Nghị quyết của đảng ủy cơ sở và quyết định kết nạp")
            if who == BASE
            else _("Quyết định kết nạp")
        )
        found = (what, services.decision_due(c), who)
    elif c.stage == Stage.DECIDED:
        found = (_("Lễ kết nạp"), services.ceremony_due(c), CELL)
    elif c.stage == Stage.PROBATION:
        if c.escalated_on is not None:
            found = (_("Cấp ủy cấp trên xem xét, quyết định"), None, DECIDING)
        elif c.probation_resolved_on is None:
            found = (
                _("Chi bộ xét công nhận đảng viên chính thức"),
                services.recognition_due(c),
                CELL,
            )
        elif c.probation_endorsed_on is None:
            what = _("Nghị quyết của đảng ủy cơ sở về đảng viên dự bị")
            found = (what, services.recognition_decision_due(c), BASE)
        else:
            what = (
                _("Quyết định công nhận đảng viên chính thức")
                if c.proposal == Proposal.RECOGNISE
                else _("Quyết định xóa tên")
            )
            found = (what, services.recognition_decision_due(c), DECIDING)
    elif c.stage in OPEN_STAGES and c.certificate_on is not None:
        found = (
            _("Giấy chứng nhận lớp nhận thức về Đảng hết giá trị"),
            services.certificate_expires(c),
            CELL,
        )
    if found is None or found[1] is None:
        return None
    what, due, who = found
    assert due is not None
    responsible = {
        CELL: c.unit,
        BASE: services.base_of(c.unit),
        DECIDING: services.deciding_unit(c.unit, on),
    }[who]
    left = workdays_between(on, due)
    return Due(what, due, responsible, on > due, left)


def review_overdue(candidate: Candidate, on: date) -> bool:
    """The cell has not reviewed the candidate within its review period (monthly)."""
    if candidate.stage not in OPEN_STAGES or candidate.stage == Stage.PROBATION:
        return False
    last = candidate.reviewed_on or candidate.listed_on
    months = rule_for(candidate.unit, "review_months", on)
    return on >= last + relativedelta(months=months) + timedelta(days=7)


# The board --------------------------------------------------------------------------------


@dataclass
class Row:
    candidate: Candidate
    due: Due | None


@dataclass
class UnitLine:
    unit: Unit
    open: int = 0
    overdue: int = 0
    probation: int = 0


@dataclass
class Board:
    """A unit's pipeline today: how many stand at each step, who is overdue, whose probation
    ends soon, which cases went to the higher committee."""

    counts: list[tuple[str, str, int]] = field(default_factory=list)  # stage, label, count
    total: int = 0
    overdue: list[Row] = field(default_factory=list)
    ending_soon: list[Row] = field(default_factory=list)
    escalated: list[Row] = field(default_factory=list)
    unreviewed: int = 0
    lines: list[UnitLine] = field(default_factory=list)
    listed: list[Row] = field(default_factory=list)


def board(unit: Unit, on: date, *, stage: str = "") -> Board:
    """The board of `unit` and its subtree on `on`, in two queries whatever the data."""
    rows = [
        Row(c, open_due(c, on))
        for c in candidates_within(unit).filter(stage__in=OPEN_STAGES).order_by("sort_name", "id")
    ]
    result = Board(total=len(rows))
    per_stage = {s: 0 for s in OPEN_STAGES}
    children = list(Unit.objects.filter(parent=unit, valid_to__isnull=True).order_by("name"))
    lines = {child.path: UnitLine(child) for child in children}
    for row in rows:
        c = row.candidate
        per_stage[c.stage] += 1
        if row.due is not None and row.due.overdue:
            result.overdue.append(row)
        if (
            c.stage == Stage.PROBATION
            and c.probation_ends_on is not None
            and on <= c.probation_ends_on <= on + timedelta(days=SOON_DAYS)
        ):
            result.ending_soon.append(row)
        if c.escalated_on is not None:
            result.escalated.append(row)
        result.unreviewed += review_overdue(c, on)
        if not stage or c.stage == stage:
            result.listed.append(row)
        line = lines.get(c.unit.path[: len(unit.path) + treepath.SEGMENT])
        if line is not None:
            line.open += 1
            line.overdue += bool(row.due and row.due.overdue)
            line.probation += c.stage == Stage.PROBATION
    labels = dict(Stage.choices)
    result.counts = [(s, str(labels[s]), per_stage[s]) for s in OPEN_STAGES]
    result.overdue.sort(key=lambda r: r.due.due if r.due else on)
    result.ending_soon.sort(key=lambda r: r.candidate.probation_ends_on or on)
    result.lines = [line for line in lines.values() if line.open]
    return result


# One candidate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntroducerLine:
    introducer: Introducer
    qualified_from: date | None  # the day the 12 months are complete (None: replacement/union)


def introducer_lines(candidate: Candidate) -> list[IntroducerLine]:
    months = rule_for(candidate.unit, "introducer_months")
    lines = []
    for i in candidate.introducers.select_related("member", "replaces").order_by(
        "assigned_on", "id"
    ):
        ready = None
        if i.kind == IntroducerKind.MEMBER and i.replaces_id is None and i.since is not None:
            ready = i.since + relativedelta(months=months)
        lines.append(IntroducerLine(i, ready))
    return lines


def next_steps(candidate: Candidate) -> list[str]:
    """The steps that may be recorded now, by the candidate's stage."""
    c = candidate
    early = [Stage.LISTED, Stage.CERTIFIED, Stage.APPLIED, Stage.DECLARED, Stage.VERIFIED]
    following: dict[str, list[str]] = {
        Stage.LISTED: [StepKind.CERTIFICATE],
        Stage.CERTIFIED: [StepKind.APPLICATION, StepKind.CERTIFICATE],
        Stage.APPLIED: [StepKind.HISTORY, StepKind.CERTIFICATE],
        Stage.DECLARED: [StepKind.VERIFICATION, StepKind.CERTIFICATE],
        Stage.VERIFIED: [StepKind.OPINIONS, StepKind.CERTIFICATE],
        Stage.READY: [StepKind.CELL_RESOLUTION, StepKind.CERTIFICATE],
        Stage.PROPOSED: [StepKind.COMMITTEE_RESOLUTION],
        Stage.ENDORSED: [StepKind.DECISION],
        Stage.DECIDED: [StepKind.CEREMONY],
    }
    kinds: list[str] = list(following.get(c.stage, []))
    if c.stage in (Stage.PROPOSED, Stage.ENDORSED) and not c.extension_workdays:
        kinds.append(StepKind.EXTENSION)
    if c.stage == Stage.PROBATION:
        if c.probation_resolved_on is None:
            kinds.append(StepKind.PROBATION_CELL)
        elif c.probation_endorsed_on is None:
            kinds.append(StepKind.PROBATION_COMMITTEE)
        if c.escalated_on is not None or c.probation_endorsed_on is not None:
            if c.escalated_on is not None or c.proposal == Proposal.RECOGNISE:
                kinds.append(StepKind.RECOGNITION)
            if c.escalated_on is not None or c.proposal == Proposal.REMOVE:
                kinds.append(StepKind.REMOVAL)
    if c.stage in [*early, Stage.READY, Stage.PROPOSED, Stage.ENDORSED, Stage.DECIDED]:
        kinds.append(StepKind.WITHDRAWAL)
    return kinds


def may_record(user: User, candidate: Candidate, kind: str) -> bool:
    """Whether the user may record `kind` for the candidate: a write role over the committee
    that acts at that step (the cell, its base committee, or the competent committee)."""
    return access.can_change_unit(user, acting_unit(candidate, kind))


def steps_of(candidate: Candidate) -> list[Step]:
    return list(
        candidate.steps.select_related("recorded_by")
        .prefetch_related("attachments")
        .order_by("on", "id")
    )
