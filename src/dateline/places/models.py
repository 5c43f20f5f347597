"""Cities a reader can pick for the header (local time, weather) and the
latest weather observed in each."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(value: str) -> bool:
    return value in _time_zones()


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            _(
                "%(value)s is not an IANA time zone "
                "(for example Europe/Helsinki or America/New_York)."
            ),
            params={"value": value},
            code="invalid_time_zone",
        )


class City(models.Model):
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("Remembered in the reader's cookie; keep it once readers use it."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("An IANA time zone, for example Europe/Helsinki."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text=_("Degrees north (negative south), for the weather."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=7,
        decimal_places=4,
        validators=[
            MinValueValidator(Decimal(-180)),
            MaxValueValidator(Decimal(180)),
        ],
        help_text=_("Degrees east (negative west), for the weather."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("offered to readers"),
        default=True,
        help_text=_(
            "Readers who chose a city that is no longer offered see the default."
        ),
    )

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country}"


class WeatherObservation(models.Model):
    """The newest weather a provider reported for a city; one row per city,
    replaced by each refresh that brings a newer observation."""

    city = models.OneToOneField(
        City, on_delete=models.CASCADE, related_name="weather", verbose_name=_("city")
    )
    provider = models.CharField(_("provider"), max_length=30)
    observed_at = models.DateTimeField(_("observed at"))
    fetched_at = models.DateTimeField(_("fetched at"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1
    )
    weather_code = models.PositiveSmallIntegerField(_("WMO weather code"))
    condition = models.CharField(_("condition"), max_length=60)
    wind_speed = models.DecimalField(_("wind (km/h)"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("weather observation")
        verbose_name_plural = _("weather observations")

    def __str__(self) -> str:
        return f"{self.city.name}: {self.temperature} °C, {self.condition}"
