"""Guard for the whole class of htmx wiring slips (issue 9): open each page of the agent UI
and activate every element that carries an hx-* request attribute at least once (a form
through each of its submit buttons, a boosted box through its links), including what those
activations bring in (each action form of the ticket page). Fail on htmx:targetError,
htmx:responseError (and the other htmx error events), a console error, a page error or a
5xx answer.

An element is reached by a path: reload the page, then activate the elements of the path in
order. Elements that ask for confirmation (Effacer, Supprimer) go last, so that what they
destroy does not hide the rest."""
import email.message

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from rtsuivi.domain import accounts, saved_searches
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail import inbound
from rtsuivi.models import InboundMail, OutboxMail

MAX_ACTIVATIONS_PER_PAGE = 120
MAX_DEPTH = 3

# What identifies an element across reloads: its request, trigger and name, the words of a
# link or button (not of a box, whose text changes); a boosted link by the shape of its path.
SIGNATURE = r"""
  const text = (el) => ["A", "BUTTON"].includes(el.tagName)
    ? el.textContent.replace(/[▲▼]/g, "").trim().replace(/\s+/g, " ").slice(0, 40)
    : (el.type === "submit" ? el.value : "");
  const sig = (el, extra) => extra === "boosted" && el.href
    ? "A|boosted|" + new URL(el.href).pathname.replace(/[0-9]+/g, "N")
    : [el.tagName, el.id, verbs.map(v => el.getAttribute(v) || "").join(""),
       el.getAttribute("hx-trigger") || "", el.getAttribute("name") || "",
       el.tagName === "BUTTON" ? el.getAttribute("value") || "" : "", text(el),
       extra || ""].join("|");
"""

RECORDER = """
(() => {
  window.__crawl = {errors: [], inflight: 0, last: Date.now()};
  const touch = () => { window.__crawl.last = Date.now(); };
  for (const name of ["htmx:targetError", "htmx:responseError", "htmx:swapError",
                      "htmx:sendError", "htmx:oobErrorNoTarget", "htmx:onLoadError",
                      "htmx:historyCacheError"]) {
    document.addEventListener(name, (event) => {
      const d = event.detail || {};
      const where = d.requestConfig ? d.requestConfig.verb + " " + d.requestConfig.path : "";
      window.__crawl.errors.push(name + " " + where + " " + (d.target && d.target.id || "")
                                 + " " + (d.error || ""));
    }, true);
  }
  // An inherited or stale hx-select that matches nothing in the answer swaps in nothing.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const d = event.detail, elt = d.requestConfig && d.requestConfig.elt;
    const holder = elt && elt.closest && elt.closest("[hx-select]");
    let select = holder && holder.getAttribute("hx-select");
    const barred = holder && holder !== elt && (holder.getAttribute("hx-disinherit") || "");
    if (barred && (barred === "*" || barred.split(" ").includes("hx-select"))) select = null;
    if (!d.shouldSwap || !select || select === "unset" || !d.xhr.responseText.trim()) return;
    const answer = new DOMParser().parseFromString(d.xhr.responseText, "text/html");
    if (!answer.querySelector(select)) {
      window.__crawl.errors.push("hx-select " + select + " matches nothing in the answer to "
                                 + d.requestConfig.verb + " " + d.requestConfig.path);
    }
  }, true);
  document.addEventListener("htmx:beforeRequest",
                            () => { window.__crawl.inflight++; touch(); }, true);
  document.addEventListener("htmx:afterRequest",
                            () => { window.__crawl.inflight--; touch(); }, true);
  document.addEventListener("htmx:afterSettle", touch, true);
  document.addEventListener("htmx:trigger", touch, true);
})();
"""

# Every activatable element as a signature: enough to find "the same" element again.
ENUMERATE = """
() => {
  const verbs = ["hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"];
  const requestSel = verbs.map(v => "[" + v + "]").join(",");
  const found = [];
""" + SIGNATURE + """
  for (const el of document.querySelectorAll(requestSel)) {
    if (el.tagName === "FORM") {
      const buttons = [...el.querySelectorAll(
        "button:not([type=button]):not([type=reset]), input[type=submit]")]
        .filter(b => !b.hasAttribute("formaction") || b.matches(requestSel));
      if (buttons.length === 0) found.push(sig(el, "form"));
      for (const b of buttons) if (!b.matches(requestSel)) found.push(sig(b, "submit:" + sig(el)));
    } else {
      found.push(sig(el));
    }
  }
  for (const box of document.querySelectorAll("[hx-boost=true]")) {
    for (const a of box.querySelectorAll("a[href]")) {
      if (!a.closest("[hx-boost=false]") && !a.matches(requestSel)) found.push(sig(a, "boosted"));
    }
  }
  return [...new Set(found)];
}
"""

