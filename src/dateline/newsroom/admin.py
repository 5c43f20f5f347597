"""The newsroom: Django's admin at /newsroom/, with the editorial workflow.

Every change to an article goes through content.services; this module only
decides which buttons a person sees and which service a button calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dateline.content import access, services
from dateline.content.models import (
    Article,
    Correction,
    Gallery,
    GalleryPhoto,
    Infographic,
    Person,
    Photo,
    RelatedArticle,
    Section,
    Topic,
    TopStory,
)
from dateline.newsroom.forms import (
    ArticleForm,
    InfographicForm,
    PhotoForm,
    VisualForm,
)
from dateline.pagecache.store import change_is_pending

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import StrOrPromise

# The buttons of the article form, by the name they post.
PUBLISH, SUBMIT, WITHDRAW = "_publish", "_submit", "_withdraw"


def _staff_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


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
        services.save_photo(photo=obj, actor=_staff_user(request))

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


def rendition_summary(picture: Any) -> str:
    """E.g. "image/avif, image/webp, image/jpeg at 320, 640, 960, 1200 px"."""
    entries = picture.renditions
    if not entries:
        return str(_("None yet: run “dateline renditions”."))
    types = list(dict.fromkeys(e["type"] for e in entries))
    widths = sorted({e["width"] for e in entries})
    return f"{', '.join(types)} at {', '.join(map(str, widths))} px"


class ReadAlsoInline(admin.TabularInline):  # type: ignore[type-arg]
    """The editor's "Read also" picks, shown inside the body in this order."""

    model = RelatedArticle
    fk_name = "article"
    autocomplete_fields = ["related"]
    fields = ["related", "position"]
    extra = 0
    max_num = 6
    verbose_name = _("“Read also” item")
    verbose_name_plural = _("“Read also” (3–6 items, shown inside the body)")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("content.view_article")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return request.user.has_perm("content.add_article")
        return access.can_edit(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    inlines = [ReadAlsoInline]
    list_display = [
        "headline", "section", "state", "published_at", "urgency", "created_by",
    ]  # fmt: skip
    list_filter = ["status", "pubstatus", "section", "urgency"]
    list_select_related = ["section", "created_by"]
    search_fields = ["headline"]
    ordering = ["-id"]
    show_full_result_count = False
    autocomplete_fields = ["lead_photo"]
    readonly_fields = ["status_summary", "preview_link"]
    history_list_display = ["status", "pubstatus", "version"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        text = [
            "headline", "lead", "body", "dateline_place", "byline", "section",
            "urgency",
        ]  # fmt: skip
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (None, {"fields": text}),
            (
                _("Photo and tags"),
                {"fields": ["lead_photo", "topic_tags", "person_tags"]},
            ),
        ]
        workflow = ["opened_revision"]
        if obj is not None:
            workflow[:0] = ["status_summary", "preview_link"]
        if access.can_publish(request.user):
            workflow.append("published_at")
            if obj is not None and obj.is_public():
                workflow.append("correction_note")
        if (
            obj is not None
            and access.can_withdraw(request.user)
            and obj.status == Article.Status.PUBLISHED
            and obj.pubstatus != Article.PubStatus.CANCELED
        ):
            workflow.append("withdraw_reason")
        fieldsets.append((_("Publication"), {"fields": workflow}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        qs: QuerySet[Article] = super().get_queryset(request)
        return qs.select_related("section", "created_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(super().has_change_permission(request))
        return access.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Items are withdrawn, never deleted: ids stay stable for partners.
        return bool(request.user.is_superuser)

    @admin.display(description=_("state"))
    def status_summary(self, article: Article) -> str:
        return (
            f"{self.state(article)} · version {article.version}"
            f" · revision {article.revision}"
        )

    @admin.display(description=_("state"), ordering="status")
    def state(self, article: Article) -> str:
        """One word or phrase a desk reads at a glance: a scheduled item is not
        "Published" yet, and a withdrawn one is not live."""
        label = str(article.get_status_display())
        if article.pubstatus != Article.PubStatus.USABLE:
            return f"{label}, {article.get_pubstatus_display()}"
        if article.is_scheduled():
            local = timezone.localtime(article.published_at)
            return f"{_('Scheduled for')} {local:%Y-%m-%d %H:%M %Z}"
        return label

    @admin.display(description=_("preview"))
    def preview_link(self, article: Article) -> str:
        url = reverse("site:article-preview", kwargs={"pk": article.pk})
        return format_html(
            '<a href="{}" target="_blank">{}</a>', url, _("Open preview")
        )

    def workflow_buttons(
        self, request: HttpRequest, obj: Article | None
    ) -> list[tuple[str, str]]:
        """(name, label) of the buttons this person may press on this item."""
        user = request.user
        buttons: list[tuple[str, str]] = []
        if obj is not None and not access.can_edit(user, obj):
            return buttons
        published = obj is not None and obj.status == Article.Status.PUBLISHED
        if published:
            buttons.append(("_save", str(_("Save changes"))))
        else:
            buttons.append(("_continue", str(_("Save draft"))))
            if not access.can_publish(user) and (
                obj is None or obj.status == Article.Status.DRAFT
            ):
                buttons.append((SUBMIT, str(_("Submit to editors"))))
        if access.can_publish(user) and not published:
            buttons.append((PUBLISH, str(_("Publish or schedule"))))
        if (
            published
            and access.can_withdraw(user)
            and obj is not None
            and obj.pubstatus != Article.PubStatus.CANCELED
        ):
            buttons.append((WITHDRAW, str(_("Withdraw"))))
        return buttons

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["workflow_buttons"] = self.workflow_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[no-any-return]

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Article], change: bool
    ) -> None:
        data = form.cleaned_data
        expected = data.get("opened_revision") if change else None
        actor = _staff_user(request)
        if PUBLISH in request.POST:
            services.publish_article(
                article=obj,
                actor=actor,
                at=data.get("published_at"),
                expected_revision=expected,
            )
            verb = _("scheduled") if obj.is_scheduled() else _("published")
            self._report_on_commit(
                request,
                _("The item was %(verb)s.") % {"verb": verb},
                messages.SUCCESS,
                not_told=_(
                    "The item was %(verb)s, but cached copies of pages could "
                    "not be cleared yet: the cache is unreachable. They are "
                    "retried every second; until then some readers may not "
                    "see the change."
                )
                % {"verb": verb},
            )
        elif SUBMIT in request.POST:
            services.submit_article(
                article=obj, actor=actor, expected_revision=expected
            )
        elif WITHDRAW in request.POST:
            services.withdraw_article(
                article=obj,
                actor=actor,
                reason=data.get("withdraw_reason", ""),
                expected_revision=expected,
            )
            self._report_on_commit(
                request,
                _("The item was withdrawn from every public page."),
                messages.WARNING,
                not_told=_(
                    "The item was withdrawn, but cached copies of pages could "
                    "not be cleared yet: the cache is unreachable. They are "
                    "retried every second; until then the item may still "
                    "show on cached pages."
                ),
            )
        else:
            services.save_article(
                article=obj,
                actor=actor,
                expected_revision=expected,
                correction_note=data.get("correction_note", ""),
            )
            self._report_on_commit(
                request,
                None,
                messages.SUCCESS,
                not_told=_(
                    "Saved, but cached copies of pages could not be cleared "
                    "yet: the cache is unreachable. They are retried every "
                    "second; until then some readers may not see the change."
                ),
            )

    def _report_on_commit(
        self,
        request: HttpRequest,
        told: StrOrPromise | None,
        level: int,
        *,
        not_told: StrOrPromise,
    ) -> None:
        """Once the act has committed and the page cache has been told of it
        (or not: Redis unreachable), say which: never "everywhere" when the
        cached pages could not be cleared."""

        def report() -> None:
            if change_is_pending():
                self.message_user(request, not_told, messages.ERROR)
            elif told is not None:
                self.message_user(request, told, level)

        transaction.on_commit(report)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.set_article_tags(
            article=form.instance,
            topics=form.cleaned_data.get("topic_tags", []),
            persons=form.cleaned_data.get("person_tags", []),
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class WorkflowArticleForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                post = self.data
                if WITHDRAW in post and not cleaned.get("withdraw_reason", "").strip():
                    self.add_error(
                        "withdraw_reason", _("Say why the item is withdrawn.")
                    )
                if (
                    PUBLISH in post or cleaned.get("correction_note")
                ) and not access.can_publish(user):
                    raise PermissionDenied
                if cleaned.get("correction_note") and (
                    obj is None or not obj.is_public()
                ):
                    self.add_error(
                        "correction_note", _("Only a published item can be corrected.")
                    )
                return cleaned

        return WorkflowArticleForm


@admin.register(TopStory)
class TopStoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """TOP STORIES: editors put items on the home page or a section front."""

    list_display = ["headline", "front", "position", "live"]
    list_display_links = ["headline"]
    list_editable = ["position"]
    list_filter = [("section", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "section"]
    autocomplete_fields = ["article"]
    fields = ["section", "article", "position"]
    ordering = ["section__position", "position", "id"]

    @admin.display(description=_("article"), ordering="article__headline")
    def headline(self, slot: TopStory) -> str:
        return slot.article.headline

    @admin.display(description=_("front"), ordering="section__position")
    def front(self, slot: TopStory) -> str:
        return slot.front_name

    @admin.display(description=_("shown to readers"), boolean=True)
    def live(self, slot: TopStory) -> bool:
        # A slot whose item is not public stays dark until it is.
        return slot.article.is_public()


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
        services.save_visual(item=obj, actor=_staff_user(request))

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
        services.save_infographic(infographic=obj, actor=_staff_user(request))

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


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Corrections are read here; they are made from the article form."""

    list_display = ["article", "note", "created_at", "created_by"]
    list_select_related = ["article", "created_by"]
    readonly_fields = ["article", "note", "created_at", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NewsroomUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Chiefs manage newsroom accounts, but cannot make anyone a superuser."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return fields


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
