"""Members in the JSON API: a unit's roll as of a date, and one member's record.

Sensitive fields are masked exactly as on the pages; every record read is audited.
"""

from datetime import date
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.api.errors import ERRORS
from chibo.lib.dates import today
from chibo.members import privacy, selectors, services
from chibo.members.models import Member, Membership
from chibo.units import selectors as unit_selectors

router = Router()


class RollQuery(Schema):
    on: date | None = Field(None, description="The roll as of this day (default today).")
    status: Literal["", "probationary", "official", "exempted", "attached", "suspended"] = Field(
        "", description="Only members with this status that day."
    )
    sex: Literal["", "M", "F"] = Field("", description="M or F.")
    text: str = Field("", description="Name (diacritics ignored) or party card number.")


class RollRow(Schema):
    member_id: int = Field(description="Member id.")
    full_name: str = Field(description="Full name.")
    sex: str = Field(description="M or F.")
    birth_date: date | None = Field(description="Date of birth.")
    unit_id: int = Field(description="The unit whose roll the member is on that day.")
    unit_name: str = Field(description="That unit's current name.")
    status: str = Field(description="Status on the requested day.")

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.member.full_name

    @staticmethod
    def resolve_sex(obj: Membership) -> str:
        return obj.member.sex

    @staticmethod
    def resolve_birth_date(obj: Membership) -> date | None:
        return obj.member.birth_date

    @staticmethod
    def resolve_unit_name(obj: Membership) -> str:
        return obj.unit.name


class StatusOut(Schema):
    status: str = Field(description="Status code (see RollQuery.status, plus final ones).")
    valid_from: date = Field(description="First day.")
    valid_to: date | None = Field(description="Last day, empty while current.")
    basis_number: str = Field(description="Number of the resolution or decision.")


class MemberOut(Schema):
    id: int = Field(description="Member id.")
    full_name: str = Field(description="Full name.")
    sex: str = Field(description="M or F.")
    birth_date: date | None = Field(description="Date of birth.")
    citizen_id: str | None = Field(description="Citizen ID; masked unless the caller may see it.")
    ethnicity: str = Field(description="Ethnicity; masked unless the caller may see it.")
    religion: str = Field(description="Religion; masked unless the caller may see it.")
    address: str = Field(description="Home address; masked unless the caller may see it.")
    card_number: str | None = Field(description="Party card number.")
    admission_decided_on: date | None = Field(description="Date of the admission decision.")
    admitted_on: date | None = Field(description="Date of the admission ceremony.")
    recognised_on: date | None = Field(description="Date recognised as official member.")
    unit_id: int | None = Field(description="Home unit today (or the last one).")
    masked: bool = Field(description="True when sensitive fields were masked for the caller.")
    statuses: list[StatusOut] = Field(description="The status chain, oldest first.")


@router.get("/units/{unit_id}", response={200: list[RollRow], **ERRORS}, summary="A unit's members")
@paginate(PageNumberPagination, page_size=100)
def list_members(request: HttpRequest, unit_id: int, params: Query[RollQuery]) -> list[Membership]:
    """Members on the roll of the unit and every unit below it on `on`, in Vietnamese name
    order; 404 outside the caller's scope or for the member role."""
    on = params.on or today()
    user = user_of(request)
    unit = access.access_unit(user, unit_id, on=on)
    version = unit_selectors.version_on(unit, on)
    if version is None or not access.sees_members_of(user, unit):
        raise Http404
    filters = selectors.RollFilter(status=params.status, sex=params.sex, text=params.text)
    return selectors.roll(version.path, on, filters)  # type: ignore[return-value]


@router.get("/{member_id}", response={200: MemberOut, **ERRORS}, summary="One member")
def get_member(request: HttpRequest, member_id: int) -> MemberOut:
    """A member's record and status chain; sensitive fields masked as on the pages. Audited."""
    user = user_of(request)
    member: Member = access.access_member(user, member_id)
    home = services.home_unit(member, today()) or services.latest_unit(member)
    full = home is not None and privacy.sees_sensitive(user, home.path)
    privacy.record_view(member, actor=user, unit=home)
    statuses, _memberships = selectors.timeline(member)
    shown = {name: privacy.shown(member, name, full=full) for name in privacy.SENSITIVE_FIELDS}
    return MemberOut(
        id=member.pk,
        full_name=member.full_name,
        sex=member.sex,
        birth_date=member.birth_date,
        card_number=member.card_number,
        admission_decided_on=member.admission_decided_on,
        admitted_on=member.admitted_on,
        recognised_on=member.recognised_on,
        unit_id=home.pk if home else None,
        masked=not full,
        statuses=[StatusOut.from_orm(s) for s in statuses],
        **shown,  # type: ignore[arg-type]
    )
