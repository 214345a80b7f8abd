"""Mail ingest throughput: mails per second through the mailgate path and the rt-mailgate
endpoint, attachments and notifications included.

    python bench/mail_ingest.py [--count 300] [--database-url URL] [--url http://127.0.0.1:5000]

measure(target, ...) -> dict is what bench/run.py calls: target is a Flask app (in-process:
the `mailgate` command's code path and the endpoint through the test client) or a base URL
(the endpoint over HTTP, as rt-mailgate posts; the queue must let Everyone CreateTicket).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PDF = b"%PDF-1.4\n" + os.urandom(48 * 1024)  # a 48 KiB attachment on new tickets
GATEWAY = "/REST/1.0/NoAuth/mail-gateway"


def _message(i: int, ticket_id: int | None, queue_address: str, rtname: str) -> bytes:
    """A French message: new tickets carry a PDF and a Cc, replies carry the subject tag."""
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["From"] = f"Demandeur {i % 50} <demandeur{i % 50}@bench.example>"
    msg["To"] = queue_address
    msg["Message-ID"] = f"<{uuid.uuid4()}@bench.example>"
    if ticket_id is None:
        msg["Cc"] = f"collegue{i % 7}@bench.example"
        msg["Subject"] = f"Imprimante n°{i} en panne — étage {i % 5}"
        msg.set_content("Bonjour,\n\nL'imprimante affiche « bourrage ». Ça bloque l'équipe.\n"
                        "Merci d'avance,\nHélène\n")
        msg.add_attachment(PDF, maintype="application", subtype="pdf",
                           filename=f"relevé-{i}.pdf")
    else:
        msg["Subject"] = f"Re: [{rtname} #{ticket_id}] Imprimante"
        msg.set_content("Toujours en panne cet après-midi, pouvez-vous passer ?\n")
    return msg.as_bytes()


def _multipart(raw: bytes, queue: str) -> tuple[bytes, str]:
    """The body rt-mailgate sends (form-data, message as a file part)."""
    boundary = uuid.uuid4().hex
    fields = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in (("queue", queue), ("action", "correspond"), ("SessionType", "REST")))
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="message"; filename=""\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + raw + b"\r\n"
    return fields + part + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _prepare(app, queue_name: str) -> str:
    """Make sure the bench queue exists and Everyone may write to it; return its address."""
    from sqlalchemy import select

    from rtsuivi.domain import accounts
    from rtsuivi.extensions import db
    from rtsuivi.models import Queue
    with app.app_context():
        accounts.ensure_system_users()
        queue = db.session.scalar(select(Queue).where(Queue.name == queue_name))
        if queue is None:
            queue = accounts.create_queue(queue_name, "Bench", f"bench-{uuid.uuid4().hex[:6]}"
                                          "@example.org")
        for right in ("CreateTicket", "ReplyToTicket"):
            accounts.grant("system:Everyone", right, queue)
        db.session.commit()
        return queue.correspond_address or app.config["RTSUIVI_MAIL_FROM"]


def _run(send, count: int, address: str, rtname: str, tickets: list,
         senders: int = 1, prebuilt: bool = False) -> tuple[float, int]:
    """Send count messages (1 in 3 new, the rest replies to `tickets`, which grows with the
    new tickets whose id the door tells); return (seconds, failures). With several senders
    the mails go at once, as an MTA's delivery agents hand them over (over HTTP only)."""
    failures = 0
    # Over HTTP the ticket list never grows (the door does not say which ticket a mail
    # opened): the messages are written before the clock starts, as an MTA hands over
    # mails it did not compose; in process each reply may go to a ticket opened just before.
    ready = [_message(i, tickets[i % len(tickets)] if tickets and i % 3 else None, address,
                      rtname) for i in range(count)] if prebuilt else None

    def one(i: int) -> bool:
        ticket_id = tickets[i % len(tickets)] if tickets and i % 3 else None
        ok, new_id = send(ready[i] if ready else _message(i, ticket_id, address, rtname))
        if ok and ticket_id is None and new_id:
            tickets.append(new_id)
        return ok
    start = time.perf_counter()
    if senders == 1:
        failures = sum(not one(i) for i in range(count))
    else:
        with ThreadPoolExecutor(max_workers=senders) as pool:
            failures = sum(not ok for ok in pool.map(one, range(count)))
    return time.perf_counter() - start, failures


