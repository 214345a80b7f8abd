"""HTML from mail is shown only through nh3, with an explicit allow-list."""
import nh3
from markupsafe import Markup

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "font", "h1", "h2", "h3",
        "h4", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}, "*": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> Markup:
    """Keep text formatting, drop scripts, styles, event handlers, images and odd links."""
    return Markup(nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES,
                            url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                            clean_content_tags={"script", "style"}, strip_comments=True))
