"""The audit log: one row per privileged act, never changed afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what, when and from where."""

    class Act(models.TextChoices):
        PUBLISH = "publish", _("published")
        SCHEDULE = "schedule", _("scheduled")
        SUBMIT = "submit", _("submitted")
        WITHDRAW = "withdraw", _("withdrew")
        CORRECT = "correct", _("corrected")
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOCKOUT = "lockout", _("was locked out")
        RESET_TWO_FACTOR = "reset_two_factor", _("reset two-factor devices")

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,  # the entry outlives the account
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    # The account's name at the time (kept when it is deleted), or the name
    # typed at a failed login.
    actor_name = models.CharField(_("name"), max_length=150, blank=True)
    act = models.CharField(_("act"), max_length=20, choices=Act.choices)
    object_type = models.CharField(_("kind"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["act", "-at"], name="audit_act_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.act}"
