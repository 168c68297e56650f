"""Accessibility of the built example site: axe-core in Chromium at desktop and 320px widths.

Builds the repository's example site with the real pipeline, serves it over
HTTP (missing paths get 404.html, as GitHub Pages does), and runs axe-core
against one page of each kind. Skips only when Chromium is not installed.
"""

from __future__ import annotations

import http.server
import importlib.resources
import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CONFIG = Path(__file__).parents[1] / "config.yaml"
NO_DATA_TEXT = "No data has been published for this service yet"

VIEWPORTS = {"desktop": (1280, 900), "mobile": (320, 800)}
PAGE_KINDS = [
    "home",
    "services",
    "services-sorted",
    "service-with-data",
    "service-without-data",
    "organisations",
    "organisation",
    "markdown-page",
    "not-found",
]

# scripts/test.sh installs Chromium and sets PERFPAGES_REQUIRE_BROWSER, so in CI
# a missing browser fails these tests instead of quietly skipping them.
if not CHROMIUM.exists() and os.environ.get("PERFPAGES_REQUIRE_BROWSER"):
    raise RuntimeError(f"Chromium is required but not installed at {CHROMIUM}")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM}")


# ----------------------------------------------------------------- build and serve


def _base_path() -> str:
    from generator.config import load_config
    from generator.errors import Problems

    config = load_config(CONFIG, Problems())
    return config.base_path if config else "/"


