"""Markdown to HTML that is safe to put in a page without further escaping.

Content authors are trusted with Markdown, not with HTML: raw HTML in the
source is shown as text, and links or images with script URLs lose them. The
one tag read is a line break, ``<br>``, which notes exported from spreadsheets
and content systems carry (the Transactions Explorer's had shown it as text).

Links within the site are written as people write them, from the site's root
(``[About](/about/)``, ``![Logo](/static/img/logo.svg)``): each is made
relative to the page showing it, so it works at ``/`` and under a subpath
(a GitHub Pages project site). Every link within the site is collected, so
:func:`check_links` can warn about one that leads nowhere once the site's
files are known.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

_SAFE_LINK = re.compile(r"^(https?:|mailto:|tel:|#|\.|[A-Za-z0-9_-]+(/|\.|$))", re.I)
_SAFE_SRC = re.compile(r"^(\.|[A-Za-z0-9_-]+(/|\.|$))", re.I)  # images only from the site itself
_OUTSIDE = re.compile(r"^(https?:|mailto:|tel:|#)", re.I)  # left as written, never checked


@dataclass(frozen=True)
class SiteLink:
    """A link or image in Markdown that points within the site."""

    source: Path  # the Markdown page, or the service YAML whose notes hold it
    written: str  # as the author wrote it: '/about/', 'about.md'
    target: str  # site-relative, as url() takes it: 'about/', 'static/img/logo.svg'
    page_url: str  # the folder of the page showing it: 'contact/'


@dataclass(frozen=True)
class MarkdownSlip:
    """Something in Markdown the page shows otherwise than written: told with the links, once checked."""

    source: Path
    written: str  # what to find in the source, for the line: an image's address, a heading's text
    message: str
    hint: str
    pattern: str | None = None  # or a pattern that finds it (a heading, its text marked up or not)


class _SiteUrls(Treeprocessor):
    """Keep links within the site working from the page that shows them, and note them; remove
    script URLs, and image sources that would load from another host."""

    def __init__(self, md, page_url: str, source: Path | None, links: list | None):
        super().__init__(md)
        self.page_url, self.source, self.links = page_url, source, links

    def run(self, root):
        for element in root.iter():
            for attr, allowed in (("href", _SAFE_LINK), ("src", _SAFE_SRC)):
                value = element.get(attr)
                if value is None:
                    continue
                value = value.strip()
                if value.startswith("/") and not value.startswith(("//", "/\\")):
                    target = value.lstrip("/")
                    element.set(attr, _from_page(self.page_url, target))
                elif allowed.match(value) and not (attr == "href" and _OUTSIDE.match(value)):
                    target = _resolved(self.page_url, value)
                elif allowed.match(value):
                    continue
                else:
                    del element.attrib[attr]
                    if self.links is not None and self.source is not None:
                        self.links.append(_dropped(self.source, element.tag, attr, value))
                    continue
                if self.links is not None:
                    self.links.append(SiteLink(self.source, value, target, self.page_url))


def _dropped(source: Path, tag: str, attr: str, value: str) -> MarkdownSlip:
    empty = r"\]\(\s*\)" if not value else None  # '![Logo]()': found by its empty brackets
    if attr == "src":  # an image from another host would load from there (and track readers)
        where = "has no address" if not value else f"'{value[:60]}' is from another host" if re.match(
            r"^(https?:)?//", value, re.I) else f"'{value[:60]}' is not a file of this site"
        return MarkdownSlip(source, value, f"image {where}, so it is left out (the page shows only its alt text)",
                            "images come from the site itself: save the image in static/img/ beside config.yaml "
                            "and write ![...](/static/img/<name>)", empty)
    return MarkdownSlip(source, value, f"link to '{value}' is removed: only web, mailto: and tel: addresses, and "
                        "the site's own, are kept", "link to a page with https://..., or to the site's own from its root",
                        empty)


class _HeadingLevels(Treeprocessor):
    """A heading more than one level below the one before it ('#' then '####'): screen reader users
    move through a page by its headings, and axe reports the gap (heading-order)."""

    def __init__(self, md, source: Path | None, links: list | None):
        super().__init__(md)
        self.source, self.links = source, links

    def run(self, root):
        if self.links is None or self.source is None:
            return
        previous = None
        for element in root.iter():  # in a block quote or a list too: they are in the page's order
            if element.tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
                continue
            level = int(element.tag[1])
            if previous is not None and level > previous + 1:
                text = "".join(element.itertext()).strip()
                # Its line: '#'s (after any indent or '>'), then its words, with any markup between.
                pattern = rf"^[ \t>]*#{{{level}}}[ \t]+" + r"[^\n]*?".join(re.escape(w) for w in text.split())
                self.links.append(MarkdownSlip(
                    self.source, text, f"heading '{'#' * level} {text}' comes after a '{'#' * previous}' heading: "
                    f"{'a level is' if level == previous + 2 else 'levels are'} skipped",
                    f"write it as {'#' * (previous + 1)}: screen reader users move through a page by its headings, "
                    "and a gap reads as something missing", pattern))
            previous = level


def _from_page(page_url: str, target: str) -> str:
    """``target`` (site-relative) as a link from the page at ``page_url``: '../about/' from 'contact/'."""
    depth = page_url.count("/")
    return ("../" * depth if depth else "./") + target


def _resolved(page_url: str, written: str) -> str:
    """Where a relative link leads, site-relative ('../x' above the site's root stays '../x')."""
    split = re.search(r"[?#]", written)
    path, rest = (written[:split.start()], written[split.start():]) if split else (written, "")
    if not path:
        return page_url + rest
    joined = posixpath.normpath(posixpath.join(page_url, path))
    joined = "" if joined == "." else joined
    if joined and (path.endswith(("/", "/.", "/..")) or path in (".", "..")):
        joined += "/"
    return joined + rest


class _AccessibleTables(Treeprocessor):
    """Markdown tables get a caption (the heading above them) and scoped headers."""

    def run(self, root):
        heading = None
        for element in list(root):
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                heading = "".join(element.itertext()).strip()
            elif element.tag == "table":
                caption = etree.Element("caption")
                caption.text = heading or "Table"
                element.insert(0, caption)
                for th in element.iter("th"):
                    th.set("scope", "col")


class _LineBreak(InlineProcessor):
    """``<br>``, ``<br/>`` or ``<br />`` as a line break, with nothing of the tag kept."""

    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        return etree.Element("br"), m.start(0), m.end(0)


class _NoRawHtml(Extension):
    def __init__(self, page_url: str, source: Path | None, links: list | None):
        super().__init__()
        self.page_url, self.source, self.links = page_url, source, links

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_LineBreak(r"<[Bb][Rr]\s*/?>", md), "line_break_tag", 90)
        md.treeprocessors.register(_SiteUrls(md, self.page_url, self.source, self.links), "site_urls", 0)
        md.treeprocessors.register(_AccessibleTables(md), "accessible_tables", 1)
        md.treeprocessors.register(_HeadingLevels(md, self.source, self.links), "heading_levels", 2)


