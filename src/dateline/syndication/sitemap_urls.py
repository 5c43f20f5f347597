from django.urls import re_path

from dateline.syndication import views

app_name = "sitemaps"

urlpatterns = [
    re_path(r"^(?P<name>[a-z0-9-]{1,20})\.xml$", views.sitemap, name="section"),
]
