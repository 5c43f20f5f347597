from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "dateline.popularity"
    label = "popularity"
    verbose_name = "Most read"

    def ready(self) -> None:
        from dateline.content.signals import article_changed
        from dateline.popularity import checks, services  # noqa: F401 - checks register

        article_changed.connect(
            services.on_article_changed, dispatch_uid="popularity-forget-public"
        )
