from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "dateline.content"
    label = "content"
    verbose_name = "Content"

    def ready(self) -> None:
        from dateline.content import checks  # noqa: F401 - registers deploy checks
