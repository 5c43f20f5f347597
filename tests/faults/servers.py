"""Throw-away servers for the fault tests, started by the tests themselves.

Each listens on a free port of 127.0.0.1 only, keeps nothing on disk, can be
stopped, frozen (SIGSTOP: it accepts connections and never answers) and
started again on the same port mid-test, and is always cleaned up. A tool
that is missing skips the test with the reason on a developer's machine, and
fails it where CI requires every test (tests/environment.py): a skipped fault
test checks nothing, and `make tools` installs redis-server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from typing import TYPE_CHECKING

import pytest
import redis

from tests import environment

if TYPE_CHECKING:
    from pathlib import Path

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
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
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
