from django.urls import path, register_converter

from dateline.core.converters import IdConverter, OrdinalConverter
from dateline.site import (
    icons,
    search_page,
    tag_pages,
    views,
    visual_pages,
    widget_pages,
)

register_converter(IdConverter, "id")
register_converter(OrdinalConverter, "ordinal")

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", icons.favicon, name="favicon"),
    path("manifest.webmanifest", icons.web_manifest, name="web-manifest"),
    path("news/", views.news_feed, name="news-feed"),
    path("search/", search_page.search, name="search"),
    path("rates/", widget_pages.currency_converter, name="currency-converter"),
    path("cities/", widget_pages.city_list, name="city-list"),
    path("preview/<id:pk>/", views.article_preview, name="article-preview"),
    path("galleries/", visual_pages.gallery_list, name="gallery-list"),
    path("galleries/<slug:slug>/", visual_pages.gallery_detail, name="gallery-detail"),
    path(
        "galleries/<slug:slug>/<ordinal:number>/",
        visual_pages.gallery_photo,
        name="gallery-photo",
    ),
    path("infographics/", visual_pages.infographic_list, name="infographic-list"),
    path(
        "infographics/<slug:slug>/",
        visual_pages.infographic_detail,
        name="infographic-detail",
    ),
    path("topics/", tag_pages.topic_index, name="topic-list"),
    path("topics/<slug:slug>/", tag_pages.topic_detail, name="topic-detail"),
    path("persons/", tag_pages.person_index, name="person-list"),
    path("persons/<slug:slug>/", tag_pages.person_detail, name="person-detail"),
    path("<slug:section>/<id:pk>/", views.article_detail, name="article-detail"),
    # A section, or else one of the agency's pages (site/agency_pages.py).
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
