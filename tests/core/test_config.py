"""Safe defaults, and `dateline serve` refusing an insecure configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.core.config import (
    insecure_settings,
    is_weak_secret_key,
    load_or_create_secret_key,
)

if TYPE_CHECKING:
    from pathlib import Path

STRONG = "k3y-" + "aB9#xQ2!" * 8


def test_a_generated_secret_key_is_strong_private_and_kept(tmp_path: Path) -> None:
    key = load_or_create_secret_key(tmp_path)
    assert not is_weak_secret_key(key)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret_key(tmp_path) == key


def test_defaults_on_loopback_are_accepted() -> None:
    assert (
        insecure_settings(
            debug=False,
            secret_key_from_env=None,
            allowed_hosts=["localhost", "127.0.0.1"],
            bind_host="127.0.0.1",
        )
        == []
    )


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 60, "a" * 60])
def test_a_weak_secret_key_is_refused_and_named(key: str) -> None:
    problems = insecure_settings(
        debug=False,
        secret_key_from_env=key,
        allowed_hosts=["news.test"],
        bind_host="127.0.0.1",
    )
    assert [p.variable for p in problems] == ["DATELINE_SECRET_KEY"]


@pytest.mark.parametrize("hosts", [[], ["*"]])
def test_empty_or_wildcard_allowed_hosts_are_refused_and_named(
    hosts: list[str],
) -> None:
    problems = insecure_settings(
        debug=False,
        secret_key_from_env=STRONG,
        allowed_hosts=hosts,
        bind_host="127.0.0.1",
    )
    assert [p.variable for p in problems] == ["DATELINE_ALLOWED_HOSTS"]


def test_serving_to_the_network_needs_a_real_key_and_host_names() -> None:
    problems = insecure_settings(
        debug=False,
        secret_key_from_env=None,
        allowed_hosts=["localhost"],
        bind_host="0.0.0.0",
    )
    assert {p.variable for p in problems} == {
        "DATELINE_SECRET_KEY",
        "DATELINE_ALLOWED_HOSTS",
    }
    assert (
        insecure_settings(
            debug=False,
            secret_key_from_env=STRONG,
            allowed_hosts=["news.test"],
            bind_host="0.0.0.0",
        )
        == []
    )


def test_debug_skips_the_checks() -> None:
    assert (
        insecure_settings(
            debug=True, secret_key_from_env="x", allowed_hosts=[], bind_host="0.0.0.0"
        )
        == []
    )


def test_serve_refuses_to_start_and_names_the_variable(settings) -> None:
    settings.DEBUG = False
    settings.DATELINE_SECRET_KEY_FROM_ENV = "changeme"
    settings.ALLOWED_HOSTS = []
    with pytest.raises(CommandError) as error:
        call_command("serve", "--port", "8765")
    message = str(error.value)
    assert "DATELINE_SECRET_KEY" in message
    assert "DATELINE_ALLOWED_HOSTS" in message


@pytest.mark.parametrize(
    "args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]]
)
def test_serve_rejects_bad_arguments_with_a_clear_error(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("serve", *args)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATELINE_TIME_ZONE", "Mars/Olympus"),
        ("DATELINE_DATABASE_URL", "mysql://root@127.0.0.1/x"),
        ("DATELINE_PROXY_HOPS", "-1"),
        ("DATELINE_CURRENCIES", "USD,EURO"),
        ("DATELINE_CURRENCIES", "USD,1AB"),
        ("DATELINE_PAGE_CACHE_SECONDS", "0"),
        ("DATELINE_PURGE_URLS", "varnish:6081"),
        ("DATELINE_FETCH_ALLOWED_NETWORKS", "10.0.0.0/8,intranet"),
        ("DATELINE_FETCH_ALLOWED_NETWORKS", "10.0.0.0/33"),
        ("DATELINE_TASK_QUEUE", "celery"),
        ("DATELINE_TASK_QUEUE", "redis"),  # without DATELINE_REDIS_URL
        ("DATELINE_WEATHER_PROVIDER", "accuweather"),
        ("DATELINE_WEATHER_URL", "ftp://weather.example.net/forecast"),
        ("DATELINE_WEATHER_URL", "https://weather.example.net/forecast?latitude=1"),
    ],
)
def test_a_bad_variable_stops_the_start_and_is_named(
    tmp_path: Path, variable: str, value: str
) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import dateline.settings"],
        env={variable: value, "DATELINE_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert variable in result.stderr


def storage_in_a_fresh_process(tmp_path: Path, **variables: str) -> dict[str, str]:
    import json
    import subprocess
    import sys

    script = (
        "import json, django; django.setup();"
        "from django.conf import settings;"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'],"
        " 'class': type(s).__name__, 'url': s.url('photos/a b.jpg'),"
        " 'bucket': getattr(s, 'bucket_name', ''),"
        " 'endpoint': getattr(s, 'endpoint_url', '') or ''}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            "DJANGO_SETTINGS_MODULE": "dateline.settings",
            "DATELINE_DATA_DIR": str(tmp_path),
            "PATH": "",
            **variables,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    output: dict[str, str] = json.loads(result.stdout)
    return output


def test_media_are_local_files_unless_a_bucket_is_named(tmp_path: Path) -> None:
    local = storage_in_a_fresh_process(tmp_path)
    assert local["class"] == "FileSystemStorage"
    assert local["url"] == "/media/photos/a%20b.jpg"


def test_naming_a_bucket_stores_media_in_s3_compatible_storage(tmp_path: Path) -> None:
    remote = storage_in_a_fresh_process(
        tmp_path,
        DATELINE_S3_BUCKET="agency-media",
        DATELINE_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        DATELINE_S3_REGION="eu-central-1",
        DATELINE_S3_ACCESS_KEY_ID="test-key",
        DATELINE_S3_SECRET_ACCESS_KEY="test-secret",
        DATELINE_S3_PUBLIC_DOMAIN="media.example.org",
    )
    assert remote["backend"] == "storages.backends.s3.S3Storage"
    assert remote["class"] == "S3Storage"
    assert remote["bucket"] == "agency-media"
    assert remote["endpoint"] == "http://127.0.0.1:9000"
    # Public, unsigned addresses on the CDN's host: no request is made for them.
    assert remote["url"] == "https://media.example.org/photos/a%20b.jpg"
