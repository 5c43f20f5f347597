"""``{% fragment "name" value… %}…{% endfragment %}``: markup kept per generation.

Like Django's ``{% cache %}``, but with no timeout to choose: the content is
kept for the site's current generation (see ``dateline.site.fragments``) and
varies on the values given after the name. Everything inside that is not the
same on every page must be one of those values; data read inside is read only
when the fragment is made, so views pass it lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.template.loader_tags import BlockNode

from dateline.site.fragments import kept_fragment

if TYPE_CHECKING:
    from django.template.base import FilterExpression, NodeList, Parser, Token
    from django.template.context import Context
    from django.utils.safestring import SafeString

register = template.Library()


class FragmentNode(template.Node):
    # A fragment holds no {% block %} (see ``fragment``), so Django need not
    # walk its contents when it looks for blocks: ``{% extends %}`` walks the
    # whole base template on every page, and most of base.html is fragments.
    child_nodelists = ()

    def __init__(
        self, nodelist: NodeList, name: str, vary_on: list[FilterExpression]
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context: Context) -> SafeString:
        return kept_fragment(
            self.name,
            lambda: self.nodelist.render(context),
            request=context.get("request"),
            vary_on=tuple(value.resolve(context) for value in self.vary_on),
        )


@register.tag
def fragment(parser: Parser, token: Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            "{% fragment %} takes a quoted name, then the values it varies on."
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        # Kept once per generation, it would show one page's block on all.
        raise template.TemplateSyntaxError(
            "{% fragment %} cannot hold a {% block %}: a page's own block "
            "would be kept and shown on every page."
        )
    return FragmentNode(
        nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]]
    )
