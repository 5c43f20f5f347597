from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "dateline.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        admin.site.site_header = f"{settings.DATELINE_AGENCY_NAME} — newsroom"
        admin.site.site_title = "Newsroom"
        admin.site.index_title = "Newsroom"
        admin.site.site_url = "/"
