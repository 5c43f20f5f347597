"""Cities for tests: real places, as the demo has them, added through the service."""

from __future__ import annotations

from decimal import Decimal

from dateline.places.models import City
from dateline.places.services import add_city


def make_city(
    slug: str, name: str, country: str, zone: str, lat: str, lon: str
) -> City:
    return add_city(
        slug=slug,
        name=name,
        country=country,
        time_zone=zone,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        position=City.objects.count(),
    )


def three_cities() -> dict[str, City]:
    """Helsinki (the first, so the default), Tokyo and New York."""
    return {
        "helsinki": make_city(
            "helsinki", "Helsinki", "Finland", "Europe/Helsinki", "60.1699", "24.9384"
        ),
        "tokyo": make_city(
            "tokyo", "Tokyo", "Japan", "Asia/Tokyo", "35.6762", "139.6503"
        ),
        "new-york": make_city(
            "new-york",
            "New York",
            "United States",
            "America/New_York",
            "40.7128",
            "-74.0060",
        ),
    }
