"""Background jobs for the header's weather: a thin adapter over the service."""

from __future__ import annotations

from django_tasks import task

from dateline.places.services import refresh_weather


@task()
def refresh_weather_task() -> dict[str, int]:
    """Store every offered city's current weather; a city whose answer is
    unusable is logged and keeps what it had."""
    result = refresh_weather()
    return {
        "updated": len(result.updated),
        "kept": len(result.kept),
        "failed": len(result.failed),
    }
