"""The search index: a bookkeeping table, and the engine's own text index.

SQLite: a contentless FTS5 table whose rowid is the entry's key.
PostgreSQL: a tsvector column on the entry with a GIN index (not in the
model's state: only the PostgreSQL backend reads it, in SQL).
"""

import django.db.models.deletion
from django.db import migrations, models

FTS5 = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "headline, lead, body, facets, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
)


def create_text_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FTS5)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchentry ADD COLUMN document tsvector NOT NULL"
        )
        schema_editor.execute(
            "CREATE INDEX search_entry_document ON search_searchentry "
            "USING gin (document)"
        )


def drop_text_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_document")
        schema_editor.execute(
            "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("content", "0002_add_top_stories_and_recent_topic_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="content.article",
                    ),
                ),
                ("key", models.BigIntegerField(unique=True)),
                ("indexed_text", models.BinaryField(editable=False, null=True)),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
            },
        ),
        migrations.RunPython(create_text_index, drop_text_index),
    ]
