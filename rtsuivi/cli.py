"""`flask --app app rtsuivi …`: accounts, queues and grants until the admin pages exist."""
import os
import secrets

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from .domain import DomainError, accounts, rights_admin
from .extensions import db
from .models import Group, Queue, Ticket, User
from .models.base import MAX_ID
from .models.users import NOBODY_NAME, SYSTEM_NAME

# Commands that work without a migrated database (they make or fill it, or only print).
WITHOUT_DATABASE = {"rights", "backup", "restore"}


def database_problem() -> str | None:
    """Say plainly what is wrong when there is no usable database (None when all is well).

    Looks before connecting: SQLite would create an empty file, a stray database.
    """
    from flask import current_app
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    data_dir = current_app.config["RTSUIVI_DATA_DIR"]
    hint = ("Run ./run once (it creates and migrates the database), or "
            "`flask --app app db upgrade`; set RTSUIVI_DATA_DIR (or DATABASE_URL) if the "
            "data lives elsewhere.")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not os.path.exists(url.database):
        return f"No RT-suivi database in the data directory {data_dir} ({url.database} " \
               f"does not exist). {hint}"
    try:
        if not inspect(db.engine).has_table("users"):
            return f"The database {url.render_as_string(hide_password=True)} has no " \
                   f"RT-suivi tables yet. {hint}"
    except Exception as error:  # unreachable server, bad credentials
        return f"Cannot open the database {url.render_as_string(hide_password=True)}: " \
               f"{error.__class__.__name__}: {str(error).splitlines()[0]}"
    return None


def _check_database():
    command = click.get_current_context().invoked_subcommand
    if command in WITHOUT_DATABASE:
        return
    problem = database_problem()
    if problem and command == "mailgate":  # as rt-mailgate: the MTA keeps it and retries
        click.echo(f"temporary failure - {problem}", err=True)
        raise SystemExit(EX_TEMPFAIL)
    if problem:
        raise click.ClickException(problem)


rtsuivi_cli = AppGroup("rtsuivi", help="Administer RT-suivi.",
                       callback=with_appcontext(_check_database))


def _fail(error: Exception):
    db.session.rollback()
    raise click.ClickException(str(error))


