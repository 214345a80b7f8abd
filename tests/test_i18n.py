"""French is the default locale; English is complete: every UI string has a translation."""
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "rtsuivi" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_english_catalog_covers_every_string_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
        "-k", "lazy_gettext", "--no-location", "-o", str(pot), str(ROOT)])
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb"))
              if m.id}
    with EN_PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple)
                                               else m.string)}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} strings lack an English translation: {missing[:10]}"


def test_french_is_the_default(client):
    html = client.get("/login").plain
    assert '<html lang="fr">' in html and "Se connecter" in html


def test_help_page_follows_the_manual(client):
    html = client.get("/aide").plain
    for title in ("Connexion et profils", "Les files", "Assigner le ticket à un agent",
                  "Statuts et cycle de vie", "Messages et commentaires",
                  "Les contacts et observateurs"):
        assert title in html, title


def test_help_explains_the_searches_that_exist(client):
    html = client.get("/aide").plain
    quick = html.split('id="recherche-rapide"')[1].split("</section>")[0]
    advanced = html.split('id="recherche-avancee"')[1].split("</section>")[0]
    assert "Recherche rapide" in quick and "owner:me" in quick
    assert "Mettre à jour le constructeur" in advanced and "Exporter en CSV" in advanced
    assert "pas encore disponible" not in quick + advanced


def test_one_app_context_draws_each_mail_in_its_own_language(app):
    """The worker composes mails for several people in one app context (dashboards,
    notifications): each in its language, dates included (the per-request caches are
    keyed by the locale)."""
    from datetime import datetime

    from flask_babel import force_locale
    template = app.jinja_env.from_string("{{ _('Accueil') }} {{ when|dt }}")
    when = datetime(2026, 3, 4, 10, 20)
    with force_locale("fr"):
        french = template.render(when=when)
    with force_locale("en"):
        english = template.render(when=when)
    with force_locale("fr"):
        again = template.render(when=when)
    assert french.startswith("Accueil 04/03/2026"), french
    assert english.startswith("Home ") and "04/03/2026" not in english, english
    assert again == french


def test_a_request_speaks_its_language_again_after_a_mail_in_another(app):
    """What templating keeps per request (the catalog, the date formatter) is kept with the
    locale and time zone it was made for: after force_locale the request's own language
    comes back, and refresh() (a changed time zone) is seen at once."""
    from datetime import datetime

    from flask_babel import force_locale, refresh
    template = app.jinja_env.from_string("{{ _('Accueil') }} {{ when|dt }}")
    when = datetime(2026, 3, 4, 10, 20)
    with app.test_request_context():
        before = template.render(when=when)
        with force_locale("en"):
            english = template.render(when=when)
        after = template.render(when=when)
        app.config["RTSUIVI_DEFAULT_TIMEZONE"] = "America/New_York"
        refresh()
        elsewhere = template.render(when=when)
    assert before == after and before.startswith("Accueil 04/03/2026 11:20"), (before, after)
    assert english.startswith("Home "), english
    assert elsewhere.startswith("Accueil 04/03/2026 05:20"), elsewhere
