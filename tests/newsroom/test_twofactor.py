"""Two-factor authentication: Editors, Chiefs and superusers pass a second
factor before any newsroom page when DATELINE_REQUIRE_TWO_FACTOR is on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from dateline.content.models import Article
from dateline.core.config import answers_to_loopback_only
from tests.factories import ArticleFactory, TopicFactory, published_article

if TYPE_CHECKING:
    from pathlib import Path

    from django.http import HttpResponse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("two_factor_required"),
]

NOW = datetime(2026, 12, 7, 9, 0, 0, tzinfo=UTC)
VERIFY = "/newsroom/two-factor/verify/"
ENROL = "/newsroom/two-factor/enrol/"
SETUP = "/newsroom/two-factor/authenticator/"
DEVICES = "/newsroom/two-factor/"
PASSKEYS = "/newsroom/two-factor/passkeys/"


@pytest.fixture
def two_factor_required() -> object:
    with override_settings(DATELINE_REQUIRE_TWO_FACTOR=True):
        yield


@pytest.fixture
def clock() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def newsroom_paths() -> list[str]:
    """The newsroom's pages and JSON endpoints, and the staff preview."""
    article = ArticleFactory()
    topic = TopicFactory()
    return [
        "/newsroom/",
        "/newsroom/content/article/",
        "/newsroom/content/article/add/",
        f"/newsroom/content/article/{article.pk}/change/",
        f"/newsroom/content/article/{article.pk}/history/",
        f"/newsroom/content/topic/{topic.pk}/change/",
        "/newsroom/auth/user/",
        "/newsroom/autocomplete/?term=a&app_label=content&model_name=article"
        "&field_name=topics",
        "/newsroom/jsi18n/",
        f"/preview/{article.pk}/",
    ]


def authenticator_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    """The device's code at the frozen time, as the person's app shows it."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


def password_login(user: User) -> Client:
    """Signed in with the password through the newsroom's login form (the
    login throttle's backend needs the request, as a real login has)."""
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": user.get_username(), "password": "pw"}
    )
    assert response.status_code == 302, response.status_code
    return client


