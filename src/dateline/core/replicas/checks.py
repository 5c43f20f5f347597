"""``dateline check --deploy``: each read replica reachable, a standby, and
within the lag limit. Warnings, not errors: a replica that lags or is down
costs the primary load, never a reader's page (reads fall back)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from dateline.core.replicas import health

HINT = "Its reads go to the primary meanwhile. See docs/deploy.md, 'Read replicas'."


@checks.register("replicas", deploy=True)
def check_replicas(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for alias in health.replica_aliases():
        standing = health.measure(alias)
        if standing.usable:
            continue
        code = "W001" if standing.retry_at else "W002"
        messages.append(
            checks.Warning(
                f"Read replica {alias} ({_address(alias)}) {standing.reason}.",
                hint=HINT,
                id=f"dateline.replicas.{code}",
            )
        )
    return messages


def _address(alias: str) -> str:
    database = settings.DATABASES[alias]
    return f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