def _handler(root: Path, base_path: str):
    class Handler(http.server.SimpleHTTPRequestHandler):
        """Serves the site under its base path; unknown paths get 404.html with status 404."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def translate_path(self, path):
            path = unquote(urlsplit(path).path)
            if path.startswith(base_path):
                path = "/" + path[len(base_path):]
            return super().translate_path(path)

        def send_error(self, code, message=None, explain=None):
            page = root / "404.html"
            if code != 404 or not page.exists():
                return super().send_error(code, message, explain)
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def _find_pages(out: Path) -> dict[str, str | None]:
    """One output path (relative to ``out``) per page kind; None if the site has none."""

    def rel(p: Path) -> str:
        return p.relative_to(out).as_posix()

    services = sorted(p for p in out.glob("services/*/index.html") if p.parent.name != "sort")
    with_data = [p for p in services if NO_DATA_TEXT not in p.read_text(encoding="utf-8")]
    without_data = [p for p in services if NO_DATA_TEXT in p.read_text(encoding="utf-8")]
    sorted_pages = sorted(out.glob("services/sort/*/index.html"))
    organisations = sorted(out.glob("organisations/*/index.html"))
    reserved = {"services", "organisations", "static", "data", "savings", "costs"}
    markdown = sorted(p for p in out.glob("*/index.html") if p.parent.name not in reserved)
    first = lambda items: rel(items[0]) if items else None  # noqa: E731
    return {
        "home": "index.html",
        "services": "services/index.html",
        "services-sorted": first(sorted_pages),
        "service-with-data": first(with_data),
        "service-without-data": first(without_data),
        "organisations": "organisations/index.html",
        "organisation": first(organisations),
        "markdown-page": first(markdown),
        "savings": "savings/index.html",
        "costs": "costs/index.html",
        # Declared measures, channel shift and savings sections: the richest service pages.
        "service-with-measures": first([p for p in services if "measures-heading" in p.read_text(encoding="utf-8")]),
        "service-with-savings": first([p for p in services if "savings-heading" in p.read_text(encoding="utf-8")]),
        "not-found": "no-such-page/",  # served with 404.html, as a host would
    }


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, example_config):
    from generator.build import build_site
    from generator.errors import BuildFailed

    out = tmp_path_factory.mktemp("site")
    try:
        build_site(example_config, out)
    except BuildFailed as exc:
        pytest.fail("example site failed to build:\n" + "\n".join(p.format() for p in exc.problems.sorted()))
    return out


@pytest.fixture(scope="module")
def site_url(built_site):
    base_path = _base_path()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(built_site, base_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{base_path}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pages(built_site):
    return _find_pages(built_site)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


# ----------------------------------------------------------------- the checks


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} <{v.get('helpUrl', '')}>")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_is_accessible(kind, viewport, pages, site_url, browser, axe_source):
    path = pages[kind]
    assert path is not None, f"the example site has no {kind.replace('-', ' ')} to check"
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    external: list[str] = []
    origin = re.match(r"^https?://[^/]+", site_url).group(0)
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(origin) else None)
    try:
        target = path[: -len("index.html")] if path.endswith("index.html") else path
        response = page.goto(site_url + target)
        assert response is not None
        assert response.status == (404 if kind == "not-found" else 200), f"{target}: HTTP {response.status}"
        assert not external, f"{target} loads from another host: {external}"
        styled = page.evaluate(
            "() => document.styleSheets.length > 0 && [...document.styleSheets].every(s => s.cssRules.length > 0)"
        )
        assert styled, f"{target}: the stylesheet did not load"

        page.add_script_tag(content=axe_source)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = results["violations"]
        assert not violations, f"axe found problems on {target} at {width}px:\n{_describe(violations)}"

        if viewport == "mobile":
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{target} scrolls sideways at {width}px (scrollWidth {scroll_width})"
    finally:
        context.close()


def test_example_site_has_every_kind_of_page(pages):
    """The example content should show off every page kind the theme draws."""
    missing = [kind for kind, path in pages.items() if path is None]
    assert not missing, f"the example site has no: {', '.join(missing)}"


@pytest.mark.parametrize("javascript", [False, True])
def test_service_charts_show_with_and_without_javascript(javascript, pages, site_url, browser, axe_source):
    """Without JavaScript the static SVGs show; with it, each is replaced by the interactive chart
    as it comes near the screen, with no error or warning in the console, and the page with every
    chart drawn passes axe-core too."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Vega's warnings too: a layer with no rows (no annotations, no target) warned of an infinite extent.
    page.on("console", lambda message: errors.append(message.text) if message.type in ("warning", "error") else None)
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        charts = page.locator("section.chart").count()
        assert charts >= 3
        if javascript:
            # Charts are drawn as they come near the screen: the last is far below the first screen.
            page.wait_for_timeout(500)
            assert not page.locator("section.chart").last.locator(".chart__figure--interactive").count()
            for index in range(charts):
                page.locator("section.chart").nth(index).scroll_into_view_if_needed()
            page.wait_for_function(
                f"document.querySelectorAll('.chart__figure--interactive').length === {charts}", timeout=15000)
            assert page.locator(".chart__interactive svg:visible").count() == charts
            assert page.locator(".chart__static:visible").count() == 0
            page.add_script_tag(content=axe_source)
            violations = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                                       "resultTypes: ['violations']}).then(r => r.violations)", AXE_TAGS)
            assert not violations, _describe(violations)
        else:
            assert page.locator(".chart__static svg:visible").count() == charts
            box = page.locator(".chart__static svg").first.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
        assert errors == []
    finally:
        context.close()


def test_the_vega_runtime_is_fetched_only_as_a_chart_nears_the_screen(pages, site_url, browser):
    """900 KB of runtime, three quarters of a service page's weight on a phone, loaded with the page
    though the static charts, tables and figures show without it (a tester). It is fetched as the
    first chart nears the screen, once; and not at all where the browser asks to save data."""
    for save_data in (False, True):
        context = browser.new_context(viewport={"width": 320, "height": 640})
        if save_data:
            context.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")
        page = context.new_page()
        fetched = []
        page.on("request", lambda request: fetched.append(request.url) if "/vega." in request.url else None)
        try:
            page.goto(site_url + pages["service-with-data"].lstrip("/"))
            page.wait_for_timeout(500)
            first = page.locator("section.chart").first.bounding_box()
            assert first and first["y"] > 640 + 300, "the first chart is within reach of the first screen"
            assert fetched == []
            page.locator("section.chart").first.scroll_into_view_if_needed()
            if save_data:
                page.wait_for_timeout(1000)
                assert fetched == [] and page.locator(".chart__figure--interactive").count() == 0
                assert page.locator("section.chart").first.locator(".chart__static svg").is_visible()
            else:
                page.wait_for_function("document.querySelector('.chart__figure--interactive') !== null",
                                       timeout=15000)
                for index in range(page.locator("section.chart").count()):
                    page.locator("section.chart").nth(index).scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                assert len(fetched) == 1
        finally:
            context.close()


