"""How the templates are built (issue 11, item 5): one ticket table drawn from column data,
macros registered once as globals, only macro files named with a leading `_`, and
StrictUndefined in the tests (a name nobody passed fails instead of printing nothing)."""
import re
from pathlib import Path

import pytest
from flask import url_for
from jinja2 import UndefinedError
from jinja2_fragments.flask import render_block

from rtsuivi.ticket_columns import COLUMNS, ticket_columns

TEMPLATES = Path(__file__).resolve().parent.parent / "rtsuivi" / "templates"

# Files starting with `_` that are not (only) macro files: an include with its own context
# (the user page includes the password-link button with `user`, issue 13).
NOT_MACRO_FILES_ALLOWED: set[str] = set()


def _templates():
    return sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))


def _outside_macros(source: str) -> str:
    """What a template holds besides its macros, comments and imports."""
    source = re.sub(r"{#.*?#}|{%-?\s*(from|import)\b.*?%}", "", source, flags=re.S)
    return re.sub(r"{%-?\s*macro\b.*?{%-?\s*endmacro\s*-?%}", "", source, flags=re.S).strip()


def test_only_macro_files_start_with_an_underscore():
    offenders = [name for name in _templates()
                 if name.rsplit("/", 1)[-1].startswith("_") and _outside_macros(
                     (TEMPLATES / name).read_text(encoding="utf-8"))
                 and name not in NOT_MACRO_FILES_ALLOWED]
    assert not offenders, f"not macro files, rename them without the '_': {offenders}"


def test_the_shared_macros_are_not_imported_again():
    importing = [name for name in _templates()
                 if re.search(r'{%-?\s*from\s+"(search/)?_macros\.html"',
                              (TEMPLATES / name).read_text(encoding="utf-8"))]
    assert not importing, f"macros are globals (templating.register_macros): {importing}"


def test_one_template_draws_ticket_tables():
    drawing = [name for name in _templates()
               if 'class="tickets"' in (TEMPLATES / name).read_text(encoding="utf-8")]
    assert drawing == ["_macros.html"]
    for page in ("portlets/tickets.html", "queues/show.html", "portal/index.html",
                 "search/results.html"):
        assert "ticket_table(" in (TEMPLATES / page).read_text(encoding="utf-8"), page


def test_a_block_rendered_alone_sees_the_macros(app, make_ticket, desk):
    """jinja2-fragments renders only the block: the macros must come from the globals."""
    ticket = make_ticket(desk.support, subject="Seul dans son bloc")
    page = type("Page", (), {"items": [ticket], "total": 1, "pages": 1, "page": 1})()
    with app.test_request_context("/"):
        html = render_block("queues/show.html", "ticket_list", page=page, queue=desk.support,
                            status="active", sort="id", direction="desc")
    assert "Seul dans son bloc" in html and 'class="status status-new"' in html
    assert 'aria-sort="descending"' in html


def test_the_ticket_table_draws_the_columns_it_is_given(app, make_ticket, desk):
    ticket = make_ticket(desk.support, subject="Colonnes", priority=7)
    table = app.jinja_env.globals["ticket_table"]
    with app.test_request_context("/"):
        html = str(table([ticket], ticket_columns("subject", "priority"), "vide",
                         link="portal.show", select=True))
        empty = str(table([], ticket_columns("id"), "Rien ici"))
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html, flags=re.S)
    assert [re.sub(r"<[^>]+>", "", h).strip() for h in headers] == \
        ["Sélection", "Sujet", "Priorité"]
    with app.test_request_context("/"):
        assert f'href="{url_for("portal.show", ticket_id=ticket.id)}"' in html
    assert '<td class="num">7</td>' in html and 'name="ids"' in html and "Prendre" not in html
    assert '<p class="empty">Rien ici</p>' in empty and "<table" not in empty


