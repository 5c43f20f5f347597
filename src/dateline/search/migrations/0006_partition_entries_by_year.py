"""PostgreSQL: the search entries partitioned by year of publication.

A GIN step of the window then reads the words' matches in the years its key
range touches, not across the archive (search/backends/partitions.py,
docs/decisions/search.md). The rows are copied into the new table and its
indexes built after them: about a minute and a half for a million items on
a 2-core machine, with the entries table locked meanwhile. SQLite: nothing.
"""

from django.db import migrations


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dateline.search.backends import partitions

    with schema_editor.connection.cursor() as cursor:
        partitions.make_partitioned(cursor)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dateline.search.backends import partitions

    with schema_editor.connection.cursor() as cursor:
        partitions.make_plain(cursor)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_add_section_key_index")]

    operations = [migrations.RunPython(partition, unpartition)]
