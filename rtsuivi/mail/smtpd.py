"""An SMTP listener (aiosmtpd): each recipient must be a queue address (else 550); each
accepted message goes through inbound.receive() once per recipient; a temporary failure
answers 451 so the sending server retries. A message over RTSUIVI_MAX_MAIL_SIZE (advertised
as SIZE) gets 552, which the sending server bounces, and is listed as refused."""
import asyncio
import logging
import re

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Queue
from .inbound import receive, refuse_too_large

log = logging.getLogger(__name__)


class Handler:
    def __init__(self, app):
        self.app = app

    def _known(self, address: str) -> bool:
        with self.app.app_context():
            try:
                return db.session.scalar(select(Queue.id).where(
                    Queue.disabled.is_(False), or_(Queue.correspond_address == address,
                                                   Queue.comment_address == address))
                    .limit(1)) is not None
            finally:
                db.session.remove()

    def _deliver(self, raw: bytes, recipients: list[str], sender: str) -> str:
        with self.app.app_context():
            try:
                answers = [receive(raw, recipients=[r], envelope_sender=sender)
                           for r in recipients]
            except Exception:
                log.exception("SMTP delivery failed")
                return "451 4.3.0 Temporary failure, please retry"
            finally:
                db.session.remove()
        if any(a.status == "temporary failure" for a in answers):
            return "451 4.3.0 Temporary failure, please retry"
        return "250 2.0.0 Message accepted"

    def too_large(self, sender: str | None, recipients: list[str], size: int | None) -> None:
        """List a message refused with 552 (aiosmtpd has dropped its bytes already)."""
        with self.app.app_context():
            try:
                refuse_too_large(b"", size, bounce=False, recipients=recipients,
                                 envelope_sender=sender)
            except Exception:
                log.exception("could not list a mail too large")
            finally:
                db.session.remove()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        address = address.lower()
        loop = asyncio.get_running_loop()
        try:
            known = await loop.run_in_executor(None, self._known, address)
        except Exception:
            return "451 4.3.0 Temporary failure, please retry"
        if not known:
            return "550 5.1.1 No such queue address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, self._deliver, envelope.original_content or envelope.content,
            list(envelope.rcpt_tos), envelope.mail_from or "")


class _SizedSMTP(SMTP):
    """aiosmtpd's server, telling the handler about each 552 "too large" it answers: after
    MAIL FROM with a SIZE over the limit, or after DATA that went past it."""

    async def smtp_MAIL(self, arg):
        self._mail_arg = arg or ""
        await super().smtp_MAIL(arg)

    async def push(self, status: str):
        if status.startswith("552"):
            envelope = self.envelope
            if envelope is not None and envelope.rcpt_tos:  # after DATA
                sender, recipients, size = envelope.mail_from, list(envelope.rcpt_tos), None
            else:  # MAIL FROM:<a> SIZE=n
                arg = getattr(self, "_mail_arg", "")
                found = re.search(r"<([^<>]*)>", arg)
                declared = re.search(r"\bSIZE=(\d+)", arg, re.IGNORECASE)
                sender, recipients = (found.group(1) if found else None), []
                size = int(declared.group(1)) if declared else None
            await asyncio.get_running_loop().run_in_executor(
                None, self.event_handler.too_large, sender, recipients, size)
        await super().push(status)


class _Controller(Controller):
    def factory(self):
        return _SizedSMTP(self.handler, **self.SMTP_kwargs)


def start(app, host: str = "127.0.0.1", port: int = 2525) -> Controller:
    """Start the listener in a background thread; call .stop() on the result."""
    controller = _Controller(Handler(app), hostname=host, port=port,
                             data_size_limit=app.config["RTSUIVI_MAX_MAIL_SIZE"],
                             decode_data=False)
    controller.start()
    return controller
