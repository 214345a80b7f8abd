"""Thin views, one module per area."""
from functools import wraps

from flask import Flask, abort, redirect, url_for
from flask_login import current_user, login_required


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, compat, help, home, mailgate, portal, queues, search, tickets
    for module in (admin, auth, compat, help, home, mailgate, portal, queues, search, tickets):
        app.register_blueprint(module.bp)


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
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        abort(400)
