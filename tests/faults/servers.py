"""Throw-away servers for the fault tests, started by the tests themselves.

Each listens on a free port of 127.0.0.1 only, keeps nothing on disk, can be
stopped, frozen (SIGSTOP: it accepts connections and never answers) and
started again on the same port mid-test, and is always cleaned up. A tool
that is missing skips the test with the reason on a developer's machine, and
fails it where CI requires every test (tests/environment.py): a skipped fault
test checks nothing, and `make tools` installs redis-server and pgbouncer.
PgBouncer (tests/core/test_pgbouncer.py) runs a copy of deploy/pgbouncer.ini.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from tests import environment

START_SECONDS = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tool(name: str) -> str:
    """The tool's path, or a skip (a failure in CI) saying it is missing."""
    found = environment.program(name)
    if found:
        return found
    pytest.skip(environment.missing(name, how=f"make tools, or apt-get install {name}"))


class RedisServer:
    """A redis-server of the test's own: no persistence, loopback only."""

    def __init__(self, directory: Path) -> None:
        self.binary = tool("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.is_paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=0.5)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.02)

    def stop(self, *, keep_data: bool = False) -> None:
        """Gone: connections are refused. With ``keep_data``, what it holds is
        written to its directory first and read again by the next ``start``
        (a restart that loses nothing, as a replica taking over would)."""
        if self.process is None:
            return
        if self.is_paused:
            self.resume()
        if keep_data:
            redis.Redis(port=self.port, socket_timeout=5).save()
        end_process(self.process)
        self.process = None

    def pause(self) -> None:
        """Hanging: connections are accepted and never answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.is_paused = True

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.is_paused = False


# Ports this project's tests may give their own PgBouncer (loopback only).
PGBOUNCER_PORTS = range(6450, 6460)
# Debian's example of transaction pooling (docs/deploy.md, "PgBouncer").
PGBOUNCER_INI = Path(__file__).resolve().parents[2] / "deploy" / "pgbouncer.ini"


def free_port_in(ports: range) -> int:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {ports.start}-{ports.stop - 1} for PgBouncer")


class PgBouncer:
    """A PgBouncer of the test's own running a copy of deploy/pgbouncer.ini,
    its CHANGE values pointed at this machine's PostgreSQL (trusted on
    loopback) and at a temporary directory, in front of one database.

    PgBouncer will not run as root: as root it is started as ``nobody``,
    so its directory is one of its own that any user may read (pytest's
    temporary directories are the user's alone).
    """

    def __init__(
        self,
        *,
        database: str,
        server_host: str,
        server_port: int,
        user: str,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.binary = tool("pgbouncer")
        self.database = database
        self.port = free_port_in(PGBOUNCER_PORTS)
        self.directory = Path(tempfile.mkdtemp(prefix="dateline-pgbouncer-"))
        self.directory.chmod(0o755)
        self.log = self.directory / "pgbouncer.log"
        userlist = self.directory / "userlist.txt"
        userlist.write_text(f'"{user}" ""\n')
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(
            pgbouncer_config(
                database=database,
                server=f"host={server_host} port={server_port}",
                port=self.port,
                userlist=userlist,
                settings=settings or {},
            )
        )
        for path in (userlist, ini):
            path.chmod(0o644)
        self.ini = ini
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary]
        if os.geteuid() == 0:
            command += ["-u", "nobody"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, str(self.ini)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(
                        f"pgbouncer did not start on port {self.port}:\n"
                        + self.log.read_text()
                    )
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            end_process(self.process)
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)


def pgbouncer_config(
    *, database: str, server: str, port: int, userlist: Path, settings: dict[str, str]
) -> str:
    """deploy/pgbouncer.ini with its CHANGE values replaced, and ``settings``
    (name: value) replacing the file's own values of those names."""
    text = PGBOUNCER_INI.read_text()
    for old, new in [
        (
            "dateline = host=127.0.0.1 port=5432 dbname=dateline",
            f"{database} = {server} dbname={database}",
        ),
        ("listen_port = 6432", f"listen_port = {port}"),
        ("unix_socket_dir = /var/run/postgresql", "unix_socket_dir ="),
        ("auth_type = scram-sha-256", "auth_type = trust"),
        ("auth_file = /etc/pgbouncer/userlist.txt", f"auth_file = {userlist}"),
        # Logged to stderr, kept in the test's directory; no pid file.
        ("logfile = /var/log/postgresql/pgbouncer.log", ""),
        ("pidfile = /var/run/postgresql/pgbouncer.pid", ""),
    ]:
        assert old in text, f"deploy/pgbouncer.ini no longer has {old!r}"
        text = text.replace(old, new)
    for name, value in settings.items():
        line = re.compile(rf"^{re.escape(name)} = .*$", re.MULTILINE)
        assert line.search(text), f"deploy/pgbouncer.ini no longer sets {name}"
        text = line.sub(f"{name} = {value}", text)
    return text


def end_process(process: subprocess.Popen[bytes]) -> None:
    """Ask a server to stop; kill it if it has not within five seconds."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
