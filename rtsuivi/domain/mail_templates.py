"""Mail texts: RT's default templates, in French and English, stored in the database and
editable; rendered with a sandboxed Jinja2 environment (an admin's template cannot reach
Python objects, only the plain values it is given)."""
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from ..extensions import db
from ..models import MailTemplate, utcnow
from . import DomainError

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)

_FOOTER_FR = "\n-- \n{{ rtname }} — {{ ticket.url }}\n"
_FOOTER_EN = "\n-- \n{{ rtname }} — {{ ticket.url }}\n"
# Mails to requesters link to their request in the portal (it opens after logging in, or
# after choosing a password through « Mot de passe oublié ? »).
_PORTAL_FR = ("\n-- \nSuivre votre demande : {{ ticket.portal_url }}\n"
              "Première connexion : « Mot de passe oublié ? » sur la page de connexion.\n")
_PORTAL_EN = ("\n-- \nFollow your request: {{ ticket.portal_url }}\n"
              "First time: \"Forgot your password?\" on the login page.\n")

# name -> lang -> (subject, body). Names are RT's; an admin may change every text.
DEFAULTS = {
    "Autoreply": {
        "fr": ("Accusé de réception : {{ ticket.subject }}",
               "Bonjour,\n\nVotre demande « {{ ticket.subject }} » a bien été reçue et "
               "enregistrée sous le numéro {{ ticket.id }}.\nPour toute question à son sujet, "
               "répondez à ce courriel en gardant [{{ ticket.tag }} #{{ ticket.id }}] dans "
               "l'objet.\n\n{{ transaction.content }}\n" + _PORTAL_FR),
        "en": ("AutoReply: {{ ticket.subject }}",
               "Greetings,\n\nYour request \"{{ ticket.subject }}\" has been received and "
               "recorded as number {{ ticket.id }}.\nPlease keep [{{ ticket.tag }} "
               "#{{ ticket.id }}] in the subject of any further mail about it.\n\n"
               "{{ transaction.content }}\n" + _PORTAL_EN),
    },
    "Transaction": {
        "fr": ("{{ ticket.subject }}",
               "Ticket n°{{ ticket.id }} : {{ transaction.description }}\n\n"
               "File : {{ ticket.queue }}\nSujet : {{ ticket.subject }}\n"
               "Intervenant : {{ ticket.owner }}\nDemandeurs : {{ ticket.requestors }}\n"
               "Statut : {{ ticket.status }}\nAdresse : {{ ticket.url }}\n\n"
               "{{ transaction.content }}\n"),
        "en": ("{{ ticket.subject }}",
               "Ticket {{ ticket.id }}: {{ transaction.description }}\n\n"
               "Queue: {{ ticket.queue }}\nSubject: {{ ticket.subject }}\n"
               "Owner: {{ ticket.owner }}\nRequestors: {{ ticket.requestors }}\n"
               "Status: {{ ticket.status }}\nURL: {{ ticket.url }}\n\n"
               "{{ transaction.content }}\n"),
    },
    "Admin Correspondence": {
        "fr": ("{{ ticket.subject }}",
               "{{ ticket.url }}\n\n{{ transaction.content }}\n"),
        "en": ("{{ ticket.subject }}",
               "{{ ticket.url }}\n\n{{ transaction.content }}\n"),
    },
    "Correspondence": {
        "fr": ("{{ ticket.subject }}", "{{ transaction.content }}\n" + _PORTAL_FR),
        "en": ("{{ ticket.subject }}", "{{ transaction.content }}\n" + _PORTAL_EN),
    },
    "Admin Comment": {
        "fr": ("[Commentaire] {{ ticket.subject }}",
               "Ce commentaire n'est pas envoyé aux demandeurs.\n\n{{ ticket.url }}\n\n"
               "{{ transaction.content }}\n"),
        "en": ("[Comment] {{ ticket.subject }}",
               "This is a comment. It is not sent to the Requestor(s).\n\n{{ ticket.url }}\n\n"
               "{{ transaction.content }}\n"),
    },
    "Resolved": {
        "fr": ("Résolu : {{ ticket.subject }}",
               "Bonjour,\n\nVotre demande n°{{ ticket.id }} « {{ ticket.subject }} » a été "
               "résolue.\nSi le problème persiste, répondez simplement à ce courriel : la "
               "demande sera rouverte.\n" + _PORTAL_FR),
        "en": ("Resolved: {{ ticket.subject }}",
               "Greetings,\n\nYour request {{ ticket.id }} \"{{ ticket.subject }}\" has been "
               "resolved.\nIf the problem persists, just reply to this mail and the request "
               "will be reopened.\n" + _PORTAL_EN),
    },
    "Forward": {
        "fr": ("Tr : {{ ticket.subject }}",
               "{{ transaction.content }}\n\n---------- Message transféré ----------\n"
               "{{ forwarded }}\n"),
        "en": ("Fwd: {{ ticket.subject }}",
               "{{ transaction.content }}\n\n---------- Forwarded message ----------\n"
               "{{ forwarded }}\n"),
    },
    "Account Link": {
        "fr": ("Votre accès à {{ rtname }}",
               "Bonjour {{ user }},\n\nPour choisir votre mot de passe{{ login_hint }}, "
               "ouvrez ce lien dans l'heure qui vient (il ne sert qu'une fois) :\n"
               "{{ url }}\n\nSi vous n'avez rien demandé, ignorez ce courriel : rien ne "
               "change.\n"),
        "en": ("Your access to {{ rtname }}",
               "Hello {{ user }},\n\nTo choose your password{{ login_hint }}, open this link "
               "within the hour (it works once):\n{{ url }}\n\nIf you did not ask for it, "
               "ignore this mail: nothing changes.\n"),
    },
    "Error": {
        "fr": ("Refusé : {{ subject }}",
               "Bonjour,\n\nVotre courriel « {{ subject }} » n'a pas pu être enregistré :\n"
               "{{ error }}\n\nSi vous pensez que c'est une erreur, contactez le support.\n"),
        "en": ("Rejected: {{ subject }}",
               "Greetings,\n\nYour mail \"{{ subject }}\" could not be recorded:\n{{ error }}"
               "\n\nIf you think this is a mistake, please contact the help desk.\n"),
    },
    "Reminder": {
        "fr": ("Rappel : {{ reminder.subject }}",
               "Bonjour {{ reminder.owner }},\n\nLe rappel « {{ reminder.subject }} » arrive à "
               "échéance ({{ reminder.due }}).\nTicket n°{{ ticket.id }} : {{ ticket.subject }}"
               " (file {{ ticket.queue }})\n" + _FOOTER_FR),
        "en": ("Reminder: {{ reminder.subject }}",
               "Hello {{ reminder.owner }},\n\nThe reminder \"{{ reminder.subject }}\" is due "
               "({{ reminder.due }}).\nTicket {{ ticket.id }}: {{ ticket.subject }}"
               " (queue {{ ticket.queue }})\n" + _FOOTER_EN),
    },
}
LABELS = {
    "Autoreply": _l("Accusé de réception au demandeur (création)"),
    "Transaction": _l("Avis à l'intervenant et aux AdminCc (création, affectation)"),
    "Admin Correspondence": _l("Réponse, copie pour l'intervenant et les AdminCc"),
    "Correspondence": _l("Réponse aux demandeurs et aux Cc"),
    "Admin Comment": _l("Commentaire interne aux AdminCc"),
    "Resolved": _l("Demande résolue, au demandeur"),
    "Forward": _l("Transfert d'un ticket ou d'un message"),
    "Error": _l("Refus d'un courriel entrant"),
    "Account Link": _l("Lien pour choisir son mot de passe (ou se connecter)"),
    "Reminder": _l("Rappel arrivé à échéance, à son destinataire"),
}


