from django.apps import AppConfig


class AdvertsConfig(AppConfig):
    name = "dateline.adverts"
    label = "adverts"
    verbose_name = "Advertising"

    def ready(self) -> None:
        from dateline.adverts import handlers

        handlers.connect()
