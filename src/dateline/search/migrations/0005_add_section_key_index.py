"""PostgreSQL: each section's entries in key order.

A search filtered by section reads that section's newest entries first and
tests each (search/backends/postgres.py, ``window``), rather than the whole
archive's newest entries, of which most are other sections', and then the
GIN index's matches of the section's facet across the whole archive. The
engine-neutral flow on SQLite reads no such order, so the index is
PostgreSQL's alone.
"""

from django.db import migrations


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_section_key "
            "ON search_searchentry (section_id, key)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_section_key")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_add_heads_vector")]

    operations = [migrations.RunPython(add_index, drop_index)]
