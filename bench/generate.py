"""Generate realistic help-desk data for the benchmark: 100k tickets by default.

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench .venv/bin/python bench/generate.py [--tickets N]
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/generate.py --reset

It migrates the target database, creates users, groups, queues and rights through the domain
functions, then writes tickets, watchers, transactions and attachments with bulk inserts.
The rows are what the application itself would write (see domain/tickets.py): a Create entry
with the first message, Take / Give owner changes, Status changes with Started and Resolved
set as the lifecycle says, replies (Correspond) that update Told, internal comments, Set
priority and AddWatcher entries, and the ticket's Updated fields taken from its last entry.
"""
import argparse
import bisect
import itertools
import os
import random
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click  # noqa: E402  (comes with Flask)
from sqlalchemy import func, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

BENCH_AGENT = "agent"
BENCH_REQUESTER = "demandeur"
CHUNK = 1000

FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Jules", "Manon", "Gabriel", "Inès",
               "Arthur", "Zoé", "Raphaël", "Émilie", "Noé", "Anaïs", "Théo", "Sarah", "Lucas",
               "Juliette", "Nathan", "Élodie", "Mathis", "Céline", "Hélène", "François",
               "Sébastien", "Joëlle", "Aurélien", "Gaëlle", "Jérôme"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "García", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
              "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martínez"]
QUEUE_NAMES = ["Informatique", "Ressources humaines", "Comptabilité", "Services généraux",
               "Achats", "Juridique", "Communication", "Paie", "Formation", "Logistique",
               "Téléphonie", "Messagerie", "Réseau", "Postes de travail", "Impressions",
               "Applications métier", "Badges et accès", "Bâtiment", "Sécurité", "Courrier",
               "Archives", "Véhicules", "Voyages", "Restauration", "Accueil", "Reprographie",
               "Événements", "Qualité", "Hygiène", "Santé au travail", "Recrutement",
               "Mobilité", "Retraites", "Subventions", "Marchés publics", "Budget",
               "Contrôle de gestion", "Patrimoine", "Documentation", "Support général"]
GROUP_NAMES = ["Support N1", "Support N2", "Équipe réseau", "Équipe postes", "Équipe RH",
               "Équipe paie", "Équipe comptable", "Services généraux", "Équipe achats",
               "Équipe juridique", "Équipe communication", "Équipe logistique",
               "Équipe bâtiment", "Équipe applications", "Responsables de file"]
PROBLEMS = ["Impossible d'imprimer", "Mot de passe expiré", "Le VPN se déconnecte",
            "Demande d'accès", "Écran noir au démarrage", "Boîte aux lettres pleine",
            "Création d'un compte", "Lenteur du partage réseau", "Téléphone sans tonalité",
            "Mise à jour bloquée", "Fichier supprimé à restaurer", "Clavier défectueux",
            "Demande de second écran", "Certificat expiré", "Accès Wi-Fi invités",
            "Badge refusé", "Chauffage en panne", "Salle réservée deux fois",
            "Facture non reçue", "Attestation employeur", "Bulletin de paie erroné",
            "Congés non décomptés", "Commande de fournitures", "Fuite d'eau",
            "Véhicule de service indisponible", "Inscription à une formation",
            "Contrat à relire", "Note de frais refusée", "Déménagement de bureau",
            "Logiciel à installer"]
PLACES = ["bureau 114", "2e étage", "site de Lyon", "bâtiment B", "salle A", "accueil",
          "service paie", "agence de Nantes", "direction", "open space", "site de Lille",
          "annexe Jean-Jaurès", "télétravail", "salle de réunion Seine", "atelier"]
