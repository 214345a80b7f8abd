"""Read one RFC 5322 message with the standard library, whatever French mail throws at us.

Pitfalls handled here: text labelled ISO-8859-1 or US-ASCII is often windows-1252 (or
UTF-8); an unknown charset makes get_content() raise; 8-bit bytes in headers come back as
surrogates; get_body() may return None; broken MIME must still give the text.
"""
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from functools import lru_cache


class _CachedRegistry(HeaderRegistry):
    """The stdlib builds a new header class on every lookup; build each one once."""

    @lru_cache(maxsize=None)
    def __getitem__(self, name):
        return super().__getitem__(name)


# policy.default / policy.SMTP with the cached registry: same behaviour, faster headers.
DEFAULT = policy.default.clone(header_factory=_CachedRegistry())
SMTP = policy.SMTP.clone(header_factory=_CachedRegistry())

_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
          "iso-8859-15", "iso8859-15", "latin-9", "windows-1252", "cp1252"}
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
# Bidi controls make "facture\u202efdp.exe" show as "facturexe.pdf": a name loses them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_C1 = re.compile("[\x80-\x9f]")


@dataclass
class Part:
    content_type: str
    filename: str | None
    data: bytes
    content_id: str | None = None


@dataclass
class ParsedMail:
    message: EmailMessage
    subject: str
    message_id: str | None
    sender: str | None            # first of Reply-To, From, Sender (RT's rule)
    from_header: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    references: list[str]         # In-Reply-To then References, without <>
    names: dict[str, str] = field(default_factory=dict)  # address -> its display name
    text: str = ""
    html: str = ""
    files: list[Part] = field(default_factory=list)
    headers: str = ""

    def header(self, name: str) -> str:
        return clean_header(self.message.get(name, ""))


