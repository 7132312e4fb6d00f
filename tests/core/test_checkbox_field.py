"""A checkbox comes before its label, on one line, with its hint and errors still named."""

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class Choice(forms.Form):
    compare = forms.BooleanField(label="Compare", help_text="With the country.")


def test_a_checkbox_field_puts_the_box_before_its_label():
    with translation.override("en"):
        form = Choice(data={})
        html = render_to_string("core/_field.html", {"field": form["compare"]})
    box = html.index('<input type="checkbox" name="compare"')
    label = html.index('<label for="id_compare">Compare</label>')
    assert html.index('<div id="id_compare_error">') < box < label
    assert label < html.index('<p class="hint" id="id_compare_helptext">With the country.</p>')
    assert 'aria-describedby="id_compare_helptext id_compare_error"' in html
