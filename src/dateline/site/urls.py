from django.urls import path, register_converter

from dateline.core.converters import IdConverter
from dateline.site import search_page, views, visual_pages, widget_pages

register_converter(IdConverter, "id")

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.news_feed, name="news-feed"),
    path("search/", search_page.search, name="search"),
    path("rates/", widget_pages.currency_converter, name="currency-converter"),
    path("cities/", widget_pages.city_list, name="city-list"),
    path("preview/<id:pk>/", views.article_preview, name="article-preview"),
    path("galleries/", visual_pages.gallery_list, name="gallery-list"),
    path("galleries/<slug:slug>/", visual_pages.gallery_detail, name="gallery-detail"),
    path("infographics/", visual_pages.infographic_list, name="infographic-list"),
    path(
        "infographics/<slug:slug>/",
        visual_pages.infographic_detail,
        name="infographic-detail",
    ),
    path("topics/", views.topic_index, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("persons/<slug:slug>/", views.person_detail, name="person-detail"),
    path("<slug:section>/<id:pk>/", views.article_detail, name="article-detail"),
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
