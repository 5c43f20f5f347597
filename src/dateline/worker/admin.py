"""The periodic jobs' clocks, for the newsroom to look at (not to edit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from dateline.worker.models import PeriodicJob

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "last_enqueued_at", "next_run_at", "last_task_id"]
    readonly_fields = ["name", "last_enqueued_at", "next_run_at", "last_task_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: PeriodicJob | None = None
    ) -> bool:
        return False
