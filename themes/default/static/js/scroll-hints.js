/* Progressive enhancement: the line above a wide table that says it scrolls sideways.
   Without JavaScript the stylesheet shows it by the screen's width, which is a guess (a
   table's width depends on its text and the fonts); with it, each line shows exactly when
   its table is wider than its box, checked again whenever the box or the table changes size.
   Loaded with the interactive charts: a site with them turned off has no JavaScript at all. */
(function () {
  "use strict";
  if (!document.querySelectorAll || !document.documentElement.classList) return;
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
