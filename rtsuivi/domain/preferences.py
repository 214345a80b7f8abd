"""« Préférences »: what every user may change about themselves (ModifySelf), and the
password change (the current one asked, the policy applied, the other sessions ended)."""
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import User
from . import DomainError, accounts, audit
from .people_admin import MAX_TEXT, clean_email, clean_lang, clean_timezone
from .rights import require

AUDITED = ("real_name", "email", "lang", "timezone", "signature")


def require_allowed(user: User) -> None:
    """Raise Forbidden unless the user may change their own settings (ModifySelf)."""
    require(user, "ModifySelf")


def update(user: User, data: dict) -> User:
    """Change the user's own real name, e-mail, language, timezone and (agents) signature.

    Requires ModifySelf; raises DomainError on a bad value (nothing changed).
    """
    require(user, "ModifySelf")
    fields = {"real_name": (data.get("real_name") or "").strip()[:200],
              "email": clean_email(data.get("email"), user),
              "lang": clean_lang(data.get("lang")),
              "timezone": clean_timezone(data.get("timezone"))}
    if user.privileged:
        if len(data.get("signature") or "") > MAX_TEXT:
            raise DomainError(_l("Texte trop long (%(n)d caractères au plus).", n=MAX_TEXT))
        fields["signature"] = data.get("signature") or ""
    before = audit.snapshot(user, AUDITED)
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.flush()
    audit.record(user, "user", user.id, user.name, "update", before=before,
                 after=audit.snapshot(user, AUDITED))
    return user


def change_password(user: User, current: str, new: str, confirm: str | None = None) -> None:
    """Change the user's own password: the current one must match, the policy applies, and
    every session of the user ends (the caller opens this one again).

    Requires ModifySelf; raises DomainError saying what is wrong.
    """
    require(user, "ModifySelf")
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise DomainError(_l("Le mot de passe actuel est incorrect."))
    if confirm is not None and new != confirm:
        raise DomainError(_l("Les deux nouveaux mots de passe diffèrent."))
    if new == current:
        raise DomainError(_l("Le nouveau mot de passe doit différer de l'actuel."))
    accounts.set_password(user, new)
    user.must_change_password = False
    db.session.flush()
    audit.record(user, "user", user.id, user.name, "set_password")
