"""Demo data: two queues, two support groups, agents, requesters and ~40 tickets in French."""
import random
from datetime import timedelta

from flask import current_app

from .domain import accounts, notifications
from .domain import tickets as domain
from .domain.accounts import grant_site_defaults  # noqa: F401  (bench/generate.py imports it here)
from .extensions import db
from .models import Ticket, utcnow

AGENT_RIGHTS = (
    "SeeQueue", "ShowTicket", "ShowTicketComments", "ShowOutgoingEmail", "CreateTicket",
    "ReplyToTicket", "CommentOnTicket", "OwnTicket", "TakeTicket", "StealTicket",
    "ReassignTicket", "ModifyTicket", "DeleteTicket", "Watch", "WatchAsAdminCc",
    "ForwardMessage", "SeeCustomField", "ModifyCustomField", "SetInitialCustomField",
)

SUBJECTS = {
    "General": [
        "Impossible d'imprimer sur l'imprimante du 2e étage", "Demande de badge d'accès",
        "Salle de réunion B réservée deux fois", "Commande de fournitures de bureau",
        "Question sur les congés de fin d'année", "Le chauffage ne fonctionne pas bureau 114",
        "Accès au parking pour un visiteur", "Mise à jour de l'annuaire interne",
        "Demande de clé pour l'armoire des archives", "Problème de vidéoprojecteur salle A",
        "Arrivée d'un nouvel agent lundi", "Réservation d'un véhicule de service",
        "Facture fournisseur non reçue", "Changement de bureau pour l'équipe paie",
        "Demande d'attestation employeur", "Lumière défectueuse dans le couloir",
        "Plateaux-repas pour le séminaire", "Signalétique de l'accueil à refaire",
        "Envoi d'un colis urgent", "Inscription à la formation sécurité",
    ],
    "Informatique": [
        "Mot de passe expiré, compte bloqué", "Installation de LibreOffice sur mon poste",
        "Le VPN se déconnecte toutes les dix minutes", "Demande d'accès à l'application RH",
        "Écran noir au démarrage du portable", "Messagerie : boîte pleine",
        "Création d'un compte pour un stagiaire", "Lenteur du partage réseau S:",
        "Téléphone IP sans tonalité", "Mise à jour de Firefox bloquée",
        "Restauration d'un fichier supprimé", "Clavier qui ne répond plus",
        "Demande de second écran", "Certificat expiré sur l'intranet",
        "Accès Wi-Fi invités pour un partenaire", "Imprimante réseau introuvable",
        "Synchronisation du calendrier sur mobile", "Poste de travail pour un nouvel arrivant",
        "Virus détecté par l'antivirus", "Droits d'écriture sur le dossier projets",
    ],
}
OPENINGS = [
    "Bonjour,\n\n{subject}. Pouvez-vous m'aider rapidement ?\n\nMerci d'avance,\n{name}",
    "Bonjour,\n\nJe vous signale le problème suivant : {subject}.\nC'est assez urgent pour "
    "notre service.\n\nCordialement,\n{name}",
    "Bonjour à tous,\n\n{subject} : pourriez-vous regarder ? Je reste joignable au poste 4512."
    "\n\nBien à vous,\n{name}",
]
REPLIES = [
    "Bonjour,\n\nNous avons bien reçu votre demande et nous nous en occupons.\n\nCordialement",
    "Bonjour,\n\nPouvez-vous nous préciser le numéro de votre poste (étiquette sous "
    "l'écran) ?\n\nMerci",
    "Bonjour,\n\nC'est corrigé de notre côté, pouvez-vous vérifier et nous dire si tout "
    "fonctionne ?\n\nBonne journée",
]
COMMENTS = [
    "Déjà vu la semaine dernière chez le même service : voir avec le prestataire.",
    "Commande passée auprès du fournisseur, livraison prévue sous huit jours.",
    "À traiter en priorité : le directeur est en copie.",
]
# Status each demo ticket ends in, cycled so every status and owner appears.
FINAL_STATUSES = ["new", "open", "open", "stalled", "resolved", "new", "open", "rejected",
                  "resolved", "open", "deleted", "stalled", "new", "open", "resolved"]


def load_demo(password: str, progress=print, tickets_per_queue: int = 20) -> int:
    """Create the demo users, groups, queues, grants and tickets; return the ticket count.

    The back-dated demo history sends no notification (it would fill the outbox).
    """
    with notifications.suspended(db.session):
        return _load(password, progress, tickets_per_queue)


