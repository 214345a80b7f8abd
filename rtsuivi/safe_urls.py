"""Addresses taken from a request (a `back` link) and put back in a page."""
from urllib.parse import urlsplit


def local_url(target: str | None, default: str) -> str:
    """Keep a path of this site; anything else (javascript:, another host, //host,
    a backslash browsers read as a slash, control characters) becomes `default`."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target
