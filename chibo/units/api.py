"""Units in the JSON API: one unit, its children and its subtree, as of a date."""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.api.errors import ERRORS
from chibo.api.schemas import AsOf
from chibo.lib.dates import today
from chibo.units import selectors, treepath
from chibo.units.models import UnitVersion

router = Router()


class UnitOut(Schema):
    """A unit as it stood on the requested day. Read from a UnitVersion."""

    id: int = Field(description="Unit id, stable across renames and moves.")
    code: str = Field(description="Short code, unique.")
    kind: str = Field(description="central, province, district, commune, base, cell or group.")
    name: str = Field(description="Name on the requested day.")
    parent_id: int | None = Field(description="Parent unit on the requested day.")
    depth: int = Field(description="1 for the top of the tree.")
    valid_from: date = Field(description="Day the unit was founded.")
    valid_to: date | None = Field(description="Last day of the unit, if it has ended.")
    members: int | None = Field(None, description="Members in the unit and below, that day.")
    cells: int | None = Field(None, description="Cells in the unit and below, that day.")

    @staticmethod
    def resolve_id(obj: UnitVersion) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_code(obj: UnitVersion) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_kind(obj: UnitVersion) -> str:
        return obj.unit.kind

    @staticmethod
    def resolve_depth(obj: UnitVersion) -> int:
        return treepath.depth(obj.path)

    @staticmethod
    def resolve_valid_from(obj: UnitVersion) -> date:
        return obj.unit.valid_from

    @staticmethod
    def resolve_valid_to(obj: UnitVersion) -> date | None:
        return obj.unit.valid_to

    @staticmethod
    def resolve_members(obj: UnitVersion) -> int | None:
        counts = getattr(obj, "counts", None)
        return counts.members if counts else None

    @staticmethod
    def resolve_cells(obj: UnitVersion) -> int | None:
        counts = getattr(obj, "counts", None)
        return counts.cells if counts else None


def _with_counts(version: UnitVersion, counts: dict[int, selectors.Counts]) -> UnitVersion:
    version.counts = counts.get(version.unit_id, selectors.Counts())  # type: ignore[attr-defined]
    return version


def _version(request: HttpRequest, unit_id: int, on: date) -> UnitVersion:
    unit = access.access_unit(user_of(request), unit_id, on=on)
    version = selectors.version_on(unit, on)
    if version is None:
        raise Http404
    return version


@router.get("/", response={200: list[UnitOut], **ERRORS}, summary="My top units")
def top_units(request: HttpRequest, params: Query[AsOf]) -> list[UnitVersion]:
    """The highest units the caller holds a role on, as they stood on `on`."""
    on = params.on or today()
    tops = access.top_units(user_of(request))
    return list(selectors.tree_on(on).filter(unit__in=tops).order_by("path"))


@router.get("/{unit_id}", response={200: UnitOut, **ERRORS}, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int, params: Query[AsOf]) -> UnitVersion:
    """One unit with its member and cell counts on `on`; 404 if outside the caller's scope
    or if the unit did not exist that day."""
    on = params.on or today()
    version = _version(request, unit_id, on)
    return _with_counts(version, selectors.counts_below(version, on))


@router.get("/{unit_id}/children", response={200: list[UnitOut], **ERRORS}, summary="Children")
def list_children(request: HttpRequest, unit_id: int, params: Query[AsOf]) -> list[UnitVersion]:
    """The units directly under this unit on `on`, with their member and cell counts."""
    on = params.on or today()
    version = _version(request, unit_id, on)
    counts = selectors.counts_below(version, on)
    return [_with_counts(child, counts) for child in selectors.children_on(version, on)]


@router.get("/{unit_id}/subtree", response={200: list[UnitOut], **ERRORS}, summary="Subtree")
@paginate(PageNumberPagination, page_size=200)
def list_subtree(request: HttpRequest, unit_id: int, params: Query[AsOf]) -> list[UnitVersion]:
    """This unit and every unit below it on `on`, in tree order, 200 a page."""
    on = params.on or today()
    version = _version(request, unit_id, on)
    return selectors.subtree_on(version, on)  # type: ignore[return-value]