# Activate the element with this signature the way a person would; say how.
ACTIVATE = """
(wanted) => {
  const verbs = ["hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"];
  const requestSel = verbs.map(v => "[" + v + "]").join(",");
""" + SIGNATURE + """
  const candidates = [...document.querySelectorAll(
    requestSel + ", button, input[type=submit], a[href]")];
  let el = null, how = "";
  for (const c of candidates) {
    const form = c.closest("form");
    const options = [sig(c), sig(c, "form"), sig(c, "boosted"),
                     form ? sig(c, "submit:" + sig(form)) : null];
    if (options.includes(wanted)) { el = c; break; }
  }
  if (!el) return "missing";
  const fill = (form) => {
    for (const input of form.querySelectorAll("input, textarea, select")) {
      if (!input.required || input.value) continue;
      if (input.tagName === "SELECT") {
        input.selectedIndex = Math.min(1, input.options.length - 1);
        continue;
      }
      input.value = input.type === "email" ? "crawler@example.org"
                  : input.type === "number" ? "1" : "crawler";
    }
  };
  const trigger = (el.getAttribute("hx-trigger") || "").trim();
  if (wanted.endsWith("|form") || (el.tagName === "FORM" && !trigger)) {
    fill(el); el.requestSubmit(); return "submit";
  }
  if (wanted.includes("|submit:")) {
    fill(el.form); el.form.requestSubmit(el); return "submit-button";
  }
  if (trigger) {
    const first = trigger.split(",")[0].trim();
    const name = first.split(/[\\s\\[]/)[0];
    const from = /from:(\\S+)/.exec(first);
    if (["load", "revealed", "intersect"].includes(name) || name.startsWith("every")) {
      return "automatic";
    }
    if (from) {
      const source = from[1] === "body" ? document.body : from[1] === "document" ? document
                     : document.querySelector(from[1]);
      source.dispatchEvent(new CustomEvent(name, {bubbles: true}));
      return "event " + name + " from " + from[1];
    }
    if (name === "change" && el.tagName === "FORM") {
      const select = el.querySelector("select");
      if (select) { select.selectedIndex = (select.selectedIndex + 1) % select.options.length; }
      (select || el).dispatchEvent(new Event("change", {bubbles: true}));
      return "change form";
    }
    if (["input", "keyup", "change", "search"].includes(name) && "value" in el) {
      el.value = "imp";
    }
    el.dispatchEvent(new Event(name, {bubbles: true}));
    return "event " + name;
  }
  if (el.tagName === "SELECT") {
    el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
    el.dispatchEvent(new Event("change", {bubbles: true}));
    return "change";
  }
  if (["INPUT", "TEXTAREA"].includes(el.tagName)) {
    el.value = "imp"; el.dispatchEvent(new Event("change", {bubbles: true})); return "change";
  }
  el.click();
  return "click";
}
"""


# hx_get and friends (a Python keyword argument passed through as is) do nothing.
MISSPELLED = """
() => [...document.querySelectorAll("*")].flatMap(el => [...el.attributes]
  .filter(a => /^(data-)?hx_/.test(a.name)).map(a => el.tagName + " " + a.name))
"""


class Crawl:
    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.activated: list[str] = []
        self.current = ""
        page.add_init_script(RECORDER)
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(
            f"console error on {self.current}: {msg.text}"))
        page.on("pageerror", lambda error: self.problems.append(
            f"page error on {self.current}: {error}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(
            f"{r.status} for {r.request.method} {r.url} on {self.current}"))

    def settle(self):
        """Wait until htmx is idle (no request in flight, nothing happening for 300 ms)."""
        self.page.wait_for_timeout(100)
        try:
            self.page.wait_for_function(
                "() => !window.__crawl || (!document.querySelector('.htmx-request')"
                " && Date.now() - window.__crawl.last > 300)", timeout=10000, polling=50)
        except PlaywrightTimeout:
            self.problems.append(f"htmx still busy after 10 s on {self.current}: " + str(
                self.page.evaluate("() => window.__crawl && window.__crawl.inflight")))

    def errors(self) -> list[str]:
        misspelled = self.page.evaluate(MISSPELLED)
        return [f"htmx attribute misspelled (htmx ignores it): {m}" for m in misspelled] + \
            self.page.evaluate("() => window.__crawl ? window.__crawl.errors.splice(0) : []")

    def visit(self, path: list[str], url: str) -> str | None:
        self.current = url
        self.page.goto(self.base + url)
        self.settle()
        for error in self.errors():
            self.problems.append(f"{error} on {url}")
        how = None
        for step in path:
            self.current = f"{url} after {path}"
            how = self.page.evaluate(ACTIVATE, step)
            if how == "missing":
                return how
            self.page.wait_for_load_state()
            self.settle()
            for error in self.errors():
                self.problems.append(f"{error} on {url} activating {step} ({how})")
        return how

    def crawl(self, url: str) -> int:
        """Activate every hx element of the page, and of what each activation shows."""
        seen: set[str] = set()
        todo: list[list[str]] = [[]]
        deferred: list[list[str]] = []
        count = 0
        while (todo or deferred) and count < MAX_ACTIVATIONS_PER_PAGE:
            path = todo.pop(0) if todo else deferred.pop(0)
            how = self.visit(path, url)
            if path:
                count += 1
                self.activated.append(f"{url}: {path[-1]} -> {how}")
            if how == "missing" or len(path) >= MAX_DEPTH or not self.page.url.startswith(
                    self.base + url.split("?")[0]):
                continue
            confirming = set(self.page.evaluate(
                "() => [...document.querySelectorAll('[hx-confirm]')]"
                ".map(e => e.getAttribute('hx-post') || e.getAttribute('hx-get') || '')"))
            for element in self.page.evaluate(ENUMERATE):
                if element in seen:
                    continue
                seen.add(element)
                destructive = any(url_ and url_ in element for url_ in confirming)
                (deferred if destructive else todo).append(path + [element])
        return count


