"""Work gathered while a transaction runs and done once, when it commits.

Stored counts and compliance results follow the records they are computed from: a service that
changes a record notes what it touched, and the recomputation runs after the transaction
commits, once for everything the transaction touched. A transaction that is rolled back takes
its notes with it: Django drops its on-commit callbacks, and the next transaction finds its
batch gone and starts an empty one, so nothing of a change that did not happen is recomputed.
"""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction

T = TypeVar("T")


class _Run(Generic[T]):
    """One transaction's items, flushed once when the transaction commits."""

    def __init__(self, flush: Callable[[T], None], items: T) -> None:
        self.flush = flush
        self.items = items
        self.done = False

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
        run: _Run[T] | None = getattr(self._local, "run", None)
        if run is None or run.done or not self._registered(run):
            run = self._local.run = _Run(self._flush, self._empty())
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
    def _registered(run: "_Run[T]") -> bool:
        """Whether `run` waits on the current transaction (not on one rolled back)."""
        connection = transaction.get_connection()
        return connection.in_atomic_block and any(
            callback is run for _savepoints, callback, _robust in connection.run_on_commit
        )
