"""Several app machines on one PostgreSQL database with RTSUIVI_SEARCH_BACKEND=postgresql:
two app processes, each with its own data folder (no shared index folder, no indexer): a
reply posted through one is found through the other at once."""
import os
import re
import signal
import time
from urllib.parse import urlencode

import pytest

from rtsuivi.domain import accounts
from rtsuivi.extensions import db

from .conftest import AGENT_RIGHTS, DATABASE_URL, PASSWORD

pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"),
                                reason="several app machines share a PostgreSQL database")


def test_a_reply_through_one_machine_is_found_through_the_other(
        tmp_path, make_user, make_queue, make_ticket):
    from bench.harness import Browser, free_port, start_gunicorn
    make_user("alice", groups=["N1"])
    make_user("bruno", groups=["N1"])
    accounts.grant("user:alice", "ShowSearchBulkUpdate")
    accounts.grant("user:bruno", "ShowSearchBulkUpdate")
    support = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    ticket = make_ticket(support, subject="Imprimante du 2e", status="open")
    ticket_id = ticket.id
    db.session.commit()
    db.session.remove()  # nothing held open by the test while the machines work

    servers = []
    try:
        ports = []
        for machine in ("a", "b"):
            port = free_port()
            env = dict(os.environ, DATABASE_URL=DATABASE_URL, SECRET_KEY=f"secret-{machine}",
                       RTSUIVI_DATA_DIR=str(tmp_path / machine),
                       RTSUIVI_SEARCH_BACKEND="postgresql")
            env.pop("RTSUIVI_INDEX_DIR", None)
            servers.append(start_gunicorn(port, 1, env))
            ports.append(port)
        a, b = Browser(ports[0]), Browser(ports[1])
        a.login("alice", PASSWORD)
        b.login("bruno", PASSWORD)
        word = f"ornithorynque{int(time.time())}"
        status, _, _ = a.request("POST", f"/tickets/{ticket_id}/update", {
            "action": "reply", "kind": "reply", "status": "",
            "content": f"Bonjour, le {word} est réparé."}, htmx=True)
        assert status == 200
        status, page, _ = b.get_following("/recherche?" + urlencode({"q": word}))
        assert status == 200
        assert set(map(int, re.findall(r'name="ids" value="(\d+)"', page))) == {ticket_id}
        # and through the machine that took the reply, the same
        status, page, _ = a.get_following("/recherche?" + urlencode({"q": word}))
        assert set(map(int, re.findall(r'name="ids" value="(\d+)"', page))) == {ticket_id}
        for machine in ("a", "b"):  # neither machine keeps an index folder
            index = tmp_path / machine / "search_index"
            assert not index.exists() or not any(index.iterdir())
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
