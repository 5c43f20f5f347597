from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dateline.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from dateline.core import lookups  # noqa: F401 - registers field__state
        from dateline.core.replicas import checks  # noqa: F401 - registers the check
