"""The header widgets' own pages: the currency converter and the city list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dateline.markets import money
from dateline.markets import selectors as markets
from dateline.places import selectors as places
from dateline.places.weather import is_weather_on
from dateline.site.city_form import CityChoiceForm, same_site_path
from dateline.site.rates_form import ConverterForm

if TYPE_CHECKING:
    from django.http import HttpRequest


def currency_converter(request: HttpRequest) -> HttpResponse:
    """Today's official rates and a converter; a plain GET form."""
    sheets = markets.latest_sheets()
    codes = markets.currencies(sheets)
    pair = money.default_pair(codes, settings.DATELINE_CURRENCIES)
    initial = {"source": pair[0], "target": pair[1]} if pair else {}
    form = ConverterForm(request.GET or None, currencies=codes, initial=initial)
    conversion = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            conversion = markets.convert(
                form.cleaned_data["amount"],
                form.cleaned_data["source"],
                form.cleaned_data["target"],
                sheets,
            )
        else:
            status = 400
    elif pair:  # the question the form starts with, answered
        conversion = markets.convert(
            form.fields["amount"].initial, pair[0], pair[1], sheets
        )
    return render(
        request,
        "site/rates.html",
        {"sheets": sheets, "form": form, "conversion": conversion},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def city_list(request: HttpRequest) -> HttpResponse:
    """Every city with its local time; choosing one keeps it in a cookie and
    goes back to the page the reader came from. A plain form."""
    cities = places.cities_now()
    form = CityChoiceForm(
        request.POST if request.method == "POST" else None,
        cities=[c.slug for c in cities],
    )
    back = same_site_path(request.POST.get("next") or request.GET.get("next"))
    status = 200
    if form.is_bound:
        if form.is_valid():
            chosen = HttpResponseRedirect(back)
            chosen.status_code = 303  # See Other: the form's answer is a GET
            chosen.set_cookie(
                places.COOKIE_NAME,
                form.cleaned_data["city"],
                max_age=places.COOKIE_MAX_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
            return chosen
        status = 400
    current = places.reader_city(request.COOKIES.get(places.COOKIE_NAME))
    response = render(
        request,
        "site/city_list.html",
        {
            "cities": cities,
            "form": form,
            "back": back,
            "chosen_slug": current.slug if current else None,
            "weather_on": is_weather_on(),
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response