def measure(target, count: int = 300, queue: str = "Bench-Mail", subprocess_sample: int = 5,
            reply_to: list[int] | None = None, senders: int = 1) -> dict:
    """Measure mails/s; target is a Flask app (in-process) or a base URL (HTTP).

    Over HTTP the endpoint does not say which ticket a mail opened: give existing ticket ids
    in reply_to to keep the in-process mix (1 mail in 3 new, the others replies by tag).
    """
    results: dict = {"count": count}
    if isinstance(target, str):
        url = target.rstrip("/") + GATEWAY

        def over_http(raw):
            body, content_type = _multipart(raw, queue)
            request = urllib.request.Request(url, data=body,
                                             headers={"Content-Type": content_type})
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.read().startswith(b"ok"), None
        seconds, failed = _run(over_http, count, f"{queue}@unknown", "RT-suivi",
                               list(reply_to or []), senders, prebuilt=True)
        results["endpoint_http"] = _figures(count, seconds, failed)
        return results

    from sqlalchemy import func, select

    from rtsuivi.extensions import db
    from rtsuivi.mail.inbound import receive
    from rtsuivi.models import OutboxMail
    address = _prepare(target, queue)
    rtname = target.config["RTSUIVI_RTNAME"]

    def in_process(raw):
        with target.app_context():
            outcome = receive(raw)
            db.session.remove()
        return outcome.status == "ok", outcome.ticket_id

    client = target.test_client()

    def endpoint(raw):
        body, content_type = _multipart(raw, queue)
        response = client.post(GATEWAY, data=body, content_type=content_type)
        return response.data.startswith(b"ok"), None  # replies go to the first run's tickets

    with target.app_context():
        outbox_before = db.session.scalar(select(func.count(OutboxMail.id)))
    tickets: list = []
    for name, send in (("mailgate", in_process), ("endpoint", endpoint)):
        seconds, failed = _run(send, count, address, rtname, tickets)
        results[name] = _figures(count, seconds, failed)
    with target.app_context():
        results["outbox_mails_written"] = db.session.scalar(
            select(func.count(OutboxMail.id))) - outbox_before
    if subprocess_sample:
        results["mailgate_command_process"] = _command_sample(address, rtname,
                                                              subprocess_sample)
    return results



def _command_sample(address: str, rtname: str, count: int) -> dict:
    """Time the real `flask rtsuivi mailgate` command (one process per mail, as an MTA)."""
    flask = Path(sys.executable).with_name("flask")
    start = time.perf_counter()
    failures = 0
    for i in range(count):
        done = subprocess.run([str(flask), "--app", "app", "rtsuivi", "mailgate"],
                              input=_message(10_000 + i, None, address, rtname), cwd=ROOT,
                              capture_output=True, env=os.environ.copy())
        failures += done.returncode != 0
    return _figures(count, time.perf_counter() - start, failures)


def _figures(count: int, seconds: float, failed: int) -> dict:
    return {"mails": count, "seconds": round(seconds, 3),
            "mails_per_s": round(count / seconds, 1) if seconds else None, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--url", help="measure a running server's endpoint instead")
    parser.add_argument("--queue", default="Bench-Mail")
    parser.add_argument("--senders", type=int, default=1, help="at once, with --url")
    args = parser.parse_args()
    if not 1 <= args.senders <= 16 or not 1 <= args.count <= 100_000:
        parser.error("--senders must be 1 to 16 and --count 1 to 100000")
    if args.url:
        print(json.dumps(measure(args.url, args.count, args.queue, senders=args.senders),
                         indent=2))
        return
    data_dir = tempfile.mkdtemp(prefix="rtsuivi-mailbench-")
    os.environ["RTSUIVI_DATA_DIR"] = data_dir
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from flask_migrate import upgrade

    from rtsuivi import create_app
    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    result = measure(app, args.count, args.queue)
    result["database"] = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
