"""PostgreSQL: the headline's and the lead's words in a small vector of their own.

Relevance asks, for each of the newest matches, whether all the query's words
are in the headline or in the lead. On the whole document that means reading
every match's body vector again (``ts_filter(document, …)``); ``heads`` holds
the headline (weight A) and lead (weight B) lexemes alone, a tenth of the size
and stored inline, so the one query that reads the newest matches answers it
for each as it goes. Filled here from the document itself: no item is read.
"""

from django.db import migrations


def add_heads(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE search_searchentry ADD COLUMN heads tsvector")
    schema_editor.execute("UPDATE search_searchentry SET heads = ts_filter(document, '{a,b}')")
    schema_editor.execute("ALTER TABLE search_searchentry ALTER COLUMN heads SET NOT NULL")


def drop_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN heads")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_add_heads_index")]

    operations = [migrations.RunPython(add_heads, drop_heads)]
