"""POST /REST/1.0/NoAuth/mail-gateway, spoken exactly as RT's rt-mailgate speaks it.

Fields queue, action, ticket and message (a file part from rt-mailgate, or a plain field);
the answer is text/plain `ok`, `not ok - …` (permanent: rt-mailgate exits 0) or
`temporary failure - …` (rt-mailgate exits 75 and the MTA retries).
"""
from flask import Blueprint, make_response, request

from ..extensions import csrf
from ..mail.inbound import Outcome, receive

bp = Blueprint("mailgate", __name__)


def _text(outcome: Outcome):
    response = make_response(outcome.body, 200)
    response.mimetype = "text/plain"
    return response


@bp.route("/REST/1.0/NoAuth/mail-gateway", methods=["POST"])
@csrf.exempt  # rt-mailgate has no session and no token (RT's NoAuth)
def gateway():
    upload = request.files.get("message")
    raw = upload.read() if upload is not None else \
        request.form.get("message", "").encode("utf-8", "surrogateescape")
    ticket = request.form.get("ticket", "").strip()
    if ticket and not ticket.isdigit():
        return _text(Outcome("not ok", f"invalid ticket id {ticket}"))
    return _text(receive(raw, queue=request.form.get("queue") or None,
                         action=request.form.get("action") or "correspond",
                         ticket=int(ticket) if ticket else None))
