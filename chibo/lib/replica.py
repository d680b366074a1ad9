"""Reports read from a PostgreSQL read replica when one is configured.

Django routes by model, not by page, so the pages whose reads may be a moment behind the
primary (dashboards, yearly reports, exports) say so with `@reads_from_replica`; while such a
view runs, the router sends its reads to the `replica` database, and every write still goes to
the primary. Without `CHIBO_REPLICA_URL` there is no `replica` alias and nothing changes.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import models

REPLICA = "replica"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reads_from_replica(view: F) -> F:
    """Mark a read-only report view: its queries go to the replica when there is one."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """Reads inside `replica_reads()` go to the replica; all else to the primary."""

    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        if _reading_reports.get() and has_replica():
            return REPLICA
        return None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True  # one database, copied: objects of either connection relate

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
