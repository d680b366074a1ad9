"""The one permission choke point of chibo.

A role grants a unit and, for most roles, everything below it, for a dated period. Every page
and API call asks here what the user may see or change; an object outside that scope is a 404,
never a 403, so that ids leak nothing.
"""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.committees.models import SupervisionAssignment
from chibo.lib.dates import today
from chibo.lib.intervals import active_on
from chibo.meetings.models import Meeting
from chibo.members.models import Member, Membership
from chibo.recruitment.models import Attachment, Candidate, Step
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion

# Roles that may change data in their scope; the others only read.
WRITE_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.SECRETARY})
# Roles whose scope is their unit and everything below it.
SUBTREE_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.INSPECTOR, Role.SECRETARY})

_CACHE = "_chibo_roles"


def user_of(request: HttpRequest) -> User:
    """The signed-in user of a request that `login_required` (or API auth) has let through."""
    user = request.user
    assert isinstance(user, User)
    return user


def active_roles(user: User, on: date | None = None) -> list[RoleAssignment]:
    """The user's roles in force on `on` (default today), read once per request and day."""
    if not user.is_authenticated or not user.is_active:
        return []
    day = on or today()
    cache: dict[date, list[RoleAssignment]] = user.__dict__.setdefault(_CACHE, {})
    if day not in cache:
        cache[day] = list(
            RoleAssignment.objects.filter(active_on(day), user=user)
            .select_related("unit")
            .order_by("unit__path", "role")
        )
    return cache[day]


def past_roles(user: User) -> list[RoleAssignment]:
    """Roles that have ended, most recent first: they still open their period read-only."""
    return list(
        RoleAssignment.objects.filter(user=user, valid_to__lt=today())
        .select_related("unit")
        .order_by("-valid_to")
    )


def forget_roles(user: User) -> None:
    user.__dict__.pop(_CACHE, None)


def _grants(assignment: RoleAssignment, *, write: bool) -> bool:
    return not write or assignment.role in WRITE_ROLES


def scope(
    user: User,
    *,
    write: bool = False,
    from_above: bool = False,
    field: str = "path",
    member_role: bool = True,
) -> Q:
    """A filter on a unit path `field` (e.g. "unit__path") for what `user` may see or change
    today: the units their roles in force cover, with the records those units keep.

    `from_above`: only units strictly below a unit the user holds a write role on. Renaming,
    moving, merging, splitting or dissolving a unit is decided by the committee above it
    (Điều lệ Đảng, Điều 10, 11), not by the unit itself.
    `member_role=False`: leave out what the member role grants (their cell), e.g. for the
    records of other members.
    """
    q = Q(pk__in=[])
    for assignment in active_roles(user):
        if not _grants(assignment, write=write or from_above):
            continue
        if assignment.role in SUBTREE_ROLES:
            below = treepath.within(assignment.unit.path, field)
            q |= below & ~Q(**{field: assignment.unit.path}) if from_above else below
        elif assignment.role == Role.MEMBER and member_role:
            q |= Q(**{field: assignment.unit.path})
    return q


def history_scope(user: User, on: date) -> Q:
    """A filter on Unit for what `user` may read as it stood on a past day `on`: the units
    under the units they held a role on that day, where those stood that day (read-only)."""
    if on > today():
        return Q(pk__in=[])
    q = Q(pk__in=[])
    roles = active_roles(user, on)
    if not roles:
        return q
    placed = {
        v.unit_id: v.path
        for v in UnitVersion.objects.filter(active_on(on), unit__in=[r.unit_id for r in roles])
    }
    for assignment in roles:
        path = placed.get(assignment.unit_id)
        if path is None:
            continue
        versions = UnitVersion.objects.filter(active_on(on))
        if assignment.role in SUBTREE_ROLES:
            versions = versions.filter(treepath.within(path))
        else:
            versions = versions.filter(path=path)
        q |= Q(pk__in=versions.values("unit_id"))
    return q


