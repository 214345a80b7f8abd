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
});
