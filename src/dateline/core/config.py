"""Configuration helpers used by settings.py and by ``dateline serve``.

Plain Python: nothing here imports Django models, so settings.py may use it.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key
_SECRET_KEY_ALPHABET = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return this installation's own random key, kept in the data directory.

    Used only when DATELINE_SECRET_KEY is not set: a single machine then gets a
    strong key of its own instead of a shared, published default. Deployments
    with several app servers must set DATELINE_SECRET_KEY so they agree.
    """
    path = data_dir / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 50:
        return key
    key = "".join(secrets.choice(_SECRET_KEY_ALPHABET) for _ in range(64))
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key + "\n", encoding="ascii")
    return key


def is_weak_secret_key(key: str) -> bool:
    """Django's own deploy-check rule: long, varied and not a throwaway key."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


def is_loopback(host: str) -> bool:
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


def answers_to_loopback_only(allowed_hosts: list[str]) -> bool:
    """True while the site answers to loopback names alone (the demo, a
    developer's machine): the one case where DATELINE_REQUIRE_TWO_FACTOR is
    off by default. An empty list or ``*`` is not loopback."""
    return bool(allowed_hosts) and all(is_loopback(host) for host in allowed_hosts)


@dataclass(frozen=True)
class Problem:
    variable: str
    message: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.message}"


def insecure_settings(
    *,
    debug: bool,
    secret_key_from_env: str | None,
    allowed_hosts: list[str],
    bind_host: str,
) -> list[Problem]:
    """What stops ``dateline serve`` from starting, each naming the variable to set.

    With debug on, nothing is checked: debug is for a developer's own machine.
    """
    if debug:
        return []
    problems: list[Problem] = []
    if secret_key_from_env is not None and is_weak_secret_key(secret_key_from_env):
        problems.append(
            Problem(
                "DATELINE_SECRET_KEY",
                "is set but insecure; use at least 50 random characters "
                '(for example: python3 -c "import secrets; '
                'print(secrets.token_urlsafe(50))").',
            )
        )
    if not allowed_hosts:
        problems.append(
            Problem(
                "DATELINE_ALLOWED_HOSTS",
                "is empty; list the host names the site answers to, "
                "comma-separated (for example: news.example.org).",
            )
        )
    elif "*" in allowed_hosts:
        problems.append(
            Problem(
                "DATELINE_ALLOWED_HOSTS",
                "contains '*', which accepts any Host header; "
                "list the site's host names instead.",
            )
        )
    if not is_loopback(bind_host):
        if secret_key_from_env is None:
            problems.append(
                Problem(
                    "DATELINE_SECRET_KEY",
                    f"must be set when serving on {bind_host}: a server reachable "
                    "from the network needs a key its operators chose and share "
                    "between app servers.",
                )
            )
        if allowed_hosts and all(is_loopback(h) for h in allowed_hosts):
            problems.append(
                Problem(
                    "DATELINE_ALLOWED_HOSTS",
                    f"only names this machine's loopback, so requests to {bind_host} "
                    "would all be refused; list the site's host names.",
                )
            )
    return problems