@dataclass
class Text:
    name: str
    lang: str
    subject: str
    body: str
    stored: bool  # False: the built-in default, never edited

    @property
    def modified(self) -> bool:
        """Stored and different from the built-in text (ensure_defaults stores copies)."""
        subject, body = DEFAULTS[self.name][self.lang]
        return self.stored and (self.subject.strip(), self.body.strip()) != (
            subject.strip(), body.strip())


def get(name: str, lang: str, cache: dict | None = None) -> Text:
    """Return the template's text in a language (the database's, else the default).

    With a cache (one per commit), all stored templates are read in one query.
    """
    lang = lang if lang in LANGS else DEFAULT_LANG
    if cache is not None:
        if "stored" not in cache:
            cache["stored"] = {(r.name, r.lang): r
                               for r in db.session.scalars(select(MailTemplate))}
        row = cache["stored"].get((name, lang))
    else:
        row = db.session.scalar(select(MailTemplate).where(MailTemplate.name == name,
                                                           MailTemplate.lang == lang))
    if row is not None:
        return Text(name, lang, row.subject, row.body, True)
    return Text(name, lang, *DEFAULTS[name][lang], False)


def all_texts() -> list[Text]:
    """Every template in every language, in one query."""
    rows = {(r.name, r.lang): r for r in db.session.scalars(select(MailTemplate))}
    texts = []
    for name in DEFAULTS:
        for lang in LANGS:
            row = rows.get((name, lang))
            texts.append(Text(name, lang, row.subject, row.body, True) if row else
                         Text(name, lang, *DEFAULTS[name][lang], False))
    return texts


