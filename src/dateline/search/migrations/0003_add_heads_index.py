"""SQLite: a second, small FTS5 table of headlines and leads only.

Restricting a match to the headline in the main table reads the position
lists of every field, bodies included; here the lists hold the headline's
and the lead's words alone, so "the newest items with these words in the
headline" stays cheap when there are few or none. Filled from the stems the
main table's entries keep (``SearchEntry.indexed_text``).
"""

import zlib

from django.db import migrations

HEADS = (
    "CREATE VIRTUAL TABLE search_heads USING fts5("
    "headline, lead, facets, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
)
SEPARATOR = "\x1f"
BATCH = 5000


def create_heads(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(HEADS)
    with schema_editor.connection.cursor() as cursor:
        last = -(2**63)
        while True:
            cursor.execute(
                "SELECT key, indexed_text FROM search_searchentry WHERE key > %s "
                "ORDER BY key LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            heads = []
            for key, text in rows:
                headline, lead, _body, facets = (
                    zlib.decompress(bytes(text)).decode().split(SEPARATOR)
                )
                heads.append((key, headline, lead, facets))
            cursor.executemany(
                "INSERT INTO search_heads(rowid, headline, lead, facets) "
                "VALUES (%s, %s, %s, %s)",
                heads,
            )


def drop_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE search_heads")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_add_entry_section")]

    operations = [migrations.RunPython(create_heads, drop_heads)]
