"""The newsroom's advert form: clear refusals for images, links and snippets."""

from __future__ import annotations

from django import forms

from dateline.adverts.images import AdvertImageField
from dateline.adverts.models import Advert, http_url


class AdvertForm(forms.ModelForm):  # type: ignore[type-arg]
    target_url = forms.URLField(
        label=Advert._meta.get_field("target_url").verbose_name,
        help_text=Advert._meta.get_field("target_url").help_text,
        max_length=2000,
        required=False,
        assume_scheme="https",  # no scheme typed: https, not Django's old http
        validators=[http_url],
        widget=forms.URLInput(attrs={"size": 80}),
    )

    class Meta:
        model = Advert
        fields = [
            "name", "placement", "kind", "starts_at", "ends_at", "is_active",
            "priority", "image", "alt_text", "target_url", "html",
        ]  # fmt: skip
        field_classes = {"image": AdvertImageField}
        widgets = {"html": forms.Textarea(attrs={"rows": 6, "cols": 80})}
