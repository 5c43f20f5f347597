from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "dateline.places"
    label = "places"
    verbose_name = "Cities and weather"

    def ready(self) -> None:
        from dateline.places import signals  # noqa: F401 - connects the cache purge
