from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "dateline.feed"
    label = "feed"
    verbose_name = "News feed"
