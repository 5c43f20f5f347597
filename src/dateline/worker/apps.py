from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "dateline.worker"
    label = "worker"
    verbose_name = "Background jobs"
