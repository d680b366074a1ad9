"""Work gathered while a transaction runs and done once, when it commits.

Stored counts and compliance results follow the records they are computed from: a service that
changes a record notes what it touched, and the recomputation runs after the transaction
commits, once for everything the transaction touched. A transaction that is rolled back takes
its notes with it: Django drops its on-commit callbacks, and the next transaction finds its
batch gone and starts an empty one, so nothing of a change that did not happen is recomputed.
"""

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import transaction

T = TypeVar("T")


class _Run(Generic[T]):
    """One transaction's items, flushed once when the transaction commits."""

    def __init__(self, flush: Callable[[T], None], items: T, callbacks: object) -> None:
        self.flush = flush
        self.items = items
        self.done = False
        # The connection's list of on-commit callbacks when the run began: Django replaces it
        # with a new list when the transaction ends or a savepoint is rolled back.
        self.callbacks = callbacks

    def __call__(self) -> None:
        if self.done:
            return  # registered again by each change; the first call flushes all
        self.done = True
        if self.items:
            self.flush(self.items)


class Batch(Generic[T]):
    """Items (a set, a dict) gathered per thread and transaction, handed to `flush` on commit.

    >>> changes = Batch(recompute, set)
    >>> changes.pending().add(unit_id)
    >>> changes.flush_on_commit()
    """

    def __init__(self, flush: Callable[[T], None], empty: Callable[[], T]) -> None:
        self._flush = flush
        self._empty = empty
        self._local = threading.local()

    def pending(self) -> T:
        """The items of the transaction in progress, to add to."""
        connection = transaction.get_connection()
        run: _Run[T] | None = getattr(self._local, "run", None)
        if run is None or run.done or not self._current(run, connection):
            run = self._local.run = _Run(self._flush, self._empty(), connection.run_on_commit)
        return run.items

    def flush_on_commit(self) -> None:
        """Flush the pending items when the transaction commits (at once outside of one)."""
        transaction.on_commit(self._local.run, robust=True)

    def discard(self) -> None:
        """Drop the pending items (the work they ask for was just done in full)."""
        run: _Run[T] | None = getattr(self._local, "run", None)
        if run is not None:
            run.done = True
        self._local.run = None

    @staticmethod
    def _current(run: "_Run[T]", connection: Any) -> bool:
        """Whether `run` belongs to the transaction in progress (not to one rolled back): one
        identity test, however many changes the transaction has made."""
        return bool(connection.in_atomic_block) and connection.run_on_commit is run.callbacks