def check(source: str) -> None:
    """Raise DomainError when the template does not compile."""
    try:
        _ENV.from_string(source)
    except TemplateError as error:
        raise DomainError(_l("Modèle invalide : %(error)s", error=str(error)))


def save(name: str, lang: str, subject: str, body: str) -> MailTemplate:
    """Store an edited template (checked first); the caller commits."""
    if name not in DEFAULTS or lang not in LANGS:
        raise DomainError(_l("Modèle inconnu."))
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n")
    if not subject or not body.strip():
        raise DomainError(_l("L'objet et le texte sont obligatoires."))
    check(subject)
    check(body)
    row = db.session.scalar(select(MailTemplate).where(MailTemplate.name == name,
                                                       MailTemplate.lang == lang))
    if row is None:
        row = MailTemplate(name=name, lang=lang)
        db.session.add(row)
    row.subject, row.body, row.updated = subject, body, utcnow()
    db.session.flush()
    return row


def reset(name: str, lang: str) -> None:
    """Go back to the built-in text."""
    row = db.session.scalar(select(MailTemplate).where(MailTemplate.name == name,
                                                       MailTemplate.lang == lang))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def ensure_defaults() -> int:
    """Write the built-in texts into the database where missing; return how many."""
    existing = set(db.session.execute(select(MailTemplate.name, MailTemplate.lang)).all())
    added = 0
    for name, langs in DEFAULTS.items():
        for lang, (subject, body) in langs.items():
            if (name, lang) not in existing:
                db.session.add(MailTemplate(name=name, lang=lang, subject=subject, body=body))
                added += 1
    db.session.flush()
    return added


@lru_cache(maxsize=256)
def _compiled(source: str):
    return _ENV.from_string(source)  # compiling costs more than rendering: keep them


def render(text: Text, context: dict) -> tuple[str, str]:
    """Render subject and body; a broken stored template falls back to the default."""
    try:
        return (" ".join(_compiled(text.subject).render(context).split()),
                _compiled(text.body).render(context))
    except Exception:
        if not text.stored:
            raise
        subject, body = DEFAULTS[text.name][text.lang]
        return render(Text(text.name, text.lang, subject, body, False), context)