def is_admin(user: User) -> bool:
    return any(a.role == Role.ADMIN for a in active_roles(user))


def units_visible_to(
    user: User, *, write: bool = False, from_above: bool = False
) -> QuerySet[Unit]:
    return Unit.objects.filter(scope(user, write=write, from_above=from_above))


def can_change_unit(user: User, unit: Unit, *, from_above: bool = False) -> bool:
    """Whether the user may change `unit` (found units below it), or, `from_above`, restructure
    it as the committee above it does."""
    return any(
        _grants(a, write=True)
        and a.role in SUBTREE_ROLES
        and treepath.is_within(unit.path, a.unit.path)
        and not (from_above and unit.path == a.unit.path)
        for a in active_roles(user)
    )


def can_set_rule(user: User, unit: Unit, *, local: bool, decided_above: bool = False) -> bool:
    """Whether the user may set a rule's value for `unit` and below: a local rule by whoever
    may change the unit (or, `decided_above`, only the committees above it); a rule of the
    Charter or a regulation by the administrator only."""
    if not local:
        return is_admin(user)
    return can_change_unit(user, unit, from_above=decided_above)


def sees_members_of(user: User, unit: Unit) -> bool:
    """Whether the user may open the records of the members of `unit` (not the member role,
    which opens only the member's own record)."""
    return any(
        a.role in SUBTREE_ROLES and treepath.is_within(unit.path, a.unit.path)
        for a in active_roles(user)
    )


def visible_among(user: User, unit_ids: list[int], on: date | None = None) -> set[int]:
    """Which of `unit_ids` the user may open (as of `on`): those in their scope today, by the
    units' own rows (one query); then, of the others only, those they may read as they stood
    on `on`. One statement for both would read every version below the user's units to test
    a few ids (a quarter of a second for a province's children nationally)."""
    found = set(Unit.objects.filter(scope(user), pk__in=unit_ids).values_list("pk", flat=True))
    rest = [pk for pk in unit_ids if pk not in found]
    if on is not None and rest:
        past = Unit.objects.filter(history_scope(user, on), pk__in=rest)
        found |= set(past.values_list("pk", flat=True))
    return found


def access_unit(
    user: User,
    unit_id: int,
    *,
    write: bool = False,
    from_above: bool = False,
    on: date | None = None,
) -> Unit:
    """The unit `unit_id` if `user` may see it (as of `on`), change it (write=True) or
    restructure it (from_above=True, see `scope`); otherwise 404, so that ids outside the
    user's scope leak nothing."""
    q = scope(user, write=write, from_above=from_above)
    if on is not None and not (write or from_above):
        q |= history_scope(user, on)
    unit = Unit.objects.filter(q, pk=unit_id).select_related("parent", "successor").first()
    if unit is None:
        raise Http404
    return unit


def top_units(user: User) -> list[Unit]:
    """The highest units the user holds a role on today, without units inside others."""
    tops: list[Unit] = []
    for assignment in active_roles(user):
        if not any(treepath.is_within(assignment.unit.path, t.path) for t in tops):
            tops.append(assignment.unit)
    return tops


def members_visible_to(user: User, *, write: bool = False) -> QuerySet[Member]:
    """Members the user may see (or change): those on the roll of, or attached to, a unit in
    the user's scope today; members who have left, through the unit they left last; and, for
    the member role, the member's own record."""
    today_q = active_on(today())
    in_scope = Membership.objects.filter(
        scope(user, write=write, field="unit__path", member_role=False)
    )
    has_current = Membership.objects.filter(today_q, member=OuterRef("pk"))
    q = Q(Exists(in_scope.filter(today_q, member=OuterRef("pk")))) | (
        ~Q(Exists(has_current)) & Q(Exists(in_scope.filter(member=OuterRef("pk"))))
    )
    if not write:
        q |= Q(user=user)
    return Member.objects.filter(q)