def render_markdown(text: str, shift_headings: int = 0, page_url: str = "", source: Path | None = None,
                    links: list | None = None) -> str:
    """Render Markdown; ``shift_headings`` demotes headings so a page keeps one h1.

    ``page_url`` is the folder of the page that shows it ('contact/'; '' for the home page): links
    from the site's root are made relative to it. Links within the site are added to ``links``
    (as SiteLink, naming ``source``), if given, for :func:`check_links`."""
    html, found = _rendered(text or "", shift_headings, page_url, source)
    if links is not None:
        links.extend(found)
    return html


@lru_cache(maxsize=8192)
def _rendered(text: str, shift_headings: int, page_url: str, source: Path | None) -> tuple[str, tuple]:
    """(HTML, links and slips found) of one text for one page, kept for the process: the dev server
    renders every service's notes again at each rebuild (734 in the Transactions Explorer's site, a
    Markdown parser set up for each). The HTML is the same whether or not the links are wanted."""
    found: list = []
    md = markdown.Markdown(extensions=["tables", "sane_lists", _NoRawHtml(page_url, source, found)],
                           output_format="html")
    html = md.convert(text)
    if shift_headings:
        def demote(match):
            level = min(6, int(match.group(2)) + shift_headings)
            return f"<{match.group(1)}h{level}"
        html = re.sub(r"<(/?)h([1-6])", demote, html)
    return html, tuple(found)


