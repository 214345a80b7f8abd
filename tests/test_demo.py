from sqlalchemy import func, select

from rtsuivi.demo import load_demo
from rtsuivi.domain import queries
from rtsuivi.domain.rights import can
from rtsuivi.extensions import db
from rtsuivi.models import Queue, Ticket, Transaction, User


def test_demo_data_gives_each_group_only_its_queue(app):
    with app.test_request_context():
        assert load_demo("demo-password-1", progress=lambda m: None) == 40
        db.session.commit()
        users = {u.name: u for u in db.session.scalars(select(User))}
        general, info = (db.session.scalar(select(Queue).where(Queue.name == n))
                         for n in ("General", "Informatique"))
        assert general.correspond_address.startswith("support@")
        assert general.comment_address.startswith("commentaires-support@")
        assert info.correspond_address.startswith("informatique@")
        assert [q.name for q in queries.visible_queues(users["alice"])] == ["General"]
        assert [q.name for q in queries.visible_queues(users["chloe"])] == ["Informatique"]
        assert len(queries.visible_queues(users["admin"])) == 2
        assert queries.visible_queues(users["denise"]) == []
        assert not users["denise"].privileged and users["bruno"].privileged
        statuses = set(db.session.scalars(select(Ticket.status)))
        assert statuses == {"new", "open", "stalled", "resolved", "rejected", "deleted"}
        assert db.session.scalar(select(func.count()).select_from(Transaction).where(
            Transaction.type == "Comment")) > 0
        ticket = db.session.scalars(select(Ticket).where(Ticket.queue_id == info.id)).first()
        assert not can(users["alice"], "ShowTicket", ticket)
        assert can(users["chloe"], "ShowTicket", ticket)
