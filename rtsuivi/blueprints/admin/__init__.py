"""Administration pages (SuperUser only). One module per area; mail is the first."""
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

from ...domain.rights import can

bp = Blueprint("admin", __name__, url_prefix="/admin")


def superuser_required(view):
    """Let only holders of SuperUser in (403 for everyone else)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not can(current_user, "SuperUser"):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


from . import mail  # noqa: E402,F401  (registers the routes)
