"""RT's own, unmodified rt-mailgate script (Debian's rt5-clients, installed by ./test)
delivers to RT-suivi over HTTP; its exit codes follow our answers."""
import shutil
import subprocess
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from rtsuivi.extensions import db
from rtsuivi.models import Ticket

from .conftest import free_port, mail

RT_MAILGATE = shutil.which("rt-mailgate")


@pytest.fixture
def live_url(app, mail_desk):
    if RT_MAILGATE is None:
        pytest.fail("rt-mailgate is missing: ./test installs Debian's rt5-clients")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db.session.commit()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _gate(url, raw, *args):
    return subprocess.run([RT_MAILGATE, "--url", url, *args], input=raw,
                          capture_output=True, timeout=60)


def test_rt_mailgate_delivers_a_new_ticket(live_url):
    done = _gate(live_url, mail(subject="Via le vrai rt-mailgate"),
                 "--queue", "Support", "--action", "correspond")
    assert done.returncode == 0, done.stderr
    db.session.commit()
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Via le vrai rt-mailgate"))
    assert ticket is not None and ticket.queue.name == "Support"


def test_rt_mailgate_exit_codes(live_url):
    assert _gate(live_url, mail(), "--queue", "Inconnue").returncode == 75  # retry later
    assert _gate(live_url, mail(), "--queue", "Interne").returncode == 0  # refused, bounced
    assert _gate(f"http://127.0.0.1:{free_port()}", mail(), "--queue", "Support") \
        .returncode == 75  # server down: the MTA keeps the mail
