"""A reader's request skips the newsroom's middleware; everyone else's runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import set_script_prefix

from dateline.core import readers
from tests.factories import published_article
from tests.places.factories import three_cities

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.http import HttpRequest


@pytest.fixture
def _fresh_prefix() -> Iterator[None]:
    readers.newsroom_prefix.cache_clear()
    yield
    set_script_prefix("/")
    readers.newsroom_prefix.cache_clear()


@pytest.mark.parametrize(
    ("method", "path", "cookies", "reader"),
    [
        ("GET", "/news/", {}, True),
        ("HEAD", "/world/", {}, True),
        ("GET", "/api/v1/items", {}, True),
        ("GET", "/search/?q=harbour", {}, True),
        ("GET", "/preview/12/", {}, True),  # the preview sends them to sign in
        ("POST", "/views/", {}, False),
        ("POST", "/cities/", {}, False),
        ("OPTIONS", "/news/", {}, False),
        ("GET", "/newsroom/", {}, False),
        ("GET", "/newsroom/login/", {}, False),
        ("GET", "/newsroom/two-factor/verify/", {}, False),
        ("GET", "/news/", {"sessionid": "abc"}, False),  # someone signed in
    ],
)
@pytest.mark.usefixtures("_fresh_prefix")
def test_a_readers_request_is_a_get_or_head_outside_the_newsroom_without_a_session(
    method: str, path: str, cookies: dict[str, str], reader: bool
) -> None:
    request = RequestFactory().generic(method, path)
    request.COOKIES.update(cookies)
    assert readers.is_reader_request(request) is reader


@pytest.mark.usefixtures("_fresh_prefix")
def test_the_newsroom_is_known_by_its_path_under_a_script_prefix() -> None:
    set_script_prefix("/agency/")  # the site served under /agency/
    request = RequestFactory().get("/newsroom/login/")
    request.path_info = "/newsroom/login/"
    assert readers.newsroom_prefix() == "/newsroom/"
    assert readers.is_reader_request(request) is False


@pytest.mark.django_db
def test_a_reader_gets_the_page_without_a_session_or_messages(client: Client) -> None:
    article = published_article(headline="Harbour reopens")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    request = response.wsgi_request
    assert isinstance(request.user, AnonymousUser)
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


@pytest.mark.django_db
def test_someone_signed_in_gets_the_newsroom_middleware_on_public_pages(
    client: Client, editor: User
) -> None:
    article = published_article(headline="Harbour reopens")
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    request = response.wsgi_request
    assert request.user == editor
    assert request.session.session_key
    assert request.user.is_verified() is False  # django-otp's, from OTPMiddleware
    assert hasattr(request, "_messages")


@pytest.mark.django_db
def test_the_sign_in_page_has_its_session_and_csrf(client: Client) -> None:
    response = client.get("/newsroom/login/")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "session")
    assert "csrftoken" in response.cookies


@pytest.mark.django_db
def test_a_readers_form_still_gets_its_csrf_cookie_and_is_checked(
    client: Client,
) -> None:
    three_cities()
    checked = Client(enforce_csrf_checks=True)
    page = checked.get("/cities/")
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    assert "csrftoken" in page.cookies
    forged = Client(enforce_csrf_checks=True).post("/cities/", {"city": "dubai"})
    assert forged.status_code == 403


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


class _WithViewHook:
    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def process_view(self, *args: object) -> None:  # pragma: no cover - never run
        return None


def test_a_newsroom_middleware_with_a_hook_the_handler_calls_is_refused() -> None:
    path = f"{__name__}._WithViewHook"
    with (
        override_settings(NEWSROOM_MIDDLEWARE=[path]),
        pytest.raises(ImproperlyConfigured, match="process_view"),
    ):
        readers.NewsroomMiddleware(_page)


def test_the_settings_pass_the_newsroom_middleware_check() -> None:
    assert readers.check_newsroom_middleware(None) == []


def test_a_newsroom_without_sessions_or_sign_in_throttling_is_an_error() -> None:
    with override_settings(
        NEWSROOM_MIDDLEWARE=[
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ]
    ):
        (error,) = readers.check_newsroom_middleware(None)
    assert error.id == "dateline.E028"
    assert "SessionMiddleware" in error.msg
    assert "AxesMiddleware" in error.msg
    assert "MessageMiddleware" not in error.msg


def test_without_the_newsroom_middleware_nothing_runs_sessions() -> None:
    from django.conf import settings

    chain = [m for m in settings.MIDDLEWARE if not m.endswith("NewsroomMiddleware")]
    with override_settings(MIDDLEWARE=chain):
        (error,) = readers.check_newsroom_middleware(None)
    assert error.id == "dateline.E028"
