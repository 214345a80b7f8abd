"""An SMTP listener (aiosmtpd): each recipient must be a queue address (else 550); each
accepted message goes through inbound.receive() once per recipient; a temporary failure
answers 451 so the sending server retries."""
import asyncio
import logging

from aiosmtpd.controller import Controller
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Queue
from .inbound import receive

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


def start(app, host: str = "127.0.0.1", port: int = 2525) -> Controller:
    """Start the listener in a background thread; call .stop() on the result."""
    controller = Controller(Handler(app), hostname=host, port=port,
                            data_size_limit=app.config["MAX_CONTENT_LENGTH"] * 2,
                            decode_data=False)
    controller.start()
    return controller
