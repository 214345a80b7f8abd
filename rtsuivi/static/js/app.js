// Small page behaviours; everything also works without JavaScript.
// Keyboard and drafts on the ticket page (issue 9): after an htmx submit, focus goes to
// the new history entry (messages) or back to the action menu, never <body>; Escape closes
// an open action form; a reply or comment typed but not sent is kept in this tab
// (sessionStorage, per ticket and action) until it is sent or discarded.
document.addEventListener("DOMContentLoaded", () => {
  const box = (id) => document.getElementById(id);
  const lastEntryId = () => {
    const entries = document.querySelectorAll("#ticket-history li.txn");
    return entries.length ? Number(entries[entries.length - 1].id.replace("txn-", "")) : 0;
  };
  const focusable = (root) => root && root.querySelector(
    "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea");
  const lost = () => !document.activeElement || document.activeElement === document.body
    || !document.activeElement.isConnected;
  const focusOn = (element) => {
    if (!element) return;
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  };
  let opener = null;     // the menu entry that opened the form in #ticket-update
  let pending = null;    // {from, entry, until}: a submitted action waiting for its answer

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt.closest && elt.closest("#ticket-actions") && elt.tagName === "A") opener = elt.className;
    const verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "get";
    if (verb === "get" || !elt.closest) return;
    const from = elt.closest("#ticket-update") ? "update"
      : elt.closest("#ticket-actions") ? "actions"
      : elt.closest("#ticket-people") ? "people" : elt.closest("#ticket-summary") ? "summary" : null;
    if (from) pending = {from, entry: lastEntryId(), until: Date.now() + 5000};
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    if (!pending) return;
    if (Date.now() > pending.until) { pending = null; return; }
    const update = box("ticket-update");
    if (pending.from === "update" && update && update.querySelector("form")) {
      pending = null;  // the form came back (an error): its field has the focus
      return;
    }
    const since = pending.entry;  // the first new entry: the message, before its status change
    const added = [...document.querySelectorAll("#ticket-history li.txn")]
      .find((li) => Number(li.id.replace("txn-", "")) > since);
    if (pending.from === "update" && added) {
      focusOn(added);
      pending = null;
    } else if (pending.from === "update" && lost()) {
      focusOn(update);  // quiet and nearby, until the new entry arrives
    } else if (pending.from === "people" && lost()) {
      focusOn(document.getElementById("people-person"));
    } else if (lost()) {
      focusOn(focusable(box("ticket-actions")) || box("main"));
    }
  });

  // Escape closes the open action form (its draft stays) and goes back to the menu.
  document.addEventListener("keydown", (event) => {
    const update = box("ticket-update");
    if (event.key !== "Escape" || !update || !update.firstElementChild) return;
    if (document.activeElement && document.activeElement.closest(".suggestions, [role=dialog]")) return;
    event.preventDefault();
    update.innerHTML = "";
    const menu = box("ticket-actions");
    const back = opener && menu && menu.querySelector("." + opener.trim().split(/\s+/).join("."));
    focusOn(back || focusable(menu) || box("main"));
  });

  // Drafts of replies and comments.
  const draftKey = (form) => {
    const ticket = /\/tickets\/(\d+)\//.exec(form.getAttribute("action") || "");
    const action = form.querySelector("input[name=action]");
    return ticket ? `rtsuivi-draft:${ticket[1]}:${action ? action.value : "reply"}` : null;
  };
  const store = {
    get: (key) => { try { return sessionStorage.getItem(key); } catch (e) { return null; } },
    set: (key, value) => { try { sessionStorage.setItem(key, value); } catch (e) { /* full */ } },
    drop: (key) => { try { sessionStorage.removeItem(key); } catch (e) { /* none */ } },
  };
  const restore = (root) => {
    for (const form of root.querySelectorAll ? root.querySelectorAll("form.update-form") : []) {
      const key = draftKey(form), text = form.querySelector("textarea[name=content]");
      const draft = key && store.get(key);
      if (!text || !draft || draft === text.value) continue;
      if (text.value.trim() && text.value !== text.defaultValue) continue;  // typed already
      text.value = draft;
      const note = form.querySelector(".draft-note");
      if (note) note.hidden = false;
    }
  };
  restore(document);
  document.body.addEventListener("htmx:afterSwap", (event) => restore(event.detail.target));
  // The page shown again by the back button keeps its DOM, so nothing to restore there.
  document.body.addEventListener("input", (event) => {
    const form = event.target.closest("form.update-form");
    if (!form || event.target.name !== "content") return;
    const key = draftKey(form);
    if (!key) return;
    if (event.target.value.trim() && event.target.value !== event.target.defaultValue) {
      store.set(key, event.target.value);
    } else {
      store.drop(key);
    }
  });
  let sending = null;  // the draft being sent: dropped once the form has gone (success)
  document.body.addEventListener("submit", (event) => {
    if (event.target.matches("form.update-form")) sending = draftKey(event.target);
  }, true);
  document.body.addEventListener("htmx:afterSettle", () => {
    if (!sending) return;
    const still = [...document.querySelectorAll("form.update-form")].some((f) => draftKey(f) === sending);
    if (!still) store.drop(sending);
    sending = null;
  });
  document.addEventListener("click", (event) => {
    const form = event.target.closest("form.update-form");
    if (!form) return;
    if (event.target.closest("[data-discard-draft], [data-close-update]")) {
      store.drop(draftKey(form));
      const text = form.querySelector("textarea[name=content]");
      if (text && event.target.closest("[data-discard-draft]")) {
        text.value = text.defaultValue;
        form.querySelector(".draft-note").hidden = true;
        text.focus();
      }
    }
  }, true);
});

document.addEventListener("DOMContentLoaded", () => {
  const update = () => document.getElementById("ticket-update");
  // Forms loaded into the update box: move focus to them so the keyboard follows.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "ticket-update" && event.detail.target.firstElementChild) {
      const first = event.detail.target.querySelector("[autofocus], textarea, select, input:not([type=hidden])");
      if (first) first.focus();
    }
  });
  // "Annuler" and forms that answer into another box close the update box.
  document.body.addEventListener("click", (event) => {
    const cancel = event.target.closest("[data-close-update]");
    if (cancel && update() && update().contains(cancel)) {
      event.preventDefault();
      update().innerHTML = "";
    }
  });
  // A select marked data-autosubmit sends its form when it changes (no inline handler:
  // the Content-Security-Policy forbids them).
  document.body.addEventListener("change", (event) => {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });
  // The live box (issue 15) does not poll from a hidden tab: agents keep many open, and
  // htmx's own `[document.visibilityState...]` filter needs eval, which the
  // Content-Security-Policy forbids. Shown again, the tab asks at once.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.detail.elt.id === "ticket-live") event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    const live = document.getElementById("ticket-live");
    if (!document.hidden && live) htmx.trigger(live, "live-visible");
  });
});
