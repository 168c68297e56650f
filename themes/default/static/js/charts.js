/* Progressive enhancement: swap each static SVG chart for the interactive
   Vega view (tooltips). The static SVG, summary and data table stay the
   accessible content; the interactive drawing is hidden from assistive
   technology (its box is a labelled region, as the static one is) and only
   replaces the SVG once it has drawn successfully.

   A page embeds each chart's spec without its main dataset; the rows are
   fetched from the chart's JSON download (data-chart-data), which holds the
   same rows, so a page does not carry its data twice. A spec that still has
   its rows (a theme's own template) is drawn as it is. Where the download
   cannot be fetched (a page opened from disk), the static chart stays.
   Charts are drawn as they come near the screen (where the browser can say
   when; otherwise all at once). The Vega runtime (900 KB, the largest part
   of a service page) is fetched only then, from the script tag's
   data-runtime: a reader of the key figures on a phone does not download it,
   nor one whose browser asks to save data (the static charts stay). */
(function () {
  "use strict";
  var tag = document.currentScript;
  var runtime = tag && tag.getAttribute("data-runtime");
  if (!document.querySelectorAll || (typeof window.vegaEmbed !== "function" && !runtime)) return;
  if (window.navigator && window.navigator.connection && window.navigator.connection.saveData) return;
  var loading = null;
  function ready() {
    if (typeof window.vegaEmbed === "function") return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = runtime;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function rows(figure, spec) {
    var url = figure.getAttribute("data-chart-data");
    var datasets = spec.datasets || {};
    if (!url || (datasets.table && datasets.table.length)) return Promise.resolve(spec);
    if (typeof window.fetch !== "function") return Promise.reject(new Error("no fetch"));
    return window.fetch(url).then(function (response) {
      if (!response.ok) throw new Error("chart data: HTTP " + response.status);
      return response.json();
    }).then(function (download) {
      datasets.table = download.data;
      spec.datasets = datasets;
      return spec;
    });
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart-spec"));
    var target = figure.querySelector(".chart__interactive");
    if (!source || !target) return;
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    Promise.all([rows(figure, spec), ready()]).then(function (both) {
      return window.vegaEmbed(target, both[0], { mode: "vega-lite", actions: false, renderer: "svg" });
    }).then(function () {
      var svg = target.querySelector("svg");
      if (svg) {
        svg.setAttribute("focusable", "false");
        svg.removeAttribute("tabindex");
        svg.setAttribute("aria-hidden", "true");  // the summary and the table below say what it shows
      }
      var still = figure.querySelector(".chart__static");
      // The interactive box takes the static one's place for the keyboard too: a box wider than a
      // phone scrolls, so the browser lets it be tabbed to, and it needs a role and a name; and a
      // box that had the focus hands it on, rather than dropping it to the page as it is hidden.
      var label = still && still.getAttribute("aria-label");
      target.setAttribute("role", "region");
      target.setAttribute("tabindex", "0");
      var heading = figure.parentNode && figure.parentNode.querySelector("h2, h3, h4, h5, h6");
      target.setAttribute("aria-label", label || (heading ? heading.textContent.trim() : "Chart") + " (chart)");
      target.removeAttribute("aria-hidden");
      var focused = still && still.contains(document.activeElement);
      if (still) still.hidden = true;
      target.hidden = false;
      if (focused) target.focus();
      figure.classList.add("chart__figure--interactive");
      // A tab stop only while the box scrolls (on a phone): on a wide screen it was a stop in every
      // chart with nothing to do there. Checked again as the window changes size.
      var stop = function () {
        if (target.scrollWidth > target.clientWidth + 2 || document.activeElement === target) {
          target.setAttribute("tabindex", "0");
        } else {
          target.removeAttribute("tabindex");
        }
      };
      stop();
      window.addEventListener("resize", stop);
    }).catch(function () { /* keep the static chart */ });
  }

  // A tooltip can be dismissed without moving the pointer (WCAG 1.4.13): Escape hides it until the
  // pointer moves to another point of the chart, when the runtime shows that point's.
  var escaped = false;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var tip = document.getElementById("vg-tooltip-element");
    escaped = true;
    if (tip) tip.classList.remove("visible");
  });

  // And it can be hovered (1.4.13): the runtime hides it as the pointer leaves the point, also on
  // its way onto the tooltip (drawn a few pixels off). Hidden so, it comes back if the pointer
  // reaches it within a moment, and stays while the pointer is over it, until the runtime shows
  // another point's.
  var pointer = null, hiddenAt = 0, kept = null;  // kept: the tooltip's text, while kept so
  var GRACE = 600;  // ms from the point to the tooltip
  function inside(tip) {
    var box = tip.getBoundingClientRect();
    return pointer !== null && pointer[0] >= box.left && pointer[0] <= box.right &&
      pointer[1] >= box.top && pointer[1] <= box.bottom;
  }
  function keep(tip) {
    kept = tip.innerHTML;
    tip.classList.add("visible");
  }
  function watch(tip) {
    if (tip.getAttribute("data-hoverable")) return;
    tip.setAttribute("data-hoverable", "true");
    // What it shows is in the chart's table: hidden from assistive technology, it is not text outside
    // every landmark (the runtime adds it to the end of the body).
    tip.setAttribute("aria-hidden", "true");
    new window.MutationObserver(function () {
      if (tip.classList.contains("visible")) {
        if (kept !== tip.innerHTML) { kept = null; escaped = false; }  // another point's: shown as usual
        return;
      }
      kept = null;
      if (escaped) return;
      hiddenAt = Date.now();
      if (inside(tip)) keep(tip);
    }).observe(tip, { attributes: true, attributeFilter: ["class"] });
  }
  document.addEventListener("mousemove", function (event) {
    pointer = [event.clientX, event.clientY];
    var tip = document.getElementById("vg-tooltip-element");
    if (!tip || typeof window.MutationObserver !== "function") return;
    watch(tip);
    var shown = tip.classList.contains("visible");
    if (kept !== null && kept !== tip.innerHTML) kept = null;
    if (kept !== null && shown && !inside(tip)) {
      tip.classList.remove("visible");
    } else if (!shown && !escaped && inside(tip) && Date.now() - hiddenAt < GRACE) {
      keep(tip);
    }
  }, true);

  // Each chart is drawn as it comes near the screen, not all at once: a service page has ten, and
  // drawing them all on load blocked the page for 1.5 to 2.7 s in Chromium slowed four times (as a
  // modest phone is), against about 0.1 s for loading the runtime alone.
  var figures = Array.prototype.slice.call(document.querySelectorAll("[data-chart-spec]"));
  if (typeof window.IntersectionObserver !== "function") {
    figures.forEach(draw);
    return;
  }
  var observer = new window.IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      draw(entry.target);
    });
  }, { rootMargin: "300px 0px" });
  figures.forEach(function (figure) { observer.observe(figure); });
})();
