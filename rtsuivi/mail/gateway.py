"""The rt-mailgate door: who may post to it, and its POST read as bytes.

Access: the gateway has no authentication (RT's NoAuth), so anyone who could post to it could
file a mail "from" an agent and make the desk send it. It answers only the addresses of
RTSUIVI_MAILGATE_ALLOW (addresses or networks; default the machine itself) and never a
request that came through a reverse proxy (one carrying X-Forwarded-For, Forwarded or
X-Real-IP: behind a proxy every request looks local).

Reading: the `message` part as bytes, whatever its headers.

RT's rt-mailgate sends the mail as a form-data part without `filename=`, so Werkzeug's form
parser takes it for a text field: it decodes it as UTF-8 with replacement (8-bit latin-1 mail
lost its letters) and caps it at MAX_FORM_MEMORY_SIZE (500 kB: no mail with a real attachment
got in). Here every part stays bytes; the message is kept up to `limit` bytes, then only
counted (its head is kept, to list the refusal), and the body is always read to its end so
that the client gets our answer rather than a broken connection.
"""
import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl

from werkzeug.exceptions import BadRequest
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

CHUNK = 64 * 1024
FIELD_MAX = 4096  # queue, action, ticket, SessionType: short words
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@lru_cache(maxsize=16)
def _networks(allow: str) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False)
                 for entry in allow.split(",") if entry.strip())


def allowed_networks(allow: str) -> tuple:
    """Parse RTSUIVI_MAILGATE_ALLOW ("127.0.0.1,::1,10.0.0.0/24"); raises ValueError."""
    return _networks(allow)


def refusal(remote_addr: str | None, headers, allow: str) -> str | None:
    """Why this request may not use the gateway, or None when it may."""
    proxied = [name for name in PROXY_HEADERS if name in headers]
    if proxied:
        return f"came through a proxy ({proxied[0]})"
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%")[0])
    except ValueError:
        return f"unknown client address {remote_addr!r}"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _networks(allow)):
        return None
    return f"{address} is not in RTSUIVI_MAILGATE_ALLOW"


@dataclass
class GatewayPost:
    fields: dict[str, str] = field(default_factory=dict)
    message: bytes = b""   # the whole mail, or its first `limit` bytes when too large
    size: int = 0          # the mail's real size in bytes

    def too_large(self, limit: int) -> bool:
        return self.size > limit


def read(stream, content_type: str, limit: int) -> GatewayPost:
    """Read a multipart/form-data or urlencoded gateway POST (raises BadRequest)."""
    mimetype, options = parse_options_header(content_type or "")
    if mimetype == "multipart/form-data" and options.get("boundary"):
        return _multipart(stream, options["boundary"].encode("latin-1"), limit)
    if mimetype == "application/x-www-form-urlencoded":
        return _urlencoded(stream, limit)
    raise BadRequest("expected multipart/form-data")


def _multipart(stream, boundary: bytes, limit: int) -> GatewayPost:
    post, decoder = GatewayPost(), MultipartDecoder(boundary)
    name, kept = None, bytearray()
    try:
        while True:
            chunk = stream.read(CHUNK)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, (NeedData, Epilogue)):
                if isinstance(event, (Field, File)):
                    name, kept, size = event.name, bytearray(), 0
                elif isinstance(event, Data):
                    size += len(event.data)
                    room = (limit if name == "message" else FIELD_MAX) - len(kept)
                    kept += event.data[:max(room, 0)]
                    if name != "message" and size > FIELD_MAX:
                        raise BadRequest(f"form field {name} too long")
                    if not event.more_data:
                        _keep(post, name, bytes(kept), size)
                event = decoder.next_event()
            if not chunk:
                return post
    except ValueError as error:  # malformed multipart
        raise BadRequest(str(error)) from None


def _keep(post: GatewayPost, name: str | None, data: bytes, size: int) -> None:
    if name == "message":
        post.message, post.size = data, size
    elif name:
        post.fields[name] = data.decode("utf-8", "replace")


def _urlencoded(stream, limit: int) -> GatewayPost:
    """The same fields sent urlencoded (scripts, curl); percent-escapes give back bytes."""
    body, post = bytearray(), GatewayPost()
    while chunk := stream.read(CHUNK):
        body += chunk[:max(3 * (limit + 1) - len(body), 0)]  # %XX triples the size
    for name, value in parse_qsl(body.decode("latin-1"), encoding="latin-1"):
        data = value.encode("latin-1")
        if name == "message":
            post.message, post.size = data[:limit], len(data)
        else:
            post.fields[name] = data[:FIELD_MAX].decode("utf-8", "replace")
    return post
