"""Sections, topics, persons, photos, galleries and infographics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dateline.content import services
from dateline.content.models import (
    Gallery,
    GalleryPhoto,
    Infographic,
    Person,
    Photo,
    Section,
    Topic,
)
from dateline.newsroom.admin._common import rendition_summary, staff_user
from dateline.newsroom.forms import (
    InfographicForm,
    PhotoForm,
    VisualForm,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "iptc_code"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "role", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "role"]
    # Picked from the photo library, as an item's lead photo is.
    autocomplete_fields = ["photo"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PhotoForm
    list_display = ["thumbnail", "caption", "credit", "created_at"]
    readonly_fields = ["thumbnail", "width", "height", "rendition_summary"]
    search_fields = ["caption", "credit", "alt_text"]
    fields = [
        "image", "thumbnail", "caption", "credit", "alt_text", "width", "height",
        "rendition_summary",
    ]  # fmt: skip

    def save_model(
        self, request: HttpRequest, obj: Photo, form: ModelForm[Photo], change: bool
    ) -> None:
        services.save_photo(photo=obj, actor=staff_user(request))

    def delete_model(self, request: HttpRequest, obj: Photo) -> None:
        services.delete_picture(picture=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        for photo in queryset:
            services.delete_picture(picture=photo)

    @admin.display(description=_("renditions"))
    def rendition_summary(self, photo: Photo) -> str:
        return rendition_summary(photo)

    @admin.display(description=_("preview"))
    def thumbnail(self, photo: Photo) -> str:
        if not photo.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:160px;height:auto">',
            photo.image.url,
            photo.alt_text,
        )


class GalleryPhotoInline(admin.TabularInline):  # type: ignore[type-arg]
    """The gallery's photos, shown in the order of their positions."""

    model = GalleryPhoto
    autocomplete_fields = ["photo"]
    fields = ["photo", "position", "caption"]
    extra = 1
    ordering = ["position", "id"]


class VisualAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Galleries and infographics: drafts until published; only published ones
    whose time has come are shown to readers; withdrawn ones never again."""

    form = VisualForm
    list_display = ["title", "status", "published_at", "live"]
    list_filter = ["status"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["-id"]

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        services.save_visual(item=obj, actor=staff_user(request))

    @admin.display(description=_("shown to readers"), boolean=True)
    def live(self, item: Any) -> bool:
        return bool(item.is_public())


@admin.register(Gallery)
class GalleryAdmin(VisualAdmin):
    inlines = [GalleryPhotoInline]
    autocomplete_fields = ["cover"]
    fields = [
        "title", "slug", "description", "cover", "status", "published_at",
    ]  # fmt: skip

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.fill_gallery_cover(gallery=form.instance)


@admin.register(Infographic)
class InfographicAdmin(VisualAdmin):
    form = InfographicForm
    readonly_fields = ["width", "height", "rendition_summary"]
    fields = [
        "title", "slug", "description", "image", "alt_text", "long_description",
        "table_text", "credit", "width", "height", "rendition_summary", "status",
        "published_at",
    ]  # fmt: skip

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        services.save_infographic(infographic=obj, actor=staff_user(request))

    def delete_model(self, request: HttpRequest, obj: Infographic) -> None:
        services.delete_picture(picture=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Infographic]
    ) -> None:
        for infographic in queryset:
            services.delete_picture(picture=infographic)

    @admin.display(description=_("renditions"))
    def rendition_summary(self, infographic: Infographic) -> str:
        return rendition_summary(infographic)
