"""Reads on the audit log, scoped like everything else through the owning unit."""

from django.apps import apps
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
    """Events of one object, and for a member the import that entered them: an import records
    one event for all its members, on the unit (decision 0015)."""
    q = Q(object_type=object_type, object_id=object_id)
    if object_type == "members.member" and object_id.isdigit():
        from chibo.members.spreadsheets.selectors import import_events_of  # lazy: members audit

        q |= Q(pk__in=import_events_of(int(object_id)))
    return events_visible_to(user).filter(q)


def object_text(object_type: str, object_id: str) -> str:
    """What an object is called now, for a history whose events all name it among others."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_id
    found = model._default_manager.filter(pk=object_id).first() if object_id.isdigit() else None
    return str(found) if found is not None else object_id
