"""Thin views, one module per area."""
from functools import wraps

from flask import Flask, abort, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from ..models.base import MAX_ID

MAX_PAGE = 1_000_000  # beyond, OFFSET overflows PostgreSQL's bigint (50 rows a page)


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number no id column can hold answers 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from . import admin, auth, compat, help, home, mailgate, portal, queues, search, tickets
    for module in (admin, auth, compat, help, home, mailgate, portal, queues, search, tickets):
        app.register_blueprint(module.bp)
    from . import account
    app.register_blueprint(account.bp)
    from . import preferences
    app.register_blueprint(preferences.bp)
    from . import charts
    app.register_blueprint(charts.bp)
    from . import dashboards
    app.register_blueprint(dashboards.bp)


def agent_required(view):
    """Let privileged users in; send requesters to their portal."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.privileged:
            return redirect(url_for("portal.index"))
        return view(*args, **kwargs)
    return wrapper


def page_number(value) -> int:
    try:
        page = max(1, int(value or 1))
    except (TypeError, ValueError):
        abort(400)
    if page > MAX_PAGE:
        abort(400)
    return page
