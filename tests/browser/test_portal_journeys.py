"""Requesters' journeys in a real browser, in French: a person writes by mail, gets the
autoreply from the SMTP server, follows its link, chooses a password through the mailed
one-time link, reads the request and answers with a file; an agent resolves it, the
requester reopens it. And « Nouvelle demande » on a 390 px phone."""
import email
import email.policy
import re

from playwright.sync_api import expect

from rtsuivi.extensions import db
from rtsuivi.mail import sending
from rtsuivi.mail.inbound import receive
from tests.browser.conftest import phone_logged_in
from tests.conftest import PASSWORD
from tests.mail.conftest import mail_desk, smtp_server  # noqa: F401

RAW = (b"From: =?utf-8?q?H=C3=A9l=C3=A8ne_B=C3=A9rard?= <helene.berard@mairie.example>\r\n"
       b"To: support@example.org\r\n"
       b"Subject: =?utf-8?q?Imprimante_du_2e_=C3=A9tage_en_panne?=\r\n"
       b"Date: Mon, 30 Nov 2026 09:12:00 +0100\r\n"
       b"Message-ID: <journee-portail-1@mairie.example>\r\n"
       b"MIME-Version: 1.0\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n"
       b"Content-Transfer-Encoding: 8bit\r\n\r\n"
       + "Bonjour,\r\nl'imprimante du 2e étage affiche « bourrage ».\r\n".encode())


def _mails_to(collector, address: str, subject_part: str) -> list:
    """What the SMTP test server received for this address, with this words in the subject."""
    sending.send_pending()
    found = []
    for _sender, recipients, raw in collector.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if address in recipients and subject_part in message["Subject"]:
            found.append(message.get_body().get_content())
    return found


def test_written_by_mail_then_followed_and_answered_on_the_portal(  # noqa: F811
        mail_desk, smtp_server, app, live_server, page, browser, tmp_path, shot):  # noqa: F811
    app.config["RTSUIVI_BASE_URL"] = live_server
    outcome = receive(RAW)
    assert outcome.status == "ok", outcome
    ticket_id = outcome.ticket_id
    # L'accusé de réception arrive, avec le lien vers la demande.
    [autoreply] = _mails_to(smtp_server, "helene.berard@mairie.example", "Accusé de réception")
    link = re.search(rf"{re.escape(live_server)}/demandes/\d+", autoreply).group(0)
    assert link.endswith(f"/demandes/{ticket_id}")

    # Elle suit le lien : pas encore de mot de passe, elle en demande un.
    page.goto(link)
    expect(page.locator("h1")).to_contain_text("Connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse électronique ou nom d'utilisateur").fill(
        "helene.berard@mairie.example")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.locator("#messages")).to_contain_text("un lien vient d'y être envoyé")
    [access] = _mails_to(smtp_server, "helene.berard@mairie.example", "Votre accès")
    page.goto(re.search(r"http\S+/compte/lien/\S+", access).group(0))
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Une phrase assez longue")
    page.get_by_label("Confirmez le mot de passe", exact=True).fill("Une phrase assez longue")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()

    # Elle arrive sur sa demande, et y répond avec un fichier.
    page.wait_for_url(f"**/demandes/{ticket_id}")
    expect(page.locator("#messages")).to_contain_text("Votre mot de passe est enregistré.")
    expect(page.locator("h1")).to_contain_text("Imprimante du 2e étage en panne")
    expect(page.locator("#portal-messages")).to_contain_text("affiche « bourrage »")
    capture = tmp_path / "bourrage.txt"
    capture.write_text("Code erreur 13.B", encoding="utf-8")
    page.get_by_label("Votre réponse").fill("Voici le code affiché.")
    page.get_by_label("Vos fichiers").set_input_files(str(capture))
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.locator("#messages")).to_contain_text("Votre réponse est envoyée.")
    expect(page.locator("#portal-messages")).to_contain_text("Voici le code affiché.")
    expect(page.locator("#portal-messages").get_by_role("link", name="bourrage.txt")) \
        .to_be_visible()
    shot("portal-request-replied")

    # Un agent voit la réponse et le fichier, puis résout la demande.
    agent = browser.new_context(locale="fr-FR").new_page()
    agent.goto(f"{live_server}/login")
    agent.get_by_label("Nom d'utilisateur").fill("alice")
    agent.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    agent.get_by_role("button", name="Se connecter").click()
    agent.goto(f"{live_server}/tickets/{ticket_id}")
    expect(agent.locator("#ticket-history")).to_contain_text("Voici le code affiché.")
    expect(agent.locator("#ticket-history")).to_contain_text("bourrage.txt")
    agent.locator("#ticket-actions").get_by_role("link", name="Résoudre").click()
    agent.get_by_label("Type de message").select_option("reply")
    agent.get_by_label("Message", exact=True).fill("Bourrage retiré, l'imprimante marche.")
    agent.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(agent.locator("#ticket-summary")).to_contain_text("résolu")

    # La demandeuse voit la réponse, puis rouvre : le problème revient.
    page.reload()
    expect(page.locator(".facts")).to_contain_text("résolu")
    expect(page.locator("#portal-messages")).to_contain_text("Bourrage retiré")
    page.get_by_role("button", name="Rouvrir").click()
    expect(page.locator("#messages")).to_contain_text("Demande rouverte.")
    expect(page.locator(".facts")).to_contain_text("ouvert")
    db.session.remove()


def test_new_request_with_a_file_on_a_phone(desk, browser, live_server, tmp_path):
    phone = phone_logged_in(browser, live_server, "denise")
    expect(phone.locator("h1")).to_have_text("Mes demandes")
    phone.get_by_role("link", name="Nouvelle demande").click()
    phone.get_by_label("Service concerné").select_option(label="Support")
    phone.get_by_label("Sujet").fill("Badge d'accès perdu au 3e étage")
    phone.get_by_label("Votre message").fill("Je l'ai perdu hier soir près de l'ascenseur.")
    photo = tmp_path / "plan-etage.txt"
    photo.write_text("3e étage, aile B", encoding="utf-8")
    phone.get_by_label("Vos fichiers").set_input_files(str(photo))
    phone.get_by_role("button", name="Envoyer la demande").click()
    expect(phone.locator("#messages")).to_contain_text("est enregistrée")
    expect(phone.locator("#portal-messages")).to_contain_text("plan-etage.txt")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.get_by_role("link", name="Mes demandes").first.click()
    expect(phone.locator("#portal-requests")).to_contain_text("Badge d'accès perdu")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    from tests.browser.conftest import SCREENSHOTS
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "portal-phone-list.png"), full_page=True)
    phone.get_by_role("link", name="Badge d'accès perdu au 3e étage").first.click()
    phone.screenshot(path=str(SCREENSHOTS / "portal-phone-request.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
