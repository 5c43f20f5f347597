"""Login throttling (django-axes): by account and address, the same for
names that exist and names that do not, undone by time or by a success."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpResponse
    from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/newsroom/login/"
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.20"


def attempt(
    client: Client, username: str, password: str, address: str = HERE, **extra: str
) -> HttpResponse:
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/newsroom/"},
        REMOTE_ADDR=address,
        **extra,
    )


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def thirty_wrong(client: Client, username: str, **extra: str) -> list[int]:
    return [attempt(client, username, "wrong", **extra).status_code for _ in range(30)]


def test_thirty_wrong_passwords_lock_the_account_out_from_that_address(
    client: Client, reporter: User
) -> None:
    statuses = thirty_wrong(client, "reporter")
    # The limit's wrong passwords get the form again; from then on, the lockout.
    assert statuses[:9] == [200] * 9
    assert statuses[9:] == [429] * 21
    locked = attempt(client, "reporter", "pw")
    assert locked.status_code == 429
    assert not logged_in(client)
    page = locked.content.decode()
    assert "Too many attempts" in page
    assert "ask the Chief" in page
    assert "reporter" not in page
    assert locked["Retry-After"] == str(15 * 60)


def test_a_name_that_does_not_exist_gets_the_same_answers(
    client: Client, reporter: User
) -> None:
    real = thirty_wrong(client, "reporter")
    real_page = attempt(client, "reporter", "pw").content
    unknown = thirty_wrong(client, "nobody-by-this-name")
    unknown_page = attempt(client, "nobody-by-this-name", "pw").content
    assert unknown == real
    assert unknown_page == real_page


def test_the_owner_and_others_still_log_in_from_another_address(
    client: Client, reporter: User, editor: User
) -> None:
    thirty_wrong(client, "reporter")
    assert attempt(client, "editor", "pw", address=ELSEWHERE).status_code == 302
    client.logout()
    # A stranger guessing from one address cannot lock the owner out elsewhere.
    assert attempt(client, "reporter", "pw", address=ELSEWHERE).status_code == 302
    assert logged_in(client)


def test_the_lockout_ends_when_the_cool_off_has_passed(
    client: Client, reporter: User
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        thirty_wrong(client, "reporter")
        clock.shift(timedelta(minutes=14))
        assert attempt(client, "reporter", "pw").status_code == 429
        # A try during the lockout starts the cool-off again.
        clock.shift(timedelta(minutes=16))
        assert attempt(client, "reporter", "pw").status_code == 302
        assert logged_in(client)


def test_a_successful_login_clears_the_count(client: Client, reporter: User) -> None:
    for _ in range(9):
        assert attempt(client, "reporter", "wrong").status_code == 200
    assert attempt(client, "reporter", "pw").status_code == 302
    client.logout()
    for _ in range(9):
        assert attempt(client, "reporter", "wrong").status_code == 200
    assert attempt(client, "reporter", "pw").status_code == 302


@override_settings(DATELINE_PROXY_HOPS=1)
def test_the_address_is_the_one_the_trusted_proxy_saw(
    client: Client, reporter: User
) -> None:
    proxy = "10.0.0.2"
    thirty_wrong(client, "reporter", address=proxy, HTTP_X_FORWARDED_FOR=HERE)
    # Same proxy, another client behind it: not locked out.
    response = attempt(
        client, "reporter", "pw", address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert response.status_code == 302
    client.logout()
    # A forged left-hand entry does not make the locked client someone else.
    response = attempt(
        client,
        "reporter",
        "pw",
        address=proxy,
        HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {HERE}",
    )
    assert response.status_code == 429


def test_the_chief_lifts_a_lockout_and_reporters_cannot(
    client: Client, reporter: User, other_reporter: User, chief: User
) -> None:
    thirty_wrong(client, "reporter")
    attempts = "/newsroom/axes/accessattempt/"
    client.force_login(other_reporter)
    assert client.get(attempts).status_code == 403
    client.force_login(chief)
    assert client.get(attempts).status_code == 200
    (row,) = AccessAttempt.objects.all()
    response = client.post(f"{attempts}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.logout()
    assert attempt(client, "reporter", "pw").status_code == 302
