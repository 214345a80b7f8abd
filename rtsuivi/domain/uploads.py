"""Files sent from the web (agent reply, comment, new ticket; requester create and reply):
read, bounded and named safely before anything is written, then stored like mail
attachments (same table, same download route)."""
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import DomainError

MAX_FILES = 20          # files on one message
MAX_NAME = 200          # characters of a file name kept
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def safe_filename(name: str | None) -> str:
    """The file's own name: no folder part, no control character, not empty, bounded."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) < 20 \
            else name[:MAX_NAME]
    return name or "fichier"


def _content_type(filename: str) -> str:
    # The browser's claim is not trusted: the name decides, as a mail client would show it.
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def read_uploads(files, limit: int, max_files: int = MAX_FILES) -> list[Upload]:
    """Read the uploaded files (objects with .filename and .stream, as Werkzeug's), each at
    most `limit` bytes, or raise DomainError naming the file; parts with no file chosen
    are skipped. Nothing is read past the limit."""
    chosen = [f for f in files or () if f is not None and (f.filename or "").strip()]
    if len(chosen) > max_files:
        raise DomainError(_l("Trop de fichiers : %(count)s au plus par message.",
                             count=max_files))
    uploads = []
    for part in chosen:
        name = safe_filename(part.filename)
        data = bytearray()
        while chunk := part.stream.read(CHUNK):
            data += chunk
            if len(data) > limit:
                raise DomainError(_l("Le fichier « %(name)s » dépasse la taille permise "
                                     "(%(size)s Mo).", name=name,
                                     size=round(limit / (1024 * 1024), 1)))
        if not data:
            raise DomainError(_l("Le fichier « %(name)s » est vide.", name=name))
        uploads.append(Upload(name, _content_type(name), bytes(data)))
    return uploads
