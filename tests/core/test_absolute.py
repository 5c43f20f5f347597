"""Absolute URLs built once per request say what Django's
``build_absolute_uri`` says, for plain paths and for everything else."""

from __future__ import annotations

import pytest
from django.core.exceptions import DisallowedHost
from django.test import RequestFactory, override_settings

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
    "/a?next=/./b",
    "https://other.example/x",
    "relative/path",
    "?page=3",
    "",
]


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("host", ["news.example", "news.example:8443", "[::1]:8000"])
@override_settings(ALLOWED_HOSTS=["news.example", "[::1]"])
def test_the_same_urls_as_django(secure: bool, host: str) -> None:
    request = RequestFactory().get("/world/7/", secure=secure, HTTP_HOST=host)
    absolute = absolute_urls(request)
    for location in LOCATIONS:
        assert absolute(location) == request.build_absolute_uri(location), location


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