def access_member(user: User, member_id: int, *, write: bool = False) -> Member:
    """The member `member_id` if the user may see (or change) their record; otherwise 404."""
    member = members_visible_to(user, write=write).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def access_meeting(
    user: User, meeting_id: int, *, write: bool = False, members: bool = False
) -> Meeting:
    """The meeting if the user may see (or change) its unit; otherwise 404.

    `members`: reading also needs a role that opens the members' records (the roll call,
    minutes, votes and their PDFs name members; the member role does not open them).
    """
    meeting = (
        Meeting.objects.select_related("chair", "minutes_secretary").filter(pk=meeting_id).first()
    )
    if meeting is None:
        raise Http404
    meeting.unit = access_unit(user, meeting.unit_id, write=write)
    if members and not write and not sees_members_of(user, meeting.unit):
        raise Http404
    return meeting


def reads_preparation(user: User, meeting: Meeting, day: date) -> bool:
    """Whether `user` may read a meeting's preparation (agenda, documents): a role over its
    unit, or, as a member, being on the unit's roll or assigned to supervise it on the
    meeting's `day`."""
    if units_visible_to(user).filter(pk=meeting.unit_id).exists():
        return True
    member = Member.objects.filter(user=user).first() if user.is_authenticated else None
    if member is None:
        return False
    return (
        Membership.objects.filter(active_on(day), member=member, unit_id=meeting.unit_id).exists()
        or SupervisionAssignment.objects.filter(
            active_on(day), supervisor=member, unit_id=meeting.unit_id
        ).exists()
    )


# Compliance


def alerts_visible_to(user: User, *, write: bool = False) -> QuerySet:
    """Compliance alerts on the units the user may see, or act on (write: a write role)."""
    from chibo.compliance.models import Alert

    return Alert.objects.filter(scope(user, write=write, field="unit__path"))


def access_alert(user: User, alert_id: int, *, write: bool = False) -> Any:
    """The alert if its unit is in the user's scope (write: the user may act on it, the
    unit's secretary or the committee staff above it); otherwise 404."""
    alert = (
        alerts_visible_to(user, write=write)
        .select_related("unit", "level")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404
    return alert


def access_review(user: User, review_id: int, *, write: bool = False) -> Any:
    """A removal review names a member: read by the roles that open members' records, decided
    by a write role on its cell; otherwise 404."""
    from chibo.compliance.models import RemovalReview

    q = scope(user, write=write, field="unit__path", member_role=False)
    review = RemovalReview.objects.filter(q, pk=review_id).select_related("member", "unit").first()
    if review is None:
        raise Http404
    return review


# Recruitment


def candidates_visible_to(user: User, *, write: bool = False) -> QuerySet[Candidate]:
    """Candidates kept by the cells in the user's scope. A candidate's file is personal, as a
    member's record is: the member role opens none."""
    return Candidate.objects.filter(scope(user, write=write, field="unit__path", member_role=False))


def access_candidate(user: User, candidate_id: int, *, write: bool = False) -> Candidate:
    """The candidate if the user may read (or, `write`, change) the file of the cell that keeps
    them; otherwise 404."""
    candidate = (
        candidates_visible_to(user, write=write)
        .select_related("unit", "unit__parent", "unit__parent__parent", "member", "helper")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise Http404
    return candidate


def access_attachment(user: User, attachment_id: int) -> Attachment:
    """A document of a candidate's step, if the user may read the candidate; otherwise 404."""
    attachment = Attachment.objects.select_related("step").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    access_candidate(user, attachment.step.candidate_id)
    return attachment


def access_step(user: User, step_id: int) -> Step:
    """A recorded step of a candidate, if the user may change the candidate's file (the
    documents of a step are kept by whoever may record that step: the caller checks it)."""
    step = Step.objects.filter(pk=step_id).first()
    if step is None:
        raise Http404
    step.candidate = access_candidate(user, step.candidate_id, write=True)
    return step
