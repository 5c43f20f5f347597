from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dateline.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from dateline.content.models import Article
        from dateline.content.signals import article_changed
        from dateline.search import checks, indexing  # noqa: F401 - checks register

        article_changed.connect(
            indexing.on_article_changed, dispatch_uid="search-index-article"
        )
        # Deleting an item (the newsroom can, for a test item) is no editorial
        # act; it must leave the index all the same.
        pre_delete.connect(
            indexing.on_article_deleted,
            sender=Article,
            dispatch_uid="search-unindex-deleted-article",
        )
