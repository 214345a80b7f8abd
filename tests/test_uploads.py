"""Files from the web: bounded, safely named, stored like mail attachments."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from rtsuivi.domain import DomainError
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.uploads import read_uploads, safe_filename
from rtsuivi.extensions import db


def _file(name, data):
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize("given, kept", [
    ("rapport.pdf", "rapport.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\note.txt", "note.txt"),
    ("bad\x00na\x1bme.txt", "badname.txt"),
    ("...", "fichier"),
    ("é" * 300 + ".txt", "é" * 196 + ".txt"),
])
def test_file_names_lose_folders_and_control_characters(given, kept):
    assert safe_filename(given) == kept


def test_files_over_the_limit_are_refused_by_name():
    with pytest.raises(DomainError, match="gros.bin"):
        read_uploads([_file("gros.bin", b"x" * 2001)], limit=2000)


def test_empty_file_is_refused_and_no_file_chosen_is_skipped():
    assert read_uploads([_file("", b"")], limit=10) == []
    with pytest.raises(DomainError, match="vide"):
        read_uploads([_file("vide.txt", b"")], limit=10)


def test_too_many_files_are_refused():
    with pytest.raises(DomainError, match="Trop de fichiers"):
        read_uploads([_file(f"f{i}.txt", b"x") for i in range(4)], limit=10, max_files=3)


def test_content_type_comes_from_the_name_not_the_browser():
    part = FileStorage(stream=io.BytesIO(b"<script>"), filename="photo.png",
                       content_type="text/html")
    assert read_uploads([part], limit=100)[0].content_type == "image/png"


def test_reply_with_only_a_file_stores_it_like_a_mail_attachment(make_queue, make_ticket,
                                                                  make_user):
    queue = make_queue()
    agent = make_user(rights=["ReplyToTicket", "ShowTicket"], on=queue)
    ticket = make_ticket(queue)
    uploads = read_uploads([_file("capture.png", b"\x89PNG data")], limit=100)
    txn = domain.reply(ticket, agent, "", files=uploads)
    db.session.commit()
    [stored] = txn.files
    assert (stored.filename, stored.content_type, stored.size) == ("capture.png", "image/png", 9)
    assert stored.content_bytes == b"\x89PNG data"
    with pytest.raises(DomainError):
        domain.reply(ticket, agent, "  ")
