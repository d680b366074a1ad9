"""Sensitive personal data of members (Law 91/2025 on personal data protection).

Citizen ID, ethnicity, religion, home address and health reasons are shown in full only to
committee staff and administrators of the member's unit or a unit above it; everyone else sees
them masked, in pages, exports and the API alike. Every view or export of member records is
written to the audit log: who, when, which record, never the values.
"""

from django.db import transaction
from django.db.models import Model

from chibo.accounts.access import active_roles
from chibo.accounts.models import Role, User
from chibo.audit.services import record
from chibo.members.models import Member
from chibo.units import treepath
from chibo.units.models import Unit

SENSITIVE_FIELDS = ("citizen_id", "ethnicity", "religion", "address")
# Roles that see sensitive data in full, on their unit and below.
FULL_VIEW_ROLES = frozenset({Role.ADMIN, Role.STAFF})
MASK = "•••"


def sees_sensitive(user: User, unit_path: str) -> bool:
    """Whether `user` sees sensitive data of members whose unit has path `unit_path` (no query:
    the user's roles are read once per request)."""
    return any(
        a.role in FULL_VIEW_ROLES and treepath.is_within(unit_path, a.unit.path)
        for a in active_roles(user)
    )


def mask(field: str, value: object) -> str:
    """What someone without full view sees of a sensitive value."""
    if value in (None, ""):
        return ""
    if field == "citizen_id":
        text = str(value)
        return "•" * (len(text) - 3) + text[-3:]
    return MASK


def shown(member: Member, field: str, *, full: bool) -> object:
    value = getattr(member, field)
    return value if full or field not in SENSITIVE_FIELDS else mask(field, value)


@transaction.atomic
def record_view(member: Member, *, actor: User, unit: Unit | None) -> None:
    """A member's record was opened: write who and which record, not what was shown."""
    record("members.member.view", actor=actor, obj=member, unit=unit)


@transaction.atomic
def record_export(
    subject: Model, *, actor: User | None, unit: Unit | None, rows: int, file_format: str
) -> None:
    """A list of members was exported: write who (None for a command), which list and how
    many rows."""
    record(
        "members.member.export",
        actor=actor,
        obj=subject,
        unit=unit,
        changes={"rows": rows, "format": file_format},
    )