def assert_sent_to(response: HttpResponse, path: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(path), response["Location"]


def test_an_editor_without_a_device_is_sent_to_enrolment_from_every_newsroom_page(
    editor: User,
) -> None:
    client = password_login(editor)
    for path in newsroom_paths():
        response = client.get(path)
        if path.endswith(("/jsi18n/",)) or "autocomplete" in path:
            assert response.status_code == 403, path
        else:
            assert_sent_to(response, ENROL)
    # Nor can a form be posted, nor the enrolment be skipped.
    response = client.post(
        "/newsroom/content/article/add/", {"headline": "Skipped the second step"}
    )
    assert response.status_code == 403
    assert not Article.objects.filter(headline="Skipped the second step").exists()
    assert_sent_to(client.get(VERIFY), "/newsroom/")
    assert_sent_to(client.get("/newsroom/"), ENROL)
    assert_sent_to(client.get(DEVICES), ENROL)
    assert client.get(ENROL).status_code == 200


def test_an_editor_with_an_authenticator_must_pass_it_before_any_newsroom_page(
    editor: User,
) -> None:
    authenticator_for(editor)
    client = password_login(editor)
    for path in newsroom_paths():
        response = client.get(path)
        if "jsi18n" in path or "autocomplete" in path:
            assert response.status_code == 403, path
            assert b"results" not in response.content
        else:
            assert_sent_to(response, f"{VERIFY}?next=")
    # Enrolling another device is no way around it.
    assert_sent_to(client.get(ENROL), VERIFY)
    assert client.post(SETUP, {"start": "1"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=editor, confirmed=False).exists()


def test_a_wrong_code_is_refused_and_the_right_one_opens_the_newsroom(
    editor: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(editor)
    client = password_login(editor)
    target = "/newsroom/content/article/"

    refused = client.post(VERIFY, {"code": wrong_code(device), "next": target})
    assert refused.status_code == 400
    assert b"not right" in refused.content
    assert_sent_to(client.get(target), VERIFY)
    # Straight after a wrong code, even the right one waits (throttling).
    throttled = client.post(VERIFY, {"code": code_of(device), "next": target})
    assert throttled.status_code == 429

    clock.shift(timedelta(seconds=3))
    accepted = client.post(VERIFY, {"code": code_of(device), "next": target})
    assert_sent_to(accepted, target)
    assert client.get(target).status_code == 200
    assert client.get(f"/preview/{published_article().pk}/").status_code == 200


def test_a_code_once_used_is_refused_the_second_time(
    editor: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(editor)
    code = code_of(device)
    first = password_login(editor)
    assert_sent_to(first.post(VERIFY, {"code": code}), "/newsroom/")
    assert first.get("/newsroom/").status_code == 200

    # Someone who saw the code and knows the password, in the same 30 seconds.
    second = password_login(editor)
    assert second.post(VERIFY, {"code": code}).status_code == 400
    assert_sent_to(second.get("/newsroom/"), VERIFY)


def test_a_next_address_off_the_site_is_not_followed(
    editor: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(editor)
    client = password_login(editor)
    response = client.post(
        VERIFY, {"code": code_of(device), "next": "https://evil.example/newsroom/"}
    )
    assert response["Location"] == "/newsroom/"


def test_a_backup_code_works_once(
    editor: User, clock: time_machine.Coordinates
) -> None:
    authenticator_for(editor)
    backup = StaticDevice.objects.create(user=editor, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6789")

    client = password_login(editor)
    # Typed with a space and in capitals, as read off paper.
    assert_sent_to(client.post(VERIFY, {"code": "ABCD 2345"}), "/newsroom/")
    assert client.get("/newsroom/").status_code == 200

    clock.shift(timedelta(minutes=1))
    again = password_login(editor)
    assert again.post(VERIFY, {"code": "abcd2345"}).status_code == 400
    assert_sent_to(again.get("/newsroom/"), VERIFY)
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6789"]


def test_enrolling_an_authenticator_app_then_backup_codes_opens_the_newsroom(
    editor: User, clock: time_machine.Coordinates
) -> None:
    client = password_login(editor)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert b'id="passkey-registration-placeholder"' in page.content

    assert_sent_to(client.post(SETUP, {"start": "1"}), SETUP)
    setup = client.get(SETUP)
    assert setup.status_code == 200
    assert b"<svg" in setup.content
    pending = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert "otpauth://totp/" in setup.content.decode()
    # Still nothing else until the app's code is given.
    assert_sent_to(client.get("/newsroom/"), ENROL)
    assert client.post(SETUP, {"code": wrong_code(pending)}).status_code == 400

    clock.shift(timedelta(seconds=3))
    done = client.post(SETUP, {"code": code_of(pending)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert client.get("/newsroom/").status_code == 200
    # The codes are shown once and kept nowhere a page could show them again.
    devices = client.get(DEVICES)
    assert devices.status_code == 200
    assert codes[0].encode() not in devices.content
    assert b"10 unused backup codes" in devices.content


def test_the_two_factor_pages_run_no_inline_script_under_a_strict_policy(
    editor: User,
) -> None:
    client = password_login(editor)
    page = client.get(ENROL)
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(rb"<script([^>]*)>", page.content)
    assert scripts, "the passkey scripts are missing"
    # Each runs from a file of ours; the one block in the page is JSON data.
    assert all(
        b"src=" in attributes or b'type="application/json"' in attributes
        for attributes in scripts
    )
    assert b"newsroom/js/passkeys.js" in page.content
    assert b'id="otp_webauthn_config" type="application/json"' in page.content
    assert b"style=" not in page.content


def test_reporters_may_go_without_a_second_factor(reporter: User) -> None:
    client = password_login(reporter)
    assert client.get("/newsroom/content/article/").status_code == 200
    assert client.get(ENROL).status_code == 200


def test_a_reporter_who_enrolled_is_asked_for_it(
    reporter: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(reporter)
    client = password_login(reporter)
    assert_sent_to(client.get("/newsroom/content/article/"), VERIFY)
    client.post(VERIFY, {"code": code_of(device)})
    assert client.get("/newsroom/content/article/").status_code == 200


def test_chiefs_and_superusers_must_use_it_too(chief: User) -> None:
    boss = User.objects.create_superuser("boss", password="pw")
    for user in (chief, boss):
        assert_sent_to(password_login(user).get("/newsroom/"), ENROL)


def test_with_the_setting_off_an_editor_without_a_device_has_no_second_step(
    editor: User,
) -> None:
    with override_settings(DATELINE_REQUIRE_TWO_FACTOR=False):
        client = password_login(editor)
        assert client.get("/newsroom/content/article/").status_code == 200
        assert client.get(ENROL).status_code == 200  # enrolling stays open


def test_readers_the_api_and_view_beacons_are_untouched(client: Client) -> None:
    article = published_article()
    assert client.get("/").status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/api/v1/sections").status_code == 200
    beacon = client.post(
        "/views/",
        f"item={article.pk}",
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
    )
    assert beacon.status_code == 204


def test_a_chief_resets_an_editors_devices_and_the_editor_enrols_again(
    chief: User, editor: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(editor)
    StaticDevice.objects.create(user=editor, name="Backup codes")
    editor_client = password_login(editor)
    editor_client.post(VERIFY, {"code": code_of(device)})
    assert editor_client.get("/newsroom/").status_code == 200

    chief_device = authenticator_for(chief)
    chief_client = password_login(chief)
    clock.shift(timedelta(seconds=30))
    chief_client.post(VERIFY, {"code": code_of(chief_device)})
    response = chief_client.post(
        "/newsroom/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [editor.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    # The editor's verified session is verified no more.
    assert_sent_to(editor_client.get("/newsroom/"), ENROL)


def test_a_chief_cannot_reset_a_superusers_devices(
    chief: User, clock: time_machine.Coordinates
) -> None:
    boss = User.objects.create_superuser("boss", password="pw")
    authenticator_for(boss)
    chief_device = authenticator_for(chief)
    client = password_login(chief)
    client.post(VERIFY, {"code": code_of(chief_device)})
    client.post(
        "/newsroom/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [boss.pk]},
    )
    assert TOTPDevice.objects.filter(user=boss).exists()


def test_an_editor_cannot_reset_anyones_devices(
    editor: User, reporter: User, clock: time_machine.Coordinates
) -> None:
    authenticator_for(reporter)
    device = authenticator_for(editor)
    client = password_login(editor)
    client.post(VERIFY, {"code": code_of(device)})
    response = client.post(
        "/newsroom/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [reporter.pk]},
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=reporter).exists()


def test_an_editor_keeps_a_last_device_and_a_reporter_may_remove_theirs(
    editor: User, reporter: User, clock: time_machine.Coordinates
) -> None:
    for user in (editor, reporter):
        device = authenticator_for(user)
        StaticDevice.objects.create(user=user, name="Backup codes")
        client = password_login(user)
        client.post(VERIFY, {"code": code_of(device)})
        response = client.post(
            DEVICES, {"action": "remove", "kind": "authenticator", "device": device.pk}
        )
        assert_sent_to(response, DEVICES)
    assert TOTPDevice.objects.filter(user=editor).exists()
    assert not TOTPDevice.objects.filter(user=reporter).exists()
    # Backup codes went with the reporter's last device.
    assert not StaticDevice.objects.filter(user=reporter).exists()


def test_nobody_removes_someone_elses_device_or_posts_nonsense(
    editor: User, reporter: User, clock: time_machine.Coordinates
) -> None:
    others = authenticator_for(reporter)
    device = authenticator_for(editor)
    client = password_login(editor)
    client.post(VERIFY, {"code": code_of(device)})
    for data in (
        {"action": "remove", "kind": "authenticator", "device": others.pk},
        {"action": "remove", "kind": "sms", "device": device.pk},
        {"action": "remove", "kind": "authenticator", "device": "1 OR 1=1"},
        {"action": "remove", "kind": "authenticator", "device": "²"},
        {"action": "remove", "kind": "authenticator", "device": "9" * 40},
    ):
        assert client.post(DEVICES, data).status_code == 404
    assert client.post(DEVICES, {"action": "explode"}).status_code == 400
    assert TOTPDevice.objects.filter(user=reporter).exists()


def test_new_backup_codes_replace_the_old_ones(
    editor: User, clock: time_machine.Coordinates
) -> None:
    device = authenticator_for(editor)
    backup = StaticDevice.objects.create(user=editor, name="Backup codes")
    backup.token_set.create(token="oldcode1")
    client = password_login(editor)
    client.post(VERIFY, {"code": code_of(device)})
    page = client.post(DEVICES, {"action": "backup-codes"})
    assert page.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page.content.decode())
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert "oldcode1" not in codes


def test_passkey_registration_is_open_to_enrolment_and_closed_before_verifying(
    editor: User, reporter: User
) -> None:
    begin = f"{PASSKEYS}registration/begin/"
    assert Client().post(begin).status_code in {401, 403}

    enrolling = password_login(editor)
    with override_settings(ALLOWED_HOSTS=["newsroom.example"]):
        options = enrolling.post(begin, HTTP_HOST="newsroom.example")
    assert options.status_code == 200
    body = options.json()
    assert body["rp"]["id"] == "newsroom.example"
    assert body["user"]["name"] == "editor"

    authenticator_for(reporter)
    unverified = password_login(reporter)
    assert unverified.post(begin).status_code == 403
    assert "otp_webauthn_register_state" not in unverified.session


def test_a_bad_passkey_assertion_is_refused_and_verifies_nothing(
    editor: User,
) -> None:
    WebAuthnCredential.objects.create(
        user=editor,
        name="Laptop",
        confirmed=True,
        credential_id=b"\x01" * 16,
        public_key=b"\x02" * 77,
        sign_count=0,
    )
    client = password_login(editor)
    begin = client.post(f"{PASSKEYS}authentication/begin/")
    assert begin.status_code == 200
    assert begin.json()["allowCredentials"]
    forged = {
        "id": "AQEBAQEBAQEBAQEBAQEBAQ",
        "rawId": "AQEBAQEBAQEBAQEBAQEBAQ",
        "type": "public-key",
        "response": {
            "clientDataJSON": "e30",
            "authenticatorData": "AAAA",
            "signature": "AAAA",
        },
    }
    complete = client.post(
        f"{PASSKEYS}authentication/complete/",
        json.dumps(forged),
        content_type="application/json",
    )
    assert 400 <= complete.status_code < 500
    assert_sent_to(client.get("/newsroom/"), VERIFY)
    # And without a begun ceremony, nothing to complete.
    again = client.post(
        f"{PASSKEYS}authentication/complete/",
        json.dumps(forged),
        content_type="application/json",
    )
    assert 400 <= again.status_code < 500


def test_the_setting_defaults_on_beyond_loopback_and_off_for_the_demo(
    tmp_path: Path,
) -> None:
    assert answers_to_loopback_only(["localhost", "127.0.0.1", "[::1]"])
    assert not answers_to_loopback_only(["news.example.org", "localhost"])
    assert not answers_to_loopback_only([])
    assert not answers_to_loopback_only(["*"])
    read = "import dateline.settings as s; print(s.DATELINE_REQUIRE_TWO_FACTOR)"
    for hosts, expected in [("news.example.org", "True"), ("localhost", "False")]:
        result = subprocess.run(
            [sys.executable, "-c", read],
            capture_output=True,
            text=True,
            check=True,
            env={
                "DATELINE_ALLOWED_HOSTS": hosts,
                "DATELINE_DATA_DIR": str(tmp_path),
                "PATH": "/usr/bin:/bin",
            },
        )
        assert result.stdout.strip() == expected


def test_the_command_line_resets_a_locked_out_superuser() -> None:
    boss = User.objects.create_superuser("boss", password="pw")
    authenticator_for(boss)
    StaticDevice.objects.create(user=boss, name="Backup codes")
    out = StringIO()
    call_command("twofactor", "reset", "boss", stdout=out)
    assert "Removed 2 two-factor devices of boss" in out.getvalue()
    assert_sent_to(password_login(boss).get("/newsroom/"), ENROL)
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("twofactor", "reset", "nobody")


def test_the_newsroom_links_to_ones_two_factor_devices(reporter: User) -> None:
    page = password_login(reporter).get("/newsroom/")
    assert b'href="/newsroom/two-factor/"' in page.content


def test_removing_the_device_this_session_passed_keeps_the_session_verified(
    editor: User, clock: time_machine.Coordinates
) -> None:
    phone = authenticator_for(editor)
    authenticator_for(editor)  # a second one, on a tablet
    client = password_login(editor)
    client.post(VERIFY, {"code": code_of(phone)})
    response = client.post(
        DEVICES, {"action": "remove", "kind": "authenticator", "device": phone.pk}
    )
    assert_sent_to(response, DEVICES)
    assert not TOTPDevice.objects.filter(pk=phone.pk).exists()
    assert client.get("/newsroom/").status_code == 200


def test_the_chief_sees_who_has_set_up_two_factor(
    chief: User, editor: User, reporter: User, clock: time_machine.Coordinates
) -> None:
    authenticator_for(editor)
    device = authenticator_for(chief)
    client = password_login(chief)
    client.post(VERIFY, {"code": code_of(device)})
    page = client.get("/newsroom/auth/user/").content.decode()

    def two_factor_of(username: str) -> str:
        row = next(row for row in page.split("<tr") if f">{username}</a>" in row)
        return row.split('class="field-two_factor"')[1].split("</td>")[0]

    assert 'alt="True"' in two_factor_of("editor")
    assert 'alt="False"' in two_factor_of("reporter")
