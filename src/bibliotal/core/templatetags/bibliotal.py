from django import template
from django.utils.formats import number_format

from bibliotal.core.formatting import number_text
from bibliotal.core.opening import format_periods

register = template.Library()


@register.filter
def periods(value) -> str:
    return format_periods(value)


@register.filter
def hours(value: float) -> str:
    """Hours with at most one decimal, in the active language's number format."""
    rounded = round(value, 1)
    decimals = 0 if rounded == int(rounded) else 1
    return number_format(rounded, decimal_pos=decimals, force_grouping=True)


@register.filter
def num(value) -> str:
    """A figure for people: thousands grouped; one decimal below 100 when it has one."""
    return number_text(value)


@register.filter
def pct(value) -> str:
    if value is None:
        return "–"
    return f"{number_format(round(float(value) * 100), decimal_pos=0)} %"


@register.filter
def bar(value) -> int:
    """0–100 for a progress bar (a target passed shows full)."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def startswith(value, prefix) -> bool:
    """For the menu: the page is in the section whose address begins its own."""
    return str(value).startswith(str(prefix))


@register.simple_tag
def public_pages_of(organisation) -> list:
    """The organisation's public pages (``core.public``), for the public pages' header."""
    from bibliotal.core.public import public_pages

    return public_pages(organisation) if organisation is not None else []


@register.simple_tag
def public_organisations() -> list:
    """Every organisation with its public pages, for the login page."""
    from bibliotal.core.models import Organisation
    from bibliotal.core.public import public_pages

    found = []
    for organisation in Organisation.objects.order_by("name"):
        pages = public_pages(organisation)
        if pages:
            found.append((organisation, pages))
    return found


@register.simple_tag(takes_context=True)
def accessibility_statement_url(context) -> str:
    """The footer's link: the organisation's own statement (WAS-Tool), else Bibliotal's."""
    from bibliotal.core.accessibility import footer_organisation, statement_url

    return statement_url(footer_organisation(context))


@register.filter
def opens_for(url, user) -> bool:
    """``{% if fix_url|opens_for:request.user %}``: link only to a page its reader may open."""
    from bibliotal.core.permissions import may_open

    return bool(url) and may_open(user, url)


@register.filter
def fixed_by(url) -> str:
    """The role that may open ``url`` (for "Fixed by: Manager" where the reader may not)."""
    from bibliotal.core.permissions import lowest_role_for, required_capability

    capability = required_capability(url) if url else None
    return lowest_role_for(capability).label if capability else ""
