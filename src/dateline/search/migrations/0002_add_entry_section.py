"""Each entry carries its item's section, for counts per section."""

from django.db import migrations, models

FILL = (
    "UPDATE search_searchentry SET section_id = "
    "(SELECT section_id FROM content_article WHERE content_article.id = "
    "search_searchentry.article_id)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0002_add_top_stories_and_recent_topic_index'),
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='section_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['key', 'section_id'], name='search_entry_key_section'),
        ),
    ]
