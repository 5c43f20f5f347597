"""Partner API keys: created in the newsroom, stored as hashes only."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "dl_"


def hash_key(key: str) -> str:
    """A key's SHA-256: keys are long random tokens, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A partner's key. The key itself is shown once, when it is made."""

    name = models.CharField(_("partner"), max_length=100)
    prefix = models.CharField(
        _("key starts with"), max_length=16, unique=True, editable=False
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=600
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def new_key(self) -> str:
        """Give this (unsaved) row a fresh key; returns the key, to hand over once."""
        self.prefix = KEY_PREFIX + secrets.token_hex(4)
        key = f"{self.prefix}_{secrets.token_urlsafe(32)}"
        self.key_hash = hash_key(key)
        return key

    @classmethod
    def issue(cls, *, name: str, requests_per_minute: int = 600) -> tuple[ApiKey, str]:
        """A new key for a partner: the row, and the key to hand over once."""
        row = cls(name=name, requests_per_minute=requests_per_minute)
        key = row.new_key()
        row.save()
        return row, key
