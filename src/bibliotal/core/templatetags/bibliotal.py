from django import template
from django.utils.formats import number_format

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
