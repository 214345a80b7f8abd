"""Filters and globals the templates share."""
from datetime import datetime
from numbers import Number

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import Environment, StrictUndefined, pass_eval_context
from jinja2.runtime import Macro
from markupsafe import Markup, escape

from .date_format import DateFormatter, formatter_for
from .domain import bulk, lifecycle, rights, tickets
from .domain import custom_fields as cf
from .domain.ticket_files import THUMBNAIL_TYPES
from .extensions import babel
from .ticket_columns import ticket_columns


def _request_translations():
    """The request's catalog, looked up once per language (extensions.RequestDomain)."""
    return babel.domain_instance.get_translations()


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables):
    """Jinja's newstyle gettext, the same answer (escaped, always %-formatted) without its
    two context calls and global lookup per string: a ticket page says 150 of them."""
    translated = _request_translations().ugettext(string)
    if not eval_ctx.autoescape:
        return translated % variables
    if not variables and "%" not in translated:
        return Markup(translated)  # what % {} would give
    # Markup's % escapes each value as it is read; escaped beforehand (numbers left as they
    # are, for %d) the text is the same, at a third of the cost.
    return Markup(translated % {name: value if isinstance(value, Number) else escape(value)
                                for name, value in variables.items()})


def _request_dates() -> DateFormatter:
    """The process's formatter for the user's timezone and locale, looked up once per
    request and language (a ticket page draws 30 dates). Kept as RequestDomain keeps the
    catalog, on Flask-Babel's record of the request's choices (one lookup, where
    get_locale() and get_timezone() take four each): force_locale and refresh() change the
    locale and time zone there, so a formatter serves only the ones it was made for."""
    state = g.get("_flask_babel")
    kept = getattr(state, "rtsuivi_dates", None)
    if (kept is not None and kept[0] is getattr(state, "babel_locale", None)
            and kept[1] is getattr(state, "babel_tzinfo", None)):
        return kept[2]
    locale, zone = get_locale(), get_timezone()
    g._flask_babel.rtsuivi_dates = (locale, zone, formatter_for(zone, locale))
    return g._flask_babel.rtsuivi_dates[2]


# First letters before which French elides « de » and « que » (d'Alice, qu'Émile).
_ELIDING = set("aeiouhàâäéèêëîïôöùûüœæ")


def elides(word) -> bool:
    """Tell whether French writes d'/qu' before this word (a name, a status)."""
    word = str(word or "").strip()
    return bool(word) and word[0].lower() in _ELIDING


# An id no URL holds otherwise: url_maker() builds the URL once with it.
_SENTINEL = 918273645546372819


def url_maker(endpoint: str, varying: str = "ticket_id", **fixed):
    """url_for(endpoint, **fixed, varying=id) for the many rows of a list or a history from
    one url_for: the URL is built once with a sentinel id, then each id takes its place (the
    same string; url_for with a query argument costs 20 µs)."""
    built = url_for(endpoint, **fixed, **{varying: _SENTINEL})
    head, found, tail = built.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in tail:
        return lambda value: url_for(endpoint, **fixed, **{varying: value})
    return lambda value: f"{head}{int(value)}{tail}"


URLS_KEPT = 4096


def kept_url_for(build):
    """Templates' url_for: the URL built once per process for each endpoint and values
    (werkzeug's build costs 5-20 µs, and a page asks for about fifty, the same on every
    view). The URL map does not change once the app is made; what else a URL depends on is
    in the key: the mount point (SCRIPT_NAME) and, for ".name", the request's blueprint.
    External URLs, anchors and the like (arguments starting with "_"), unhashable values
    and calls outside a request go to `build` every time. At most URLS_KEPT are kept."""
    kept: dict[tuple, str] = {}

    def url_for_kept(endpoint: str, **values) -> str:
        if not has_request_context() or any(name[0] == "_" for name in values):
            return build(endpoint, **values)
        here = request._get_current_object()
        key = (here.script_root, here.blueprint if endpoint[0] == "." else None, endpoint,
               *values.items())
        try:
            return kept[key]
        except KeyError:
            pass
        except TypeError:  # a list among the values
            return build(endpoint, **values)
        if len(kept) >= URLS_KEPT:
            kept.clear()
        url = kept[key] = build(endpoint, **values)
        return url
    return url_for_kept


class TicketRows:
    """What every row of one ticket table shares, worked out once per table (issue 16):
    the row links and forms from one url_for each, the CSRF token, the translated words.
    The words are Markup and formatted as Jinja's gettext does (arguments escaped)."""

    def __init__(self, link: str, take: bool):
        gettext = _request_translations().ugettext
        self.link = url_maker(link)
        self.bookmark = url_maker("tickets.bookmark")
        self.take = url_maker("tickets.take") if take else None
        self.csrf = generate_csrf()
        self.star_titles = (Markup(gettext("Ajouter aux favoris")),
                            Markup(gettext("Retirer des favoris")))
        self._star_label = Markup(gettext("Favori : ticket n°%(id)s"))
        self._select_label = Markup(gettext("Sélectionner le ticket %(id)d"))
        self.take_label = Markup(gettext("Prendre"))

    def star_label(self, ticket_id: int) -> Markup:
        return self._star_label % {"id": ticket_id}

    def select_label(self, ticket_id: int) -> Markup:
        return self._select_label % {"id": ticket_id}


def N_(message: str) -> str:
    """Mark a message for the catalog (one of pybabel's default keywords); translated later."""
    return message


# The state of a received or outgoing mail, in words (admin lists, ticket history). Marked
# N_ for the catalog and translated once per call: the macro it replaces translated all nine
# for every mail of a ticket's history (216 lookups on a ticket with 24 sent mails).
MAIL_STATUSES = {"received": N_("reçu"), "done": N_("traité"), "failed": N_("en échec"),
                 "refused": N_("refusé"), "dropped": N_("ignoré"), "duplicate": N_("doublon"),
                 "pending": N_("en attente"), "sending": N_("en cours d'envoi"),
                 "sent": N_("envoyé")}