SENTENCES = [
    "Depuis ce matin le problème se reproduit à chaque tentative.",
    "Pouvez-vous intervenir rapidement, toute l'équipe est bloquée ?",
    "J'ai déjà redémarré le poste sans succès.",
    "Le message d'erreur indique un délai dépassé.",
    "C'est la troisième fois cette semaine que cela arrive.",
    "Je reste joignable au poste 4512 toute la journée.",
    "Une capture d'écran est jointe à ce message.",
    "Merci de me tenir informé de l'avancement.",
    "Le responsable du service est en copie.",
    "La demande concerne également deux collègues du même bureau.",
    "Nous avons une échéance importante vendredi.",
    "Le fournisseur n'a pas répondu à notre relance.",
    "L'imprimante affiche « bourrage papier » alors qu'il n'y a rien.",
    "Le numéro d'inventaire est noté sous l'écran.",
    "Je ne sais pas à qui m'adresser pour ce type de demande.",
]
AGENT_REPLIES = [
    "Bonjour,\n\nNous avons bien reçu votre demande et nous nous en occupons.\n\nCordialement",
    "Bonjour,\n\nPouvez-vous nous préciser le numéro de votre poste ?\n\nMerci",
    "Bonjour,\n\nC'est corrigé de notre côté, pouvez-vous vérifier ?\n\nBonne journée",
    "Bonjour,\n\nUn technicien passera dans la journée.\n\nCordialement",
    "Bonjour,\n\nLa pièce est commandée, livraison prévue sous huit jours.\n\nCordialement",
]
REQUESTER_REPLIES = [
    "Merci, je vous confirme que cela fonctionne de nouveau.",
    "Le problème est revenu ce matin, pouvez-vous regarder à nouveau ?",
    "Voici le numéro demandé : PC-{n}.",
    "Je suis absent demain, vous pouvez passer jeudi.",
]
COMMENTS = [
    "Déjà vu la semaine dernière chez le même service : voir avec le prestataire.",
    "Commande passée auprès du fournisseur.",
    "À traiter en priorité : le directeur est en copie.",
    "Vérifier les journaux du serveur avant de répondre.",
    "Le poste est encore sous garantie.",
]
# Final statuses and their weights (RT sites keep most tickets resolved).
FINAL_STATUSES = [("new", 10), ("open", 15), ("stalled", 5), ("resolved", 60),
                  ("rejected", 8), ("deleted", 2)]
