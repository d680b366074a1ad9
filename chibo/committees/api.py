"""Committees in the JSON API: a unit's seats and its supervisors, as of a date."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.api.errors import ERRORS
from chibo.api.schemas import AsOf
from chibo.committees import selectors
from chibo.committees.models import CommitteeSeat, SupervisionAssignment
from chibo.lib.dates import today

router = Router()


class SeatOut(Schema):
    """A member's seat on a leading body of a unit."""

    id: int = Field(description="Seat id.")
    member_id: int = Field(description="Id of the member holding the seat.")
    member_name: str = Field(description="Full name of the member.")
    unit_id: int = Field(description="The unit whose body this is.")
    unit_name: str = Field(description="Name of that unit today.")
    body: str = Field(description="committee, standing (standing committee) or cell_committee.")
    position: str = Field(
        description="secretary, standing_deputy, deputy, standing_member or member."
    )
    position_label: str = Field(description="The position as the interface shows it.")
    valid_from: date = Field(description="First day the seat is held.")
    valid_to: date | None = Field(description="Last day the seat is held (inclusive), if ended.")
    basis: str = Field(description="Decision the seat rests on (number and date), as entered.")

    @staticmethod
    def resolve_member_name(obj: CommitteeSeat) -> str:
        return obj.member.full_name

    @staticmethod
    def resolve_unit_name(obj: CommitteeSeat) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_position_label(obj: CommitteeSeat) -> str:
        return str(obj.get_position_display())


class SupervisorOut(Schema):
    """A committee member of a higher unit assigned to watch over the unit (phân công phụ trách)."""

    id: int = Field(description="Assignment id.")
    supervisor_id: int = Field(description="Id of the member assigned.")
    supervisor_name: str = Field(description="Full name of the member assigned.")
    unit_id: int = Field(description="The unit watched over.")
    valid_from: date = Field(description="First day of the assignment.")
    valid_to: date | None = Field(description="Last day of the assignment (inclusive), if ended.")
    basis: str = Field(description="Decision of the assignment (number and date), as entered.")
    note: str = Field(description="Free note, e.g. the area of work.")
    seats: list[SeatOut] = Field(
        description="The seats the supervisor held on the requested day, lowest unit first."
    )

    @staticmethod
    def resolve_supervisor_name(obj: SupervisionAssignment) -> str:
        return obj.supervisor.full_name

    @staticmethod
    def resolve_seats(obj: SupervisionAssignment) -> list[CommitteeSeat]:
        return obj.supervisor.seats_held  # type: ignore[attr-defined]


@router.get(
    "/units/{unit_id}/seats", response={200: list[SeatOut], **ERRORS}, summary="Committee seats"
)
def committee_seats(request: HttpRequest, unit_id: int, params: Query[AsOf]) -> list[CommitteeSeat]:
    """The seats on the unit's bodies held on `on`, from the secretary down; 404 outside the
    caller's scope."""
    on = params.on or today()
    unit = access.access_unit(user_of(request), unit_id, on=on)
    return list(selectors.seats_on(unit, on).select_related("unit"))


@router.get(
    "/units/{unit_id}/supervisors",
    response={200: list[SupervisorOut], **ERRORS},
    summary="Supervisors",
)
def committee_supervisors(
    request: HttpRequest, unit_id: int, params: Query[AsOf]
) -> list[SupervisionAssignment]:
    """The committee members of higher units assigned to watch over the unit on `on`, with the
    seats they held that day; 404 outside the caller's scope."""
    on = params.on or today()
    unit = access.access_unit(user_of(request), unit_id, on=on)
    return list(selectors.supervisors_on(unit, on))
