/* Progressive enhancement: the box above a services table that finds a service as the reader types.
   Without JavaScript the box stays hidden and the whole table is there (the table is the content);
   with it, rows whose service and organisation names do not hold every word typed are hidden, and a
   status line says how many are shown. What was typed goes with the sort links (?q=...), so a
   reader who sorts the filtered table on its static sort pages keeps the filter. */
(function () {
  "use strict";
  if (!document.querySelectorAll || !("hidden" in document.documentElement)) return;

  // Case, accents and runs of spaces do not count: "cafe" finds "Café licences".
  function folded(text) {
    var lower = String(text).toLowerCase();
    if (lower.normalize) lower = lower.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return lower.replace(/\s+/g, " ").trim();
  }

  function typedBefore() {
    var match = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (!match) return "";
    try { return decodeURIComponent(match[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-table-filter]"), function (box) {
    var wrap = document.getElementById(box.getAttribute("data-table-filter"));
    var table = wrap && wrap.querySelector("table");
    var input = box.querySelector("input");
    var status = box.querySelector("[role=status]");
    if (!table || !table.tBodies.length || !input || !status) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    // The service's name (its link, not the "latest data" note beside it) and its organisation's.
    var names = rows.map(function (row) {
      var service = row.cells[0] && (row.cells[0].querySelector("a") || row.cells[0]);
      var organisation = row.cells[1];
      return folded((service ? service.textContent : "") + " " + (organisation ? organisation.textContent : ""));
    });
    var sortLinks = Array.prototype.slice.call(table.querySelectorAll("thead a[href]"));
    var plainHrefs = sortLinks.map(function (link) { return link.getAttribute("href"); });

    function withQuery(href, typed) {
      var hash = href.indexOf("#") >= 0 ? href.slice(href.indexOf("#")) : "";
      var path = href.slice(0, href.length - hash.length).replace(/\?.*$/, "");
      return path + (typed ? "?q=" + encodeURIComponent(typed) : "") + hash;
    }

    function apply() {
      var typed = input.value;
      var words = folded(typed).split(" ").filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (word) { return names[i].indexOf(word) >= 0; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      var total = rows.length;
      if (!words.length) {
        status.textContent = "Showing all " + total + " services.";
      } else if (!shown) {
        status.textContent = "No service matches \u201c" + typed.trim() + "\u201d. Clear the box to see all " + total + " services.";
      } else {
        status.textContent = "Showing " + shown + " of " + total + " services.";
      }
      sortLinks.forEach(function (link, i) { link.setAttribute("href", withQuery(plainHrefs[i], typed.trim())); });
    }

    input.value = typedBefore();
    apply();  // before the box shows: a status line filled as the page loads is not read out
    box.hidden = false;
    input.addEventListener("input", apply);
  });
})();
