"""Recherche rapide, Recherche avancée (query builder), results, CSV, saved searches, bulk
update. Every query goes through ticketsql.compile_query, which adds the rights filter."""
import csv
import io
import re
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from .. import search
from ..dates import utc_to_local
from ..domain import DomainError, bulk, lifecycle, queries, query_builder, saved_searches
from ..domain import custom_fields as cf
from ..domain.rights import require
from ..domain.saved_searches import SearchSpec
from ..domain.simple_search import to_ticketsql
from ..domain.ticketsql import TicketSQLError
from ..errors import database_busy, read_only_from_now
from ..extensions import db
from ..htmx import answer, redirect_client, render_fragment, wants_fragment
from ..models.base import db_id
from ..safe_urls import local_url
from . import agent_required, page_number
from . import search_forms as forms

bp = Blueprint("search", __name__, url_prefix="/recherche")
TICKET_NUMBER = re.compile(r"#?\d{1,12}")
MAX_PAGE = 10**7  # (page - 1) * rows must stay an integer the database takes
SUGGESTIONS = 8
# A cell starting with one of these is run as a formula by spreadsheets (OWASP, CSV
# injection): it gets a leading "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _compile(query: str):
    """Compile for the current user; Content goes to the index, dates in their timezone."""
    return search.compile_for(query, current_user, zone=str(get_timezone()))


# ---------------------------------------------------------------- quick search

@bp.route("")
@agent_required
def quick():
    words = request.args.get("q", "").strip()
    if TICKET_NUMBER.fullmatch(words):
        return redirect(url_for("tickets.show", ticket_id=int(words.lstrip("#"))))
    if not words:
        return redirect(url_for("search.builder"))
    return redirect(url_for("search.results", q=words, query=to_ticketsql(words)))


@bp.route("/suggestions")
@agent_required
def suggestions():
    words = request.args.get("q", "").strip()
    if not wants_fragment():
        return redirect(url_for("search.quick", q=words))
    page = None
    if len(words) >= 2 or TICKET_NUMBER.fullmatch(words):
        # The last word is still being typed: look for it as a prefix.
        query = f"id = {int(words.lstrip('#'))}" if TICKET_NUMBER.fullmatch(words) \
            else to_ticketsql(words + "*" if words[-1].isalnum() else words)
        try:
            page = queries.search_tickets(_compile(query).condition, [("updated", "desc")],
                                          1, SUGGESTIONS)
        except TicketSQLError:
            page = None
    return render_fragment("search/suggestions.html", "suggestions", page=page, words=words)


# ---------------------------------------------------------------- results

def _requested_spec() -> SearchSpec:
    """The search of the URL: a saved search (?saved=id) or the query and display args."""
    if "saved" in request.args:
        saved_id = request.args.get("saved", type=db_id)
        if saved_id is None:
            abort(404)
        return SearchSpec.of(saved_searches.load(current_user, saved_id))
    return forms.search_spec(request.args)


def _page() -> int:
    """The page asked for; 400 past any page a search can have."""
    page = page_number(request.args.get("page"))
    if page > MAX_PAGE:
        abort(400)
    return page


def _results_context(spec: SearchSpec) -> dict:
    context = {"spec": spec, "words": request.args.get("q", ""), "page": None,
               "notices": [], "error": None, "column_labels": forms.COLUMN_LABELS,
               "queues": queries.visible_queues(current_user)}
    try:
        compiled = _compile(spec.query)
        context["page"] = queries.search_tickets(compiled.condition, spec.order, _page(),
                                                 spec.rows)
        context["notices"] = compiled.notices
    except TicketSQLError as error:
        context["error"] = error
    return context


@bp.route("/resultats")
@agent_required
def results():
    context = _results_context(_requested_spec())
    if wants_fragment():
        return render_fragment("search/results.html", "results", **context)
    return render_template("search/results.html", **context)