# How many middle exchanges (replies, comments, changes) a worked ticket gets.
EXCHANGES = [(0, 60), (1, 20), (2, 8), (3, 6), (4, 3), (6, 2), (9, 1)]
LONG_HISTORY_EVERY = 500   # one ticket in 500 gets exactly 20 transactions


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--queues", type=int, default=40)
    parser.add_argument("--groups", type=int, default=15)
    parser.add_argument("--agents", type=int, default=150, help="privileged users among --users")
    parser.add_argument("--password",
                        default=os.environ.get("RTSUIVI_BENCH_PASSWORD", "bench-mesure-1"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true",
                        help="empty the database first (otherwise refuse if tickets exist)")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.users < 10 or not 1 <= args.queues <= len(QUEUE_NAMES) \
            or not 1 <= args.groups <= len(GROUP_NAMES) or not 2 <= args.agents < args.users:
        parser.error("need --tickets >= 1, --users >= 10, 1 <= --queues <= 40, "
                     "1 <= --groups <= 15, 2 <= --agents < --users")
    return args


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


class Generator:
    """Holds the reference data (users, queues, who may own what) and writes tickets."""

    def __init__(self, args, db, models):
        self.args, self.db, self.m = args, db, models
        self.rng = random.Random(args.seed)
        self.now = models.utcnow().replace(microsecond=0)

    # ------------------------------------------------------------ reference data

    def people_and_rights(self):
        from rtsuivi.demo import AGENT_RIGHTS, grant_site_defaults
        from rtsuivi.domain import accounts
        from rtsuivi.domain.rights import forget_cached_rights

        args, rng, db, m = self.args, self.rng, self.db, self.m
        self.nobody_id = accounts.nobody().id
        domain_name = "bench.example.org"
        queues = []
        for index, name in enumerate(QUEUE_NAMES[:args.queues]):
            slug = f"file{index + 1}"
            queues.append(accounts.create_queue(name, f"File {name}", f"{slug}@{domain_name}",
                                                f"commentaires-{slug}@{domain_name}"))
        groups = [accounts.create_group(name) for name in GROUP_NAMES[:args.groups]]
        # Every queue is served by one or two groups; group 0 ("Support N1") covers the
        # first five queues so the bench agent sees a realistic share of the desk.
        self.queue_groups = {}
        for index, queue in enumerate(queues):
            serving = {groups[index % len(groups)]}
            if index < 5:
                serving.add(groups[0])
            elif rng.random() < 0.4:
                serving.add(rng.choice(groups))
            self.queue_groups[queue.id] = serving
            for group in serving:
                for right in AGENT_RIGHTS:
                    accounts.grant(f"group:{group.name}", right, queue)
        grant_site_defaults(queues)

        # Named logins through the domain (real password hashes), the rest in bulk.
        agent = accounts.create_user(BENCH_AGENT, f"{BENCH_AGENT}@{domain_name}",
                                     "Agent de mesure", args.password, privileged=True)
        requester = accounts.create_user(BENCH_REQUESTER, f"{BENCH_REQUESTER}@{domain_name}",
                                         "Demandeur de mesure", args.password)
        accounts.create_user("admin", f"admin@{domain_name}", "Administrateur",
                             args.password, privileged=True)
        accounts.grant("user:admin", "SuperUser")
        for group in groups[:2]:
            accounts.add_member(group, agent)
        db.session.flush()

        shared_hash = generate_password_hash(args.password, method="scrypt")
        next_id = db.session.scalar(select(func.max(m.User.id))) + 1
        rows, agent_ids, requester_ids = [], [agent.id], [requester.id]
        for number in range(args.users - 3):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            login = f"{first}.{last}{number}".lower().replace(" ", "")
            privileged = number < args.agents - 1
            rows.append(dict(id=next_id, name=login, email=f"{login}@bench.example.org",
                             real_name=f"{first} {last}", password_hash=shared_hash,
                             privileged=privileged, disabled=False, signature="",
                             created=self.now - timedelta(days=1200)))
            (agent_ids if privileged else requester_ids).append(next_id)
            next_id += 1
        db.session.execute(insert(m.User), rows)
        members = [dict(group_id=group.id, user_id=user_id)
                   for user_id in agent_ids[1:]
                   for group in rng.sample(groups, rng.choice((1, 1, 2)))]
        db.session.execute(insert(m.GroupMember), members)
        db.session.commit()
        forget_cached_rights()

        # Who may own tickets of each queue: the agents of the groups serving it.
        group_agents = {g.id: [] for g in groups}
        for row in members:
            group_agents[row["group_id"]].append(row["user_id"])
        group_agents[groups[0].id].append(agent.id)
        group_agents[groups[1 % len(groups)].id].append(agent.id)
        self.queue_agents = {q.id: sorted({a for g in self.queue_groups[q.id]
                                           for a in group_agents[g.id]}) or [agent.id]
                             for q in queues}
        self.queues = [q.id for q in queues]
        # A few queues are much busier than the others, as on a real desk.
        self.queue_weights = list(itertools.accumulate(
            1.0 / (1 + index) ** 0.8 for index in range(len(queues))))
        self.requesters = requester_ids
        self.requester_weights = list(itertools.accumulate(
            1.0 / (1 + index) ** 0.6 for index in range(len(requester_ids))))
        self.all_users = agent_ids + requester_ids
        return agent, requester

    # ------------------------------------------------------------ tickets

    def pick(self, items, cumulative):
        return items[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def write_tickets(self):
        db, m, args = self.db, self.m, self.args
        first_id = (db.session.scalar(select(func.max(m.Ticket.id))) or 0) + 1
        self.next = {"txn": (db.session.scalar(select(func.max(m.Transaction.id))) or 0) + 1,
                     "att": (db.session.scalar(select(func.max(m.Attachment.id))) or 0) + 1,
                     "watcher": (db.session.scalar(select(func.max(m.Watcher.id))) or 0) + 1}
        self.counts = dict(tickets=0, transactions=0, attachments=0, watchers=0, files=0)
        span = timedelta(days=3 * 365)
        self.start = self.now - span
        self.step = span / args.tickets
        with Progress("tickets", args.tickets) as bar:
            for chunk_start in range(0, args.tickets, CHUNK):
                rows = {"tickets": [], "watchers": [], "txns": [], "atts": []}
                for offset in range(chunk_start, min(chunk_start + CHUNK, args.tickets)):
                    self.one_ticket(first_id + offset, offset, rows)
                db.session.execute(insert(m.Ticket), rows["tickets"])
                db.session.execute(insert(m.Watcher), rows["watchers"])
                db.session.execute(insert(m.Transaction), rows["txns"])
                db.session.execute(insert(m.Attachment), rows["atts"])
                db.session.commit()
                bar.update(len(rows["tickets"]))
        return self.counts

    def one_ticket(self, ticket_id: int, offset: int, rows):
        rng = self.rng
        long_history = offset % LONG_HISTORY_EVERY == LONG_HISTORY_EVERY - 1
        # Long histories sit in the busiest queue, which the bench agent serves.
        queue_id = self.queues[0] if long_history else self.pick(self.queues, self.queue_weights)
        agents = self.queue_agents[queue_id]
        requester = self.pick(self.requesters, self.requester_weights)
        created = self.start + self.step * offset + timedelta(seconds=rng.randint(0, 59))
        subject = f"{rng.choice(PROBLEMS)} — {rng.choice(PLACES)}"
        final = "resolved" if long_history else weighted(rng, FINAL_STATUSES)
        # effective_id: only a merged ticket has one (the lists leave those out).
        ticket = dict(id=ticket_id, effective_id=None, queue_id=queue_id, subject=subject,
                      status="new", owner_id=self.nobody_id, priority=rng.choice((0, 0, 0, 10, 50)),
                      created=created, created_by_id=requester, starts=None, started=None,
                      due=created + timedelta(days=rng.choice((2, 5, 10)))
                      if rng.random() < 0.2 else None,
                      resolved=None, told=None, time_estimated=0, time_worked=0, time_left=0)
        rows["tickets"].append(ticket)
        self.counts["tickets"] += 1
        self.ticket_watchers = set()
        self.watcher(rows, ticket_id, requester, "Requestor")
        if rng.random() < 0.1:
            self.watcher(rows, ticket_id, rng.choice(self.requesters), "Cc")
        if rng.random() < 0.03:
            self.watcher(rows, ticket_id, rng.choice(agents), "AdminCc")

        clock = [created]

        def later(max_minutes=2880):
            clock[0] = min(clock[0] + timedelta(minutes=rng.randint(5, max_minutes)), self.now)
            return clock[0]

        body = "Bonjour,\n\n" + " ".join(rng.sample(SENTENCES, rng.randint(2, 4))) \
            + f"\n\nCordialement,\n{requester}"
        create = self.txn(rows, ticket, requester, "Create", created, content=body)
        if rng.random() < 0.05:
            self.file(rows, create, created)
        if final == "new":
            if rng.random() < 0.2:
                self.txn(rows, ticket, rng.choice(agents), "Comment", later(),
                         content=rng.choice(COMMENTS))
            return

        owner = rng.choice(agents)
        self.txn(rows, ticket, owner, "Take", later(), field="Owner",
                 old=self.nobody_id, new=owner, set_owner=owner)
        # As in RT: an agent's reply on a new ticket opens it (Correspond, then Status).
        when = later()
        self.txn(rows, ticket, owner, "Correspond", when, content=rng.choice(AGENT_REPLIES))
        ticket["told"] = when
        self.status(rows, ticket, owner, "open", when)
        exchanges = 20 - 5 if long_history else weighted(rng, EXCHANGES)
        for _ in range(exchanges):
            actor = ticket["owner_id"]
            kind = rng.random()
            when = later()
            if kind < 0.35:
                self.txn(rows, ticket, requester, "Correspond", when,
                         content=rng.choice(REQUESTER_REPLIES).format(n=rng.randint(1000, 9999)))
            elif kind < 0.65:
                self.txn(rows, ticket, actor, "Correspond", when,
                         content=rng.choice(AGENT_REPLIES), time_taken=rng.choice((0, 5, 15)))
                ticket["told"] = when
            elif kind < 0.85:
                self.txn(rows, ticket, actor, "Comment", when, content=rng.choice(COMMENTS),
                         time_taken=rng.choice((0, 10)))
            elif kind < 0.92:
                new_owner = rng.choice(agents)
                if new_owner == actor:
                    self.txn(rows, ticket, actor, "Comment", when, content=rng.choice(COMMENTS))
                else:
                    self.txn(rows, ticket, actor, "Give", when, field="Owner", old=actor,
                             new=new_owner, set_owner=new_owner)
            elif kind < 0.96:
                new_priority = rng.choice((10, 50, 80, 100))
                self.txn(rows, ticket, actor, "Set", when, field="priority",
                         old=ticket["priority"], new=new_priority)
                ticket["priority"] = new_priority
            else:
                added = self.watcher(rows, ticket_id, rng.choice(self.requesters), "Cc")
                if added:
                    self.txn(rows, ticket, actor, "AddWatcher", when, field="Watcher",
                             new=added, data="Cc")
                else:  # already watching: the agent writes a note instead
                    self.txn(rows, ticket, actor, "Comment", when, content=rng.choice(COMMENTS))
        if final != "open":
            self.status(rows, ticket, ticket["owner_id"], final, later())

    def watcher(self, rows, ticket_id, user_id, role):
        """Add a watcher unless the ticket already has it; return the user id or None."""
        if (ticket_id, user_id, role) in self.ticket_watchers:
            return None
        self.ticket_watchers.add((ticket_id, user_id, role))
        rows["watchers"].append(dict(id=self.next["watcher"], ticket_id=ticket_id,
                                     user_id=user_id, role=role))
        self.next["watcher"] += 1
        self.counts["watchers"] += 1
        return user_id

    def status(self, rows, ticket, actor, new, when):
        from rtsuivi.domain import lifecycle
        old = ticket["status"]
        changes = lifecycle.dates_on_change(old, new)
        if changes.get("started") == "once" and ticket["started"] is None:
            ticket["started"] = when
        if changes.get("resolved") == "set":
            ticket["resolved"] = when
        elif changes.get("resolved") == "clear":
            ticket["resolved"] = None
        ticket["status"] = new
        self.txn(rows, ticket, actor, "Status", when, field="Status", old=old, new=new)

    def txn(self, rows, ticket, actor, type_, when, field=None, old=None, new=None,
            content=None, data=None, time_taken=0, set_owner=None):
        txn_id = self.next["txn"]
        self.next["txn"] += 1
        rows["txns"].append(dict(id=txn_id, ticket_id=ticket["id"], type=type_, field=field,
                                 old_value=None if old is None else str(old),
                                 new_value=None if new is None else str(new), data=data,
                                 creator_id=actor, created=when, time_taken=time_taken))
        self.counts["transactions"] += 1
        if content:
            self.attachment(rows, txn_id, when, content_type="text/plain", content=content,
                            subject=ticket["subject"])
        if set_owner is not None:
            ticket["owner_id"] = set_owner
        ticket["time_worked"] += time_taken
        ticket["updated"], ticket["updated_by_id"] = when, actor
        return txn_id

    def file(self, rows, txn_id, when):
        size = self.rng.randint(2_000, 12_000)
        self.attachment(rows, txn_id, when, content_type="application/pdf",
                        filename=f"piece-jointe-{txn_id}.pdf",
                        content_bytes=b"%PDF-1.4\n" + self.rng.randbytes(size))
        self.counts["files"] += 1

    def attachment(self, rows, txn_id, when, **fields):
        row = dict(id=self.next["att"], transaction_id=txn_id, parent_id=None,
                   message_id=None, subject=None, headers=None, content_type="text/plain",
                   filename=None, content=None, content_bytes=None, created=when)
        row.update(fields)
        rows["atts"].append(row)
        self.next["att"] += 1
        self.counts["attachments"] += 1


class Progress:
    """click's bar on a terminal; otherwise one line every 10 % (for logs and CI)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.started, self.next_line = time.monotonic(), 0.1
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                     show_pos=True, show_eta=True) if sys.stderr.isatty() else None

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def update(self, count: int):
        self.done += count
        if self.bar:
            self.bar.update(count)
        elif self.done >= self.next_line * self.total or self.done == self.total:
            elapsed = time.monotonic() - self.started
            left = elapsed / self.done * (self.total - self.done)
            print(f"{self.label}: {self.done}/{self.total} ({self.done / self.total:.0%}), "
                  f"{elapsed:.0f} s, about {left:.0f} s left", file=sys.stderr, flush=True)
            self.next_line += 0.1


def reset_sequences(db):
    """After inserts with explicit ids, move PostgreSQL's sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "tickets", "transactions", "attachments", "watchers"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    db.session.commit()


def empty_database(db):
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def main(argv=None) -> int:
    args = parse_args(argv)
    from flask_migrate import upgrade

    from rtsuivi import create_app, models
    from rtsuivi.extensions import db

    app = create_app()
    started = time.monotonic()
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=True)
        print(f"database: {url}", file=sys.stderr)
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        if db.session.scalar(select(func.count(models.Ticket.id))):
            if not args.reset:
                print("the database already holds tickets: use --reset to replace them",
                      file=sys.stderr)
                return 2
            empty_database(db)
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        # Bulk inserts bypass the search marks: drop any old index, bench/run.py (or
        # `rtsuivi reindex`) builds it from the new data.
        shutil.rmtree(app.config["RTSUIVI_INDEX_DIR"], ignore_errors=True)
        generator = Generator(args, db, models)
        agent, requester = generator.people_and_rights()
        counts = generator.write_tickets()
        reset_sequences(db)
        db.session.execute(text("ANALYZE"))  # fresh planner statistics for the bench
        db.session.commit()
    elapsed = time.monotonic() - started
    rows = sum(v for k, v in counts.items() if k != "files")
    print(f"{counts['tickets']} tickets, {counts['transactions']} transactions, "
          f"{counts['attachments']} attachments ({counts['files']} files), "
          f"{counts['watchers']} watchers, {args.users} users, {args.queues} queues, "
          f"{args.groups} groups in {elapsed:.0f} s ({rows / elapsed:.0f} rows/s)")
    print(f"logins: {BENCH_AGENT} (agent), {BENCH_REQUESTER} (requester), admin (SuperUser); "
          f"password: {args.password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
