from django.urls import path, re_path

from dateline.popularity import views

app_name = "popularity"

urlpatterns = [
    path("", views.count_view, name="count-view"),
    # An id as the site's URLs take it (digits that fit 64 bits).
    re_path(
        r"^(?P<pk>[0-9]{1,18})\.gif$", views.count_view_pixel, name="count-view-pixel"
    ),
]
