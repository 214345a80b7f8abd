"""Mail a one-time account link (domain/account_links.py) through the outbox, in the
person's language, like every other mail: the worker sends it after the commit."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..domain import account_links, mail_templates
from ..models import OutboxMail, User
from . import outbound


def link_url(token: str) -> str:
    return f"{current_app.config['RTSUIVI_BASE_URL'].rstrip('/')}/compte/lien/{token}"


def queue_link(issued: account_links.Issued) -> OutboxMail:
    """Compose the mail carrying the link and put it in the outbox."""
    user = issued.user
    lang = user.lang if user.lang in mail_templates.LANGS else mail_templates.DEFAULT_LANG
    with force_locale(lang):
        hint = _(" ou vous connecter") if issued.login else ""
    rtname = current_app.config["RTSUIVI_RTNAME"]
    subject, body = mail_templates.render(mail_templates.get("Account Link", lang), {
        "rtname": rtname, "user": user.display_name, "url": link_url(issued.token),
        "login_hint": hint})
    msg = outbound.compose(subject=subject, body=body, to=[user.email],
                           mail_from=current_app.config["RTSUIVI_MAIL_FROM"],
                           display_name=rtname, auto_submitted="auto-generated")
    return outbound._store(msg, [user.email], "Account Link")


def send_link(address: str, next_url: str | None, client: str | None) -> None:
    """Mail a link to the person with this address, if there is one (nothing says which).

    Raises DomainError when the requests are throttled.
    """
    issued = account_links.request_link(address, next_url, client)
    if issued is not None:
        queue_link(issued)


def send_link_for(actor: User, user: User, next_url: str | None = None) -> None:
    """Mail a link to a user from the admin pages (rights checked by the domain)."""
    queue_link(account_links.issue_for(actor, user, next_url))
