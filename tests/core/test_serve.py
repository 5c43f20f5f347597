"""`dateline serve`: granian with workers from the CPU count, static files
checked before it starts, clear errors for bad arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.core.management.commands import serve

if TYPE_CHECKING:
    from pathlib import Path

SAFE_KEY = "Meridian-test-key-" * 4


class FakeGranian:
    started: list[dict[str, Any]] = []

    def __init__(self, target: str, **options: Any) -> None:
        self.options = {"target": target, **options}

    def serve(self) -> None:
        self.started.append(self.options)


@pytest.fixture
def granian(monkeypatch: pytest.MonkeyPatch, settings) -> type[FakeGranian]:
    import granian

    settings.DEBUG = False
    settings.DATELINE_SECRET_KEY_FROM_ENV = SAFE_KEY
    settings.ALLOWED_HOSTS = ["news.example.com"]
    FakeGranian.started = []
    monkeypatch.setattr(granian, "Granian", FakeGranian)
    return FakeGranian


def test_serve_starts_granian_on_wsgi_with_a_worker_per_core(
    granian: type[FakeGranian], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from granian.constants import Interfaces

    monkeypatch.setattr("os.cpu_count", lambda: 6)
    call_command("serve", "--port", "8765", "--no-collectstatic")
    (started,) = granian.started
    assert started["target"] == "dateline.wsgi:application"
    assert started["interface"] == Interfaces.WSGI
    assert started["address"] == "127.0.0.1"
    assert started["port"] == 8765
    assert started["workers"] == serve.default_workers() == 6
    assert started["blocking_threads"] == serve.DEFAULT_THREADS
    assert started["websockets"] is False
    assert started["log_access"] is False  # the proxy in front logs
    assert "6 workers" in capsys.readouterr().out


def test_the_access_log_is_there_when_asked_for(granian: type[FakeGranian]) -> None:
    call_command("serve", "--port", "8765", "--no-collectstatic", "--access-log")
    (started,) = granian.started
    assert started["log_access"] is True


def test_a_single_core_machine_still_gets_two_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert serve.default_workers() == 2
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert serve.default_workers() == 2


def test_workers_threads_and_an_ipv6_host_are_passed_on(
    granian: type[FakeGranian], capsys
) -> None:
    call_command(
        "serve", "--host", "::1", "--port", "8000", "--workers", "3",
        "--threads", "4", "--no-collectstatic",
    )  # fmt: skip
    (started,) = granian.started
    assert (started["address"], started["workers"], started["blocking_threads"]) == (
        "::1",
        3,
        4,
    )
    assert "http://[::1]:8000/" in capsys.readouterr().out


@pytest.mark.parametrize("threads", ["0", "-2"])
def test_serve_rejects_no_threads_with_a_clear_error(
    granian: type[FakeGranian], threads: str
) -> None:
    with pytest.raises(CommandError, match="--threads"):
        call_command("serve", "--threads", threads, "--no-collectstatic")
    assert granian.started == []


def test_serve_gathers_the_static_files_before_starting(
    granian: type[FakeGranian], settings, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    call_command("serve", "--port", "8765")
    assert (tmp_path / "site" / "css" / "site.css").exists()
    assert len(granian.started) == 1


def test_serve_refuses_to_start_without_gathered_static_files(
    granian: type[FakeGranian], settings, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "dateline.core.staticfiles.StaticFilesStorage"},
    }
    with pytest.raises(CommandError) as error:
        call_command("serve", "--port", "8765", "--no-collectstatic")
    assert "collectstatic" in str(error.value)
    assert str(tmp_path) in str(error.value)
    assert granian.started == []
