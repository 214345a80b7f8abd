"""The htmx crawler (test_htmx_crawler.Crawl) over the Administration pages of issue 12:
« Files » (list, a queue, its watchers), « Droits » (the system's and a queue's matrix),
« Règles de notification »: every hx-* control works, no targetError, no console error."""
from rtsuivi.domain import queues_admin as admin_queues
from rtsuivi.extensions import db
from tests.browser.test_htmx_crawler import Crawl


def test_every_htmx_control_of_the_queue_rights_and_rules_pages_works(desk, make_user, log_in,
                                                                      page, live_server):
    root = make_user("root", rights=["SuperUser"])
    admin_queues.add_watcher(None, desk.support, desk.chloe, "AdminCc")
    db.session.commit()
    log_in(page, root)
    crawl = Crawl(page, live_server)
    pages = ["/admin/files", f"/admin/files/{desk.support.id}", "/admin/droits",
             f"/admin/droits/file/{desk.info.id}", "/admin/regles-notification",
             f"/admin/regles-notification/file/{desk.support.id}"]
    counts = {url: crawl.crawl(url) for url in pages}
    assert not crawl.problems, "\n".join(crawl.problems[:30])
    activated = "\n".join(crawl.activated)
    for expected in ("Désactiver la file", "Retirer", "Couper", "queue-search",
                     "watcher-search", "principal-search", "/case|change|grant"):
        assert expected in activated, f"{expected} never activated:\n{activated}"
    assert all(counts.values()), counts
