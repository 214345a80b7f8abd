"""The htmx crawler (test_htmx_crawler.Crawl) over what the follow-ups of issues 12-14
wired: the searchable, paginated lists « Champs personnalisés » and « Réponses
prédéfinies » (the portal's form re-rendered for another service is driven by
test_portal_custom_fields.py)."""
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import responses
from rtsuivi.extensions import db
from tests.browser.test_htmx_crawler import Crawl


def test_the_lists_and_the_portal_form_have_working_htmx(desk, make_user, log_in, page,
                                                         live_server):
    root = make_user("root", rights=["SuperUser"])
    for i in range(30):
        cf.create_field(root, f"Champ {i:02d}", "freeform", applies_globally=True)
        responses.save(root, None, f"Relance {i:02d}", "Suivi", "fr", "Bonjour", None)
    db.session.commit()
    log_in(page, root)
    crawl = Crawl(page, live_server)
    counts = {url: crawl.crawl(url) for url in ("/admin/champs-personnalises",
                                                "/admin/reponses")}
    assert not crawl.problems, "\n".join(crawl.problems[:30])
    activated = "\n".join(crawl.activated)
    for expected in ("field-search", "response-search", "A|boosted|/admin/champs-personnalises",
                     "A|boosted|/admin/reponses"):  # the search boxes and the pagers
        assert expected in activated, f"{expected} never activated:\n{activated}"
    assert all(counts.values()), counts
    db.session.remove()
