"""Work gathered during a transaction runs once when it commits, and not at all when it is
rolled back (chibo/lib/oncommit.py): real transactions, not the test case's wrapping one."""

import pytest
from django.db import transaction

from chibo.lib.oncommit import Batch

pytestmark = pytest.mark.django_db(transaction=True)


class Spy:
    def __init__(self) -> None:
        self.flushed: list[set[int]] = []
        self.batch: Batch[set[int]] = Batch(self.flushed.append, set)

    def change(self, item: int) -> None:
        self.batch.pending().add(item)
        self.batch.flush_on_commit()


def test_changes_of_one_transaction_are_flushed_once_together() -> None:
    spy = Spy()
    with transaction.atomic():
        spy.change(1)
        spy.change(2)
        with transaction.atomic():  # a savepoint belongs to the same transaction
            spy.change(3)
        assert spy.flushed == []
    assert spy.flushed == [{1, 2, 3}]


def test_a_rolled_back_transaction_takes_its_changes_with_it() -> None:
    spy = Spy()

    def fails() -> None:
        with transaction.atomic():
            spy.change(1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fails()
    with transaction.atomic():
        spy.change(2)
    assert spy.flushed == [{2}]


def test_each_transaction_has_its_own_batch() -> None:
    spy = Spy()
    for item in (1, 2):
        with transaction.atomic():
            spy.change(item)
    assert spy.flushed == [{1}, {2}]


def test_outside_a_transaction_a_change_is_flushed_at_once() -> None:
    spy = Spy()
    spy.change(1)
    assert spy.flushed == [{1}]


def test_discarded_changes_are_not_flushed() -> None:
    spy = Spy()
    with transaction.atomic():
        spy.change(1)
        spy.batch.discard()
        spy.change(2)
    assert spy.flushed == [{2}]