def test_every_search_column_has_a_way_to_be_drawn():
    assert {c.cell for c in COLUMNS.values()} <= \
        {"link", "status", "queue", "person", "people", "number", "date", "flag"}
    assert [c.key for c in ticket_columns(["id", "owner"])] == ["id", "owner"]


def test_tests_render_with_strict_undefined(app):
    with app.test_request_context("/"):
        with pytest.raises(UndefinedError, match="nobody_passed_this"):
            app.jinja_env.from_string("{{ nobody_passed_this }}").render()


def _class_names_in_use() -> tuple[set[str], set[str]]:
    """Class names written in templates, Python and app.js; and prefixes of built ones
    (class="status-{{ status }}" gives the prefix status-)."""
    root = TEMPLATES.parent
    used, prefixes = set(), set()
    for path in [*TEMPLATES.rglob("*.html"), *root.rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for value in re.findall(r'class="((?:[^"{]|{{.*?}}|{%.*?%})*)"', source):
            prefixes |= set(re.findall(r"([\w-]+-){{", value))
            used |= set(re.findall(r"'([\w-]+)'", value))  # {{ 'a' if x else 'b' }}
            used |= set(re.sub(r"{{.*?}}|{%.*?%}", " ", value).split())
    for path in (root / "static" / "js").rglob("*.js"):
        for literal in re.findall(r"""["']([^"'\n]*)["']""", path.read_text(encoding="utf-8")):
            used |= set(re.findall(r"\.([a-zA-Z][\w-]*)", literal)) | set(literal.split())
    return used, prefixes


def test_every_css_class_is_used():
    css = (TEMPLATES.parent / "static" / "css" / "app.css").read_text(encoding="utf-8")
    selectors = re.sub(r"{[^{}]*}", "{}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    used, prefixes = _class_names_in_use()
    unused = sorted(name for name in set(re.findall(r"\.([a-zA-Z][\w-]*)", selectors))
                    if name not in used and not name.startswith(tuple(prefixes)))
    assert not unused, f"CSS classes no template, Python or app.js uses: {unused}"


def test_form_actions_draws_the_submit_row(app):
    with app.test_request_context("/"):
        plain = app.jinja_env.from_string('{{ form_actions("Enregistrer") }}').render()
        full = app.jinja_env.from_string(
            '{% call form_actions("Transférer", cancel="/tickets/1", close_update=true) %}'
            '<button name="reset">Rétablir</button>{% endcall %}').render()
    assert re.sub(r"\s+", " ", plain).strip() == ('<div class="form-actions"> <button '
                                                  'type="submit" class="primary">Enregistrer'
                                                  '</button> </div>')
    assert re.findall(r"<(button|a)\b", full) == ["button", "button", "a"]
    assert '<a href="/tickets/1" class="cancel" data-close-update>Annuler</a>' in full


def test_every_submit_row_is_drawn_by_form_actions():
    row = re.compile(r'<div class="form-actions">\s*<button type="submit" class="primary">')
    by_hand = [name for name in _templates() if name != "_macros.html"
               and row.search((TEMPLATES / name).read_text(encoding="utf-8"))]
    assert not by_hand, f"use form_actions(submit, cancel=...): {by_hand}"
    for page in ("tickets/give.html", "tickets/edit.html", "tickets/update.html",
                 "tickets/forward.html", "tickets/create.html"):
        assert "form_actions(" in (TEMPLATES / page).read_text(encoding="utf-8"), page


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC"])
def test_dates_read_as_babel_writes_them(locale, zone):
    """The `dt` filter's formatter (patterns once per request, days and clock times
    remembered) writes exactly what babel's format_datetime writes, daylight saving and
    the ends of the calendar included."""
    import random
    from datetime import datetime, timedelta, timezone

    from babel import Locale
    from babel.dates import format_datetime, get_timezone

    from rtsuivi.date_format import DateFormatter
    tz, where = get_timezone(zone), Locale.parse(locale)
    formatter = DateFormatter(tz, where)
    rng = random.Random(16)
    values = [datetime(2026, 3, 29, 0, 59, 59), datetime(2026, 3, 29, 1, 0),  # DST in Paris
              datetime(9999, 12, 31, 23, 59), datetime(1, 1, 1)]
    values += [datetime(2024, 1, 1) + timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
               for _ in range(300)]
    for fmt in ("short", "medium", "long", "full", "yyyy-MM-dd HH:mm:ss"):
        for value in values:
            try:
                shown = value.replace(tzinfo=timezone.utc).astimezone(tz)
            except OverflowError:
                shown = value.replace(tzinfo=timezone.utc)
            assert formatter.format(value, fmt) == format_datetime(shown, fmt, locale=where)


def test_one_date_formatter_per_zone_and_language_with_bounded_memory(monkeypatch):
    """formatter_for keeps one formatter per zone and language for the whole process (its
    day and time texts serve every request); what it keeps is bounded by MAX_KEPT, and a
    text written after a reset is still babel's."""
    from datetime import datetime, timedelta, timezone

    from babel import Locale
    from babel.dates import format_datetime, get_timezone

    from rtsuivi import date_format
    monkeypatch.setattr(date_format, "MAX_KEPT", 5)
    # Fresh formatters: the process's may hold more than 5 times of day, 9:00 in Paris among
    # them when other tests wrote « now » at that time of day (it failed then).
    monkeypatch.setattr(date_format, "_FORMATTERS", {})
    paris, fr = get_timezone("Europe/Paris"), Locale.parse("fr")
    formatter = date_format.formatter_for(paris, fr)
    assert date_format.formatter_for(get_timezone("Europe/Paris"), Locale.parse("fr")) \
        is formatter
    assert date_format.formatter_for(paris, Locale.parse("en")) is not formatter
    for day in range(12):
        value = datetime(2026, 1, 1, 8, day) + timedelta(days=day)
        shown = value.replace(tzinfo=timezone.utc).astimezone(paris)
        assert formatter.format(value) == format_datetime(shown, "short", locale=fr)
        assert formatter.format(value) == format_datetime(shown, "short", locale=fr)  # kept
        assert formatter.format(value, "long") == format_datetime(shown, "long", locale=fr)
        assert len(formatter._days) <= 5 and len(formatter._times) <= 5
        assert len(formatter._texts) <= 5


def test_the_quick_select_writes_what_wtforms_writes(app):
    """The ticket forms' select (QuickSelect) writes its options itself, faster: the markup
    must stay WTForms' own, escaping, the selected option and the odd cases included."""
    from wtforms import Form
    from wtforms import SelectField as WTFormsSelectField
    from wtforms.fields.choices import SelectChoice

    from rtsuivi.blueprints.tickets.forms import SelectField

    options = [SelectChoice(1, "Alice"), SelectChoice(2, 'Bob "<b>" & Co'),
               SelectChoice(3, ""), SelectChoice("x<y", "quote ' and \""),
               SelectChoice(4, "Dora", render_kw={"disabled": True}), SelectChoice(True, "oui")]

    class Quick(Form):
        owner = SelectField(choices=options)

    class Plain(Form):
        owner = WTFormsSelectField(choices=options)

    for chosen in ("1", "2", "x<y", "4", "True", "nothing"):
        quick, plain = Quick(data={"owner": chosen}), Plain(data={"owner": chosen})
        assert str(quick.owner(**{"class": "wide"})) == str(plain.owner(**{"class": "wide"}))
    assert 'selected value="2"' in str(Quick(data={"owner": "2"}).owner())
    assert "&lt;b&gt;" in str(Quick().owner()) and "<b>" not in str(Quick().owner())


@pytest.mark.parametrize(("locale", "sent"), [("fr", "envoyé"), ("en", "sent")])
def test_mail_states_are_said_in_the_pages_language(app, locale, sent):
    from flask_babel import force_locale

    from rtsuivi.templating import mail_status
    with app.test_request_context(), force_locale(locale):
        assert mail_status("sent") == sent
        assert mail_status("unknown-state") == "unknown-state"
        assert app.jinja_env.from_string("{{ mail_status('sent') }}").render() == sent
        # Markup, as `_` gives a translation: the page's bytes are what the macro wrote.
        assert app.jinja_env.from_string("{{ mail_status('sending') }}").render() \
            == app.jinja_env.from_string("{{ _(\"en cours d'envoi\") }}").render()
        assert app.jinja_env.from_string("{{ mail_status('<b>') }}").render() == "&lt;b&gt;"


def test_templates_gettext_answers_as_jinjas_own(app):
    """`_` in templates (templating._template_gettext) answers as Jinja's newstyle gettext:
    translated in the page's language, the values escaped, always %-formatted (%% is %),
    and plain text where autoescape is off (mails)."""
    from flask_babel import force_locale
    source = '{{ _("Ticket créé par %(who)s", who="<b>Ana</b>") }}|{{ _("100%%") }}'
    with app.test_request_context(), force_locale("en"):
        assert app.jinja_env.from_string(source).render() == \
            "Ticket created by &lt;b&gt;Ana&lt;/b&gt;|100%"
        plain = app.jinja_env.from_string("{% autoescape false %}" + source
                                          + "{% endautoescape %}")
        assert plain.render() == "Ticket created by <b>Ana</b>|100%"
    with app.test_request_context(), force_locale("fr"):
        assert app.jinja_env.from_string(source).render().startswith("Ticket créé par &lt;b&gt;")


def test_templates_gettext_formats_values_as_markup_does(app):
    """_template_gettext escapes the values before formatting rather than through Markup's
    %: the same text for every kind of value (numbers for %d and %s, text to escape,
    Markup kept, lazy strings, None, %%), with autoescape on and off."""
    from decimal import Decimal

    from flask_babel import lazy_gettext
    from jinja2.nodes import EvalContext
    from markupsafe import Markup

    from rtsuivi.templating import _template_gettext
    cases = [("Historique", {}), ("100%%", {}), ("%(n)d min", {"n": 45}),
             ("%(n)s min", {"n": 45}), ("%(n)d min", {"n": Decimal("7")}),
             ("%(x)s et %(x)s", {"x": 1.5}), ("de %(who)s", {"who": "<b>Ana</b> & Co"}),
             ("de %(who)s", {"who": Markup("<span>Ana</span>")}), ("%(v)s", {"v": None}),
             ("%(v)s", {"v": True}), ("%(role)s", {"role": lazy_gettext("Demandeurs")}),
             ("%(a)s > %(b)d", {"a": "x<y", "b": 3})]
    with app.test_request_context():
        for autoescape in (True, False):
            context = EvalContext(app.jinja_env)
            context.autoescape = autoescape
            for string, values in cases:
                expected = (Markup(string) if autoescape else string) % values
                got = _template_gettext(context, string, **values)
                assert got == expected and type(got) is type(expected), (string, values)


def test_quick_html_params_writes_what_wtforms_writes(app):
    """form_markup.quick_html_params, installed in WTForms by create_app, gives WTForms' own
    text for every kind of attribute: sorted keys, class_/for_ and data_/aria_ keys, True
    bare, False left out, None and numbers, text to escape, Markup with raw quotes, lazy
    strings, and keys that need escaping."""
    from flask_babel import lazy_gettext
    from markupsafe import Markup
    from wtforms import widgets
    from wtforms.widgets import core

    from rtsuivi.form_markup import WTFORMS_HTML_PARAMS, quick_html_params
    cases = [{}, {"name": "subject", "id": "reminder-subject", "type": "text", "value": ""},
             {"class_": "small", "for_": "x", "data_hx_target": "#a", "aria_describedby": "e"},
             {"checked": True, "readonly": False, "required": True, "value": None},
             {"value": 12, "size": 24, "maxlength": 2.5},
             {"value": 'a "quote" <b>&amp;</b> \'x\''},
             {"value": Markup('<i class="x">déjà</i>'), "title": Markup("a & b")},
             {"placeholder": lazy_gettext("Objet"), "onclick": "alert('x')"},
             {"weird<key": "v", "data_": "d", "aria_x_y": True}]
    with app.test_request_context():
        for case in cases:
            expected, got = WTFORMS_HTML_PARAMS(**case), quick_html_params(**case)
            assert got == expected and type(got) is Markup, case
    # Installed where WTForms' widgets and labels look it up.
    assert core.html_params is widgets.html_params is quick_html_params
    assert core.TextInput.html_params is quick_html_params
    assert core.Button.html_params is quick_html_params


def test_templates_url_for_keeps_each_url_and_gives_what_flask_gives(app):
    """templating.kept_url_for: the same URL as Flask's url_for whatever the mount point,
    the blueprint of a ".name", the query arguments; built once per process."""
    from flask import url_for as flask_url_for

    from rtsuivi.templating import kept_url_for
    built = []

    def build(endpoint, **values):
        built.append(endpoint)
        return flask_url_for(endpoint, **values)
    url_for = kept_url_for(build)
    calls = [("static", {"filename": "css/app.css"}), ("queues.index", {}),
             ("tickets.show", {"ticket_id": 5}), ("tickets.show", {"ticket_id": 6}),
             ("search.results", {"query": "Status = 'open' & « é »", "page": 2}),
             ("tickets.show", {"ticket_id": 5, "_anchor": "txn-3"}),
             ("tickets.show", {"ticket_id": 5, "_external": True}),
             ("search.results", {"query": ["a", "b"]})]  # a list: not kept
    for script_name in ("", "/rt"):
        for blueprint_path in ("/tickets/7", "/files/1"):
            with app.test_request_context(blueprint_path,
                                          base_url=f"http://localhost{script_name}/"):
                for endpoint, values in [*calls, (".show", {"ticket_id": 9})]:
                    if endpoint == ".show" and blueprint_path != "/tickets/7":
                        continue
                    expected = flask_url_for(endpoint, **values)
                    assert url_for(endpoint, **values) == expected
                    assert url_for(endpoint, **values) == expected  # kept, or built again
                    if script_name:
                        assert "/rt/" in expected
    with app.test_request_context("/tickets/7"):
        built.clear()
        url_for("tickets.show", ticket_id=5)
        url_for("tickets.show", ticket_id=5, _anchor="txn-3")
        url_for("search.results", query=["a", "b"])
    assert built == ["tickets.show", "search.results"]  # the plain one kept; _anchor, list built
    app.config["SERVER_NAME"] = "rt.example.org"
    with app.app_context():  # outside a request (a mail): always built
        assert url_for("tickets.show", ticket_id=5, _external=True).startswith("http")


def test_a_gunicorn_worker_compiles_every_template_before_its_first_request(app):
    """gunicorn reads ./gunicorn.conf.py (where docs/deploy.md and the bench start it); its
    post_worker_init compiles each page template into the environment's cache, so the
    first view after a restart does not pay for it."""
    import runpy
    from types import SimpleNamespace

    from gunicorn.config import Config
    root = Path(__file__).resolve().parent.parent
    assert Config().settings["config"].default == "./gunicorn.conf.py"
    settings = runpy.run_path(str(root / "gunicorn.conf.py"))
    app.jinja_env.cache.clear()
    settings["post_worker_init"](SimpleNamespace(wsgi=app))
    compiled = {name for _loader, name in app.jinja_env.cache}
    pages = {path.relative_to(root / "rtsuivi/templates").as_posix()
             for path in (root / "rtsuivi/templates").rglob("*.html")}
    assert "tickets/show.html" in pages and pages <= compiled
