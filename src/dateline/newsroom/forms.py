"""The newsroom's article form: tags through the services, and a stale-edit guard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from dateline.content import pictures, renditions
from dateline.content.datatable import parse_table_text, table_text
from dateline.content.models import (
    Article,
    Infographic,
    Person,
    Photo,
    Topic,
    VisualStatus,
)
from dateline.newsroom.locking import changes_since


class ArticleForm(forms.ModelForm):  # type: ignore[type-arg]
    # Tags are saved by content.services.set_article_tags, not by the ModelForm,
    # so that their links carry the publication time the feeds are keyed on.
    topic_tags = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(
            Article._meta.get_field("topics"), admin.site
        ),
    )
    person_tags = forms.ModelMultipleChoiceField(
        label=_("Persons"),
        queryset=Person.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(
            Article._meta.get_field("persons"), admin.site
        ),
    )
    opened_revision = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0
    )
    correction_note = forms.CharField(
        label=_("Correction note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Fill in to publish a correction with this save: readers see the note "
            "with its time under the article."
        ),
    )
    withdraw_reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,
        max_length=90,
        help_text=_("Needed to withdraw the item; kept in its history."),
    )

    class Meta:
        model = Article
        fields = [
            "headline", "lead", "body", "dateline_place", "byline", "section",
            "lead_photo", "urgency", "published_at",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["topic_tags"].initial = list(self.instance.topics.all())
            self.fields["person_tags"].initial = list(self.instance.persons.all())
        self.fields["opened_revision"].initial = self.instance.revision
        self.fields["opened_revision"].required = self.instance.pk is not None

    def clean_published_at(self) -> Any:
        # Left empty on a published item, the publication time stays as it was.
        value = self.cleaned_data.get("published_at")
        if value is None and self.instance.status == Article.Status.PUBLISHED:
            return self.instance.published_at
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        article = self.instance
        if article.pk is None:
            return cleaned
        # Lock the row for the rest of the request (the admin view is atomic),
        # so no one can save between this check and our write.
        current = Article.objects.select_for_update().get(pk=article.pk).revision
        began_at = cleaned.get("opened_revision")
        if began_at is not None and began_at != current:
            who, changes = changes_since(article, began_at)
            rows = format_html_join(
                "",
                "<li><strong>{}</strong>: “{}” → “{}”</li>",
                ((c.label, c.old, c.new) for c in changes),
            )
            raise forms.ValidationError(
                format_html(
                    "{} saved this article after you opened it, so your changes were "
                    "not saved. Changed meanwhile: <ul>{}</ul>Copy your work, reload "
                    "the page and make your changes again.",
                    who or _("Someone"),
                    rows or format_html("<li>{}</li>", _("bookkeeping only")),
                ),
                code="stale",
            )
        return cleaned


class PictureForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form with a picture upload, made safe by content.pictures (decoded
    and written again from its pixels) so that a file that is not a usable
    picture (or is too big, or a decompression bomb) gets a message saying
    why, before anything is stored; the service stores the cleaned copy."""

    image = forms.FileField(
        label=_("image"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
        help_text=_(
            "JPEG, PNG, WebP or GIF (an animated GIF keeps its first frame). "
            "Stored as a fresh copy, at most 3840 pixels on its long side, "
            "without its location; caption and credit in the file are kept. "
            "Smaller sizes are made on saving."
        ),
    )

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if not isinstance(upload, UploadedFile):
            return upload  # the stored picture, unchanged
        try:
            renditions.check_size(upload.size)
            upload.seek(0)
            return pictures.clean_picture(upload.read())
        except renditions.ImageRejectedError as error:
            raise forms.ValidationError(str(error), code="invalid_image") from None
        finally:
            upload.seek(0)


class PhotoForm(PictureForm):
    class Meta:
        model = Photo
        fields = ["image", "caption", "credit", "alt_text"]


class VisualForm(forms.ModelForm):  # type: ignore[type-arg]
    """Galleries and infographics: published without a time means now."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (
            cleaned.get("status") == VisualStatus.PUBLISHED
            and cleaned.get("published_at") is None
        ):
            cleaned["published_at"] = timezone.now()
        return cleaned


class InfographicForm(PictureForm, VisualForm):
    """The data table is typed as CSV and stored as checked rows."""

    table_text = forms.CharField(
        label=_("Data table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Optional. One row a line, cells separated by commas (CSV; quote a "
            "cell that holds a comma); the first line is the header. The first "
            "column names each row."
        ),
    )

    class Meta:
        model = Infographic
        fields = [
            "title", "slug", "description", "image", "alt_text", "long_description",
            "credit", "status", "published_at",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.data_table:
            self.fields["table_text"].initial = table_text(self.instance.data_table)

    def clean_table_text(self) -> list[list[str]]:
        return parse_table_text(self.cleaned_data.get("table_text", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "table_text" in cleaned:
            self.instance.data_table = cleaned["table_text"]
        return cleaned
