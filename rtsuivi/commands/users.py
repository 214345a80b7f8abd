"""`flask rtsuivi user …`, `flask rtsuivi group …` and `flask rtsuivi first-run`: the same
domain functions as « Utilisateurs » and « Groupes » (domain/people_admin.py,
groups_admin.py), run as the command line (no right checked, audited without an author)."""
import secrets

import click
from flask.cli import AppGroup

from ..domain import DomainError, audit, first_run, groups_admin, people_admin
from ..extensions import db

user_cli = AppGroup("user", help="Create, change, disable and list users.")
group_cli = AppGroup("group", help="Create, change, disable and list groups and members.")
FIELDS = ("email", "real_name", "lang", "timezone", "signature", "comments")


def _run(change, *args, message: str):
    """Run a domain change and commit, or fail with its message (nothing changed)."""
    try:
        result = change(*args)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(message)
    return result


def _user(name: str):
    try:
        return people_admin.find(name)
    except DomainError as error:
        raise click.ClickException(str(error))


def _group(name: str):
    try:
        return groups_admin.find(name)
    except DomainError as error:
        raise click.ClickException(str(error))


def user_options(command):
    for option in reversed((
            click.option("--email"), click.option("--real-name"),
            click.option("--lang", help="fr or en (empty: the browser's)."),
            click.option("--timezone", help="e.g. Europe/Paris (empty: the site's)."),
            click.option("--signature"), click.option("--comments"),
            click.option("--privileged/--unprivileged", default=None,
                         help="Agent (privileged) or requester."))):
        command = option(command)
    return command


@user_cli.command("create")
@click.argument("name")
@user_options
@click.option("--password", help="Prompted for when omitted; --no-password for none.")
@click.option("--no-password", is_flag=True, help="Create the user without a password.")
def user_create(name, password, no_password, privileged, **fields):
    """Create user NAME."""
    if password is None and not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = {"name": name, "privileged": bool(privileged), **fields}
    _run(people_admin.create, None, data, password, message=f"User {name} created.")


@user_cli.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="A new login name.")
@user_options
def user_edit(name, new_name, privileged, **fields):
    """Change the given fields of user NAME (the others stay)."""
    user = _user(name)
    data = audit.snapshot(user, people_admin.AUDITED)
    data.update({k: v for k, v in fields.items() if v is not None})
    data["name"] = new_name or user.name
    if privileged is not None:
        data["privileged"] = privileged
    _run(people_admin.update, None, user, data, message=f"User {data['name']} changed.")


@user_cli.command("disable")
@click.argument("name")
def user_disable(name):
    """Disable user NAME (never deleted); their sessions end."""
    _run(people_admin.set_disabled, None, _user(name), True, message=f"User {name} disabled.")


@user_cli.command("enable")
@click.argument("name")
def user_enable(name):
    """Enable user NAME again."""
    _run(people_admin.set_disabled, None, _user(name), False, message=f"User {name} enabled.")


@user_cli.command("set-password")
@click.argument("name")
@click.option("--password", help="Prompted for when omitted.")
def user_set_password(name, password):
    """Set the password of user NAME (the policy applies; their sessions end)."""
    user = _user(name)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _run(people_admin.set_password, None, user, password, message=f"Password of {name} set.")


@user_cli.command("list")
@click.option("--search", default="", help="Words of the name, real name or address.")
@click.option("--kind", type=click.Choice(["privileged", "unprivileged", "disabled"]))
@click.option("--limit", default=200, show_default=True)
def user_list(search, kind, limit):
    """List users (enabled ones unless --kind disabled): name, kind, real name, address."""
    page = people_admin.list_users(None, search, kind or "", per_page=limit)
    for user in page.items:
        kind_word = "disabled" if user.disabled else \
            ("privileged" if user.privileged else "unprivileged")
        click.echo(f"{user.name}\t{kind_word}\t{user.real_name}\t{user.email or ''}")
    click.echo(f"{page.total} user(s).", err=True)


@group_cli.command("create")
@click.argument("name")
@click.option("--description", default="")
def group_create(name, description):
    """Create group NAME."""
    _run(groups_admin.create, None, name, description, message=f"Group {name} created.")


@group_cli.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="A new name.")
@click.option("--description")
def group_edit(name, new_name, description):
    """Rename or describe group NAME."""
    group = _group(name)
    new_name = new_name or group.name
    _run(groups_admin.update, None, group, new_name,
         group.description if description is None else description,
         message=f"Group {new_name} changed.")


@group_cli.command("disable")
@click.argument("name")
def group_disable(name):
    """Disable group NAME: its grants stop applying (members and grants are kept)."""
    _run(groups_admin.set_disabled, None, _group(name), True, message=f"Group {name} disabled.")


@group_cli.command("enable")
@click.argument("name")
def group_enable(name):
    """Enable group NAME again."""
    _run(groups_admin.set_disabled, None, _group(name), False, message=f"Group {name} enabled.")


@group_cli.command("add-member")
@click.argument("group")
@click.argument("user")
def group_add_member(group, user):
    """Add USER to GROUP."""
    _run(groups_admin.add_member, None, _group(group), _user(user),
         message=f"{user} is a member of {group}.")


@group_cli.command("remove-member")
@click.argument("group")
@click.argument("user")
def group_remove_member(group, user):
    """Remove USER from GROUP."""
    _run(groups_admin.remove_member, None, _group(group), _user(user),
         message=f"{user} is no longer a member of {group}.")


@group_cli.command("list")
@click.option("--search", default="")
@click.option("--disabled", is_flag=True, help="The disabled groups instead.")
def group_list(search, disabled):
    """List groups: name, members, description."""
    page = groups_admin.list_groups(None, search, disabled, per_page=1000)
    for group in page.items:
        click.echo(f"{group.name}\t{len(group.members)} member(s)\t{group.description}")


@click.command("first-run")
def first_run_cmd():
    """On a site without users: create `admin` with a one-time password (printed; to be
    changed at first login) and the default grants."""
    from ..domain import mail_templates
    password = secrets.token_urlsafe(12)
    admin = first_run.create_first_admin(password)
    mail_templates.ensure_defaults()
    db.session.commit()
    if admin is None:
        click.echo("The site already has users: nothing created.")
        return
    click.echo("First start: administrator created.")
    click.echo(f"  login: {admin.name}")
    click.echo(f"  one-time password: {password}  (to be changed at first login)")


def register(cli: AppGroup) -> None:
    """Add these commands to `flask rtsuivi`."""
    for command in (user_cli, group_cli, first_run_cmd):
        cli.add_command(command)
