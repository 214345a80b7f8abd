"""Two agents press Prendre on one ticket at the same moment: exactly one becomes owner."""
import threading

from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import Ticket, Transaction


def test_simultaneous_take_has_one_winner_and_the_other_is_told(app, desk, make_ticket):
    from tests.conftest import PASSWORD, Client
    ticket = make_ticket(desk.support)
    clients = {}
    for agent in (desk.alice, desk.bruno):
        client = Client(app, app.response_class, use_cookies=True)
        client.refresh_token("/login")
        client.post("/login", data={"name": agent.name, "password": PASSWORD})
        client.refresh_token()
        clients[agent.name] = client
    db.session.commit()

    url = f"/tickets/{ticket.id}/take"
    barrier = threading.Barrier(2)
    answers = {}

    def press_take(name):
        barrier.wait()
        try:
            answers[name] = clients[name].post(url, htmx=True)
        except Exception as error:  # surfaced by the assertion below
            answers[name] = error

    threads = [threading.Thread(target=press_take, args=(n,)) for n in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    db.session.commit()
    db.session.expire_all()
    owner = db.session.get(Ticket, ticket.id).owner
    assert owner.name in ("alice", "bruno"), {n: (getattr(r, "plain", r))
                                              for n, r in answers.items()}
    loser = "bruno" if owner.name == "alice" else "alice"
    assert answers[owner.name].status_code == 200
    assert "Vous êtes maintenant l'intervenant" in answers[owner.name].plain
    assert f"vient d'être pris par {owner.real_name}" in answers[loser].plain
    takes = db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Take")).all()
    assert len(takes) == 1 and takes[0].creator_id == owner.id