def tell_markdown_slips(content, problems) -> None:
    """The warnings of services' notes and Markdown pages that need no other file to find (a script
    link or an image from another host removed, a heading level skipped), for a build that stops at
    an error before its pages are put together: a tester's check with one error in a YAML file had
    lost two such warnings that a clean check told, though every problem is to be told at once."""
    slips: list = []
    for svc in content.services:
        if svc.notes:
            render_markdown(svc.notes, shift_headings=2, page_url=f"services/{svc.slug}/", source=svc.path,
                            links=slips)
    for page in content.pages:
        render_markdown(page.body, page_url=f"{page.slug}/", source=page.path, links=slips)
    check_links([slip for slip in slips if isinstance(slip, MarkdownSlip)], set(), {}, problems)


def check_links(links: list[SiteLink], outputs: set[str], pages: dict[str, str], problems) -> None:
    """Warn at each Markdown link within the site that leads to no file the build makes.

    ``outputs`` are the site's files ('about/index.html', 'static/css/site.css'); ``pages`` maps
    each Markdown page's source file name ('about.md') to its address ('about/'), for the link
    written to the file rather than the page. Chart downloads made with their pages are not all
    known yet, so links under data/charts/ are taken on trust."""
    folded = {path.lower(): path for path in outputs}
    texts: dict[Path, str] = {}

    def position(link) -> tuple[int | None, int | None]:
        if link.source not in texts:
            try:
                texts[link.source] = link.source.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                texts[link.source] = ""
        text = texts[link.source]
        if getattr(link, "pattern", None):
            found = re.search(link.pattern, text, re.M)
            if found is None:
                return None, None
            at = found.start() + len(found.group()) - len(found.group().lstrip(" \t>"))
            return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        return _position(text, link.written)

    for link in links:
        if isinstance(link, MarkdownSlip):
            problems.warning(link.source, link.message, *position(link), hint=link.hint)
            continue
        target = unquote(re.split(r"[?#]", link.target, maxsplit=1)[0])
        if _exists(target, outputs) or target.startswith("data/charts/"):
            continue
        line, column = position(link)
        problems.warning(link.source, f"link to '{link.written}' leads to no page or file of this site",
                         line, column, hint=_link_hint(link, target, outputs, folded, pages))


def _exists(target: str, outputs: set[str]) -> bool:
    if target in ("", "index.html") or target in outputs:
        return True
    folder = target if target.endswith("/") else target + "/"
    return folder + "index.html" in outputs


def _position(text: str, written: str) -> tuple[int | None, int | None]:
    """Line and column (from 1) of a link's address (or a heading's text) in its source, or (None,
    None) if not found."""
    found = re.search(r"(?:\]\(\s*<?|\]:[ \t]*<?)(" + re.escape(written) + r")[\s>)\"']", text)
    at = found.start(1) if found else text.find(written)  # as a link's address: not inside another's
    if at < 0:
        return None, None
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def _link_hint(link: SiteLink, target: str, outputs: set[str], folded: dict[str, str],
               pages: dict[str, str]) -> str:
    name = posixpath.basename(target.rstrip("/"))
    if name in pages:
        return f"link to /{pages[name]} for content/pages/{name}"
    for candidate in (target, target + "index.html", target + "/index.html"):
        if candidate.lower() in folded:
            real = folded[candidate.lower()].removesuffix("index.html")
            return (f"the address is /{real}: web servers such as GitHub Pages tell capital letters from "
                    "small ones")
    written = link.written.split("#")[0].split("?")[0]
    if not link.written.startswith("/") and _exists(unquote(written.lstrip("./")), outputs):
        return (f"a link without a leading / is read from this page's address (/{link.page_url}): "
                f"write /{written.lstrip('./')} to link from the site's root")
    addresses = sorted({path.removesuffix("index.html") for path in outputs})
    close = difflib.get_close_matches(target, addresses, n=1, cutoff=0.6)
    if close:
        return f"did you mean /{close[0]}?"
    if target.startswith("static/"):
        return f"put the file at {target} beside config.yaml (the site's static/ folder) and it is published there"
    return ("link to a page from the site's root, as /about/ for content/pages/about.md, and to a file "
            "in static/ as /static/img/logo.svg")
