"""Inserting and updating many rows of one table fast, inside the caller's transaction;
filtering by many ids.

`bulk_create` builds a model instance per row and prepares every value through the ORM; for
the hundreds of thousands of attendance rows of a meeting book that is most of the time. Here
the rows go straight to the database: PostgreSQL's COPY, SQLite's executemany. Values are
prepared by each field as the ORM would prepare them, so what lands is the same.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import F, Lookup, Q

# Values the drivers take as they are: no preparing. On PostgreSQL psycopg adapts dates itself.
FAST_TYPES = {
    "CharField",
    "TextField",
    "IntegerField",
    "PositiveIntegerField",
    "ForeignKey",
    "AutoField",
    "BigAutoField",
}
FAST_ON = {"postgresql": {"DateField"}}


def _preparers(
    model: type[models.Model], names: Sequence[str]
) -> list[tuple[int, Callable[[Any], Any]]]:
    """For each column whose values need preparing by their field, its index and how."""
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-thread proxy
    fast = FAST_TYPES | FAST_ON.get(database.vendor, set())
    fields = [model._meta.get_field(name) for name in names]

    def prepare(field: Any) -> Callable[[Any], Any]:
        last: list[Any] = [object(), None]  # the same value again (a timestamp): prepared once

        def prepared(value: Any) -> Any:
            if value is not last[0]:
                last[:] = [value, field.get_db_prep_save(value, database)]
            return last[1]

        return prepared

    return [(i, prepare(f)) for i, f in enumerate(fields) if f.get_internal_type() not in fast]


def _prepared(
    rows: Iterable[Sequence[Any]], preparers: list[tuple[int, Callable[[Any], Any]]]
) -> Iterable[Sequence[Any]]:
    if not preparers:
        yield from rows
        return
    for row in rows:
        values = list(row)
        for i, prepare in preparers:
            values[i] = prepare(values[i])
        yield values


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (values in the order of the field `names`) into `model`'s table; returns
    how many. No signals, no `save()`: the caller checked the rows, as a service does."""
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    table = connection.ops.quote_name(model._meta.db_table)
    prepared = _prepared(rows, _preparers(model, names))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's errors (a unique key, a foreign key) as Django's, as for any query.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in prepared:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        batch: list[Sequence[Any]] = []
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


def update_rows(
    model: type[models.Model],
    names: Sequence[str],
    objects: Sequence[models.Model],
    batch: int = 500,
) -> int:
    """Write the fields `names` of `objects`, saved rows of `model`, as they are on the
    objects: one UPDATE a `batch` of rows, joined by primary key to a list of their values.
    `bulk_update` writes the same with a CASE a field, whose building took the ORM about a
    second for 1.000 members. No signals, no `save()`. Returns how many rows were written.
    """
    database = connections[DEFAULT_DB_ALIAS]
    pk = model._meta.pk
    assert pk is not None
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(str(f.column)) for f in (pk, *fields)]
    if connection.vendor == "postgresql":
        # A list of values has no column types of its own: each value is cast to its column's.
        row = ", ".join(f"%s::{f.db_type(connection)}" for f in (pk, *fields))
        named, source = columns, f"v ({', '.join(columns)})"
    else:  # SQLite names the columns of a list of values column1, column2, …
        row = ", ".join(["%s"] * len(columns))
        named, source = [f"column{i}" for i in range(1, len(columns) + 1)], "v"
    assignments = ", ".join(f"{c} = v.{n}" for c, n in zip(columns[1:], named[1:], strict=True))
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            values = ", ".join([f"({row})"] * len(chunk))
            # Table and column names come from the model, never from input.
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS {source} "  # noqa: S608
                f"WHERE {table}.{columns[0]} = v.{named[0]}"
            )
            params = [
                value
                for obj in chunk
                for value in (
                    obj.pk,
                    *(f.get_db_prep_save(getattr(obj, f.attname), database) for f in fields),
                )
            ]
            cursor.execute(sql, params)
            written += cursor.rowcount
    return written


class _AnyOf(Lookup):
    """`field` is one of many values, given as one parameter. PostgreSQL: `= ANY(array)` of the
    field's own type, which it plans as it plans an IN list, without parsing a parameter for
    each value. SQLite: `IN` the values of one JSON list, which has no limit to their number (a
    plain IN list stops at 32.766 parameters, or 999 before SQLite 3.32)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def values(self, connection: Any) -> list[Any]:
        """Each value as the field gives it to this database (an id typed as text, a date)."""
        field = self.lhs.output_field
        return [field.get_db_prep_value(value, connection) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, params = compiler.compile(self.lhs)
        array = f"{self.lhs.output_field.cast_db_type(connection)}[]"
        return f"{lhs} = ANY(%s::{array})", (*params, self.values(connection))

    def as_sqlite(self, compiler: Any, connection: Any) -> Any:
        lhs, params = compiler.compile(self.lhs)
        # The column comes from the query compiler; the values are the parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, (*params, json.dumps(self.values(connection)))


def among(field: str, values: Iterable[Any]) -> Q:
    """`field IN values` for a long list of ids (or of any column's values: citizen IDs), as
    one parameter on either engine: as thousands of parameters they cost PostgreSQL's driver
    and server about 0,3 s a statement for 15.000 ids (a common name searched nationally), and
    SQLite has a limit to them."""
    return Q(_AnyOf(F(field), list(values)))