@bp.route("/resultats.csv")
@agent_required
def results_csv():
    spec = _requested_spec()
    try:
        condition = _compile(spec.query).condition
    except TicketSQLError as error:
        return Response(str(error), status=400, mimetype="text/plain")

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(forms.COLUMN_LABELS[c]) for c in spec.columns])
        for ticket in queries.iter_search(condition, spec.order):
            writer.writerow([_cell_text(ticket, c) for c in spec.columns])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
    return Response(stream_with_context(rows()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=recherche.csv"})


def _cell_text(ticket, column: str) -> str:
    """A result cell as plain text (dates in the user's timezone)."""
    value = {"queue": lambda: ticket.queue.name, "owner": lambda: ticket.owner.name,
             "status": lambda: lifecycle.label(ticket.status),
             "requestors": lambda: ", ".join(u.email or u.name for u in ticket.requestors),
             }.get(column, lambda: cf.cell_text(ticket, column, current_user)
                   if cf.field_of_column(column) else getattr(ticket, column))()
    if isinstance(value, datetime):
        return utc_to_local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else str(value)


# ---------------------------------------------------------------- advanced search

def _builder_context(spec: SearchSpec, builder, error=None) -> dict:
    return {"spec": spec, "builder": builder, "error": error,
            "saved": saved_searches.visible(current_user),
            "groups": current_user.groups, "fields": forms.FIELDS + forms.custom_fields(),
            "operators": forms.OPERATORS, "columns": queries.COLUMNS + cf.column_keys(),
            "column_labels": forms.COLUMN_LABELS, "sortable": queries.SEARCH_SORTABLE,
            "rows_choices": queries.ROWS_CHOICES}


def _apply(action: str, builder) -> None:
    """Add or remove a criteria row or a group ("add_row:0", "remove_row:0:1", "add_group")."""
    kind, *where = action.split(":")
    try:
        numbers = [int(n) for n in where]
    except ValueError:
        return
    groups = builder.groups
    if kind == "add_group" and len(groups) < 20:
        groups.append(query_builder.Group())
    elif kind == "add_row" and numbers and numbers[0] < len(groups):
        groups[numbers[0]].rows.append(query_builder.Row())
    elif kind == "remove_row" and len(numbers) == 2 and numbers[0] < len(groups):
        rows = groups[numbers[0]].rows
        if numbers[1] < len(rows):
            del rows[numbers[1]]
        if not rows:
            del groups[numbers[0]]
        if not groups:
            groups.append(query_builder.Group())


@bp.route("/avancee", methods=["GET", "POST"])
@agent_required
def builder():
    if request.method == "GET":
        # A GET only reads: a link or an <img> must never save (or run) anything.
        spec = _requested_spec()
        return _render_builder(spec, *_read_builder(spec.query, request.args))
    form = request.form
    action = form.get("action", "")
    spec = forms.search_spec(form)
    if action == "from_sql":
        return _render_builder(spec, *_read_builder(spec.query, form))
    built = forms.builder(form)
    _apply(action, built)
    spec.query = built.to_ticketsql() if action == "to_sql" \
        else forms.query_to_run(form, built)
    if action in ("search", "save"):
        return _search_or_save(action, spec, built, form)
    return _render_builder(spec, built)


def _read_builder(query: str, form):
    """The builder for this TicketSQL, and the error when it is invalid (then the rows
    of the form stay); an empty builder with a notice when it is too deep for one."""
    try:
        built = query_builder.from_ticketsql(query)
    except TicketSQLError as problem:
        return forms.builder(form), problem
    if built is None:
        flash(_("Cette requête est trop complexe pour le constructeur : modifiez-la en "
                "TicketSQL."), "info")
        built = query_builder.Builder()
    return built, None


def _render_builder(spec: SearchSpec, built, error=None):
    context = _builder_context(spec, built, error)
    if wants_fragment():
        return render_fragment("search/builder.html", "builder", **context)
    return render_template("search/builder.html", **context)


def _search_or_save(action: str, spec: SearchSpec, built, form):
    try:
        _compile(spec.query)  # an invalid query runs nothing and is shown again
    except TicketSQLError as error:
        return _render_builder(spec, built, error)
    if action == "save":
        privacy, _sep, group = form.get("save_privacy", "user").partition(":")
        try:
            saved_searches.save(current_user, form.get("save_name", ""), privacy, spec,
                                int(group) if group.isdigit() else None)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Recherche enregistrée."), "success")
        target = url_for("search.builder", **spec.to_args())
    else:
        target = url_for("search.results", **spec.to_args())
    return redirect_client(target) if wants_fragment() else redirect(target)


@bp.route("/enregistrees/<int:saved_id>/supprimer", methods=["POST"])
@agent_required
def delete_saved(saved_id: int):
    saved = saved_searches.load(current_user, saved_id)
    saved_searches.delete(current_user, saved)
    db.session.commit()
    flash(_("Recherche enregistrée supprimée."), "success")
    target = url_for("search.builder")
    return redirect_client(target) if wants_fragment() else redirect(target)


# ---------------------------------------------------------------- bulk update

@bp.route("/modifier", methods=["POST"])
@agent_required
def bulk_update():
    require(current_user, "ShowSearchBulkUpdate")
    ids = request.form.getlist("ids", type=db_id)
    outcomes = []
    if not ids:
        flash(_("Sélectionnez au moins un ticket."), "error")
    else:
        try:
            outcomes = _bulk_run(ids, forms.bulk_changes(request.form))
        except DomainError as error:
            flash(str(error), "error")
    context = {"outcomes": outcomes, "back": local_url(request.form.get("back"),
                                                       url_for("search.builder"))}
    if wants_fragment():
        html = render_fragment("search/bulk.html", "bulk_report", **context)
        return answer(html, "search-results-changed")
    return render_template("search/bulk.html", **context)


def _bulk_run(ids: list[int], changes) -> list:
    """Run the bulk update a batch at a time, each committed so that others interleave;
    when the database stays busy, stop and report the rest as not done."""
    outcomes = []
    batches = bulk.batches(ids, changes)
    for number, batch in enumerate(batches):
        try:
            done = bulk.update(current_user, batch, changes)
            db.session.commit()
        except OperationalError as error:
            db.session.rollback()
            if not database_busy(error):
                raise
            read_only_from_now()
            rest = [i for later in batches[number:] for i in later]
            return outcomes + bulk.not_done(rest, _(
                "base de données occupée, non modifié : réessayez dans un instant"))
        outcomes += done
    return outcomes
