"""The counting endpoints: what a browser sends, and what a stranger might."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.popularity.counters import get_counter
from dateline.popularity.windows import Window
from tests.factories import ArticleFactory, published_article

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
FORM = "application/x-www-form-urlencoded"

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> Article:
    return published_article(headline="Harbour reopens")


def beacon(client: Client, body: str | bytes, **headers: str):
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    content_type = headers.pop("content_type", FORM)
    return client.post("/views/", body, content_type=content_type, **headers)


def counted() -> dict[int, float]:
    counter = get_counter()
    counter.flush()
    now = timezone.now()
    counter.age(now)
    return dict(counter.top(Window.WEEK, now=now, limit=10))


def test_a_beacon_counts_the_view_and_sets_nothing(
    client: Client, story: Article
) -> None:
    response = beacon(client, f"item={story.pk}")
    assert response.status_code == 204
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert counted() == {story.pk: 1.0}


def test_a_plain_text_beacon_counts_too(client: Client, story: Article) -> None:
    response = beacon(
        client, f"item={story.pk}", content_type="text/plain;charset=UTF-8"
    )
    assert response.status_code == 204
    assert counted() == {story.pk: 1.0}


def test_the_same_reader_again_within_the_hour_is_not_counted_again(
    client: Client, story: Article
) -> None:
    for _ in range(3):
        assert beacon(client, f"item={story.pk}").status_code == 204
    beacon(client, f"item={story.pk}", REMOTE_ADDR="203.0.113.9")
    assert counted() == {story.pk: 2.0}


def test_the_pixel_counts_without_javascript(client: Client, story: Article) -> None:
    response = client.get(f"/views/{story.pk}.gif", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"]
    assert counted() == {story.pk: 1.0}


def test_a_crawler_gets_the_same_answer_and_no_count(
    client: Client, story: Article
) -> None:
    bot = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
    assert beacon(client, f"item={story.pk}", HTTP_USER_AGENT=bot).status_code == 204
    assert client.get(f"/views/{story.pk}.gif", HTTP_USER_AGENT=bot).status_code == 200
    assert counted() == {}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: ArticleFactory(), id="draft"),
        pytest.param(
            lambda: published_article(ago=-timedelta(hours=1)), id="scheduled"
        ),
    ],
)
def test_items_that_are_not_public_are_a_404_and_no_count(client: Client, make) -> None:
    article = make()
    assert beacon(client, f"item={article.pk}").status_code == 404
    assert (
        client.get(f"/views/{article.pk}.gif", HTTP_USER_AGENT=BROWSER).status_code
        == 404
    )
    assert counted() == {}


def test_a_withdrawn_item_is_a_404_and_no_count(
    client: Client, story: Article, chief
) -> None:
    from dateline.content import services

    assert beacon(client, f"item={story.pk}").status_code == 204
    services.withdraw_article(article=story, actor=chief, reason="Legal")
    assert (
        beacon(client, f"item={story.pk}", REMOTE_ADDR="203.0.113.5").status_code == 404
    )
    assert counted() == {story.pk: 1.0}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("", 400),
        ("item=", 400),
        ("item=abc", 400),
        ("item=-5", 400),
        ("item=1.5", 400),
        ("item=%ZZ", 400),
        ("item=١٢", 400),  # Arabic-Indic digits are digits to Python, not ids
        ("item=1&item=2", 400),
        ("article=1", 400),
        ("item=1&a=1&b=1&c=1&d=1", 400),
        ("item=999999999", 404),
        ("item=" + "9" * 40, 404),
        ("item=" + "1" * 300, 413),
        (b"item=\xff\xfe", 400),
    ],
)
def test_malformed_bodies_are_a_4xx_and_no_count(
    client: Client, story: Article, body: str | bytes, status: int
) -> None:
    assert beacon(client, body).status_code == status
    assert counted() == {}


def test_a_declared_huge_body_is_refused_before_it_is_read(
    client: Client, story: Article
) -> None:
    response = beacon(client, f"item={story.pk}", CONTENT_LENGTH="100000")
    assert response.status_code == 413
    assert counted() == {}


@pytest.mark.parametrize(
    "content_type", ["application/json", "multipart/form-data; boundary=x"]
)
def test_other_content_types_are_a_415(
    client: Client, story: Article, content_type: str
) -> None:
    assert (
        beacon(client, f"item={story.pk}", content_type=content_type).status_code == 415
    )
    assert counted() == {}


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch", "head", "options"])
def test_the_beacon_takes_post_only(
    client: Client, story: Article, method: str
) -> None:
    response = getattr(client, method)("/views/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert counted() == {}


def test_the_pixel_takes_get_only(client: Client, story: Article) -> None:
    response = client.post(f"/views/{story.pk}.gif", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 405
    assert counted() == {}


@pytest.mark.parametrize(
    "path", ["/views/abc.gif", "/views/-1.gif", f"/views/{'9' * 19}.gif"]
)
def test_pixels_for_no_id_are_a_404(client: Client, path: str) -> None:
    assert client.get(path, HTTP_USER_AGENT=BROWSER).status_code == 404


def test_forwarded_addresses_are_trusted_only_as_far_as_configured(
    client: Client, story: Article
) -> None:
    # Two readers behind one proxy: told apart only when the proxy is trusted.
    for forwarded in ["192.0.2.1", "192.0.2.2"]:
        beacon(client, f"item={story.pk}", HTTP_X_FORWARDED_FOR=forwarded)
    assert counted() == {story.pk: 1.0}
    with override_settings(DATELINE_PROXY_HOPS=1):
        for forwarded in ["6.6.6.6, 192.0.2.3", "7.7.7.7, 192.0.2.3", "192.0.2.4"]:
            beacon(client, f"item={story.pk}", HTTP_X_FORWARDED_FOR=forwarded)
    # The client cannot pose as others by writing to the left of the list.
    assert counted() == {story.pk: 3.0}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(st.binary(max_size=400), st.text(max_size=300).map(str.encode)),
    content_type=st.sampled_from([FORM, "text/plain", "application/octet-stream", ""]),
)
def test_no_body_is_a_server_error_or_a_count(
    client: Client, story: Article, body: bytes, content_type: str
) -> None:
    response = client.post(
        "/views/", body, content_type=content_type, HTTP_USER_AGENT=BROWSER
    )
    well_formed = body == f"item={story.pk}".encode() and content_type in {
        FORM,
        "text/plain",
    }
    assert response.status_code < 500
    if not well_formed:
        assert 400 <= response.status_code < 500 or response.status_code == 204
    assert set(counted()) <= {story.pk}
