"""The audit log in the newsroom, and the mixin that writes it for the
newsroom's own ModelAdmins (accounts, groups, API keys, adverts, partners).

The Chief reads the log (``audit.view_auditentry``, given by a newsroom
migration); nobody adds, changes or deletes an entry here, not even a
superuser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db import transaction
from django.utils.translation import gettext as _

from dateline.audit.models import AuditEntry
from dateline.audit.services import Act, Origin, record_act

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest


ENTRY_FIELDS = (
    "at", "actor", "actor_name", "act", "object_type", "object_id", "object_repr",
    "summary", "address", "user_agent",
)  # fmt: skip


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor_name", "act", "object_repr", "summary", "address"]
    list_filter = ["act", ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    date_hierarchy = "at"
    search_fields = ["actor_name", "object_repr", "summary", "address"]
    list_select_related = ["actor"]
    show_full_result_count = False
    fields = ENTRY_FIELDS
    readonly_fields = ENTRY_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Deleting ticked rows from a list: the deletions and their entries commit
# together (Django's action runs outside a transaction).
atomic_delete_selected = transaction.atomic(delete_selected)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Writes an audit entry beside each of the admin's own log entries, in
    the same transaction as the change (the admin's add, change and delete
    views are atomic)."""

    def audit_summary(
        self, request: HttpRequest, obj: Model, act: str, message: str
    ) -> str:
        """A readable line for the entry; ModelAdmins may say more."""
        return message

    def _audit(self, request: HttpRequest, obj: Model, act: str, message: str) -> None:
        record_act(
            act=act,
            actor=request.user,
            target=obj,
            summary=self.audit_summary(request, obj, act, message),
            origin=Origin.of(request),
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, Act.ADD, _readable(entry) or _("Added."))
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        self._audit(
            request, obj, Act.CHANGE, _readable(entry) or _("No fields changed.")
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._audit(request, obj, Act.DELETE, _("Deleted."))
        return super().log_deletions(request, queryset)

    def get_actions(self, request: HttpRequest) -> Any:
        actions: dict[str, Any] = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (atomic_delete_selected, name, description)
        return actions


def _readable(entry: Any) -> str:
    """The admin log entry's change message as a sentence ("Changed Groups.")."""
    first = entry[0] if isinstance(entry, list) else entry
    if first is None or not hasattr(first, "get_change_message"):
        return ""
    return str(first.get_change_message())
