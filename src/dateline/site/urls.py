from django.urls import path, register_converter

from dateline.core.converters import IdConverter
from dateline.site import views

register_converter(IdConverter, "id")

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.news_feed, name="news-feed"),
    path("search/", views.search, name="search"),
    path("rates/", views.currency_converter, name="currency-converter"),
    path("cities/", views.city_list, name="city-list"),
    path("preview/<id:pk>/", views.article_preview, name="article-preview"),
    path("galleries/", views.gallery_list, name="gallery-list"),
    path("galleries/<slug:slug>/", views.gallery_detail, name="gallery-detail"),
    path("infographics/", views.infographic_list, name="infographic-list"),
    path(
        "infographics/<slug:slug>/",
        views.infographic_detail,
        name="infographic-detail",
    ),
    path("topics/", views.topic_index, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("persons/<slug:slug>/", views.person_detail, name="person-detail"),
    path("<slug:section>/<id:pk>/", views.article_detail, name="article-detail"),
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