def mail_status(status: str) -> str:
    label = MAIL_STATUSES.get(status)  # a translation is Markup, as `_` gives it; not a status
    return Markup(_request_translations().ugettext(label)) if label else status


class HistoryLinks:
    """The links each entry of one ticket's history draws, from one url_for each."""

    def __init__(self, ticket_id: int):
        self.forward = url_maker("tickets.forward", "transaction", ticket_id=ticket_id)
        self.to_response = url_maker("admin.response_new", "transaction")
        self.outgoing = url_maker("tickets.outgoing", "mail_id", ticket_id=ticket_id)


def _admin_sections():
    from .blueprints.admin import sections_for  # the blueprints import this module
    return sections_for(current_user)


def compile_templates(app: Flask) -> int:
    """Compile every template now, not at its first use: a server's worker calls it before
    its first request (gunicorn.conf.py, `rtsuivi serve`), so the first agent to open a
    ticket after a restart does not wait for the ticket page's templates (65 ms of the
    first view's 100). Returns how many there are."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def register_template_helpers(app: Flask) -> None:
    if app.config.get("RTSUIVI_STRICT_TEMPLATES"):
        # Tests: a name a template uses but nobody passed is an error, not an empty string.
        app.jinja_env.undefined = StrictUndefined
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # `_` and gettext straight to the request's catalog (see _template_gettext).
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext
    app.jinja_env.globals["url_for"] = kept_url_for(app.url_for)
    # Every template kept compiled (there are about 150) in a plain dict: Jinja's LRU of
    # 400 takes a lock and moves the name along a list on each include and import.
    app.jinja_env.cache = {}

    @app.template_filter("dt")
    def format_dt(value: datetime | None, fmt: str = "short") -> str:
        """Show a UTC date in the user's timezone (empty when unset)."""
        return _request_dates().format(value, fmt) if value else ""

    @app.template_filter("sanitize_html")
    def sanitize(value: str):
        from .sanitize import sanitize_html
        return sanitize_html(value)

    @app.template_filter("filesize")
    def filesize(size: int) -> str:
        """Show a byte count the way people read it, in their language (Ko / KB)."""
        from flask_babel import format_decimal, gettext
        if size < 1024:
            return gettext("%(size)s o", size=format_decimal(size))
        if size < 1024 * 1024:
            return gettext("%(size)s Ko", size=format_decimal(round(size / 1024, 1)))
        return gettext("%(size)s Mo", size=format_decimal(round(size / 1024 / 1024, 1)))

    @app.template_filter("status_colour")
    def status_colour(status: str) -> str:
        return lifecycle.colour(status)

    @app.template_filter("status_label")
    def status_label(status: str) -> str:
        # Once per status, language and request: a list shows the same few statuses on
        # every row (keyed by the locale too: a mail is drawn in force_locale).
        try:
            labels = g._rtsuivi_status_labels
        except AttributeError:
            labels = g._rtsuivi_status_labels = {}
        key = (status, get_locale())
        if key not in labels:
            labels[key] = lifecycle.label(status)
        return labels[key]

    # Globals, not context: macros see them too, and so does a block rendered alone.
    app.jinja_env.globals.update({
        "can": lambda right, obj=None: rights.can(current_user, right, obj),
        "may_administer": lambda: rights.may_administer(current_user),
        "admin_sections": _admin_sections,
        "lifecycle": lifecycle,
        "elides": elides,
        "mail_status": mail_status,
        "ticket_columns": ticket_columns,
        "ticket_rows": TicketRows,
        "history_links": HistoryLinks,
        "thumbnail_types": THUMBNAIL_TYPES,  # pictures drawn small in the history (issue 13)
        # « Les bases »: the custom fields the user may see, and whether they may change them.
        "custom_field_values": lambda ticket: cf.shown_values(ticket, current_user),
        "may_modify_custom_fields": lambda ticket: cf.may_modify_any(ticket, current_user),
        "custom_field_cell": lambda ticket, key: cf.cell_text(ticket, key, current_user),
        "custom_fields_enabled": lambda: cf.list_fields(include_disabled=False),
        # What one request may do (issue 10), said in the forms it bounds.
        "limits": {"bulk_tickets": bulk.MAX_TICKETS, "addresses": tickets.MAX_ADDRESSES,
                   "people_changes": bulk.MAX_PEOPLE_CHANGES},
    })
    register_macros(app.jinja_env)

    @app.context_processor
    def globals_():
        return {"rtname": current_app.config["RTSUIVI_NAME"], "current_locale": str(get_locale())}


# The macro files whose macros every template calls without importing them.
MACRO_FILES = ("_macros.html", "search/_macros.html", "custom_fields/_macros.html",
               "charts/_macros.html")


def register_macros(env: Environment) -> None:
    """Make each macro of MACRO_FILES a global of the environment, registered once here
    instead of imported in every block (jinja2-fragments renders a block without the
    template's top-level imports, so the blocks used to import them again). The macro is
    looked up at each call, so an edited template is seen when templates reload."""
    def global_macro(template_name: str, name: str):
        def call(*args, **kwargs):
            return getattr(env.get_template(template_name).module, name)(*args, **kwargs)
        call.__name__ = name
        return call

    for template_name in MACRO_FILES:
        module = env.get_template(template_name).module
        for name, value in vars(module).items():
            if isinstance(value, Macro):
                if name in env.globals:
                    raise RuntimeError(f"macro {name} of {template_name} is already a global")
                env.globals[name] = global_macro(template_name, name)
