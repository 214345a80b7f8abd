"""`flask --app app rtsuivi cf …`: custom fields from the command line, through the same
domain functions as « Champs personnalisés » (rights checked, changes audited), acting as
the administrator named by --as."""
import click

from .domain import DomainError, Forbidden, accounts
from .domain import custom_fields as cf
from .extensions import db
from .models.custom_fields import TYPES

cf_cli = click.Group("cf", help="List and create custom fields (« Champs personnalisés »).")
AS = click.option("--as", "actor_name", default="admin", show_default=True,
                  help="Login of the administrator acting (AdminCustomField or SuperUser).")


def _actor(name: str):
    actor = accounts.find_user(name)
    if actor is None:
        raise click.ClickException(f"No user {name!r}.")
    return actor


def _run(change) -> None:
    try:
        change()
        db.session.commit()
    except (DomainError, Forbidden) as error:
        db.session.rollback()
        raise click.ClickException(str(error))


@cf_cli.command("list")
def list_cmd():
    """List the custom fields, their type, queues and values."""
    for item in cf.export_section():
        applies = "all queues" if item["applies_to"] == "*" else ", ".join(item["applies_to"])
        values = ", ".join(v["name"] for v in item["values"])
        state = " (disabled)" if item["disabled"] else ""
        click.echo(f"{item['name']}{state}: {item['type']} on {applies or 'no queue'}"
                   + (f" [{values}]" if values else ""))


@cf_cli.command("create")
@click.argument("name")
@click.option("--type", "type_", type=click.Choice(TYPES), default="freeform",
              show_default=True)
@click.option("--queue", "queues", multiple=True, help="A queue it applies to (repeat).")
@click.option("--value", "values", multiple=True, help="A select value, in order (repeat).")
@click.option("--required", is_flag=True, help="« Obligatoire ».")
@click.option("--description", default="")
@AS
def create_cmd(name, type_, queues, values, required, description, actor_name):
    """Create a custom field; without --queue it applies to every queue."""
    actor = _actor(actor_name)
    found = [q for q in cf.all_queues() if q.name in queues]
    if len(found) != len(set(queues)):
        raise click.ClickException("Unknown queue among: " + ", ".join(queues))
    _run(lambda: cf.create_field(actor, name, type_, queues=found,
                                 applies_globally=not queues, values=values,
                                 required=required, description=description))
    click.echo(f"Custom field {name} created.")


@cf_cli.command("add-value")
@click.argument("field_name")
@click.argument("value")
@AS
def add_value_cmd(field_name, value, actor_name):
    """Add a value at the end of a select field's list."""
    actor, field = _actor(actor_name), cf.field_named(field_name)
    if field is None:
        raise click.ClickException(f"No custom field {field_name!r}.")
    _run(lambda: cf.add_value(actor, field, value))
    click.echo(f"Value {value} added to {field.name}.")