def test_a_chart_swapped_for_its_interactive_view_keeps_the_focus_and_a_name(pages, site_url, browser):
    """On a phone the static chart's box (a labelled region one can tab to, as it scrolls) was hidden
    while it had the focus, which fell to the page; and the interactive box, wider than the screen,
    could be tabbed to with no name, hidden from screen readers. Now it takes the static one's place."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    held = []  # the charts' data, held until the static box has the focus: the swap cannot come first
    page.route("**/data/charts/**/*.json", lambda route: held.append(route))
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        still = page.locator("section.chart").first.locator(".chart__static")
        label = still.get_attribute("aria-label")
        still.focus()
        page.unroute("**/data/charts/**/*.json")
        for route in held:
            route.continue_()
        page.wait_for_function("document.querySelector('section.chart .chart__figure--interactive') !== null",
                               timeout=15000)
        box = page.locator("section.chart").first.locator(".chart__interactive")
        # The focus moves as the view is swapped in: on a loaded machine, a moment after its class is set.
        page.wait_for_function("document.activeElement === document.querySelector('section.chart .chart__interactive')",
                               timeout=5000)
        assert box.get_attribute("aria-label") == label and box.get_attribute("role") == "region"
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-hidden") is None
        assert box.locator("svg").get_attribute("aria-hidden") == "true"
        # Described by the chart's summary, as the static box is (an accessibility tester: the
        # interactive box had a name and nothing else, its SVG being hidden).
        summary = page.locator("section.chart").first.locator(".chart__summary")
        assert box.get_attribute("aria-describedby") == summary.get_attribute("id") == \
            still.get_attribute("aria-describedby")
        assert summary.inner_text().strip()
    finally:
        context.close()


def test_the_current_page_stands_out_in_the_navigation_in_forced_colours(pages, site_url, browser):
    """An accessibility tester: every navigation item had a transparent 4px underline, which
    high-contrast (forced colours) mode draws, so the current page looked like all the others."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        widths = page.eval_on_selector_all(".main-nav__item", "items => items.map(i => [i.className, "
                                           "getComputedStyle(i).borderBottomStyle, getComputedStyle(i).borderBottomWidth])")
        current = [style for name, style, width in widths if "--current" in name and width == "4px"]
        others = [style for name, style, width in widths if "--current" not in name]
        assert current == ["solid"] and set(others) == {"none"}
    finally:
        context.close()


def test_a_tag_keeps_its_box_in_forced_colours(pages, site_url, browser):
    """High-contrast mode drops backgrounds: a tag ('estimate', 'worse') was a word run into the
    sentence around it. Its transparent outline is drawn in the text's colour there."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        page.evaluate("() => document.querySelector('.kpi-card__period').insertAdjacentHTML('beforeend', "
                      "' <strong class=\"tag tag--red\">worse</strong>')")
        style = page.eval_on_selector(".tag", "t => { const s = getComputedStyle(t); "
                                      "return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.backgroundColor]; }")
        assert style[0] == "solid" and style[1] == "2px" and style[2] not in ("transparent", "rgba(0, 0, 0, 0)"), style
    finally:
        context.close()


def test_chart_notes_grow_with_the_readers_text_size(pages, site_url, browser):
    """A reader who sets a larger text size in the browser: a chart's notes, downloads and scroll
    hints were in pixels, and stayed 16px while the rest of the page grew."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        page.add_style_tag(content="html { font-size: 24px; }")  # what a larger default text size does to rem
        sizes = page.eval_on_selector_all(".chart__downloads", "ps => ps.map(p => getComputedStyle(p).fontSize)")
        assert sizes and set(sizes) == {"24px"}, sizes
    finally:
        context.close()


def test_a_charts_tooltip_can_be_read_and_dismissed_with_escape(pages, site_url, browser):
    """A tester found the tooltip's grey labels at 11px about 3.9:1 on white (WCAG 1.4.3), and no way to
    dismiss it but moving the pointer (1.4.13). Labels are now dark and larger; Escape hides it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        chart = page.locator("section.chart").first
        chart.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('section.chart .chart__figure--interactive') !== null",
                               timeout=15000)
        shown = "() => { const t = document.getElementById('vg-tooltip-element'); " \
                "return !!t && t.classList.contains('visible'); }"
        # The middle of a point the chart draws (a line's tooltips are on its points), scrolled to the
        # middle of the window first: a point below it is not under the pointer, and the test failed
        # now and then, as the page's layout or the machine's load moved it.
        point = ("() => { const points = [...document.querySelectorAll("
                 "'section.chart .chart__interactive g.mark-symbol path')];"
                 "const p = points[Math.floor(points.length / 2)]; p.scrollIntoView({block: 'center'});"
                 "const r = p.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }")
        for attempt in range(3):
            x, y = page.evaluate(point)
            page.mouse.move(x - 20, y - 20)
            page.mouse.move(x, y, steps=4)
            try:
                page.wait_for_function(shown, timeout=5000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        colour, size = page.evaluate("() => { const k = getComputedStyle(document.querySelector("
                                     "'#vg-tooltip-element td.key')); return [k.color, k.fontSize]; }")
        assert colour == "rgb(80, 90, 95)" and size == "14px"  # #505a5f: about 7:1 on white
        # It can be hovered: the pointer moved from the point onto it leaves it shown (a tester found
        # it hidden on the way), until the pointer leaves it.
        box = page.evaluate("() => { const r = document.getElementById('vg-tooltip-element')"
                            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }")
        page.mouse.move(*box, steps=6)
        page.wait_for_timeout(200)
        assert page.evaluate(shown)
        page.mouse.move(box[0] + 400, 5, steps=3)
        page.wait_for_function(f"!({shown})()", timeout=5000)
        page.mouse.move(x - 20, y - 20)
        page.mouse.move(x, y, steps=4)
        page.wait_for_function(shown, timeout=5000)
        page.keyboard.press("Escape")
        assert not page.evaluate(shown)
        # On a wide screen nothing in the box scrolls: no tab stop there (a phone's is tested above).
        assert chart.locator(".chart__interactive").get_attribute("tabindex") is None
    finally:
        context.close()


def test_a_long_tag_wraps_on_a_phone(pages, site_url, browser):
    """A tester's GOV.UK service pages scrolled sideways at 320px (WCAG 1.4.10): a card's tag 'a year
    or more before the latest figures' could not wrap. The example site has no such tag: one is added."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    try:
        page.goto(site_url + pages["service-with-data"].lstrip("/"))
        page.evaluate("() => { const p = document.querySelector('.kpi-card__period'); p.insertAdjacentHTML("
                      "'beforeend', ' <strong class=\"tag tag--grey\">a year or more before the latest figures, "
                      "and some more words</strong>'); }")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


def test_a_chart_wider_than_a_phone_says_it_scrolls(pages, site_url, browser):
    """On a phone a chart keeps a readable size and scrolls sideways in its box; a line above it
    says so, since the box itself shows no sign of it. On a wide screen the chart fits: no line."""
    for width, shown in ((390, True), (1280, False)):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.goto(site_url + pages["service-with-data"].lstrip("/"))
            hint = page.locator(".chart__scroll-hint").first
            assert hint.is_visible() == shown, width
            if shown:
                box = page.locator(".chart__static").first
                assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll
        finally:
            context.close()


def test_static_chart_text_stays_inside_the_chart(pages, site_url, browser):
    """Labels are placed from an estimate of their width; drawn in the widest fallback font
    (DejaVu Sans, here), 'Housing and Communities' ran 10 px off the home chart's left edge."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for kind in ("home", "service-with-data", "costs", "organisation"):
            page.goto(site_url + pages[kind].removesuffix("index.html").lstrip("/"))
            outside = page.evaluate("""() => {
              const out = [];
              for (const svg of document.querySelectorAll('.chart__static svg')) {
                const width = svg.viewBox.baseVal.width || svg.width.baseVal.value;
                for (const text of svg.querySelectorAll('text')) {
                  if ((text.getAttribute('transform') || '').includes('rotate')) continue;
                  const box = text.getBBox();
                  if (box.x < -0.5 || box.x + box.width > width + 0.5) out.push(text.textContent);
                }
              }
              return out;
            }""")
            assert page.locator(".chart__static svg").count() > 0, kind
            assert outside == [], f"{kind}: {outside}"
    finally:
        context.close()


def test_a_table_wider_than_its_box_says_it_scrolls(pages, site_url, browser):
    """As charts do on a phone: a line above a wide table says it scrolls sideways. With JavaScript
    it shows exactly where a table overflows its box (every table, at widths either side of the
    stylesheet's guesses); without, the stylesheet guesses by the screen's width, and on a phone
    says it of every table that does (a review found 13 on a service page at 375 px with no word of
    it), if of a few that fit too. Chart data tables are opened first, as a reader opens them."""
    for javascript in (True, False):
        for width in ((390, 600, 601, 768, 919, 920, 1280) if javascript else (390, 1280)):
            context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
            page = context.new_page()
            try:
                for kind in ("services", "costs", "home", "service-with-data", "service-with-savings", "organisations"):
                    page.goto(site_url + pages[kind].removesuffix("index.html").lstrip("/"))
                    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
                    page.wait_for_timeout(100)  # scroll-hints.js hears of the boxes' new sizes
                    found = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')].map(box => {
                        const hint = box.previousElementSibling;
                        const has = !!hint && hint.classList.contains('scroll-hint');
                        return [box.getAttribute('aria-label'), box.scrollWidth > box.clientWidth + 2,
                                has && getComputedStyle(hint).display !== 'none' && !hint.hidden];
                    })""")
                    assert found, kind
                    if javascript or kind == "services":  # the services table: the guess is right there
                        assert all(overflows == shown for _, overflows, shown in found), (kind, width, found)
                    elif width < 600:
                        assert all(shown for _, overflows, shown in found if overflows), (kind, width, found)
                    if kind == "service-with-data" and width == 390:
                        assert sum(overflows for _, overflows, _ in found) >= 5, found  # the test sees some
            finally:
                context.close()


def test_a_link_focused_in_a_table_that_scrolls_is_brought_wholly_into_view(pages, site_url, browser):
    """At 320 px the all-services table scrolls sideways, and Chromium left a sort link that was
    partly in view where it was when tabbed to (26 of its 115 px showed): focus not obscured, but
    not seen either. scroll-hints.js scrolls the table to show it whole."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(site_url + pages["services"].removesuffix("index.html").lstrip("/"))
        page.locator(".table-wrap").first.focus()
        cut = []
        for _ in range(8):
            page.keyboard.press("Tab")
            cut.append(page.evaluate("""() => {
                const link = document.activeElement, box = link.closest('.table-wrap');
                if (!box || box === link) return null;
                const a = link.getBoundingClientRect(), b = box.getBoundingClientRect();
                return a.left >= b.left - 1 && a.right <= b.right + 1 ? 'whole' : 'cut';
            }"""))
        assert "whole" in cut and "cut" not in cut, cut
    finally:
        context.close()


def test_a_service_pages_contents_list_names_each_of_its_sections(built_site):
    """A service page runs to 28 screens on a phone (a review): a list of its sections comes first.
    Each section shows on its own conditions, written again in the list: on every service page of
    the example site, the list links to every section's heading, and to nothing else."""
    from bs4 import BeautifulSoup

    seen = set()
    for path in sorted(built_site.glob("services/*/index.html")):
        if path.parent.name == "sort":
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        contents = page.find("nav", class_="contents-list")
        headings = [h["id"] for h in page.main.find_all("h2", id=True) if h["id"] != "contents-heading"]
        if contents is None:
            assert "No data has been published for this service yet" in page.get_text(), path
            continue
        linked = [a["href"].removeprefix("#") for a in contents.find_all("a")]
        assert linked == headings, (path, linked, headings)  # the same, in the page's order
        texts = {a.get_text(): page.find(id=a["href"][1:]).get_text() for a in contents.find_all("a")}
        assert all(text == heading for text, heading in texts.items()), (path, texts)
        seen |= set(linked)
    # The example site shows every kind of section somewhere.
    assert {"kpis-heading", "charts-heading", "channels-heading", "migration-heading", "compare-heading",
            "savings-heading", "pattern-heading", "periods-heading", "notes-heading", "download-heading"} <= seen, seen


def _service_rows(html: str) -> list[tuple[str, str]]:
    """(service name, organisation name) of each row of a page's services table, from its HTML."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(html, "html.parser").find(id="services-table").table
    return [(row.th.a.get_text(), row.td.get_text().strip()) for row in table.tbody.find_all("tr")]


def test_a_reader_finds_a_service_in_the_services_table(built_site, pages, site_url, browser):
    """The all-services table of a large site is long (766 rows at GOV.UK's size): a box above it
    hides the rows whose service and organisation names lack a word typed, ignoring case and
    accents, and says how many are shown. The sort links carry what was typed, so the next sort
    order's page starts filtered; without JavaScript the box is hidden and every row is there."""
    rows = _service_rows((built_site / "services/index.html").read_text(encoding="utf-8"))
    assert len(rows) >= 10
    word = "WASTE"
    expected = [name for name, organisation in rows if "waste" in f"{name} {organisation}".lower()]
    assert 0 < len(expected) < len(rows)  # the word picks some rows, not all
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shown_rows = "rows => rows.filter(row => !row.hidden).map(row => row.querySelector('th a').textContent)"
    try:
        page.goto(site_url + "services/")
        assert page.is_visible("#services-table-filter")
        assert page.text_content("#services-table-filter-status") == f"Showing all {len(rows)} services."
        page.fill("#services-table-filter", f"  {word} ")
        assert page.eval_on_selector_all("#services-table tbody tr", shown_rows) == expected
        assert page.text_content("#services-table-filter-status") == \
            f"Showing {len(expected)} of {len(rows)} services."
        href = page.get_attribute("#services-table thead a.sort-link >> nth=0", "href")
        assert href.endswith(f"?q={word}#services-table"), href
        page.click("#services-table thead a.sort-link >> nth=0")  # the table by name, Z to A
        page.wait_for_load_state()
        assert page.input_value("#services-table-filter") == word
        assert page.eval_on_selector_all("#services-table tbody tr", shown_rows) == expected[::-1]
        page.fill("#services-table-filter", "nothing-is-called-this")
        assert page.text_content("#services-table-filter-status") == (
            f"No service matches “nothing-is-called-this”. Clear the box to see all {len(rows)} services.")
        assert not errors, errors
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + "services/")
        assert not page.is_visible("#services-table-filter")
        assert page.eval_on_selector_all("#services-table tbody tr", shown_rows) == [name for name, _ in rows]
    finally:
        context.close()


def test_only_a_table_long_enough_to_search_has_the_box_and_its_script(built_site):
    """Under ten rows a table is read at a glance: an organisation with a few services has neither
    the box nor its script; the home page and the all-services pages (14 services) have both."""
    for path in ["index.html", "services/index.html", *sorted(p.relative_to(built_site).as_posix()
                 for p in built_site.glob("organisations/*/index.html"))]:
        html = (built_site / path).read_text(encoding="utf-8")
        if 'id="services-table"' not in html:
            continue
        long_enough = len(_service_rows(html)) >= 10
        assert ('data-table-filter="services-table"' in html) == long_enough, path
        assert ("js/table-filter.js" in html) == long_enough, path


def test_a_long_word_in_a_services_name_wraps_on_a_phone(tmp_path, browser):
    """A service named with a web address or a long compound ('Register at
    www.wyrmshiredistrictcouncil.gov.uk', a tester's) widened its page at 320 px: the breadcrumb
    (an inline block) and the organisation's headline figures (grid columns of 1fr, whose least
    width is the longest word's) grew to fit it, and the whole page scrolled sideways."""
    from sitefactory import build_with_fines_named

    site = build_with_fines_named(tmp_path, "'Register at www.wyrmshiredistrictcouncil.gov.uk online'")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(site, "/"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 320, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    try:
        for path in ("", "services/fines/", "organisations/dept-a/", "services/"):
            page.goto(f"http://127.0.0.1:{server.server_port}/{path}")
            assert "wyrmshiredistrictcouncil" in page.content(), path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"/{path} is {width} px wide at 320 px"
    finally:
        context.close()
        server.shutdown()
        server.server_close()
