// Small page behaviours; everything also works without JavaScript.
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
});
