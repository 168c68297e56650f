/* Progressive enhancement: the line above a wide table that says it scrolls sideways.
   Without JavaScript the stylesheet shows it by the screen's width, which is a guess (a
   table's width depends on its text and the fonts); with it, each line shows exactly when
   its table is wider than its box, checked again whenever the box or the table changes size.
   Loaded with the interactive charts: a site with them turned off has no JavaScript at all. */
(function () {
  "use strict";
  if (!document.querySelectorAll || !document.documentElement.classList) return;

  // A link focused inside a box that scrolls sideways is brought wholly into view: the browser
  // leaves one that is partly in view where it is (a sort link at 320 px showed 26 of its 115 px).
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var box = target && target.closest ? target.closest(".table-wrap") : null;
    if (!box || box === target || typeof target.scrollIntoView !== "function") return;
    var shown = box.getBoundingClientRect(), own = target.getBoundingClientRect();
    if (own.left >= shown.left && own.right <= shown.right) return;
    try { target.scrollIntoView({ block: "nearest", inline: "nearest" }); } catch (e) { /* an old browser */ }
  });

  var hints = Array.prototype.slice.call(document.querySelectorAll(".scroll-hint"));
  if (!hints.length) return;
  function update() {
    hints.forEach(function (hint) {
      var box = hint.nextElementSibling;
      hint.hidden = !(box && box.scrollWidth > box.clientWidth + 2);
    });
  }
  document.documentElement.classList.add("scroll-hints-measured");
  update();
  if (typeof window.ResizeObserver === "function") {  // a table that changes width, not only the window
    var observer = new window.ResizeObserver(update);
    hints.forEach(function (hint) {
      if (hint.nextElementSibling) {
        observer.observe(hint.nextElementSibling);
        if (hint.nextElementSibling.firstElementChild) observer.observe(hint.nextElementSibling.firstElementChild);
      }
    });
  } else {
    window.addEventListener("resize", update);
  }
})();
