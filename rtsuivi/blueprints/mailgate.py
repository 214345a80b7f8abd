"""POST /REST/1.0/NoAuth/mail-gateway, spoken exactly as RT's rt-mailgate speaks it.

Fields queue, action, ticket and message (RT's rt-mailgate sends it as a form part without
filename; it is read as bytes, see mail/gateway.py); the answer is text/plain `ok`,
`not ok - …` (permanent: rt-mailgate exits 0) or `temporary failure - …` (rt-mailgate exits
75 and the MTA retries). A client the gateway does not answer gets 403 (rt-mailgate exits 75,
so a mail from a misconfigured MTA waits in its queue instead of being lost).
"""
import logging

from flask import Blueprint, current_app, make_response, request

from ..extensions import csrf
from ..mail import gateway
from ..mail.inbound import HEAD_KEPT, Outcome, max_size, receive, refuse_too_large
from ..models.base import fits_id

bp = Blueprint("mailgate", __name__)
log = logging.getLogger(__name__)


def _text(body: str, status: int = 200):
    response = make_response(body, status)
    response.mimetype = "text/plain"
    return response


@bp.route("/REST/1.0/NoAuth/mail-gateway", methods=["POST"], endpoint="gateway")
@csrf.exempt  # rt-mailgate has no session and no token (RT's NoAuth)
def gateway_post():
    refused = gateway.refusal(request.remote_addr, request.headers,
                              current_app.config["RTSUIVI_MAILGATE_ALLOW"])
    if refused:
        log.warning("mail gateway refused to %s: %s", request.remote_addr, refused)
        return _text(f"not allowed - {refused}\n", 403)
    # The mail's own size is checked below, as on every door; the body may be larger than
    # MAX_CONTENT_LENGTH (a web form's cap) and up to three times the mail when urlencoded.
    request.max_content_length = 3 * max_size() + (1 << 20)
    post = gateway.read(request.stream, request.content_type, max_size())
    door = {"queue": post.fields.get("queue") or None,
            "action": post.fields.get("action") or "correspond"}
    ticket = post.fields.get("ticket", "").strip()
    if ticket and not (ticket.isdigit() and fits_id(int(ticket))):
        return _text(Outcome("not ok", f"invalid ticket id {ticket}").body)
    door["ticket"] = int(ticket) if ticket else None
    if post.too_large(max_size()):
        return _text(refuse_too_large(post.message[:HEAD_KEPT], post.size, **door).body)
    return _text(receive(post.message, **door).body)
