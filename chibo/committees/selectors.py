"""Reads on committees and supervision, as of a date. Permission comes from accounts.access."""

from datetime import date

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When
from django.http import Http404

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.committees.models import CommitteeSeat, Position, SupervisionAssignment
from chibo.lib.intervals import active_on
from chibo.members.models import Member, Membership, MembershipKind, MemberStatus, Status
from chibo.units import treepath
from chibo.units.models import Unit, UnitVersion

# Seats are listed from the secretary down, then by name (Vietnamese order).
_RANK = Case(
    *[When(position=p, then=Value(i)) for i, p in enumerate(Position.values)],
    output_field=IntegerField(),
)


def official_member_count(unit: Unit, on: date) -> int:
    """Official members of `unit` on `on`: on its roll (an official-kind membership of the unit
    or of a party group under it, as the tree stood that day) with the status "official" that
    day. Probationary, exempted, suspended and temporarily attached members are not counted.
    Two queries."""
    version = UnitVersion.objects.filter(active_on(on), unit=unit).first()
    if version is None:
        return 0
    units = UnitVersion.objects.filter(active_on(on), treepath.within(version.path)).values(
        "unit_id"
    )
    official = MemberStatus.objects.filter(
        active_on(on), member_id=OuterRef("member_id"), status=Status.OFFICIAL
    )
    return (
        Membership.objects.filter(
            active_on(on), Exists(official), unit_id__in=units, kind=MembershipKind.OFFICIAL
        )
        .values("member_id")
        .distinct()
        .count()
    )


def _listed(seats: QuerySet[CommitteeSeat]) -> QuerySet[CommitteeSeat]:
    return (
        seats.select_related("member")
        .annotate(rank=_RANK)
        .order_by("rank", "body", "member__sort_name", "id")
    )


def seats_on(unit: Unit, on: date) -> QuerySet[CommitteeSeat]:
    """The seats of `unit`'s bodies held on `on`, from the secretary down."""
    return _listed(CommitteeSeat.objects.filter(active_on(on), unit=unit))


def former_seats(unit: Unit, on: date) -> QuerySet[CommitteeSeat]:
    """Seats of `unit` that ended before `on`, the most recent first."""
    return (
        CommitteeSeat.objects.filter(unit=unit, valid_to__lt=on)
        .select_related("member")
        .order_by("-valid_to", "member__sort_name", "id")
    )


def later_seats(unit: Unit, on: date) -> QuerySet[CommitteeSeat]:
    """Seats of `unit` decided to start after `on`."""
    return _listed(CommitteeSeat.objects.filter(unit=unit, valid_from__gt=on))


def supervisors_on(unit: Unit, on: date) -> QuerySet[SupervisionAssignment]:
    """Who was assigned to watch over `unit` on `on`, each with the seats they held that day."""
    return (
        SupervisionAssignment.objects.filter(active_on(on), unit=unit)
        .select_related("supervisor")
        .prefetch_related(
            Prefetch(
                "supervisor__committee_seats",
                queryset=CommitteeSeat.objects.filter(active_on(on))
                .select_related("unit")
                .order_by("-unit__path"),
                to_attr="seats_held",
            )
        )
        .order_by("supervisor__sort_name", "id")
    )


def seats_of(member: Member, on: date) -> QuerySet[CommitteeSeat]:
    """The seats `member` held on `on`, on any unit, the highest unit first (for a member page
    already opened through access checks)."""
    return (
        CommitteeSeat.objects.filter(active_on(on), member=member)
        .select_related("unit")
        .annotate(rank=_RANK)
        .order_by("unit__path", "body", "rank")
    )


def supervised_by(member: Member, on: date) -> QuerySet[SupervisionAssignment]:
    """The units `member` was assigned to watch over on `on`, in tree order."""
    return (
        SupervisionAssignment.objects.filter(active_on(on), supervisor=member)
        .select_related("unit")
        .order_by("unit__path")
    )


def access_seat(user: User, seat_id: int) -> CommitteeSeat:
    """A seat the user may change: one on a unit strictly below a unit they hold a write role
    on, since a unit's committee is decided by the committee above it. Otherwise 404."""
    seat = (
        CommitteeSeat.objects.filter(
            access.scope(user, from_above=True, field="unit__path"), pk=seat_id
        )
        .select_related("member", "unit")
        .first()
    )
    if seat is None:
        raise Http404
    return seat


def access_supervision(user: User, assignment_id: int) -> SupervisionAssignment:
    """An assignment the user may change, on the same terms as a seat; otherwise 404."""
    assignment = (
        SupervisionAssignment.objects.filter(
            access.scope(user, from_above=True, field="unit__path"), pk=assignment_id
        )
        .select_related("supervisor", "unit")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def appointable_members(unit: Unit, on: date) -> list[tuple[Member, str]]:
    """(member, "name · unit") for everyone on the roll of `unit` or a unit below it on `on`,
    in Vietnamese name order: the people a seat on `unit` may go to."""
    memberships = (
        Membership.objects.filter(
            active_on(on), treepath.within(unit.path, "unit__path"), kind=MembershipKind.OFFICIAL
        )
        .select_related("member", "unit")
        .order_by("member__sort_name", "member_id")
    )
    return [(m.member, f"{m.member.full_name} · {m.unit.name}") for m in memberships]


def possible_supervisors(user: User, unit: Unit, on: date) -> list[tuple[Member, str]]:
    """(member, "name · position, unit") for the seats held on `on` on units strictly above
    `unit` that the user may change: the committee members the user's committee can assign."""
    above = treepath.ids(unit.path)[:-1]
    seats = (
        CommitteeSeat.objects.filter(
            active_on(on), access.scope(user, write=True, field="unit__path"), unit_id__in=above
        )
        .select_related("member", "unit")
        .annotate(rank=_RANK)
        .order_by("member__sort_name", "member_id", "-unit__path", "rank")
    )
    choices: dict[int, tuple[Member, str]] = {}
    for seat in seats:  # a member with several seats is listed once, with the lowest unit's
        choices.setdefault(
            seat.member_id,
            (
                seat.member,
                f"{seat.member.full_name} · {seat.get_position_display()}, {seat.unit.name}",
            ),
        )
    return list(choices.values())
