"""The one place that reads HX-* headers and writes htmx answers.

The contract (docs/architecture.md): answer with the box you acted on, messages out of
band, events for the other parts."""
import json

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """The request comes from htmx (a box, a boosted link, a form)."""
    return "HX-Request" in request.headers


def current_url() -> str | None:
    """The page the htmx request was made from."""
    return request.headers.get("HX-Current-URL")


def wants_fragment() -> bool:
    """An htmx request that is not a boosted navigation wants one box, not a page."""
    return is_htmx() and "HX-Boosted" not in request.headers


def render_fragment(template: str, block: str, **context) -> str:
    """Render one named block of a page template."""
    return render_block(template, block, **context)


def messages_oob() -> str:
    """The flashed messages, as an out-of-band swap into the page's message area."""
    return render_template("messages_oob.html")


def announce(response, *events: str, **events_with_detail):
    """Tell the page which boxes should refresh themselves (HX-Trigger)."""
    response = make_response(response)
    triggers = {name: True for name in events}
    triggers.update(events_with_detail)
    if triggers:
        response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def answer(box: str = "", *events: str):
    """Answer a mutation: the box it acted on (or nothing), the messages out of band, and
    the events of the other parts that changed (none for a refusal)."""
    return announce(box + messages_oob(), *events)


def into_messages(headers: dict) -> dict:
    """Make an error answer land inside the message area, whatever swap the asking element
    uses (a box swapping itself outerHTML would otherwise replace #messages for good)."""
    return {**headers, "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}


def redirect_client(url: str):
    """Send the browser to another page from an htmx request (a full navigation)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