@pytest.fixture
def crawl_desk(desk, make_ticket):
    """The desk, with alice as SuperUser too (so she sees the mail pages), a ticket with a
    reply (an outgoing mail), a comment and a forwardable message, a ticket owned by bruno,
    a received mail and a saved search."""
    accounts.grant("user:alice", "SuperUser")
    for right in ("ShowSearchAdvanced", "ShowSearchBulkUpdate", "LoadSavedSearch",
                  "CreateSavedSearch", "ShowSavedSearches", "ShowOutgoingEmail"):
        accounts.grant("system:Privileged", right)
    db.session.commit()
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Imprimante en panne")
    domain.reply(ticket, desk.alice, "Nous passons cet après-midi.")
    domain.comment(ticket, desk.alice, "Câble à changer.")
    owned = make_ticket(desk.support, subject="Écran noir")
    domain.take(owned, desk.bruno)
    db.session.commit()
    mail = email.message.EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = ("denise@example.org", "support@example.org",
                                                 "Clavier HS")
    mail.set_content("Mon clavier ne répond plus.")
    inbound.receive(mail.as_bytes(), queue="Support")
    inbound.receive(mail.as_bytes().replace(b"Clavier", b"Souris"), queue="Inconnue")
    db.session.commit()
    spec = saved_searches.SearchSpec.clean("Queue = 'Support'")
    saved_searches.save(desk.alice, "Mes tickets Support", "user", spec)
    db.session.commit()
    return ticket, owned


def test_every_htmx_control_of_the_agent_ui_works(crawl_desk, desk, log_in, page, live_server):
    ticket, owned = crawl_desk
    inbound_id = db.session.scalar(db.select(InboundMail.id).where(
        InboundMail.status.in_(("failed", "received"))))
    outbox_id = db.session.scalar(db.select(OutboxMail.id))
    assert inbound_id and outbox_id
    log_in(page, desk.alice)
    crawl = Crawl(page, live_server)
    pages = ["/accueil", "/files/", f"/files/{desk.support.id}", f"/tickets/{owned.id}",
             f"/tickets/{ticket.id}", "/recherche/avancee",
             "/recherche/resultats?query=Queue+%3D+%27Support%27", "/tickets/new",
             "/admin/courrier/entrant", f"/admin/courrier/entrant/{inbound_id}",
             "/admin/courrier/sortant", f"/admin/courrier/sortant/{outbox_id}",
             "/admin/courrier/modeles", "/admin/courrier/modeles/Correspondence/fr", "/aide",
             "/recherche/graphique?query=Queue+%3D+%27Support%27", "/rapports"]
    counts = {url: crawl.crawl(url) for url in pages}
    assert not crawl.problems, "\n".join(crawl.problems[:30])
    # The crawl reached what it claims to: the action forms of the ticket page and their
    # submit buttons, the bulk form, the queue filter and the create form's queue list.
    activated = "\n".join(crawl.activated)
    for expected in ("Répondre", "Commenter", "Résoudre", "Modifier", "Affecter",
                     "Transférer", "Mettre à jour le ticket", "Enregistrer les modifications",
                     "Mettre à jour les tickets sélectionnés", "Prendre", "Voler",
                     "SELECT|queue|/tickets/new", "Renvoyer maintenant", "Relancer"):
        assert expected in activated, f"{expected} never activated:\n{activated}"
    assert counts[f"/tickets/{ticket.id}"] >= 15, counts

