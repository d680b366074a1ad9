"""Inserting many rows of one table fast, inside the caller's transaction.

`bulk_create` builds a model instance per row and prepares every value through the ORM; for
the hundreds of thousands of attendance rows of a meeting book that is most of the time. Here
the rows go straight to the database: PostgreSQL's COPY, SQLite's executemany. Values are
prepared by each field as the ORM would prepare them, so what lands is the same.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

FAST_TYPES = {"CharField", "TextField", "IntegerField", "PositiveIntegerField", "ForeignKey"}


def _preparers(model: type[models.Model], names: Sequence[str]) -> list[Callable[[Any], Any]]:
    fields = [model._meta.get_field(name) for name in names]

    def prepare(field: Any) -> Callable[[Any], Any]:
        if field.get_internal_type() in FAST_TYPES:
            return lambda value: value
        last: list[Any] = [object(), None]  # the same value again (a timestamp): prepared once

        def prepared(value: Any) -> Any:
            if value is not last[0]:
                last[:] = [value, field.get_db_prep_save(value, connection)]
            return last[1]

        return prepared

    return [prepare(f) for f in fields]


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (values in the order of the field `names`) into `model`'s table; returns
    how many. No signals, no `save()`: the caller checked the rows, as a service does."""
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    table = connection.ops.quote_name(model._meta.db_table)
    preparers = _preparers(model, names)
    prepared = ([p(v) for p, v in zip(preparers, row, strict=True)] for row in rows)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        batch: list[list[Any]] = []
        # Table and column names come from the model, never from input.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for row in prepared:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
