"""Reads on imports: which import put a member on the roll."""

from chibo.audit.models import AuditEvent
from chibo.members.models import Membership
from chibo.members.spreadsheets.plan import IMPORT_REASON
from chibo.members.spreadsheets.services import IMPORT_ACTION


def import_events_of(member_id: int) -> list[int]:
    """The audit events of the imports that entered member `member_id`.

    An import records one event for all the members it enters, on the unit it entered them
    in, with their ids (decision 0015); so the member's history finds it through the unit of
    each membership an import opened: a few events a unit, whatever the size of the log.
    """
    units = Membership.objects.filter(member_id=member_id, basis=IMPORT_REASON).values("unit")
    events = AuditEvent.objects.filter(action=IMPORT_ACTION, unit__in=units)
    return [
        pk
        for pk, changes in events.values_list("pk", "changes")
        if member_id in changes.get("members", ())
    ]
