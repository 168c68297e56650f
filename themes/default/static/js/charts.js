/* Progressive enhancement: swap each static SVG chart for the interactive
   Vega view (tooltips). The static SVG, summary and data table stay the
   accessible content; the interactive view is hidden from assistive
   technology and only replaces the SVG once it has drawn successfully. */
(function () {
  "use strict";
  if (typeof window.vegaEmbed !== "function" || !document.querySelectorAll) return;
  var figures = document.querySelectorAll("[data-chart-spec]");
  Array.prototype.forEach.call(figures, function (figure) {
    var source = document.getElementById(figure.getAttribute("data-chart-spec"));
    var target = figure.querySelector(".chart__interactive");
    if (!source || !target) return;
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    window.vegaEmbed(target, spec, { mode: "vega-lite", actions: false, renderer: "svg" }).then(function () {
      var svg = target.querySelector("svg");
      if (svg) { svg.setAttribute("focusable", "false"); svg.removeAttribute("tabindex"); }
      var still = figure.querySelector(".chart__static");
      if (still) still.hidden = true;
      target.hidden = false;
      figure.classList.add("chart__figure--interactive");
    }).catch(function () { /* keep the static chart */ });
  });
})();
