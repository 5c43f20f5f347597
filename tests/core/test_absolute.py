"""Absolute URLs built once per request say what Django's
``build_absolute_uri`` says, for plain paths and for everything else."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.core.exceptions import DisallowedHost
from django.test import RequestFactory, override_settings
from django.utils.translation import gettext_lazy

from dateline.core.absolute import absolute_urls

LOCATIONS = [
    "/",
    "/politics/12/",
    "/politics/12/?page=2",
    "/topics/a-b_c~d/#persons",
    "/media/photos/2026/x%20y.jpg",
    "/static/site/css/site.2cef100f9a74.css",
    "/search/?q=a+b&sort=new",
    "/x:y@z!$&'()*+,;=/",
    "/[v1]/",
    "/ä/ö/",
    "/a b/",
    '/quote"d/',
    "/back\\slash/",
    "/pipe|/",
    "//elsewhere.example/x",
    "/./x",
    "/a/../b",
    "/a/..",
    "/a/.",
    "/a?next=/./b",
    "/line\n",
    "/tab\there/",
    "/<script>/",
    "/{braces}^`/",
    "https://other.example/x",
    "relative/path",
    "?page=3",
    "",
]


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize(
    "host", ["news.example", "News.Example", "news.example:8443", "[::1]:8000"]
)
@override_settings(ALLOWED_HOSTS=["news.example", "[::1]"])
def test_the_same_urls_as_django(secure: bool, host: str) -> None:
    request = RequestFactory().get("/world/7/", secure=secure, HTTP_HOST=host)
    absolute = absolute_urls(request)
    for location in [*LOCATIONS, gettext_lazy("/lazy/")]:
        assert absolute(location) == request.build_absolute_uri(location), location


@override_settings(
    ALLOWED_HOSTS=["news.example"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_the_scheme_a_proxy_reports() -> None:
    request = RequestFactory().get(
        "/", HTTP_HOST="news.example", HTTP_X_FORWARDED_PROTO="https"
    )
    assert absolute_urls(request)("/politics/12/") == (
        "https://news.example/politics/12/"
    )


def test_a_plain_path_is_joined_without_asking_django_again() -> None:
    request = RequestFactory().get("/")
    django_build = request.build_absolute_uri
    with patch.object(request, "build_absolute_uri", wraps=django_build) as asked:
        absolute = absolute_urls(request)
        assert asked.call_count == 1  # once, for the site's address
        assert absolute("/politics/12/") == "http://testserver/politics/12/"
        assert absolute("/topics/?page=2") == "http://testserver/topics/?page=2"
        assert asked.call_count == 1
        assert absolute("/a/../b") == "http://testserver/b"
        assert asked.call_count == 2  # not plain: Django's answer


def test_one_builder_per_request() -> None:
    factory = RequestFactory()
    request = factory.get("/")
    assert absolute_urls(request) is absolute_urls(request)
    assert absolute_urls(request) is not absolute_urls(factory.get("/"))


@override_settings(ALLOWED_HOSTS=["news.example"])
def test_a_host_not_allowed_is_refused_as_django_refuses_it() -> None:
    request = RequestFactory().get("/", HTTP_HOST="attacker.example")
    with pytest.raises(DisallowedHost):
        absolute_urls(request)
