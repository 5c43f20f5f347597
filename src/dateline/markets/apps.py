from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "dateline.markets"
    label = "markets"
    verbose_name = "Exchange rates"