@rtsuivi_cli.command("create-user")
@click.argument("name")
@click.option("--email")
@click.option("--real-name", default="")
@click.option("--password", help="Prompted for when omitted.")
@click.option("--privileged/--unprivileged", default=False, help="Agent (privileged) or requester.")
def create_user(name, email, real_name, password, privileged):
    """Create a user."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(name, email=email, real_name=real_name, password=password,
                                    privileged=privileged)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"User {user.name} created (id {user.id}).")


@rtsuivi_cli.command("create-group")
@click.argument("name")
@click.option("--description", default="")
def create_group(name, description):
    """Create a group."""
    try:
        group = accounts.create_group(name, description)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Group {group.name} created.")


@rtsuivi_cli.command("add-member")
@click.argument("group")
@click.argument("user")
def add_member(group, user):
    """Add USER to GROUP."""
    group_obj = db.session.scalar(select(Group).where(Group.name == group))
    user_obj = accounts.find_user(user)
    if group_obj is None or user_obj is None:
        unknown = f"group {group}" if group_obj is None else f"user {user}"
        raise click.ClickException(f"Unknown {unknown}.")
    accounts.add_member(group_obj, user_obj)
    db.session.commit()
    click.echo(f"{user_obj.name} is a member of {group_obj.name}.")


@rtsuivi_cli.command("create-queue")
@click.argument("name")
@click.option("--description", default="")
@click.option("--correspond-address")
@click.option("--comment-address")
def create_queue(name, description, correspond_address, comment_address):
    """Create a queue."""
    try:
        queue = accounts.create_queue(name, description, correspond_address, comment_address)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Queue {queue.name} created (id {queue.id}).")


def _queue(name: str | None) -> Queue | None:
    if not name:
        return None
    queue = db.session.scalar(select(Queue).where(Queue.name == name))
    if queue is None:
        raise click.ClickException(f"Unknown queue {name}.")
    return queue


def _known_rights(rights) -> None:
    from .domain.rights import ALL_RIGHTS
    unknown = [r for r in rights if r not in ALL_RIGHTS]
    if unknown:
        raise click.ClickException(
            f"Unknown right{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Valid rights: {', '.join(ALL_RIGHTS)} (`flask --app app rtsuivi rights` says "
            "what each one allows).")


@rtsuivi_cli.command("rights")
def rights_cmd():
    """List every right with what it allows."""
    from .domain.rights import QUEUE_RIGHTS, SYSTEM_RIGHTS
    from .domain.rights_catalog import MEANINGS
    width = max(map(len, MEANINGS))
    for title, names in (("Queue rights (on one queue with --queue, or on every queue):",
                          QUEUE_RIGHTS), ("System rights (global only):", SYSTEM_RIGHTS)):
        click.echo(title)
        for name in names:
            click.echo(f"  {name:<{width}}  {MEANINGS[name]}")


@rtsuivi_cli.command("grant")
@click.argument("principal")
@click.argument("rights", nargs=-1, required=True)
@click.option("--queue", help="Queue name; global when omitted.")
def grant(principal, rights, queue):
    """Grant RIGHTS to PRINCIPAL (user:NAME, group:NAME, role:Requestor, system:Everyone)."""
    _known_rights(rights)
    queue_obj = _queue(queue)
    try:
        for right in rights:
            rights_admin.set_right(None, principal, right, queue_obj, True)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Granted {', '.join(rights)} to {principal} on {queue or 'the system'}.")


@rtsuivi_cli.command("revoke")
@click.argument("principal")
@click.argument("rights", nargs=-1, required=True)
@click.option("--queue")
def revoke(principal, rights, queue):
    """Revoke RIGHTS from PRINCIPAL."""
    _known_rights(rights)
    queue_obj = _queue(queue)
    try:
        removed = sum(rights_admin.set_right(None, principal, right, queue_obj, False)
                      for right in rights)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Removed {removed} grant(s).")


@rtsuivi_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no ticket yet.")
def demo(if_empty):
    """Load the demo data and print the demo logins."""
    from .demo import load_demo
    from .domain import mail_templates
    accounts.ensure_system_users()
    if if_empty and db.session.scalar(select(func.count()).select_from(Ticket)):
        click.echo("Demo data already loaded; logins: admin, alice, bruno, chloe, denise, "
                   "etienne (password as printed on first start, or RTSUIVI_DEMO_PASSWORD).")
        return
    if if_empty and db.session.scalar(select(func.count()).select_from(User).where(
            User.name.not_in((NOBODY_NAME, SYSTEM_NAME)))):
        # A site set up by hand (users, no ticket yet) is not empty: leave it alone.
        click.echo("The database already has users: demo data not loaded.")
        db.session.commit()
        return
    password = os.environ.get("RTSUIVI_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    try:
        count = load_demo(password, progress=lambda msg: click.echo(f"  {msg}"))
        mail_templates.ensure_defaults()
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Demo data loaded: {count} tickets.")
    click.echo("Demo logins (all with the same password):")
    click.echo("  admin (administrateur), alice et bruno (Support N1), chloe (Support N2),")
    click.echo("  denise et etienne (demandeurs)")
    click.echo(f"  password: {password}")


@rtsuivi_cli.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--with-worker/--no-worker", default=False,
              help="Also send the outbox from a thread of this process.")
def serve(host, port, with_worker):
    """Serve the application (threaded, for one machine)."""
    import threading

    from flask import current_app
    from werkzeug.serving import run_simple

    from .mail.sending import run_worker
    from .templating import compile_templates
    app = current_app._get_current_object()
    if not os.environ.get("RTSUIVI_BASE_URL"):  # mail links point where we serve
        app.config["RTSUIVI_BASE_URL"] = f"http://{host}:{port}"
    if with_worker:
        threading.Thread(target=run_worker, args=(app,), name="outbox-worker", daemon=True).start()
        click.echo("Outbox worker running in this process"
                   + ("." if app.config["SMTP_HOST"] else " (no SMTP_HOST: mail waits)."))
    compile_templates(app)  # before the first request, not during it
    click.echo(f"RT-suivi on http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


EX_TEMPFAIL = 75  # as rt-mailgate: the MTA keeps the message and retries
EX_DATAERR = 65  # sysexits: a permanent failure, the MTA bounces the message


@rtsuivi_cli.command("mailgate")
@click.option("--queue", help="Queue name or id (else: routed by the address written to).")
@click.option("--action", default="correspond", show_default=True,
              help="correspond or comment")
@click.option("--ticket", type=click.IntRange(1, MAX_ID),
              help="Ticket id (overrides the subject tag).")
def mailgate(queue, action, ticket):
    """Deliver one message read on stdin (for an MTA pipe); exit 0 or 75 like rt-mailgate.

    A message over RTSUIVI_MAX_MAIL_SIZE exits 65 (EX_DATAERR): the MTA bounces it.
    """
    import sys

    from .mail.inbound import HEAD_KEPT, max_size, receive, refuse_too_large
    raw = sys.stdin.buffer.read(max_size() + 1)
    if len(raw) > max_size():  # count the rest without keeping it, then refuse for good
        size = len(raw) + sum(len(chunk) for chunk in iter(
            lambda: sys.stdin.buffer.read(1 << 20), b""))
        outcome = refuse_too_large(raw[:HEAD_KEPT], size, bounce=False, queue=queue,
                                   action=action, ticket=ticket)
        click.echo(outcome.body.strip(), err=True)
        sys.exit(EX_DATAERR)  # the MTA bounces it to the sender
    try:
        outcome = receive(raw, queue=queue, action=action, ticket=ticket)
    except Exception as error:  # e.g. the database is unreachable: let the MTA retry
        db.session.rollback()
        click.echo(f"temporary failure - {error}", err=True)
        sys.exit(EX_TEMPFAIL)
    if outcome.status != "ok":
        click.echo(outcome.body.strip(), err=True)
    sys.exit(EX_TEMPFAIL if outcome.status == "temporary failure" else 0)


@rtsuivi_cli.command("smtpd")
@click.option("--host", help="Default RTSUIVI_SMTPD_HOST (127.0.0.1).")
@click.option("--port", type=int, help="Default RTSUIVI_SMTPD_PORT (2525).")
def smtpd(host, port):
    """Listen for SMTP and file each message by the queue address it is sent to."""
    import threading

    from flask import current_app

    from .mail.smtpd import start
    app = current_app._get_current_object()
    controller = start(app, host or app.config["RTSUIVI_SMTPD_HOST"],
                       port or app.config["RTSUIVI_SMTPD_PORT"])
    click.echo(f"SMTP listener on {controller.hostname}:{controller.port}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@rtsuivi_cli.command("worker")
@click.option("--once", is_flag=True, help="Send what is due once, then exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between rounds.")
def worker(once, poll):
    """Send the outbox over SMTP, with retries and backoff."""
    from flask import current_app

    from .mail.sending import run_worker
    app = current_app._get_current_object()
    if not app.config["SMTP_HOST"]:
        click.echo("No SMTP_HOST: mail waits in the outbox.")
    run_worker(app, poll=poll, once=once)


@rtsuivi_cli.command("mail-templates")
def mail_templates_cmd():
    """Write the built-in mail templates into the database where missing."""
    from .domain import mail_templates
    added = mail_templates.ensure_defaults()
    db.session.commit()
    click.echo(f"{added} template(s) added.")
@rtsuivi_cli.command("index-pending")
@click.option("--every", type=click.FloatRange(min=0.1),
              help="Keep running: index what changed every this many seconds.")
def index_pending(every):
    """Index the tickets changed since the last indexing (safe to run from cron).

    With --every, a long-running indexer for sites that set RTSUIVI_INDEX_MODE=off on their
    web workers (several app machines, heavy mail traffic).
    """
    import time

    from . import search
    while True:
        count = search.drain(timeout=60)
        db.session.remove()
        if not every:
            click.echo(f"{count} ticket(s) indexed.")
            return
        if count:
            click.echo(f"{count} ticket(s) indexed.")
        time.sleep(every)


@rtsuivi_cli.command("reindex")
def reindex():
    """Rebuild the full-text index from the database, with a progress bar."""
    from . import search
    total = db.session.scalar(select(func.count()).select_from(Ticket))
    with click.progressbar(length=total, label="Indexing tickets") as bar:
        count = search.rebuild(progress=bar.update, timeout=120)
    click.echo(f"{count} ticket(s) indexed.")


@rtsuivi_cli.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_cmd(dest):
    """Copy the database, secret key and settings into DEST while the desk runs."""
    from .backup import BackupError, backup
    try:
        manifest = backup(dest, progress=lambda line: click.echo(f"  {line}"))
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"Backup written to {dest} in {manifest['seconds']} s.")


@rtsuivi_cli.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
def restore_cmd(src):
    """Restore the backup SRC into this site's empty data folder, then rebuild the index."""
    from .backup import BackupError, restore
    try:
        manifest = restore(src, progress=lambda line: click.echo(f"  {line}"))
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"Restored the backup of {manifest['created']}; "
               f"{manifest['indexed']} ticket(s) indexed.")


def register_cli(app: Flask) -> None:
    from .commands import users as people_commands
    people_commands.register(rtsuivi_cli)
    from .commands import queues  # noqa: F401  (queue, export-config, import-config)
    app.cli.add_command(rtsuivi_cli)


from .cli_custom_fields import cf_cli  # noqa: E402  (`rtsuivi cf …`, its own module)

rtsuivi_cli.add_command(cf_cli)
