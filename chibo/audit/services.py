"""Writing the audit log. Every service calls `record` inside its own transaction."""

from typing import TYPE_CHECKING, Any

from django.db import connection, models

from chibo.audit import context
from chibo.audit.models import AuditEvent

if TYPE_CHECKING:
    from chibo.accounts.models import User
    from chibo.units.models import Unit


def record(
    action: str,
    *,
    actor: "User | None",
    obj: models.Model,
    unit: "Unit | None",
    changes: dict[str, Any] | None = None,
    object_text: str | None = None,
) -> AuditEvent:
    """Record one write. Must run inside the write's transaction, so both land or neither."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside the write's transaction")
    ctx = context.current()
    return AuditEvent.objects.create(
        actor=actor,
        actor_text=actor.get_username() if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_text=(object_text or str(obj))[:300],
        unit=unit,
        changes=changes or {},
        request_id=ctx.request_id if ctx else "",
        ip=ctx.ip if ctx else None,
    )


def record_many(
    action: str,
    *,
    actor: "User | None",
    objects: list[tuple[models.Model, "Unit | None", dict[str, Any]]],
) -> None:
    """Record the same action on many objects (a bulk write) in one insert."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside the write's transaction")
    ctx = context.current()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_text=actor.get_username() if actor is not None else "",
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_text=str(obj)[:300],
                unit=unit,
                changes=changes,
                request_id=ctx.request_id if ctx else "",
                ip=ctx.ip if ctx else None,
            )
            for obj, unit, changes in objects
        ],
        batch_size=500,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed, as {"field": {"before": x, "after": y}}."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
