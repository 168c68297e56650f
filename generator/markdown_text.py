"""Markdown to HTML that is safe to put in a page without further escaping.

Content authors are trusted with Markdown, not with HTML: raw HTML in the
source is shown as text, and links or images with script URLs lose them.
"""

from __future__ import annotations

import re

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|#|/|\.|[A-Za-z0-9_-]+(/|\.|$))", re.I)


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is not None and not _SAFE_URL.match(value.strip()):
                    del element.attrib[attr]


class _NoRawHtml(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeUrls(md), "drop_unsafe_urls", 0)


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