def _load(password: str, progress, tickets_per_queue: int) -> int:
    domain_name = current_app.config["RTSUIVI_MAIL_DOMAIN"]
    make = accounts.create_user
    admin = make("admin", email=f"admin@{domain_name}", real_name="Administrateur",
                 password=password, privileged=True)
    alice = make("alice", email=f"alice@{domain_name}", real_name="Alice Martin",
                 password=password, privileged=True,
                 signature="Alice Martin\nSupport N1 — poste 4100")
    bruno = make("bruno", email=f"bruno@{domain_name}", real_name="Bruno Lefèvre",
                 password=password, privileged=True)
    chloe = make("chloe", email=f"chloe@{domain_name}", real_name="Chloé Dubois",
                 password=password, privileged=True)
    denise = make("denise", email=f"denise@{domain_name}", real_name="Denise Garnier",
                  password=password)
    etienne = make("etienne", email=f"etienne@{domain_name}", real_name="Étienne Roux",
                   password=password)
    progress("users: admin, alice, bruno, chloe, denise, etienne")

    n1 = accounts.create_group("Support N1", "Premier niveau : accueil, services généraux")
    n2 = accounts.create_group("Support N2", "Informatique")
    for group, members in ((n1, (alice, bruno)), (n2, (chloe,))):
        for member in members:
            accounts.add_member(group, member)
    general = accounts.create_queue("General", "Demandes générales",
                                    f"support@{domain_name}",
                                    f"commentaires-support@{domain_name}")
    info = accounts.create_queue("Informatique", "Demandes informatiques",
                                 f"informatique@{domain_name}",
                                 f"commentaires-informatique@{domain_name}")
    accounts.grant("user:admin", "SuperUser")
    for group, queue in ((n1, general), (n2, info)):
        for right in AGENT_RIGHTS:
            accounts.grant(f"group:{group.name}", right, queue)
    accounts.grant_site_defaults([general, info])
    progress("groups Support N1 / N2, queues General / Informatique, rights granted")

    rng = random.Random(42)
    now = utcnow()
    count = 0
    for queue, agents in ((general, (alice, bruno)), (info, (chloe,))):
        for i, subject in enumerate(SUBJECTS[queue.name][:tickets_per_queue]):
            requester = (denise, etienne)[i % 2]
            created = now - timedelta(days=30 - i, hours=rng.randint(0, 8))
            ticket = domain.create(requester, domain.NewTicket(
                queue=queue, subject=subject, requestors=[requester],
                cc=[etienne] if i % 7 == 3 and requester is denise else [],
                priority=rng.choice((0, 0, 10, 20, 50, 80)),
                content=rng.choice(OPENINGS).format(subject=subject,
                                                    name=requester.display_name)))
            _play(ticket, FINAL_STATUSES[(i + count) % len(FINAL_STATUSES)], agents,
                  requester, rng)
            _backdate(ticket, created)
            count += 1
    progress(f"{count} tickets with their history")
    _predefined_responses(admin, general)
    db.session.flush()
    return count


RESPONSES = (  # (name, category, lang, text, for General only)
    ("Accusé de réception", "Accueil", "fr", "Bonjour {{demandeur}},\n\nNous avons bien reçu "
     "votre demande n°{{numero}} « {{sujet}} » ; {{agent}} s'en occupe.", False),
    ("Acknowledgement", "Accueil", "en", "Hello {{demandeur}},\n\nWe have received your "
     "request #{{numero}} \"{{sujet}}\"; {{agent}} is on it.", False),
    ("Demande de précisions", "Suivi", "fr", "Bonjour {{demandeur}},\n\nPour avancer sur "
     "votre demande, pourriez-vous nous préciser le numéro du poste concerné ?", True),
)


def _predefined_responses(admin, general) -> None:
    from .domain import responses
    for name, category, lang, text, only_general in RESPONSES:
        responses.save(admin, None, name, category, lang, text,
                       general if only_general else None)


def _play(ticket: Ticket, final: str, agents, requester, rng) -> None:
    """Work a ticket the way agents do, ending in the given status."""
    if final == "new":
        if rng.random() < 0.3:
            domain.comment(ticket, agents[0], rng.choice(COMMENTS))
        return
    agent = rng.choice(agents)
    domain.take(ticket, agent)
    domain.reply(ticket, agent, rng.choice(REPLIES))
    if rng.random() < 0.6:
        domain.comment(ticket, agent, rng.choice(COMMENTS))
    if len(agents) > 1 and rng.random() < 0.25:
        other = next(a for a in agents if a is not agent)
        domain.steal(ticket, other)
        agent = other
    if rng.random() < 0.5:
        domain.reply(ticket, requester, "Merci, je reste disponible si besoin.")
    if final != "open":
        domain.set_status(ticket, agent if final != "deleted" else agents[0], final)


def _backdate(ticket: Ticket, created) -> None:
    """Spread a ticket's history over the days after its creation date."""
    db.session.flush()
    ticket.created = created
    for step, txn in enumerate(ticket.transactions):
        txn.created = created + timedelta(hours=3 * step, minutes=7 * step)
    last = ticket.transactions[-1].created
    ticket.updated = last
    if ticket.started:
        ticket.started = created + timedelta(hours=3)
    if ticket.resolved:
        ticket.resolved = last
    if ticket.told:
        ticket.told = created + timedelta(hours=3, minutes=7)
