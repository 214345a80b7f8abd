"""The ticket rules, asked of the domain directly (issue 11 item 6): each refusal is the
domain's own Forbidden or DomainError, never a form that stops earlier."""
import pytest

from rtsuivi.domain import DomainError, Forbidden, accounts
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.lifecycle import TransitionRefused
from rtsuivi.extensions import db


# ---------------------------------------------------------------- describe()

def test_describe_decodes_user_ids_once_for_page_and_mail(desk, make_ticket):
    ticket = make_ticket(desk.support)
    given = domain.give(ticket, desk.alice, desk.bruno)
    watched = domain.add_watcher(ticket, desk.alice, "Cc", desk.chloe)
    status = domain.set_status(ticket, desk.alice, "open")
    db.session.flush()
    described = domain.describe(given)
    assert described.new == desk.bruno and described.old.is_nobody
    assert described.text("fr") == "affecté à Bruno Lefèvre par Alice Martin"
    assert described.text("en") == "given to Bruno Lefèvre by Alice Martin"
    cc = domain.describe(watched, {desk.chloe.id: desk.chloe})
    assert (cc.new, cc.role) == (desk.chloe, "Cc")
    assert domain.describe(status).text("fr") == "statut changé en ouvert par Alice Martin"


def test_describe_of_an_unknown_user_id_is_none_not_an_error(desk, make_ticket):
    ticket = make_ticket(desk.support)
    txn = domain.give(ticket, desk.alice, desk.bruno)
    txn.new_value = "999999"
    assert domain.describe(txn, {}).new is None
