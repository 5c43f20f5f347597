from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "dateline.content"
    label = "content"
    verbose_name = "Content"
