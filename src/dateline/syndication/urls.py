from django.urls import re_path

from dateline.syndication import views

app_name = "syndication"

FORMAT = r"(?P<format>rss|atom|json)"

urlpatterns = [
    re_path(rf"^news\.{FORMAT}$", views.news_feed, name="news-feed"),
    re_path(
        rf"^(?P<kind>sections|topics|persons)/(?P<slug>[-a-zA-Z0-9_]+)\.{FORMAT}$",
        views.subject_feed,
        name="feed",
    ),
]
