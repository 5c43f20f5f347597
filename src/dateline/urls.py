"""Root URLconf: the newsroom, media files and the public site."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from dateline.api import errors as api_errors
from dateline.api.v1 import urls as api_v1_urls
from dateline.core.media import serve_media
from dateline.syndication import views as syndication_views

# An outage met outside a view is a 503 too (core/outage.py).
handler500 = "dateline.core.outage.server_error"
# The site's page with search and the latest news; a short answer for files.
handler404 = "dateline.site.not_found.page_not_found"

urlpatterns: list[URLPattern | URLResolver] = [
    # Before the admin, whose catch-all would answer these paths.
    path("newsroom/two-factor/", include("dateline.newsroom.twofactor.urls")),
    path("newsroom/two-factor/passkeys/", include("django_otp_webauthn.urls")),
    path("newsroom/", admin.site.urls),
]

if settings.DATELINE_SERVE_MEDIA:
    # One machine serves its own uploads; at scale nginx or a CDN does.
    # Answered as pictures or downloads, never as pages (core/media.py).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media, name="media")]

urlpatterns += [
    path("views/", include("dateline.popularity.urls")),
    path("api/v1/", api_v1_urls()),
    re_path(r"^api/(?P<path>.*)$", api_errors.not_found),
    path("feeds/", include("dateline.syndication.urls")),
    path("sitemap.xml", syndication_views.sitemap_index, name="sitemap-index"),
    path("sitemaps/", include("dateline.syndication.sitemap_urls")),
    path("robots.txt", syndication_views.robots_txt, name="robots-txt"),
    path("", include("dateline.site.urls")),
]
