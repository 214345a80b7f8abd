"""Administration pages. One module per area; each page checks its own right."""
from functools import wraps

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ...domain.rights import ADMIN_RIGHTS, can, may_administer

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


# Administration's sections, in menu order: (endpoint, label, rights that open it, endpoint
# prefixes of its pages). Each area's module adds its own with section(); the menu shows
# those the user may open.
SECTIONS: list[tuple[str, object, tuple[str, ...], tuple[str, ...]]] = []


def section(endpoint: str, label, rights: tuple[str, ...], prefixes: tuple[str, ...] = ()):
    """Add a section to Administration's menu (shown to holders of one of the rights)."""
    SECTIONS.append((endpoint, label, rights, prefixes or (endpoint,)))


def sections_for(user) -> list[tuple[str, object, bool]]:
    """The sections this user may open: (endpoint, label, whether this page is in it)."""
    here = request.endpoint or ""
    return [(endpoint, label, here.startswith(prefixes))
            for endpoint, label, rights, prefixes in SECTIONS
            if endpoint in current_app.view_functions
            and may_administer(user, ("SuperUser",) + rights)]


@bp.route("/")
@admin_required(*ADMIN_RIGHTS)  # as the header's « Administration » link
def index():
    from ...domain.first_run import checklist
    return render_template("admin/index.html", checklist=checklist(),
                           step_links=_step_links())


# Where each step of the first-run checklist is done (when that section exists).
STEP_ENDPOINTS = {"queue": "admin.queues", "group": "admin.group_new", "grant": "admin.rights",
                  "agent": "admin.user_new"}


def _step_links() -> dict[str, str]:
    return {key: endpoint for key, endpoint in STEP_ENDPOINTS.items()
            if endpoint in current_app.view_functions}


# The import order is the menu's order.
# isort: off
from . import users  # noqa: E402,F401
from . import groups  # noqa: E402,F401
from . import queues  # noqa: E402,F401  (« Files »)
from . import rights as rights_pages  # noqa: E402,F401  (« Droits »)
from . import scrips  # noqa: E402,F401  (« Règles de notification »)
from . import custom_fields  # noqa: E402,F401  (« Champs personnalisés »)
from . import responses  # noqa: E402,F401
from . import mail  # noqa: E402,F401  (« Courrier »)
from . import journal  # noqa: E402,F401
from . import password_links  # noqa: E402,F401  (the user page's password-link button)
# isort: on
