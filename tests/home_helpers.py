"""The home page and dashboards load each portlet as its own fragment: read them all."""
import re


def portlet_urls(html: str) -> list[str]:
    """The fragment URLs of the portlet slots of a page, in order."""
    return re.findall(r'class="portlet-slot" id="portlet-slot-\d+" hx-get="([^"]+)"', html)


def with_portlets(client, url: str = "/accueil") -> str:
    """The page's text followed by each of its portlets as htmx draws them."""
    page = client.get(url).plain
    return page + "".join(client.hx_get(u).plain for u in portlet_urls(page))
