"""Reads on the audit log, scoped like everything else through the owning unit."""

from django.db.models import Q, QuerySet

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.audit.models import AuditEvent
from chibo.units import treepath
from chibo.units.models import Unit


def events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """Events of the units the user may see; events without a unit only for administrators."""
    q = access.scope(user, field="unit__path")
    if access.is_admin(user):
        q |= Q(unit__isnull=True)
    return AuditEvent.objects.filter(q).select_related("unit")


def events_of_unit(user: User, unit: Unit) -> QuerySet[AuditEvent]:
    """Events of `unit` and of everything whose records it keeps (its subtree)."""
    return events_visible_to(user).filter(treepath.within(unit.path, "unit__path"))


def events_of_object(user: User, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return events_visible_to(user).filter(object_type=object_type, object_id=object_id)