def clean_header(value) -> str:
    """Turn a header value into clean text (8-bit bytes read as UTF-8, else cp1252)."""
    text = str(value or "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
    if _C1.search(text):  # "ISO-8859-1" that was windows-1252 (€ – ’), as bodies are read
        text = _C1.sub(_cp1252, text)
    return " ".join(text.split())


def _cp1252(match: re.Match) -> str:
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes windows-1252 leaves undefined
        return ""


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode a body with its declared charset, falling back the way mail readers do."""
    charset = (charset or "us-ascii").strip().strip('"').lower()
    tries = ["utf-8", "cp1252"] if charset in _LATIN else [charset, "utf-8", "cp1252"]
    if charset in ("iso-8859-15", "iso8859-15", "latin-9"):
        tries = ["iso-8859-15"]  # the euro sign lives at 0xA4 there, not at 0x80
    for name in tries:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")  # never fails


def addresses(values: list[str]) -> list[str]:
    """Return the lower-cased addr-specs found in address headers."""
    found = []
    for _name, addr in getaddresses([clean_header(v) for v in values]):
        addr = addr.strip().lower()
        if "@" in addr and " " not in addr and addr not in found:
            found.append(addr)
    return found


def display_names(values: list[str]) -> dict[str, str]:
    """Map each lower-cased address of these headers to the first display name given it."""
    found: dict[str, str] = {}
    for name, addr in getaddresses([clean_header(v) for v in values]):
        addr = addr.strip().lower()
        if name.strip() and name.strip().lower() != addr and addr and not found.get(addr):
            found[addr] = name.strip()
    return found


def safe_filename(name: str | None) -> str | None:
    """Strip paths, control and bidi characters from a filename (RFC 2231/2047 decoded)."""
    if not name:
        return None
    name = _UNSAFE_FILENAME.sub("_", _BIDI.sub("", clean_header(name))).strip(" .")
    return name[:300] or None


def _part_text(part) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding still leaves the raw text
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return decode_bytes(data, part.get_content_charset())


def _part_bytes(part) -> bytes:
    if part.get_content_maintype() == "message":  # forwarded mail, bounce reports
        inner = part.get_payload()
        if isinstance(inner, list):
            return b"".join(p.as_bytes(policy=SMTP) if hasattr(p, "as_bytes") else b""
                            for p in inner)
        return inner.as_bytes() if hasattr(inner, "as_bytes") else str(inner).encode()
    data = part.get_payload(decode=True)
    return data if data is not None else b""


def _default_name(part, index: int) -> str:
    subtype = part.get_content_subtype()
    if part.get_content_type() == "message/rfc822":
        return f"message-{index}.eml"
    return f"piece-{index}.{subtype if subtype.isalnum() else 'bin'}"


def _bodies_and_files(msg: EmailMessage) -> tuple[str, str, list[Part]]:
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        return _part_text(msg), "", []  # multipart without a usable boundary: plain text
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    text = _part_text(text_part) if text_part is not None else ""
    html = _part_text(html_part) if html_part is not None else ""
    files = []
    leaves = [msg] if not msg.is_multipart() else [
        p for p in msg.walk() if not p.is_multipart()
        or p.get_content_type() == "message/rfc822"]
    skip_inside = set()
    for index, part in enumerate(leaves, start=1):
        if part is text_part or part is html_part or id(part) in skip_inside:
            continue
        if part.get_content_type() == "message/rfc822":
            skip_inside.update(id(p) for p in part.walk() if p is not part)
        if part is msg and msg.get_content_maintype() == "text" and not part.get_filename():
            continue  # a one-part text message whose charset get_body did not like
        files.append(Part(content_type=part.get_content_type(),
                          filename=safe_filename(part.get_filename())
                          or _default_name(part, index),
                          data=_part_bytes(part),
                          content_id=(clean_header(part.get("Content-ID", "")).strip("<>")
                                      or None)))
    if not text and not html and not msg.is_multipart() \
            and msg.get_content_maintype() == "text":
        text = _part_text(msg)
    return text, html, files


def _fallback_text(raw: bytes) -> str:
    """The body of a message whose MIME structure could not be read."""
    _head, _sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw \
        else raw.partition(b"\n\n")
    return decode_bytes(body, None)


def parse(raw: bytes) -> ParsedMail:
    """Parse raw bytes into what RT-suivi needs; never raises on malformed MIME."""
    msg = BytesParser(policy=DEFAULT).parsebytes(raw)
    seen: dict[str, list[str]] = {}

    def get_all(name: str) -> list[str]:  # the email package parses a header at each get:
        if name not in seen:                # From, To, Cc... are read twice below
            seen[name] = [str(v) for v in (msg.get_all(name) or [])]
        return seen[name]

    sender_candidates = addresses(get_all("Reply-To")) or addresses(get_all("From")) \
        or addresses(get_all("Sender"))
    references = re.findall(r"<([^<>\s]+)>", " ".join(
        clean_header(v) for v in get_all("In-Reply-To") + get_all("References")))
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw[:65536] else \
        raw.split(b"\n\n", 1)[0]
    parsed = ParsedMail(
        message=msg, subject=clean_header(msg.get("Subject", ""))[:500],
        message_id=(re.findall(r"<([^<>\s]+)>", clean_header(msg.get("Message-ID", "")))
                    or [None])[0],
        sender=sender_candidates[0] if sender_candidates else None,
        from_header=clean_header(msg.get("From", "")),
        to=addresses(get_all("To")), cc=addresses(get_all("Cc")),
        delivered_to=addresses(get_all("Delivered-To") + get_all("X-Original-To")),
        references=references, headers=decode_bytes(head[:20000], "utf-8"),
        names=display_names(get_all("From") + get_all("Reply-To") + get_all("Sender")
                            + get_all("To") + get_all("Cc")))
    try:
        parsed.text, parsed.html, parsed.files = _bodies_and_files(msg)
    except Exception:  # broken MIME: keep the text we can see, the raw mail is stored
        parsed.text = _fallback_text(raw)
    return parsed
