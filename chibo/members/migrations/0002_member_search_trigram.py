"""A trigram index on members' search names, on PostgreSQL only (decision 0015).

Member search matches a name typed without diacritics anywhere in `search_name` (LIKE
'%nguyen thi huong%'). A B-tree cannot serve that; a GIN trigram index can, so that a search
from the top of a large tree starts from the matching names instead of the whole roll. SQLite
keeps its scan, which is fast enough at a district's size. The index is not declared on the
model because SQLite has no such index type; the model's state is unchanged.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member "
    "USING gin (search_name gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS member_search_trgm"]


def run(statements: list[str]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
