from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dateline.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from dateline.core import checks, lookups, readers  # noqa: F401 - they register
        from dateline.core.replicas import checks as replica_checks  # noqa: F401 - registers
