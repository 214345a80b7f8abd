"""`flask rtsuivi queue …`, `export-config` and `import-config`: the same domain functions
as the Administration pages (domain/queues_admin.py, domain/site_config.py), run by whoever
administers the machine (no right asked; audited without a name)."""
import click
from sqlalchemy.exc import SQLAlchemyError

from ..cli import _fail, rtsuivi_cli
from ..domain import DomainError, accounts, site_config
from ..domain import queues_admin as admin_queues
from ..extensions import db


@rtsuivi_cli.group("queue")
def queue_cli():
    """List, create, edit, disable and enable queues; their Cc and AdminCc."""


def _load(name: str):
    try:
        return admin_queues.load(None, name)
    except DomainError as error:
        _fail(error)


def _commit(action, *args):
    try:
        result = action(*args)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    return result


@queue_cli.command("list")
@click.option("--search", default="", help="Part of a name or address.")
def queue_list(search):
    """List the queues: id, name, state, addresses, subject tag."""
    page = admin_queues.list_queues(None, search, 1, per_page=100_000)
    for q in page.items:
        click.echo(f"{q.id}\t{q.name}\t{'disabled' if q.disabled else 'enabled'}\t"
                   f"{q.correspond_address or '-'}\t{q.comment_address or '-'}\t"
                   f"{q.subject_tag or '-'}")


def _options(command):
    for option in reversed((
            click.option("--description", help="One line saying what the queue is for."),
            click.option("--correspond-address", help="Mail to it becomes replies."),
            click.option("--comment-address", help="Mail to it becomes comments."),
            click.option("--subject-tag", help="Written [TAG #id] in outgoing subjects."),
            click.option("--due-days", type=int, help="Default due, in days."))):
        command = option(command)
    return command


@queue_cli.command("create")
@click.argument("name")
@_options
def queue_create(name, description, correspond_address, comment_address, subject_tag,
                 due_days):
    """Create the queue NAME."""
    queue = _commit(admin_queues.create, None, admin_queues.QueueFields(
        name, description or "", correspond_address, comment_address, subject_tag, due_days))
    click.echo(f"Queue {queue.name} created (id {queue.id}).")


@queue_cli.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="A new name.")
@_options
def queue_edit(name, new_name, description, correspond_address, comment_address,
               subject_tag, due_days):
    """Change the queue NAME: only the options given change ('' empties a field)."""
    queue = _load(name)
    given = {"name": new_name, "description": description, "subject_tag": subject_tag,
             "correspond_address": correspond_address, "comment_address": comment_address,
             "default_due_days": due_days}
    fields = admin_queues.QueueFields(**{
        key: getattr(queue, key) if value is None else value for key, value in given.items()})
    _commit(admin_queues.update, None, queue, fields)
    click.echo(f"Queue {queue.name} saved.")


@queue_cli.command("disable")
@click.argument("name")
def queue_disable(name):
    """Disable the queue NAME (it keeps its tickets; mail no longer routes to it)."""
    _commit(admin_queues.set_disabled, None, _load(name), True)
    click.echo(f"Queue {name} disabled.")


@queue_cli.command("enable")
@click.argument("name")
def queue_enable(name):
    """Enable the queue NAME again."""
    _commit(admin_queues.set_disabled, None, _load(name), False)
    click.echo(f"Queue {name} enabled.")


@queue_cli.command("watchers")
@click.argument("name")
@click.option("--add", "add", multiple=True, metavar="USER", help="Login or address.")
@click.option("--remove", "remove", multiple=True, metavar="USER")
@click.option("--role", type=click.Choice(admin_queues.WATCHER_ROLES), default="Cc",
              show_default=True)
def queue_watchers(name, add, remove, role):
    """List the Cc and AdminCc of the queue NAME, after adding or removing some."""
    queue = _load(name)
    for login, removing in [(u, False) for u in add] + [(u, True) for u in remove]:
        user = accounts.find_user(login)
        if user is None:
            _fail(DomainError(f"Unknown user {login}."))
        _commit(admin_queues.change_watcher, None, queue, user, role, removing)
    for watcher in admin_queues.watchers(queue):
        click.echo(f"{watcher.role}\t{watcher.user.name}\t{watcher.user.email or '-'}")


@rtsuivi_cli.command("export-config")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (standard output by default).")
def export_config(output):
    """Write the site's configuration as JSON: users named, groups and members, queues and
    watchers, custom fields, grants, notification rules switched off."""
    output.write(site_config.dumps(site_config.export_document()))


@rtsuivi_cli.command("import-config")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--dry-run", is_flag=True, help="Check and apply, then roll back.")
def import_config(source, dry_run):
    """Read a configuration written by export-config and apply it: creates and updates by
    name, never removes; a bad file changes nothing."""
    try:
        counts = site_config.import_document(site_config.parse(source.read()))
    except (DomainError, SQLAlchemyError) as error:
        _fail(error)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    click.echo(f"{'Checked (nothing saved)' if dry_run else 'Imported'}: {summary}.")
