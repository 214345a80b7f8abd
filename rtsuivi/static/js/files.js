// Files on message forms (issue 13): drop files on the zone around a file input, see the
// chosen files with their size, and be told before sending when one is over the limit.
// Without JavaScript the plain <input type=file multiple> does the same job, and the
// server checks the limit anyway (domain/uploads.py).
(() => {
  const zoneOf = (element) => element && element.closest && element.closest("[data-file-drop]");
  const inputOf = (zone) => zone.querySelector("input[type=file]");
  // Sizes as the server writes them (the `filesize` filter): the units come translated in
  // the zone's data-units ("{n} o|{n} Ko|{n} Mo"; B, KB, MB in English), the number in the
  // page's language (1,5 Ko; 1.5 KB).
  const size = (zone, bytes) => {
    const [b, k, m] = (zone.dataset.units || "{n} o|{n} Ko|{n} Mo").split("|");
    const number = (value) => value.toLocaleString(document.documentElement.lang || "fr",
      {maximumFractionDigits: 1, useGrouping: false});
    return bytes < 1024 ? b.replace("{n}", number(bytes))
      : bytes < 1048576 ? k.replace("{n}", number(bytes / 1024))
        : m.replace("{n}", number(bytes / 1048576));
  };

  const show = (zone) => {
    const input = inputOf(zone), list = zone.querySelector(".chosen-files");
    const limit = Number(input.dataset.maxSize || 0);
    if (!list) return;
    list.textContent = "";
    let tooBig = null;
    for (const file of input.files) {
      const item = document.createElement("li");
      item.textContent = `${file.name} (${size(zone, file.size)})`;
      if (limit && file.size > limit) {
        item.className = "too-big";
        item.textContent = (zone.dataset.tooBig || "{name} > {size}")
          .replace("{name}", file.name).replace("{size}", size(zone, limit));
        tooBig = tooBig || item.textContent;
      }
      list.appendChild(item);
    }
    // The browser refuses to send the form and shows this message on the input.
    input.setCustomValidity(tooBig || "");
  };

  const mark = (root) => {
    for (const zone of (root.querySelectorAll ? root.querySelectorAll("[data-file-drop]") : [])) {
      zone.classList.add("js-drop");
    }
  };
  document.addEventListener("DOMContentLoaded", () => mark(document));
  document.addEventListener("htmx:afterSwap", (event) => mark(event.detail.target));

  document.addEventListener("change", (event) => {
    const zone = zoneOf(event.target);
    if (zone && event.target.type === "file") show(zone);
  });
  document.addEventListener("dragover", (event) => {
    const zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event.target);
    if (!zone || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    const input = inputOf(zone), all = new DataTransfer();
    for (const file of input.files) all.items.add(file);       // dropping adds, never replaces
    for (const file of event.dataTransfer.files) all.items.add(file);
    input.files = all.files;
    show(zone);
  });
})();
