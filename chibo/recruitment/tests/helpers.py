"""Candidates for tests, built with the real services (never rows by hand)."""

from datetime import date, timedelta
from typing import Any

from chibo.committees import services as committee_services
from chibo.committees.models import Body, Position
from chibo.members.models import Member
from chibo.recruitment import services, steps
from chibo.recruitment.models import Candidate, IntroducerKind, Relation, StepKind, Verdict
from chibo.units.models import Unit

BORN = date(1995, 6, 15)


def make_candidate(
    unit: Unit,
    name: str = "Lê Thị Hoa",
    born: date = BORN,
    listed: date = date(2024, 1, 2),
    **extra: Any,
) -> Candidate:
    details = services.CandidateDetails(
        full_name=name,
        sex=extra.pop("sex", "F"),
        birth_date=born,
        education=extra.pop("education", "upper_secondary"),
        **extra,
    )
    return services.add_candidate(unit, actor=None, details=details, listed_on=listed)


def step(candidate: Candidate, kind: str, on: date, **values: Any) -> Any:
    return steps.record_step(candidate, kind, actor=None, data=steps.StepInput(on=on, **values))


def members_of(unit: Unit) -> list[Member]:
    return list(Member.objects.filter(memberships__unit=unit).order_by("pk"))


def ready(candidate: Candidate, start: date, introducers: list[Member], since: date) -> Candidate:
    """Take the candidate through every step up to the cell's resolution from `start`."""
    step(candidate, StepKind.CERTIFICATE, start, by="Trung tâm Chính trị huyện", number="12/GCN")
    step(candidate, StepKind.APPLICATION, start + timedelta(days=10))
    step(candidate, StepKind.HISTORY, start + timedelta(days=20))
    services.add_relative(
        candidate,
        actor=None,
        relation=Relation.SELF,
        full_name=candidate.full_name,
        verdict=Verdict.CLEAR,
        concluded_on=start + timedelta(days=40),
    )
    step(candidate, StepKind.VERIFICATION, start + timedelta(days=45), number="05-KL/ĐU")
    for member in introducers:
        services.add_introducer(
            candidate,
            actor=None,
            kind=IntroducerKind.MEMBER,
            member=member,
            since=since,
            assigned_on=start + timedelta(days=46),
        )
    step(
        candidate,
        StepKind.OPINIONS,
        start + timedelta(days=50),
        by="Chi đoàn, Ban công tác Mặt trận",
    )
    candidate.refresh_from_db()
    return candidate


def seat_committee(unit: Unit, members: list[Member], on: date) -> None:
    for member in members:
        committee_services.appoint(
            member,
            actor=None,
            unit=unit,
            body=Body.COMMITTEE,
            position=Position.MEMBER,
            valid_from=on,
        )


# The access matrix (chibo/accounts/tests/test_access_matrix.py) ------------------------------


def candidate_targets(ctx: Any) -> list[Any]:
    """A candidate of the cell every role covers, and one of the other province's cell."""
    from chibo.accounts.tests.test_access_matrix import MISSING_ID, Target

    own = Target(
        "own", make_candidate(ctx.tree.cell_a1, "Quần Chúng Trong").pk, True, ctx.tree.cell_a1
    )
    if ctx.role == "admin":
        return [own, Target("missing", MISSING_ID, False)]
    other = make_candidate(ctx.tree.other_cell, "Quần Chúng Ngoài").pk
    return [own, Target("other", other, False, ctx.tree.other_cell)]


def candidate_id(ctx: Any, target: Any) -> dict[str, Any]:
    return {"candidate_id": target.id}


def step_kwargs(ctx: Any, target: Any) -> dict[str, Any]:
    """The cell's own step (the awareness-class certificate): a write on the cell."""
    return {"candidate_id": target.id, "kind": "certificate"}


def attachment_targets(ctx: Any) -> list[Any]:
    """A document of a step of each candidate above."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chibo.accounts.tests.test_access_matrix import Target

    found = []
    for target in candidate_targets(ctx):
        if not Candidate.objects.filter(pk=target.id).exists():
            found.append(target)
            continue
        candidate = Candidate.objects.get(pk=target.id)
        done = step(
            candidate,
            StepKind.CERTIFICATE,
            date(2024, 5, 6),
            by="Trung tâm Chính trị",
            file=SimpleUploadedFile("gcn.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
            file_title="Giấy chứng nhận",
        )
        found.append(Target(target.label, done.attachments.get().pk, target.in_scope, target.unit))
    return found


def step_targets(ctx: Any) -> list[Any]:
    """A recorded step (the certificate, the cell's own) of each candidate above."""
    from chibo.accounts.tests.test_access_matrix import Target

    found = []
    for target in candidate_targets(ctx):
        if not Candidate.objects.filter(pk=target.id).exists():
            found.append(target)
            continue
        candidate = Candidate.objects.get(pk=target.id)
        done = step(candidate, StepKind.CERTIFICATE, date(2024, 5, 6), by="Trung tâm Chính trị")
        found.append(Target(target.label, done.pk, target.in_scope, target.unit))
    return found
