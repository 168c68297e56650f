"""Markdown to HTML that is safe to put in a page without further escaping.

Content authors are trusted with Markdown, not with HTML: raw HTML in the
source is shown as text, and links or images with script URLs lose them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_SAFE_LINK = re.compile(r"^(https?:|mailto:|tel:|#|\.|[A-Za-z0-9_-]+(/|\.|$))", re.I)
_SAFE_SRC = re.compile(r"^(\.|[A-Za-z0-9_-]+(/|\.|$))", re.I)  # images only from the site itself


class _DropUnsafeUrls(Treeprocessor):
    """Remove script URLs, and image sources that would load from another host."""

    def run(self, root):
        for element in root.iter():
            for attr, allowed in (("href", _SAFE_LINK), ("src", _SAFE_SRC)):
                value = element.get(attr)
                if value is not None and not allowed.match(value.strip()):
                    del element.attrib[attr]


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


class _NoRawHtml(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", 0)
        md.treeprocessors.register(_AccessibleTables(md), "accessible_tables", 1)


def render_markdown(text: str, shift_headings: int = 0) -> str:
    """Render Markdown; ``shift_headings`` demotes headings so a page keeps one h1."""
    md = markdown.Markdown(extensions=["tables", "sane_lists", _NoRawHtml()], output_format="html")
    html = md.convert(text or "")
    if shift_headings:
        def demote(match):
            level = min(6, int(match.group(2)) + shift_headings)
            return f"<{match.group(1)}h{level}"
        html = re.sub(r"<(/?)h([1-6])", demote, html)
    return html
