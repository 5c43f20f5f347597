from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "dateline.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        from dateline.pagecache import handlers

        handlers.connect()
