"""The one place that reads HX-* headers and writes htmx answers."""
import json

from flask import make_response, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request that is not a boosted navigation wants one box, not a page."""
    return "HX-Request" in request.headers and "HX-Boosted" not in request.headers


def render_fragment(template: str, block: str, **context) -> str:
    """Render one named block of a page template."""
    return render_block(template, block, **context)


def announce(response, *events: str, **events_with_detail):
    """Tell the page which boxes should refresh themselves (HX-Trigger)."""
    response = make_response(response)
    triggers = {name: True for name in events}
    triggers.update(events_with_detail)
    if triggers:
        response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def redirect_client(url: str):
    """Send the browser to another page from an htmx request (a full navigation)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
