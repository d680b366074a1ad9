"""The compliance monitor in the JSON API: the obligations and their rules, a unit's results
and its children's for a period, alerts (a unit's, the caller's own), acknowledging and
resolving an alert.

The same access checks and services as the pages: reading needs the unit in the caller's
scope, acting on an alert a write role on its unit; anything else is a 404.
"""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_serializer

from chibo.accounts import access
from chibo.accounts.access import user_of
from chibo.api.errors import ERRORS
from chibo.compliance import obligations, selectors, services
from chibo.compliance.facts import month_end
from chibo.compliance.models import Alert, AlertState, Result, Status
from chibo.compliance.rules import Reader, enabled_key
from chibo.lib.dates import today

router = Router()
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class ObligationOut(Schema):
    code: str = Field(description="The obligation's code, as in results and alerts.")
    label: str = Field(description="Short name.")
    title: str = Field(description="The obligation in a sentence.")
    source: str = Field(description="The regulation it comes from (RULES.md).")
    group: str = Field(description="meetings, members or recruitment.")
    rules: dict[str, object] = Field(
        description="The rule keys it reads with their value for the unit asked about (or the "
        "defaults), the switch `compliance.<code>_enabled` included."
    )


class Period(Schema):
    month: str = Field(pattern=MONTH, description="The last month, YYYY-MM.")
    months: int = Field(1, ge=1, le=24, description="How many months back, 1–24.")


class ResultOut(Schema):
    unit_id: int = Field(description="The unit.")
    unit_name: str = Field(description="Its name.")
    parent_id: int | None = Field(description="The unit above it that month.")
    obligation: str = Field(description="Obligation code.")
    month: date = Field(description="First day of the month.")
    status: Status = Field(description="ok, warning, failed or na (not applicable).")
    own: bool = Field(description="True where the unit itself was judged (a cell).")
    units_ok: int = Field(description="Units of the subtree that were ok.")
    units_warning: int = Field(description="Units of the subtree with a warning.")
    units_failed: int = Field(description="Units of the subtree that failed.")
    numerator: int = Field(description="The figure's numerator, summed over the subtree.")
    denominator: int = Field(description="Its denominator, summed over the subtree.")
    message: str = Field(description="What was wrong, for a unit judged itself.")

    @staticmethod
    def resolve_unit_name(obj: Result) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_message(obj: Result) -> str:
        return str(obj.detail.get("message", ""))


class AlertOut(Schema):
    id: int = Field(description="Alert id.")
    unit_id: int = Field(description="The unit whose obligation it is.")
    unit_name: str = Field(description="Its name.")
    obligation: str = Field(description="Obligation code.")
    month: date = Field(description="First day of the month.")
    status: Status = Field(description="warning or failed.")
    message: str = Field(description="What is wrong.")
    state: AlertState = Field(description="open, acknowledged or resolved.")
    level_id: int = Field(description="The unit that must act now (it moves up when late).")
    escalations: int = Field(description="How many times it moved up.")
    raised_at: datetime = Field(description="When it was raised.")
    resolved_at: datetime | None = Field(description="When it was resolved.")
    note: str = Field(description="The resolution note.")

    @staticmethod
    def resolve_unit_name(obj: Alert) -> str:
        return obj.unit.name

    @field_serializer("raised_at", "resolved_at")
    def _local(self, moment: datetime | None) -> datetime | None:
        return timezone.localtime(moment) if moment else None


class AlertFilter(Schema):
    resolved: bool = Field(False, description="Resolved alerts instead of unresolved ones.")
    month: str | None = Field(
        None,
        pattern=MONTH,
        description="Only this month's alerts (YYYY-MM), of the units below the unit as they "
        "stood that month: those the month's dashboard counts.",
    )


class ResolveIn(Schema):
    note: str = Field(min_length=1, max_length=5000, description="What was done.")


@router.get("/obligations", response={200: list[ObligationOut], **ERRORS}, summary="Obligations")
def list_obligations(request: HttpRequest, unit_id: int | None = None) -> list[dict[str, object]]:
    """Every obligation checked each month, with its source and the values of its rules for
    `unit_id` (nearest setting above it) or the defaults."""
    unit = access.access_unit(user_of(request), unit_id) if unit_id else None
    reader = Reader(today())
    found: list[dict[str, object]] = []
    for o in obligations.ordered():
        keys = [enabled_key(o.code), *o.rules]
        values = {k: reader(k, unit.path) if unit else reader(k, "") for k in keys}
        found.append(
            {
                "code": o.code,
                "label": str(o.label),
                "title": str(o.title),
                "source": o.source,
                "group": o.group,
                "rules": values,
            }
        )
    return found


@router.get(
    "/units/{unit_id}/results",
    response={200: list[ResultOut], **ERRORS},
    summary="A unit's results and its children's",
)
def unit_results(request: HttpRequest, unit_id: int, params: Query[Period]) -> list[Result]:
    """The stored results of the unit and of the units directly below it, for `months` months
    ending with `month`: a few rows per unit and obligation, whatever the size of the tree."""
    last = _month(params.month)
    first = last - relativedelta(months=params.months - 1)
    unit = access.access_unit(user_of(request), unit_id, on=last)
    rows = Result.objects.filter(month__gte=first, month__lte=last).select_related("unit")
    own = rows.filter(unit=unit)
    below = rows.filter(parent=unit)
    return list((own | below).order_by("month", "path", "obligation"))


@router.get(
    "/units/{unit_id}/alerts", response={200: list[AlertOut], **ERRORS}, summary="A unit's alerts"
)
@paginate(PageNumberPagination, page_size=100)
def unit_alerts(request: HttpRequest, unit_id: int, filters: Query[AlertFilter]) -> list[Alert]:
    """Alerts of the unit and every unit below it, the most serious first, 100 a page."""
    user = user_of(request)
    month = _month(filters.month) if filters.month else None
    unit = access.access_unit(user, unit_id, on=month_end(month) if month else None)
    return selectors.unit_alerts(  # type: ignore[return-value]
        user, unit, resolved=filters.resolved, month=month
    )


@router.get("/alerts/mine", response={200: list[AlertOut], **ERRORS}, summary="My alerts")
@paginate(PageNumberPagination, page_size=100)
def my_alerts(request: HttpRequest) -> list[Alert]:
    """The unresolved alerts the caller is responsible for (the inbox)."""
    return selectors.inbox(user_of(request))  # type: ignore[return-value]


@router.get("/alerts/{alert_id}", response={200: AlertOut, **ERRORS}, summary="One alert")
def get_alert(request: HttpRequest, alert_id: int) -> Alert:
    found: Alert = access.access_alert(user_of(request), alert_id)
    return found


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERRORS},
    summary="Acknowledge an alert",
)
def acknowledge_alert(request: HttpRequest, alert_id: int) -> Alert:
    """Say it was seen; it still escalates until resolved. 400 if it is not open."""
    user = user_of(request)
    return services.acknowledge_alert(access.access_alert(user, alert_id, write=True), actor=user)


@router.post(
    "/alerts/{alert_id}/resolve", response={200: AlertOut, **ERRORS}, summary="Resolve an alert"
)
def resolve_alert(request: HttpRequest, alert_id: int, data: ResolveIn) -> Alert:
    """Close the alert with a note on what was done. 400 if already resolved."""
    user = user_of(request)
    alert = access.access_alert(user, alert_id, write=True)
    return services.resolve_alert(alert, actor=user, note=data.note)
