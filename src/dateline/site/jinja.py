"""Jinja2 for the public pages (see docs/decisions/templates.md).

Readers' pages render in about half the time Django's template language
takes for the same markup: the cold article page spent a third of its time
in Django's renderer. The newsroom (Django's admin) keeps Django's templates.

Two differences from Django's own Jinja2 backend keep the pages' behaviour:
- The view's values win over the context processors' (Django's templates do
  it that way; Django's Jinja2 backend the other way round).
- A render is announced with ``template_rendered``, as Django's test runner
  does for its own templates, so tests can read ``response.context``. A
  signal nobody listens to costs a few attribute reads.

What the templates have beyond Jinja2's own: ``static()`` and ``url()``,
the site's formatting functions (``newsroom_time``, ``picture``,
``feed_rows``), Django's filters that the pages use, and
``{% fragment "name", value… %}…{% endfragment %}`` for markup kept per site
generation (``dateline.site.fragments``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters
from django.template.backends.jinja2 import Jinja2 as DjangoJinja2
from django.template.backends.jinja2 import Template as DjangoTemplate
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.test.signals import template_rendered
from django.urls import reverse
from jinja2 import nodes
from jinja2.ext import Extension

from dateline.core.staticfiles import static_url
from dateline.site.fragments import kept_fragment
from dateline.site.templatetags.dateline_tags import (
    capitals,
    feed_rows,
    machine_time_filter,
    newsroom_time,
    urgency_label,
)
from dateline.site.templatetags.pictures import picture

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest
    from django.utils.safestring import SafeString
    from jinja2.parser import Parser


class FragmentExtension(Extension):
    """``{% fragment "name", value… %}…{% endfragment %}``: the markup inside
    is made once per site generation and these values, then kept.

    Everything inside that is not the same on every page must be one of the
    values. A fragment may not hold a ``{% block %}``: kept once, one page's
    block would be shown on every page.
    """

    tags = {"fragment"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        if not isinstance(name, nodes.Const) or not isinstance(name.value, str):
            parser.fail(
                "{% fragment %} takes a quoted name, then the values it varies on.",
                lineno,
            )
        vary_on: list[nodes.Expr] = []
        while parser.stream.skip_if("comma"):
            vary_on.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        if any(
            isinstance(node, nodes.Block) or node.find(nodes.Block) for node in body
        ):
            parser.fail(
                "{% fragment %} cannot hold a {% block %}: a page's own block "
                "would be kept and shown on every page.",
                lineno,
            )
        call = self.call_method(
            "_kept",
            [name, nodes.Tuple(vary_on, "load"), nodes.ContextReference()],
        )
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _kept(
        name: str,
        vary_on: tuple[object, ...],
        context: jinja2.runtime.Context,
        caller: Callable[[], str],
    ) -> SafeString:
        request = context.get("request")
        return kept_fragment(
            name, lambda: str(caller()), request=request, vary_on=vary_on
        )


def url(name: str, *args: object, **kwargs: object) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> jinja2.Environment:
    # Missing values and their attributes render as nothing, as in Django's
    # templates: a page shows no "None" and raises nothing for an absent one.
    options["undefined"] = jinja2.ChainableUndefined
    options.pop("autoescape", None)  # always on: every page shows strangers' text
    options.setdefault("extensions", []).append(FragmentExtension)
    env = jinja2.Environment(autoescape=True, **options)
    env.globals.update(
        static=static_url,
        url=url,
        newsroom_time=newsroom_time,
        picture=picture,
        feed_rows=feed_rows,
        urgency_label=urgency_label,
    )
    env.filters.update(
        machine_time=machine_time_filter,
        capitals=capitals,
        intcomma=intcomma,
        pluralize=defaultfilters.pluralize,
        date=defaultfilters.date,
        truncatechars=defaultfilters.truncatechars,
        linebreaks=defaultfilters.linebreaks_filter,
        capfirst=defaultfilters.capfirst,
        floatformat=defaultfilters.floatformat,
        urlencode=defaultfilters.urlencode,
    )
    return env


class Template(DjangoTemplate):
    def render(
        self, context: dict[str, Any] | None = None, request: HttpRequest | None = None
    ) -> str:
        values: dict[str, Any] = {}
        if request is not None:
            values["request"] = request
            values["csrf_input"] = csrf_input_lazy(request)
            values["csrf_token"] = csrf_token_lazy(request)
            for context_processor in self.backend.template_context_processors:
                values.update(context_processor(request))
        if context:
            values.update(context)
        template_rendered.send(sender=self, template=self, context=values)
        rendered: str = self.template.render(values)
        return rendered

    @property
    def name(self) -> str | None:
        name: str | None = self.template.name
        return name


class Jinja2(DjangoJinja2):
    """Django's Jinja2 backend with the view's values winning (above)."""

    def from_string(self, template_code: str) -> Template:
        return Template(self.env.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        template = super().get_template(template_name)
        return Template(template.template, self)
