"""Administration pages. One module per area; each page checks its own right."""
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

from ...domain.rights import can, may_administer

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


def admin_required(*rights: str):
    """Let in holders of SuperUser or of any of these rights (globally or on one queue);
    403 for everyone else. The page itself still narrows to what the right covers."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not may_administer(current_user, ("SuperUser",) + rights):
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


from . import mail  # noqa: E402,F401  (registers the routes)
