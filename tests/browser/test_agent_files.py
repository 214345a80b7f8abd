"""An agent answers with a file and a one-time Cc, leaving one Cc out (issue 13, items 3 and
4), in Chromium; the mails are read from the real SMTP test server."""
import struct
import zlib
from email import message_from_bytes, policy

from playwright.sync_api import expect

from rtsuivi.extensions import db
from rtsuivi.mail.sending import send_pending
from tests.mail.conftest import smtp_server  # noqa: F401  (the real SMTP test server)
from tests.test_reply_recipients import scene  # noqa: F401  (the ticket and its people)


def _png(width: int, height: int) -> bytes:
    """A real PNG picture (blue), written with the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x1d\x4e\xd8" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = _png(120, 80)


def test_agent_answers_with_a_file_and_a_one_time_cc(scene, smtp_server, log_in, page,  # noqa: F811
                                                      live_server, shot):
    log_in(page, scene.alice)
    page.goto(f"{live_server}/tickets/{scene.ticket.id}")
    expect(page.locator("#ticket-files")).to_contain_text("Aucune pièce jointe.")
    page.locator("#ticket-actions").get_by_role("link", name="Répondre").click()

    # Le formulaire dit qui recevra la réponse; un commentaire n'irait qu'aux AdminCc.
    recipients = page.locator("#update-recipients")
    expect(recipients).to_contain_text("Denise Garnier <denise@example.org> (Demandeur)")
    expect(recipients).to_contain_text("Claire Petit <claire@example.org> (Cc)")
    page.get_by_label("Type de message").select_option("comment")
    expect(recipients).not_to_contain_text("Denise Garnier")
    expect(recipients).to_contain_text("Chloé Dubois <chloe@example.org> (AdminCc)")
    page.get_by_label("Type de message").select_option("reply")
    expect(recipients).to_contain_text("Denise Garnier")

    page.get_by_label("Message", exact=True).fill("Voici la photo de l'imprimante réparée.")
    page.locator("#ticket-update").get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "imprimante.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator(".chosen-files")).to_contain_text("imprimante.png")
    recipients.get_by_label("Claire Petit").uncheck()        # pas elle, cette fois
    page.get_by_label("Cc", exact=True).fill("marc@externe.example")
    shot("agent-reply-form-recipients")
    page.get_by_role("button", name="Mettre à jour le ticket").click()

    expect(page.locator("#messages")).to_contain_text("Ticket mis à jour.")
    history = page.locator("#ticket-history .txn-correspond").last
    expect(history).to_contain_text("Voici la photo de l'imprimante réparée.")
    thumbnail = history.locator("img")
    expect(thumbnail).to_have_attribute("alt", "imprimante.png")
    expect(thumbnail).to_have_js_property("naturalWidth", 120)   # the image really loaded
    expect(page.locator("#ticket-files")).to_contain_text("imprimante.png")
    expect(page.locator("#ticket-files")).to_contain_text("Alice Martin")
    shot("agent-reply-with-file")

    db.session.commit()
    send_pending()
    sent = {tuple(sorted(rcpt)): message_from_bytes(raw, policy=policy.default)
            for _sender, rcpt, raw in smtp_server.messages}
    everyone = {address for rcpt in sent for address in rcpt}
    assert "claire@example.org" not in everyone
    assert {"denise@example.org", "marc@externe.example"} <= everyone
    once = sent[("marc@externe.example",)]
    assert [p.get_filename() for p in once.iter_attachments()] == ["imprimante.png"]



def test_files_dropped_on_the_form_are_added_and_a_big_one_is_named(
        app, scene, log_in, page, live_server):  # noqa: F811
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 1000
    log_in(page, scene.alice)
    page.goto(f"{live_server}/tickets/{scene.ticket.id}")
    page.locator("#ticket-actions").get_by_role("link", name="Commenter").click()
    zone = page.locator("#ticket-update [data-file-drop]")
    expect(zone).to_contain_text("Vous pouvez aussi les glisser ici.")
    page.locator("#ticket-update").get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": b"premier"}])
    # Glisser-déposer: a drop adds to the files already chosen.
    zone.evaluate("""(zone) => {
        const data = new DataTransfer();
        data.items.add(new File(["x".repeat(1500)], "gros.log", {type: "text/plain"}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                                  cancelable: true}));
    }""")
    chosen = zone.locator(".chosen-files")
    expect(chosen).to_contain_text("a.txt (7 o)")
    expect(chosen.locator(".too-big")).to_have_text(
        "« gros.log » : trop volumineux, 1000 o au plus.")
    page.get_by_label("Message", exact=True).fill("Journal joint.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    # The browser keeps the form (the input is invalid): nothing was sent.
    expect(page.locator("#ticket-update form")).to_have_count(1)
    expect(page.locator("#ticket-history")).not_to_contain_text("Journal joint.")

    # The server says the same, by name, when the browser check is not there.
    zone.locator("input[type=file]").evaluate("(input) => input.setCustomValidity('')")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#ticket-update")).to_contain_text(
        "Le fichier « gros.log » dépasse la taille permise")
    expect(page.locator("#ticket-history")).not_to_contain_text("Journal joint.")


def test_chosen_files_show_their_size_in_the_pages_language(
        app, scene, log_in, page, live_server):  # noqa: F811
    """Sizes under the file input read as the server writes them: 1,5 Ko; 1.5 KB."""
    log_in(page, scene.alice)
    for lang, action, label, shown in (("fr", "Commenter", "Pièces jointes", "(1,5 Ko)"),
                                       ("en", "Comment", "Attachments", "(1.5 KB)")):
        page.goto(f"{live_server}/tickets/{scene.ticket.id}?lang={lang}")
        page.locator("#ticket-actions").get_by_role("link", name=action).click()
        page.locator("#ticket-update").get_by_label(label).set_input_files(
            files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"x" * 1536}])
        expect(page.locator("#ticket-update .chosen-files")).to_have_text(f"note.txt {shown}")


def test_a_request_over_the_size_limit_says_so_in_the_messages(
        app, scene, log_in, page, live_server):  # noqa: F811
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    log_in(page, scene.alice)
    page.goto(f"{live_server}/tickets/{scene.ticket.id}")
    page.locator("#ticket-actions").get_by_role("link", name="Répondre").click()
    page.get_by_label("Message", exact=True).fill("Avec un gros fichier.")
    page.locator("#ticket-update").get_by_label("Pièces jointes").set_input_files(
        files=[{"name": "gros.bin", "mimeType": "application/octet-stream",
                "buffer": b"x" * 50_000}])
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#messages")).to_contain_text("Envoi trop volumineux")
    expect(page.locator("#ticket-update form")).to_have_count(1)  # what was typed stays
    expect(page.locator("#ticket-history")).not_to_contain_text("Avec un gros fichier.")
