"""Official exchange rates, as central banks publish them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rate(models.Model):
    """One unit of ``base`` is worth ``rate`` units of ``quote`` on a day,
    by a source (the ECB quotes against the euro, the Bank of Russia against
    the rouble)."""

    class Source(models.TextChoices):
        ECB = "ecb", _("European Central Bank")
        CBR = "cbr", _("Central Bank of Russia")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    effective_on = models.DateField(_("date"))
    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=10)
    # Loaded by ``dateline demo`` from its own files: invented figures in the
    # bank's format, which pages must not pass off as the bank's.
    is_demo = models.BooleanField(_("demo figures"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "effective_on", "base", "quote"],
                name="rate_unique_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0), name="rate_positive"
            ),
        ]
        indexes = [models.Index(fields=["source", "-effective_on"], name="rate_latest")]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.source}, {self.effective_on})"
