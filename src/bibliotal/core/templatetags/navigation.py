"""Section tabs that know which one is the current page.

    {% load navigation %}
    <nav class="subnav" aria-label="…">{% tabs %}<ul>
      <li>{% tab "visits:overview" _("Visits per month") %}</li>
      {% if can.manage %}<li>{% tab "visits:flags" _("Review flags") %}</li>{% endif %}
    </ul>{% endtabs %}</nav>

The current tab is the one whose address is the longest beginning of the page's own address
(``/teaching/courses/`` for a course's page), and gets ``aria-current="page"``. A tab outside
``{% tabs %}`` is current only on its own address.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

CURRENT = "_current_tab"


class TabNode(template.Node):
    def __init__(self, url_name, label):
        self.url_name = url_name
        self.label = label

    def url(self, context) -> str:
        return reverse(self.url_name.resolve(context))

    def render(self, context) -> str:
        url = self.url(context)
        request = context.get("request")
        current = context.get(CURRENT, request.path if request is not None else None)
        if url == current:
            return format_html(
                '<a href="{}" aria-current="page">{}</a>', url, self.label.resolve(context)
            )
        return format_html('<a href="{}">{}</a>', url, self.label.resolve(context))


class TabsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        path = request.path if request is not None else ""
        # Every tab in the block, also those an {% if %} leaves out: a page a user may not see
        # is never the page they are on.
        urls = [tab.url(context) for tab in self.nodelist.get_nodes_by_type(TabNode)]
        matching = [
            url for url in urls if path == url or (url.endswith("/") and path.startswith(url))
        ]
        with context.push({CURRENT: max(matching, key=len, default=None)}):
            return self.nodelist.render(context)


@register.tag
def tab(parser, token):
    """``{% tab "app:url_name" label %}``: a link to the named page, marked when it is current."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a URL name and a label")
    return TabNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))


@register.tag
def tabs(parser, token):
    """``{% tabs %}…{% endtabs %}``: the tabs inside mark the one the page belongs to."""
    nodelist = parser.parse(("endtabs",))
    parser.delete_first_token()
    return TabsNode(nodelist)
