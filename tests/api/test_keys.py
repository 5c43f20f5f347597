"""Partner keys and rate limits: 401, 403 and 429 as problem documents."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from dateline.api.auth import ANONYMOUS_RATE
from dateline.api.models import ApiKey

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

ANONYMOUS_PER_MINUTE = int(ANONYMOUS_RATE.split("/")[0])


def call(client: Client, key: str | None = None, **headers: str):
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.get("/api/v1/sections", **headers)


def assert_problem(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["title"]


def test_a_key_is_stored_as_a_hash_and_opens_the_api(client: Client) -> None:
    row, key = ApiKey.issue(name="Partner Daily")
    assert key.startswith(row.prefix + "_")
    assert key not in (row.key_hash, row.prefix)
    assert not ApiKey.objects.filter(key_hash=key).exists()
    assert call(client, key).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer dl_0000_not-a-key",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 500,
        "nonsense",
    ],
)
def test_a_key_that_is_not_ours_is_a_401(client: Client, header: str) -> None:
    assert_problem(call(client, HTTP_AUTHORIZATION=header), 401)


def test_a_revoked_key_is_a_403(client: Client) -> None:
    row, key = ApiKey.issue(name="Former partner")
    ApiKey.objects.filter(pk=row.pk).update(is_active=False)
    assert_problem(call(client, key), 403)


def test_each_key_has_its_own_rate(client: Client) -> None:
    _, slow = ApiKey.issue(name="Small partner", requests_per_minute=3)
    _, other = ApiKey.issue(name="Big partner", requests_per_minute=100)
    for _ in range(3):
        assert call(client, slow).status_code == 200
    limited = call(client, slow)
    assert_problem(limited, 429)
    assert int(limited["Retry-After"]) >= 1
    assert call(client, other).status_code == 200
    assert call(client).status_code == 200  # anonymous has its own budget


def test_anonymous_callers_have_a_lower_rate_per_address(client: Client) -> None:
    for _ in range(ANONYMOUS_PER_MINUTE):
        assert call(client).status_code == 200
    assert_problem(call(client), 429)
    assert call(client, REMOTE_ADDR="203.0.113.77").status_code == 200
    _, key = ApiKey.issue(name="Partner")
    assert call(client, key).status_code == 200


def test_the_newsroom_makes_a_key_and_shows_it_once(
    client: Client, django_user_model
) -> None:
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    response = client.post(
        "/newsroom/api/apikey/add/",
        {"name": "Wire partner", "requests_per_minute": "120", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    row = ApiKey.objects.get(name="Wire partner")
    shown = [str(m) for m in response.context["messages"]]
    (message,) = [m for m in shown if "copy it now" in m]
    key = next(word for word in message.split() if word.startswith(row.prefix + "_"))
    client.logout()
    assert call(client, key).status_code == 200
    page = client.get(f"/newsroom/api/apikey/{row.pk}/change/")
    assert key not in page.content.decode()


UNREACHABLE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:9/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


def test_with_the_cache_unreachable_rates_are_kept_per_process_with_the_same_budgets(
    client: Client,
) -> None:
    from django.test import override_settings

    _, slow = ApiKey.issue(name="Small partner", requests_per_minute=3)
    with override_settings(CACHES={"default": UNREACHABLE, "pages": UNREACHABLE}):
        for _ in range(3):
            assert call(client, slow).status_code == 200
        assert_problem(call(client, slow), 429)
        for _ in range(ANONYMOUS_PER_MINUTE):
            assert call(client).status_code == 200
        assert_problem(call(client), 429)
        assert client.get("/api/v1/items").status_code == 429  # same caller
        assert call(client, REMOTE_ADDR="203.0.113.77").status_code == 200
        other = client.get("/api/v1/most-read/today", REMOTE_ADDR="203.0.113.78")
        assert other.status_code == 200
