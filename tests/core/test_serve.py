"""`dateline serve`: checks and static files first, then the process becomes
the slim launcher (granian without Django) with workers from the CPU count;
clear errors for bad arguments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.core import launch
from dateline.core.management.commands import serve

SAFE_KEY = "Meridian-test-key-" * 4


class FakeGranian:
    started: list[dict[str, Any]] = []

    def __init__(self, target: str, **options: Any) -> None:
        self.options = {"target": target, **options}

    def serve(self, target_loader: Any = None) -> None:
        self.started.append({**self.options, "target_loader": target_loader})


class Exec:
    """What ``dateline serve`` would have become: the command it execs."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, path: str, argv: list[str]) -> None:
        assert path == argv[0]
        self.commands.append(list(argv))

    def options(self) -> dict[str, Any]:
        """The one command's options, as the launcher reads them."""
        (command,) = self.commands
        assert command[:3] == [sys.executable, "-m", "dateline.core.launch"]
        return vars(launch.parse(command[3:]))


@pytest.fixture
def execv(monkeypatch: pytest.MonkeyPatch, settings) -> Exec:
    settings.DEBUG = False
    settings.DATELINE_SECRET_KEY_FROM_ENV = SAFE_KEY
    settings.ALLOWED_HOSTS = ["news.example.com"]
    became = Exec()
    monkeypatch.setattr(serve.os, "execv", became)
    return became


@pytest.fixture
def granian(monkeypatch: pytest.MonkeyPatch) -> type[FakeGranian]:
    import granian

    FakeGranian.started = []
    monkeypatch.setattr(granian, "Granian", FakeGranian)
    return FakeGranian


def test_serve_becomes_the_launcher_with_a_worker_per_core(
    execv: Exec, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    call_command("serve", "--port", "8765", "--no-collectstatic")
    assert execv.options() == {
        "host": "127.0.0.1",
        "port": 8765,
        "workers": 6,
        "threads": serve.DEFAULT_THREADS,
        "access_log": False,  # the proxy in front logs
    }
    assert serve.default_workers() == 6
    assert "6 workers" in capsys.readouterr().out


def test_the_launcher_starts_granian_on_wsgi_with_the_application(
    granian: type[FakeGranian],
) -> None:
    from granian.constants import Interfaces

    launch.main(["--host", "::1", "--port", "8000", "--workers", "3", "--threads", "2"])
    (started,) = granian.started
    assert started["target"] == "dateline.wsgi:application"
    assert started["interface"] == Interfaces.WSGI
    assert (started["address"], started["port"]) == ("::1", 8000)
    assert (started["workers"], started["blocking_threads"]) == (3, 2)
    assert started["websockets"] is False
    assert started["log_access"] is False
    assert started["respawn_failed_workers"] is True
    assert started["target_loader"] is launch.load_application


def an_application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return [b"hello"]


@pytest.fixture
def collector() -> Any:
    """The collector's settings, restored after the test."""
    import gc

    threshold = gc.get_threshold()
    yield gc
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_worker_loads_the_application_then_freezes_what_loading_made(
    collector: Any,
) -> None:
    """Objects made while loading are not scanned by later passes, and a young
    pass waits for more new objects (the served tails, serve-memory.md)."""
    older = collector.get_threshold()[1:]
    collector.unfreeze()
    loaded = launch.load_application(f"{__name__}:an_application")
    assert loaded is an_application
    assert collector.get_freeze_count() > 10_000
    assert collector.get_threshold() == (launch.GC_YOUNG_THRESHOLD, *older)


@pytest.mark.parametrize(
    "target", ["no.such.module:application", f"{__name__}:nothing"]
)
def test_a_target_that_cannot_be_loaded_is_an_error_not_a_silent_worker(
    collector: Any, target: str
) -> None:
    with pytest.raises((ImportError, AttributeError)):
        launch.load_application(target)


def test_the_access_log_is_there_when_asked_for(
    execv: Exec, granian: type[FakeGranian]
) -> None:
    call_command("serve", "--port", "8765", "--no-collectstatic", "--access-log")
    assert execv.options()["access_log"] is True
    launch.main(launch.command(**execv.options())[3:])
    (started,) = granian.started
    assert started["log_access"] is True


@pytest.mark.parametrize(
    "argv",
    [
        [],  # nothing said
        ["--host", "127.0.0.1", "--port", "x", "--workers", "2", "--threads", "1"],
        ["--host", "127.0.0.1", "--port", "8000", "--workers", "2"],
    ],
)
def test_the_launcher_refuses_arguments_it_cannot_read(
    argv: list[str], granian: type[FakeGranian]
) -> None:
    with pytest.raises(SystemExit):
        launch.main(argv)
    assert granian.started == []


def test_the_launcher_imports_no_django() -> None:
    """granian's main process answers no request: it must not hold Django."""
    code = (
        "import sys\n"
        "from dateline.core import launch\n"
        "import granian, granian.server.mp\n"
        "launch.parse(['--host', 'h', '--port', '1', '--workers', '1', '--threads', '1'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"


def test_a_single_core_machine_still_gets_two_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert serve.default_workers() == 2
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert serve.default_workers() == 2


def test_workers_threads_and_an_ipv6_host_are_passed_on(execv: Exec, capsys) -> None:
    call_command(
        "serve", "--host", "::1", "--port", "8000", "--workers", "3",
        "--threads", "4", "--no-collectstatic",
    )  # fmt: skip
    options = execv.options()
    assert (options["host"], options["workers"], options["threads"]) == ("::1", 3, 4)
    assert "http://[::1]:8000/" in capsys.readouterr().out


@pytest.mark.parametrize("threads", ["0", "-2"])
def test_serve_rejects_no_threads_with_a_clear_error(execv: Exec, threads: str) -> None:
    with pytest.raises(CommandError, match="--threads"):
        call_command("serve", "--threads", threads, "--no-collectstatic")
    assert execv.commands == []


def test_serve_gathers_the_static_files_before_starting(
    execv: Exec, settings, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    call_command("serve", "--port", "8765")
    assert (tmp_path / "site" / "css" / "site.css").exists()
    assert len(execv.commands) == 1


def test_serve_refuses_to_start_without_gathered_static_files(
    execv: Exec, settings, tmp_path: Path
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
    assert execv.commands == []


@pytest.mark.skipif(
    "sqlite" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="runs its own SQLite site; covered by the suite's SQLite pass",
)
def test_a_real_serve_keeps_the_application_in_its_workers_only(
    tmp_path: Path,
) -> None:
    """The process `dateline serve` started as is granian's main process: it
    printed its line, then became the launcher, and holds none of the
    application's native modules, which its worker does."""
    from tests.pagecache.test_processes import dateline, free_port, site_env, wait_for

    env = site_env(tmp_path)
    dateline(env, "migrate", "--noinput")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--port", str(port),
         "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(port)
        proc = Path("/proc") / str(server.pid)
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        assert b"dateline.core.launch" in cmdline
        (worker,) = (proc / "task" / str(server.pid) / "children").read_text().split()
        native = ("nh3", "pydantic_core", "_sqlite3")

        def mapped(pid: str) -> set[str]:
            maps = (Path("/proc") / pid / "maps").read_text()
            return {name for name in native if f"/{name}" in maps}

        assert mapped(str(server.pid)) == set()
        assert mapped(worker) == set(native)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"Dateline on http://127.0.0.1:{port}/ with 1 workers" in output.decode()
